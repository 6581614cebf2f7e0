#pragma once
// graft-cli(1) in troff, written from the same CLI11 definitions `--help` prints, so the manual
// cannot drift from the program. `graft-cli --man` prints it; the build writes it to
// build/app/graft-cli.1 and `cmake --install` puts it in share/man/man1.
#include <CLI/CLI.hpp>

#include <string>

namespace graft::cli {

std::string manPage(const CLI::App& app);

}  // namespace graft::cli

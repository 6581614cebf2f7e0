#pragma once
// Kept apart from cli_context.h's list so that adding the command did not recompile every
// command (a move for the merger to make when that header changes anyway).
#include <CLI/CLI.hpp>

namespace graft::cli {

void registerProbeCommand(CLI::App& app);

}  // namespace graft::cli

// Every subcommand explains itself (--help), and the manual page is made from the same
// definitions: it names every subcommand and option --help lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/test_support.h"

namespace graft::test {
namespace {

// The subcommands as `graft-cli --help` lists them (its "Subcommands:" section).
std::vector<std::string> listedSubcommands() {
  const auto help = runCli({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  std::vector<std::string> names;
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  static const std::regex entry(R"(^\s+([a-z][a-z-]*)\s{2,}\S.*$)");
  for (std::smatch m; std::getline(lines, line);)
    if (std::regex_match(line, m, entry)) names.push_back(m[1]);
  return names;
}

TEST(CliHelp, EverySubcommandHasHelpAndTheContractsOptions) {
  const auto names = listedSubcommands();
  // DESIGN.md's commands and `run` are all there.
  for (const char* expected : {"zoo", "summary", "predict", "edit", "train", "eval", "export",
                               "sample-data", "run", "probe"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const auto& name : names) {
    const auto r = runCli({name, "--help"});
    EXPECT_EQ(r.exitCode, 0) << name;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << name << ":\n" << r.out;
    EXPECT_NE(r.out.find("-h,--help"), std::string::npos) << name;
    EXPECT_TRUE(r.err.empty()) << name << ": " << r.err;
  }
  // Commands that read a model are quiet on request; commands whose output is data speak JSON.
  for (const char* name :
       {"summary", "predict", "edit", "train", "eval", "export", "fetch-weights", "run", "probe"})
    EXPECT_NE(runCli({name, "--help"}).out.find("--quiet"), std::string::npos) << name;
  for (const char* name :
       {"zoo", "summary", "predict", "edit", "train", "eval", "export", "run", "probe"})
    EXPECT_NE(runCli({name, "--help"}).out.find("--json"), std::string::npos) << name;
  const auto run = runCli({"run", "--help"});
  EXPECT_NE(run.out.find("--junit"), std::string::npos);
  // The metrics a check can name, from the parser's list.
  for (const char* metric : {"val_accuracy", "export_max_difference", "total_params", "prediction"})
    EXPECT_NE(run.out.find(metric), std::string::npos) << metric;
}

TEST(CliHelp, ManPageNamesEverySubcommandAndItsOptions) {
  const auto man = runCli({"--man"});
  ASSERT_EQ(man.exitCode, 0) << man.err;
  EXPECT_EQ(man.out.rfind(".TH GRAFT\\-CLI 1", 0), 0u) << man.out.substr(0, 80);
  const auto names = listedSubcommands();
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    std::string roffName = std::regex_replace(name, std::regex("-"), "\\-");
    EXPECT_NE(man.out.find(".SS \"" + roffName + "\""), std::string::npos) << name;
  }
  EXPECT_NE(man.out.find("\\-\\-junit"), std::string::npos);
  EXPECT_NE(man.out.find("\\-\\-cache\\-frozen"), std::string::npos);

  // groff reads it without a warning, and the rendered page (plain text: -P-cbou) has the
  // sections.
  TempDir scratch;
  const std::string file = scratch.file("graft-cli.1");
  std::ofstream(file) << man.out;
  const auto rendered = runProgram("/usr/bin/groff", {"-man", "-Tascii", "-P-cbou", "-ww", file});
  ASSERT_EQ(rendered.exitCode, 0) << rendered.err;
  EXPECT_TRUE(rendered.err.empty()) << rendered.err;
  for (const char* section : {"NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS"})
    EXPECT_NE(rendered.out.find(section), std::string::npos) << section;

  // The build writes the same page beside graft-cli (installed to share/man/man1).
  const std::string built =
      (std::filesystem::path(test::cliPath()).parent_path() / "graft-cli.1").string();
  std::ifstream in(built);
  ASSERT_TRUE(in) << built;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), man.out);
}

}  // namespace
}  // namespace graft::test

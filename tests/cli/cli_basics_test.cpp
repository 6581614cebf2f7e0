// graft-cli's contract: --help, --version, exit codes, summary output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace graft::test {
namespace {

TEST(CliBasics, VersionAndHelp) {
  auto v = runCli({"--version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("graft-cli "), std::string::npos);
  auto h = runCli({"--help"});
  EXPECT_EQ(h.exitCode, 0);
  for (const char* cmd : {"summary", "zoo"}) EXPECT_NE(h.out.find(cmd), std::string::npos) << cmd;
  for (const char* cmd : {"summary", "zoo"}) {
    auto sub = runCli({cmd, "--help"});
    EXPECT_EQ(sub.exitCode, 0) << cmd;
    EXPECT_NE(sub.out.find("--json"), std::string::npos) << cmd;
  }
}

TEST(CliBasics, UsageErrorsExit2) {
  EXPECT_EQ(runCli({}).exitCode, 2);
  EXPECT_EQ(runCli({"summary"}).exitCode, 2);
  EXPECT_EQ(runCli({"summary", "vgg16", "--no-such-flag"}).exitCode, 2);
}

TEST(CliBasics, BadModelExits1WithItsName) {
  auto r = runCli({"summary", "/nonexistent/model.h5"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("/nonexistent/model.h5"), std::string::npos) << r.err;
}

TEST(CliBasics, SummaryOfVgg16MatchesKeras) {
  TempDir cache;
  auto r = runCli({"summary", "vgg16", "--json"}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total_params"], 138357544);
  EXPECT_EQ(j["trainable_params"], 138357544);
  EXPECT_EQ(j["non_trainable_params"], 0);
  EXPECT_EQ(j["layers"].size(), 23u);
  EXPECT_EQ(j["layers"][1]["name"], "block1_conv1");
  EXPECT_EQ(j["layers"][1]["output_shape"], nlohmann::json::parse("[null, 224, 224, 64]"));
  EXPECT_NE(r.err.find("random weights"), std::string::npos) << r.err;

  auto table = runCli({"summary", "vgg16", "--no-top", "--input-size", "160"},
                      {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("Total params: 14,714,688"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("block2_pool (MaxPooling2D)"), std::string::npos);
  EXPECT_NE(table.out.find("(None, 40, 40, 128)"), std::string::npos);
}

}  // namespace
}  // namespace graft::test

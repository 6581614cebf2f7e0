// graft-cli summary on the real Keras files, and exit status 1 with a clear message for broken
// ones. Expected totals were counted independently from the files' datasets (h5py).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace graft::test {
namespace {

nlohmann::json summaryJson(const std::string& model, const std::vector<std::string>& extra = {}) {
  TempDir cache;
  std::vector<std::string> args{"summary", model, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = runCli(args, {"KERAS_HOME=" + cache.path().string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return r.exitCode == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

TEST(SummaryFixtures, VisualWakeWordsFullModel) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/vww_96.h5");
  auto j = summaryJson(path);
  EXPECT_EQ(j["total_params"], 221794);
  EXPECT_EQ(j["non_trainable_params"], 5472);
  EXPECT_EQ(j["layers"][0]["output_shape"], nlohmann::json::parse("[null, 96, 96, 3]"));
  EXPECT_EQ(j["layers"].back()["output_shape"], nlohmann::json::parse("[null, 2]"));
}

TEST(SummaryFixtures, CifarResNetWithAddLayers) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/pretrainedResnet.h5");
  auto j = summaryJson(path);
  EXPECT_EQ(j["total_params"], 78666);
  EXPECT_EQ(j["non_trainable_params"], 480);
  int adds = 0;
  for (const auto& l : j["layers"]) adds += l["type"] == "Add";
  EXPECT_GT(adds, 0);
  EXPECT_EQ(j["layers"].back()["output_shape"], nlohmann::json::parse("[null, 10]"));
}

TEST(SummaryFixtures, TableShowsConnectedToForMergeLayers) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/pretrainedResnet.h5");
  TempDir cache;
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("Connected to"), std::string::npos);
  EXPECT_NE(r.out.find("Total params: 78,666"), std::string::npos);
  EXPECT_NE(r.err.find("matched by layer name"), std::string::npos) << r.err;
}

class BrokenFiles : public ::testing::Test {
 protected:
  TempDir dir;
  CommandResult summary(const std::string& path) {
    return runCli({"summary", path}, {"KERAS_HOME=" + dir.path().string()});
  }
};

TEST_F(BrokenFiles, NonHdf5FileExits1) {
  const std::string path = dir.file("model.h5");
  std::ofstream(path) << "this is not a model";
  auto r = summary(path);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path + ": not an HDF5 file"), std::string::npos) << r.err;
}

TEST_F(BrokenFiles, TruncatedKerasFileExits1) {
  GRAFT_REQUIRE_FIXTURE(source, "keras/vww_96.h5");
  const std::string path = dir.file("cut.h5");
  std::filesystem::copy_file(source, path);
  std::filesystem::resize_file(path, std::filesystem::file_size(source) / 3);
  auto r = summary(path);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST_F(BrokenFiles, UnknownZooNameAndMissingFileExit1) {
  auto r = summary("resnet9000");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("not a zoo architecture"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace graft::test

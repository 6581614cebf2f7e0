// The files themselves: a failing export leaves nothing behind (and keeps a previous file), and
// the Keras HDF5 export has the structure Keras's save_weights writes, as h5py sees it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "export/export.h"
#include "export_test_support.h"
#include "io/hdf5_file.h"
#include "io/model_source.h"

namespace graft::test::exports {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ExportFiles, MissingFolderFailsNamingThePath) {
  const Model model = coverageModel(1);
  TempDir dir;
  for (ExportFormat f : kFormats) {
    const std::string path = dir.file("no/such/folder/model.out");
    try {
      exportModel(model, f, path);
      ADD_FAILURE() << exportFormatTitle(f) << " wrote into a missing folder";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_TRUE(listing(dir.path()).empty());
  }
}

// The file is written and checked, and only then moved into place; when that last step fails
// (here: a folder sits where the file should go) nothing half-written is left.
TEST(ExportFiles, FailureAfterWritingLeavesNoPartialFile) {
  const Model model = coverageModel(1);
  TempDir dir;
  fs::create_directory(dir.file("model.out"));
  std::ofstream(dir.file("model.out/keep")) << "x";
  for (ExportFormat f : kFormats) {
    EXPECT_THROW(exportModel(model, f, dir.file("model.out")), Error) << exportFormatTitle(f);
    EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"model.out"}) << exportFormatTitle(f);
    EXPECT_EQ(listing(dir.file("model.out")), std::vector<std::string>{"keep"});
  }
}

TEST(ExportFiles, SuccessfulExportReplacesThePreviousFile) {
  const Model model = coverageModel(1);
  TempDir dir;
  for (ExportFormat f : kFormats) {
    const std::string path = dir.file("model_" + exportFormatName(f));
    std::ofstream(path) << "old";
    const ExportReport report = exportModel(model, f, path);
    EXPECT_EQ(report.path, path);
    EXPECT_GT(fs::file_size(path), 1000u) << exportFormatTitle(f);
  }
  EXPECT_EQ(listing(dir.path()).size(), 3u);  // no temporary files left
}

TEST(ExportFiles, KerasHdf5HasSaveWeightsStructure) {
  GRAFT_REQUIRE_PYTHON("h5py");
  const Model model = coverageModel(1);
  TempDir dir;
  exportModel(model, ExportFormat::KerasH5, dir.file("w.h5"));
  const Json r = runPython(kH5Inspector, {{dir.file("w.h5"), {}, {}}}, dir).front();
  ASSERT_FALSE(r.contains("error")) << r.dump();
  std::vector<std::string> names;
  for (const auto& node : model.graph.nodes()) names.push_back(node.name);
  EXPECT_EQ(r.at("layer_names").get<std::vector<std::string>>(), names);
  EXPECT_EQ(r.at("backend"), "tensorflow");
  const Json& layers = r.at("layers");
  EXPECT_EQ(layers.at("conv1"), Json::parse(R"([["conv1/kernel:0", [3, 3, 3, 8]]])"));
  EXPECT_EQ(layers.at("dw"),
            Json::parse(R"([["dw/depthwise_kernel:0", [3, 3, 8, 1]], ["dw/bias:0", [8]]])"));
  EXPECT_EQ(layers.at("dw_bn"), Json::parse(R"([["dw_bn/gamma:0", [8]],
      ["dw_bn/moving_mean:0", [8]], ["dw_bn/moving_variance:0", [8]]])"));
  EXPECT_EQ(layers.at("fc1"), Json::parse(R"([["fc1/kernel:0", [64, 10]], ["fc1/bias:0", [10]]])"));
  EXPECT_EQ(layers.at("flatten"), Json::array());
}

// A model whose Keras file had an augmentation Sequential Graft leaves out: its Keras 3 weights
// export numbers the head `sequential_1`, as Keras does, and the export's own check reads it so
// (it looked for `sequential` and refused its own file).
TEST(ExportFiles, KerasWeightsOfAModelWithALeftOutNestedModelPassTheirCheck) {
  TempDir dir;
  const std::string config = dir.file("augmented.json");
  std::ofstream(config) << R"({"module": "keras", "class_name": "Sequential", "config": {
    "name": "outer", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 3], "name": "image"}},
    {"class_name": "Sequential", "config": {"name": "augment", "layers": [
      {"class_name": "RandomFlip", "config": {"name": "flip", "mode": "horizontal"}}]}},
    {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
    {"class_name": "Sequential", "config": {"name": "head", "layers": [
      {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}}]}})";
  ModelSpec spec;
  spec.source = config;
  const Model model = loadModel(spec).model;
  ASSERT_EQ(model.kerasLeftOut.size(), 1u);
  const std::string out = dir.file("augmented.weights.h5");
  EXPECT_NO_THROW(exportModel(model, ExportFormat::KerasWeights, out));
  EXPECT_TRUE(h5::File::openReadOnly(out).exists("/layers/sequential_1/layers/dense/vars/0"));
}

}  // namespace
}  // namespace graft::test::exports

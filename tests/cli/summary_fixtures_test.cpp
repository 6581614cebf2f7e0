// graft-cli summary on the real Keras files, and exit status 1 with a clear message for broken
// ones. Expected totals were counted independently from the files' datasets (h5py).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/hdf5_file.h"
#include "io/keras_h5_reader.h"
#include "io/keras_h5_writer.h"
#include "io/model_source.h"
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
  // A path is a missing file, not a misspelt architecture: no list of 40 zoo names.
  auto missing = summary("/no/such/folder/model.h5");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("/no/such/folder/model.h5: no such file (the folder /no/such/folder "
                             "does not exist either)"),
            std::string::npos)
      << missing.err;
  EXPECT_EQ(missing.err.find("vgg16"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace graft::test

namespace graft::test {
namespace {

TEST(SummaryFixtures, WeightsOnlyMobileNetIsRecognised) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet_2_5_224_tf_no_top.h5");
  TempDir cache;
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("Total params: 218,544"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("recognised as mobilenet"), std::string::npos) << r.err;
}

TEST(ZooCommand, FiltersByWordsAndGivesSizeAndKerasAccuracy) {
  TempDir home;
  auto r = runCli({"zoo", "resnet", "v2", "--json"}, {"KERAS_HOME=" + home.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> names;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    names.push_back(j["architecture"]);
    if (j["architecture"] == "resnet50v2") {
      EXPECT_EQ(j["parameters"], 25613800);  // Keras's model.summary()
      EXPECT_DOUBLE_EQ(j["top1_accuracy"].get<double>(), 0.760);
      EXPECT_DOUBLE_EQ(j["top5_accuracy"].get<double>(), 0.930);
      EXPECT_EQ(j["alias"], "resnet50_v2");
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"resnet50v2", "resnet101v2", "resnet152v2",
                                             "inceptionresnetv2"}));
  // The table: families as headings, one row per architecture.
  r = runCli({"zoo", "efficientnet_v2"}, {"KERAS_HOME=" + home.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("EfficientNetV2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("efficientnetv2s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("83.9%"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("resnet50"), std::string::npos) << r.out;
  r = runCli({"zoo", "transformer"}, {"KERAS_HOME=" + home.path().string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("no architecture matches 'transformer'"), std::string::npos) << r.err;
}

TEST(ZooCommand, ListsArchitecturesAndFindsCachedFiles) {
  TempDir home;
  std::filesystem::create_directories(home.path() / "models");
  std::ofstream(home.path() / "models" / "xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
      << "x";
  auto r = runCli({"zoo", "--json"}, {"KERAS_HOME=" + home.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> names;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    names.push_back(j["architecture"]);
    if (j["architecture"] == "xception")
      EXPECT_EQ(j["found"], nlohmann::json::parse(
                                R"(["xception_weights_tf_dim_ordering_tf_kernels_notop.h5"])"));
    else
      EXPECT_TRUE(j["found"].empty()) << line;
  }
  // Grouped by family (the "family" field); the first six keep their names.
  // Grouped by family in the order of Keras's applications table.
  const std::vector<std::string> expected = {"vgg16",
                                             "vgg19",
                                             "resnet50",
                                             "resnet101",
                                             "resnet152",
                                             "resnet50v2",
                                             "resnet101v2",
                                             "resnet152v2",
                                             "inception_v3",
                                             "inceptionresnetv2",
                                             "xception",
                                             "mobilenet",
                                             "mobilenetv2",
                                             "mobilenetv3small",
                                             "mobilenetv3large",
                                             "densenet121",
                                             "densenet169",
                                             "densenet201",
                                             "nasnetmobile",
                                             "nasnetlarge",
                                             "efficientnetb0",
                                             "efficientnetb1",
                                             "efficientnetb2",
                                             "efficientnetb3",
                                             "efficientnetb4",
                                             "efficientnetb5",
                                             "efficientnetb6",
                                             "efficientnetb7",
                                             "efficientnetv2b0",
                                             "efficientnetv2b1",
                                             "efficientnetv2b2",
                                             "efficientnetv2b3",
                                             "efficientnetv2s",
                                             "efficientnetv2m",
                                             "efficientnetv2l",
                                             "convnexttiny",
                                             "convnextsmall",
                                             "convnextbase",
                                             "convnextlarge",
                                             "convnextxlarge"};
  EXPECT_EQ(names, expected);
}

}  // namespace
}  // namespace graft::test

namespace graft::test {
namespace {

// A MobileNet without its top (random weights), to write weight files from.
Model noTopMobileNet(double alpha, const std::string& pooling = "") {
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = alpha;
  spec.includeTop = false;
  spec.pooling = pooling;
  return loadModel(spec).model;
}

TEST(BrokenWeights, HdfFileThatIsNotKerasExits1) {
  TempDir dir;
  const std::string path = dir.file("data.h5");
  {
    auto f = h5::File::create(path);
    const float v[] = {1, 2, 3};
    f.writeFloats("/values", {3}, v);
  }
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("not a Keras weights file"), std::string::npos) << r.err;
}

TEST(BrokenWeights, WrongShapeNamesTheLayerAndExits1) {
  TempDir dir;
  const std::string path = dir.file("half.h5");
  saveKerasWeights(noTopMobileNet(0.5), path);
  auto r = runCli({"summary", "mobilenet", "--alpha", "0.25", "--no-top", "--weights", path},
                  {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("conv1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(3, 3, 3, 16)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(3, 3, 3, 8)"), std::string::npos) << r.err;
}

// A weights-only file as Graft wrote it before it recorded the model: the dataset gone.
void forgetRecordedModel(const std::string& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_GE(H5Ldelete(file, kGraftModelConfigDataset, H5P_DEFAULT), 0);
  H5Fclose(file);
}

// The weights of a MobileNet with a new head (graft-cli train -o FILE.h5) open alone as that
// model: Graft records the model in its weights-only files (Keras ignores it).
TEST(BrokenWeights, AnEditedModelsWeightsOpenAsTheModelTheyWereSavedFrom) {
  TempDir dir;
  const Model base = noTopMobileNet(0.25, "avg");
  auto edited = applyOperation(
      base,
      ops::stack(base.graph.outputs().front(),
                 {ops::layer("Dense", "head_out", {{"units", 3}, {"activation", "softmax"}})}));
  ASSERT_TRUE(edited.ok()) << joinDiagnostics(edited.diagnostics());
  const std::string path = dir.file("trained.h5");
  saveKerasWeights(edited.value().model, path);
  const auto opened = runCli({"summary", path}, {"KERAS_HOME=" + dir.path().string()});
  ASSERT_EQ(opened.exitCode, 0) << opened.err;
  EXPECT_NE(opened.out.find("head_out"), std::string::npos) << opened.out;
  EXPECT_NE(opened.err.find("opened as the model they were saved from"), std::string::npos)
      << opened.err;
  // Without the record (a file of an older Graft), the recognised MobileNet would lose the
  // head: refused with the way to open it.
  forgetRecordedModel(path);
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(r.exitCode, 1) << r.out;
  EXPECT_NE(r.err.find("head_out, which mobilenet lacks"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--weights " + path), std::string::npos) << r.err;
}

// An edit that takes a layer away (a fuse of a convolution with its BatchNormalization), in a
// file without the recorded model: the recognised architecture misses it in the file, and the
// refusal says the file came from an edited model and how to open it (it said only which layer
// was missing).
TEST(BrokenWeights, AFusedModelsWeightsSayHowToOpenThem) {
  TempDir dir;
  const Model base = noTopMobileNet(0.25, "avg");
  auto fused = applyOperation(base, ops::fuse({"conv_pw_7", "conv_pw_7_bn"}));
  ASSERT_TRUE(fused.ok()) << joinDiagnostics(fused.diagnostics());
  const std::string path = dir.file("fused.h5");
  saveKerasWeights(fused.value().model, path);
  forgetRecordedModel(path);
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(r.exitCode, 1) << r.out;
  EXPECT_NE(r.err.find("conv_pw_7_bn"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("but it lacks conv_pw_7_bn: it was saved from an edited model"),
            std::string::npos)
      << r.err;
  // Options that do not fit the file are refused in their own words, not blamed on an edit.
  const auto small =
      runCli({"summary", path, "--input-size", "16"}, {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(small.exitCode, 1);
  EXPECT_EQ(small.err.find("edited model"), std::string::npos) << small.err;
  EXPECT_NE(r.err.find("--weights " + path), std::string::npos) << r.err;
}

// The weights of another architecture match no layer: refused, not a random network under the
// file's name.
TEST(BrokenWeights, AFileOfAnotherArchitectureExits1) {
  TempDir dir;
  const std::string path = dir.file("mobilenet.h5");
  saveKerasWeights(noTopMobileNet(0.25), path);
  auto r = runCli({"summary", "vgg16", "--no-top", "--weights", path},
                  {"KERAS_HOME=" + dir.path().string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path + ": none of its layers fits the model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("block1_conv1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("conv1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace graft::test

namespace graft::test {
namespace {

// Keras 3 archives, nested models and unsupported layers through graft-cli.
TEST(SummaryKeras3, ArchiveTotalsMatchKeras) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras");
  auto j = summaryJson(path);
  EXPECT_EQ(j["total_params"], 34826);
  EXPECT_EQ(j["layers"].back()["output_shape"], nlohmann::json::parse("[null, 10]"));
}

TEST(SummaryKeras3, NestedModelIsOneRowUnlessExpanded) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  TempDir cache;
  auto table = runCli({"summary", path}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("sequential_1 (Sequential)"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("block_1_expand (Conv2D)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Total params: 538,708"), std::string::npos) << table.out;
  EXPECT_NE(table.err.find("preprocessing: 'tf'"), std::string::npos) << table.err;
  auto expanded = runCli({"summary", path, "--expand"}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(expanded.exitCode, 0) << expanded.err;
  EXPECT_NE(expanded.out.find("block_1_expand (Conv2D)"), std::string::npos) << expanded.out;
  auto j = summaryJson(path);
  EXPECT_EQ(j["groups"].size(), 3u);
  EXPECT_EQ(j["groups"][2]["params"], 128500);
}

TEST(SummaryKeras3, UnsupportedLayerTypesExit1NamingEveryType) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k3_functional_conv1d_bilstm_mha__keras3.13.2.keras");
  TempDir cache;
  auto r = runCli({"summary", path}, {"KERAS_HOME=" + cache.path().string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Conv1D (first used by layer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MultiHeadAttention"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(PredictKeras3, GrayscaleArchiveModelGivesTenProbabilities) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras");
  GRAFT_REQUIRE_FIXTURE(image, "keras/cat.jpg");
  TempDir cache;
  auto r = runCli({"predict", path, image, "--json", "--preprocessing", "unit"},
                  {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["output"].size(), 10u);
  double sum = 0;
  for (const auto& p : j["output"]) sum += p.get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-4);
  EXPECT_EQ(j["shape"], nlohmann::json::parse("[10]")) << r.out;  // a 28x28x1 input: gray
}

}  // namespace
}  // namespace graft::test

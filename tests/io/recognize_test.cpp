// Weights-only files are recognised from layer names and kernel shapes: family, alpha, top,
// class count, ResNet naming scheme. Files are the real fixtures or written by the test.
#include <gtest/gtest.h>
#include <hdf5.h>

#include "io/keras_h5_writer.h"
#include "io/model_source.h"
#include "io/recognize.h"
#include "support/test_support.h"

namespace graft {
namespace {

Model randomZoo(zoo::ZooOptions o) {
  ModelSpec spec;
  spec.source = o.architecture;
  spec.includeTop = o.includeTop;
  // Options the architecture has (others are refused, as a user's would be).
  if (o.includeTop) spec.classes = o.classes;
  if (zoo::hasAlpha(o.architecture)) spec.alpha = o.alpha;
  if (o.inputSize) spec.inputSize = *o.inputSize;
  if (!o.pooling.empty()) spec.pooling = o.pooling;
  Model m = loadModel(spec).model;
  if (o.architecture == "resnet50") {  // the loader builds the default naming; rebuild
    m.graph = zoo::buildGraph(o);
    m.weights = WeightStore();
    initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 1);
  }
  return m;
}

std::optional<Recognition> recognizeWritten(const zoo::ZooOptions& o, const test::TempDir& dir) {
  const std::string path = dir.file(o.architecture + ".h5");
  saveKerasWeights(randomZoo(o), path);
  return recognizeZooWeights(KerasH5Reader(path));
}

TEST(Recognize, MobileNetCatVsDogFixture) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet025_catvsdog.h5");
  const auto r = recognizeZooWeights(KerasH5Reader(path));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->options.architecture, "mobilenet");
  EXPECT_DOUBLE_EQ(r->options.alpha, 0.25);
  EXPECT_TRUE(r->options.includeTop);
  EXPECT_EQ(r->options.classes, 2);
  EXPECT_NE(r->evidence.find("2 classes"), std::string::npos) << r->evidence;
}

TEST(Recognize, MobileNetNoTopFixtureLoadsWith218544Parameters) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet_2_5_224_tf_no_top.h5");
  const auto r = recognizeZooWeights(KerasH5Reader(path));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->options.includeTop);
  EXPECT_EQ(r->options.inputSize, 224);
  ModelSpec spec;
  spec.source = path;
  const LoadedModel loaded = loadModel(spec);
  const GraphAnalysis a = analyzeOrThrow(loaded.model.graph);
  EXPECT_EQ(a.totalParams, 218544);
  EXPECT_EQ(loaded.model.preprocessing, Preprocessing::Tf);
  EXPECT_TRUE(checkWeights(loaded.model.graph, a, loaded.model.weights).empty());
  EXPECT_NE(loaded.notes.at(0).find("recognised as mobilenet"), std::string::npos);
}

TEST(Recognize, BothResNet50NamingSchemes) {
  test::TempDir dir;
  for (const std::string naming : {"keras-applications", "tf.keras"}) {
    zoo::ZooOptions o;
    o.architecture = "resnet50";
    o.includeTop = false;
    o.resnetNaming = naming;
    const auto r = recognizeWritten(o, dir);
    ASSERT_TRUE(r.has_value()) << naming;
    EXPECT_EQ(r->options.architecture, "resnet50");
    EXPECT_EQ(r->options.resnetNaming, naming);
    EXPECT_FALSE(r->options.includeTop);
  }
}

TEST(Recognize, VggFamiliesTopAndClasses) {
  test::TempDir dir;
  zoo::ZooOptions o;
  o.architecture = "vgg19";
  o.includeTop = true;
  o.classes = 7;
  o.inputSize = 32;
  const auto r = recognizeWritten(o, dir);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->options.architecture, "vgg19");
  EXPECT_TRUE(r->options.includeTop);
  EXPECT_EQ(r->options.classes, 7);
}

TEST(Recognize, XceptionAndInceptionWithoutTop) {
  test::TempDir dir;
  for (const std::string arch : {"xception", "inception_v3"}) {
    zoo::ZooOptions o;
    o.architecture = arch;
    o.includeTop = false;
    const auto r = recognizeWritten(o, dir);
    ASSERT_TRUE(r.has_value()) << arch;
    EXPECT_EQ(r->options.architecture, arch);
    EXPECT_FALSE(r->options.includeTop);
  }
}

TEST(Recognize, UnknownFileSaysWhichFlagsSettleIt) {
  GRAFT_REQUIRE_FIXTURE(vww, "keras/vww_96.h5");  // a full model: only its weights are copied
  test::TempDir dir;
  ModelSpec spec;
  spec.source = vww;
  const LoadedModel full = loadModel(spec);
  const std::string weightsOnly = dir.file("custom.h5");
  saveKerasWeights(full.model, weightsOnly);
  // Graft's own file opens as the model it recorded; without the record (a file from another
  // tool), only recognition could tell the architecture.
  spec.source = weightsOnly;
  EXPECT_EQ(loadModel(spec).model.graph, full.model.graph);
  {
    const hid_t file = H5Fopen(weightsOnly.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    EXPECT_GE(H5Ldelete(file, kGraftModelConfigDataset, H5P_DEFAULT), 0);
    H5Fclose(file);
  }
  EXPECT_FALSE(recognizeZooWeights(KerasH5Reader(weightsOnly)).has_value());
  spec.source = weightsOnly;
  try {
    loadModel(spec);
    FAIL() << "unrecognised file accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("does not recognise"), std::string::npos) << m;
    EXPECT_NE(m.find("--weights"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace graft

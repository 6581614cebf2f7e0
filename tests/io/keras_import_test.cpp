// Keras .h5 weights import: every naming style, split attributes, order fallback, and a clear
// error for each kind of broken file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/keras_json.h"
#include "io/keras_weights_import.h"
#include "io/model_source.h"
#include "keras_file_writer.h"
#include "support/test_support.h"

namespace graft {
namespace {

using test::LayerToWrite;
using test::ramp;

// input -> conv (4 filters 3x3) -> bn -> relu -> flatten -> dense (3)
Graph smallGraph(const std::string& conv = "conv", const std::string& bn = "bn",
                 const std::string& dense = "dense") {
  GraphBuilder b("small");
  auto x = b.input("input_1", {kUnknown, 6, 6, 3});
  x = b.add("Conv2D", conv, {{"filters", 4}}, x);
  x = b.add("BatchNormalization", bn, {}, x);
  x = b.add("ReLU", "relu", {}, x);
  x = b.add("Flatten", "flatten", {}, x);
  b.add("Dense", dense, {{"units", 3}}, x);
  return b.build();
}

std::vector<LayerToWrite> smallLayers(const std::string& conv = "conv",
                                      const std::string& bn = "bn",
                                      const std::string& dense = "dense") {
  return {{"input_1", {}},
          {conv, {{"kernel", ramp({3, 3, 3, 4}, 0)}, {"bias", ramp({4}, 100)}}},
          {bn,
           {{"gamma", ramp({4}, 200)},
            {"beta", ramp({4}, 300)},
            {"moving_mean", ramp({4}, 400)},
            {"moving_variance", ramp({4}, 500)}}},
          {"relu", {}},
          {"flatten", {}},
          {dense, {{"kernel", ramp({64, 3}, 600)}, {"bias", ramp({3}, 700)}}}};
}

void expectSameValues(const WeightTensor& a, const WeightTensor& b, const std::string& what) {
  ASSERT_EQ(a.shape, b.shape) << what;
  for (int64_t i = 0; i < a.numel(); ++i)
    ASSERT_EQ(a.values()[i], b.values()[i]) << what << " @" << i;
}

void expectLoadedAsWritten(const WeightStore& store, const std::vector<LayerToWrite>& written,
                           const std::vector<std::string>& targetNames) {
  size_t t = 0;
  for (const auto& layer : written) {
    if (layer.weights.empty()) continue;
    const auto* loaded = store.find(targetNames[t++]);
    ASSERT_NE(loaded, nullptr) << layer.name;
    ASSERT_EQ(loaded->size(), layer.weights.size());
    for (size_t i = 0; i < layer.weights.size(); ++i)
      expectSameValues((*loaded)[i], layer.weights[i].second,
                       layer.name + "/" + layer.weights[i].first);
  }
}

class KerasImport : public ::testing::TestWithParam<test::KerasNaming> {};

TEST_P(KerasImport, LoadsEveryNamingStyleByName) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  test::KerasFileOptions options;
  options.naming = GetParam();
  test::writeKerasWeights(path, smallLayers(), options);
  const Graph g = smallGraph();
  const GraphAnalysis a = analyzeOrThrow(g);
  WeightStore store;
  const WeightLoadReport report = loadKerasWeights(KerasH5Reader(path), g, a, store);
  EXPECT_EQ(report.rule, MatchRule::ByName);
  EXPECT_EQ(report.loaded, (std::vector<std::string>{"conv", "bn", "dense"}));
  EXPECT_TRUE(checkWeights(g, a, store).empty());
  expectLoadedAsWritten(store, smallLayers(), {"conv", "bn", "dense"});
}

INSTANTIATE_TEST_SUITE_P(Naming, KerasImport,
                         ::testing::Values(test::KerasNaming::Keras1, test::KerasNaming::Keras2,
                                           test::KerasNaming::Keras3));

// Theano convolves where TensorFlow correlates: Keras 1 and 2 flipped the kernels of a Theano
// file's convolutions on loading, so the model computes what it was trained to.
TEST(KerasImportFile, ATheanoFilesConvolutionKernelsAreFlippedAsKerasDid) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  test::KerasFileOptions options;
  options.backend = "theano";
  test::writeKerasWeights(path, smallLayers(), options);
  const Graph g = smallGraph();
  WeightStore store;
  const WeightLoadReport report =
      loadKerasWeights(KerasH5Reader(path), g, analyzeOrThrow(g), store);
  EXPECT_EQ(report.kernelsFlipped, std::vector<std::string>{"conv"});
  EXPECT_NE(report.describe().find("1 convolution kernels flipped"), std::string::npos);
  const WeightTensor written = ramp({3, 3, 3, 4}, 0);
  const WeightTensor& kernel = (*store.find("conv"))[0];
  ASSERT_EQ(kernel.shape, written.shape);
  for (int64_t y = 0; y < 3; ++y)
    for (int64_t x = 0; x < 3; ++x)
      for (int64_t io = 0; io < 12; ++io)
        ASSERT_EQ(kernel.values()[(y * 3 + x) * 12 + io],
                  written.values()[((2 - y) * 3 + (2 - x)) * 12 + io])
            << y << "," << x << "," << io;
  // Only kernels: the bias and the other layers are as written.
  expectSameValues((*store.find("conv"))[1], ramp({4}, 100), "conv bias");
  expectSameValues((*store.find("dense"))[0], ramp({64, 3}, 600), "dense kernel");
}

TEST(KerasImportFile, BatchNormOrderComesFromWeightNames) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  test::KerasFileOptions options;
  options.reverseBatchNormOrder = true;  // stored as moving_variance, moving_mean, beta, gamma
  test::writeKerasWeights(path, smallLayers(), options);
  const Graph g = smallGraph();
  WeightStore store;
  loadKerasWeights(KerasH5Reader(path), g, analyzeOrThrow(g), store);
  expectLoadedAsWritten(store, smallLayers(), {"conv", "bn", "dense"});
}

TEST(KerasImportFile, SplitLayerNamesAttribute) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  test::KerasFileOptions options;
  options.splitLayerNames = true;
  test::writeKerasWeights(path, smallLayers(), options);
  KerasH5Reader reader(path);
  ASSERT_EQ(reader.layers().size(), 6u);
  EXPECT_EQ(reader.layers()[5].name, "dense");
  const Graph g = smallGraph();
  WeightStore store;
  EXPECT_EQ(loadKerasWeights(reader, g, analyzeOrThrow(g), store).loaded.size(), 3u);
}

TEST(KerasImportFile, FallsBackToKerasOrderRuleAndSaysSo) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  test::writeKerasWeights(path, smallLayers("conv2d_7", "batch_normalization_7", "dense_9"));
  const Graph g = smallGraph();
  WeightStore store;
  const WeightLoadReport report =
      loadKerasWeights(KerasH5Reader(path), g, analyzeOrThrow(g), store);
  EXPECT_EQ(report.rule, MatchRule::ByOrder);
  EXPECT_NE(report.describe().find("by layer order"), std::string::npos);
  expectLoadedAsWritten(store, smallLayers(), {"conv", "bn", "dense"});
}

TEST(KerasImportFile, WrongShapeNamesLayerAndBothShapes) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  auto layers = smallLayers();
  layers[1].weights[0].second = ramp({3, 3, 3, 5}, 0);
  test::writeKerasWeights(path, layers);
  const Graph g = smallGraph();
  WeightStore store;
  try {
    loadKerasWeights(KerasH5Reader(path), g, analyzeOrThrow(g), store);
    FAIL() << "wrong shape accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("conv"), std::string::npos) << m;
    EXPECT_NE(m.find("(3, 3, 3, 5)"), std::string::npos) << m;
    EXPECT_NE(m.find("(3, 3, 3, 4)"), std::string::npos) << m;
  }
}

TEST(KerasImportFile, MissingLayerIsNamedUnlessAllowed) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  auto layers = smallLayers();
  layers.erase(layers.begin() + 5);  // no dense
  test::writeKerasWeights(path, layers);
  const Graph g = smallGraph();
  const GraphAnalysis a = analyzeOrThrow(g);
  WeightStore store;
  try {
    loadKerasWeights(KerasH5Reader(path), g, a, store);
    FAIL() << "missing layer accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dense"), std::string::npos) << e.what();
  }
  const WeightLoadReport partial = loadKerasWeights(KerasH5Reader(path), g, a, store, {true});
  EXPECT_EQ(partial.missing, std::vector<std::string>{"dense"});
  EXPECT_EQ(partial.loaded.size(), 2u);
}

TEST(KerasImportFile, BrokenFilesGiveClearErrors) {
  test::TempDir dir;
  // An HDF5 file that is not a Keras file.
  const std::string plain = dir.file("plain.h5");
  {
    auto f = h5::File::create(plain);
    const float v[] = {1, 2};
    f.writeFloats("/data", {2}, v);
  }
  try {
    KerasH5Reader r(plain);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a Keras weights file"), std::string::npos)
        << e.what();
  }
  // A truncated file.
  const std::string good = dir.file("good.h5"), cut = dir.file("cut.h5");
  test::writeKerasWeights(good, smallLayers());
  std::filesystem::copy_file(good, cut);
  std::filesystem::resize_file(cut, std::filesystem::file_size(good) / 2);
  const Graph g = smallGraph();
  WeightStore store;
  try {
    KerasH5Reader r(cut);
    loadKerasWeights(r, g, analyzeOrThrow(g), store);
    FAIL() << "truncated file accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
  }
}

TEST(KerasImportFile, FullModelFileBecomesAGraphWithWeights) {
  test::TempDir dir;
  const std::string path = dir.file("full.h5");
  test::KerasFileOptions options;
  options.modelConfig = graphToKerasJson(smallGraph()).dump();
  test::writeKerasWeights(path, smallLayers(), options);
  ModelSpec spec;
  spec.source = path;
  LoadedModel loaded = loadModel(spec);
  EXPECT_EQ(loaded.model.graph, smallGraph());
  expectLoadedAsWritten(loaded.model.weights, smallLayers(), {"conv", "bn", "dense"});
  EXPECT_EQ(loaded.model.weightsSource, path);
  for (const auto& note : loaded.notes) EXPECT_EQ(note.find("NaN"), std::string::npos) << note;
}

// A model saved from a diverged run opens, and says which layers hold NaN or infinite weights
// (its predictions used to print as -nan with exit status 0).
TEST(KerasImportFile, NonFiniteWeightsAreSaidWhenTheModelOpens) {
  test::TempDir dir;
  const std::string path = dir.file("diverged.h5");
  test::KerasFileOptions options;
  options.modelConfig = graphToKerasJson(smallGraph()).dump();
  std::vector<LayerToWrite> layers = smallLayers();
  std::vector<float> bias = {1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f};
  layers.back().weights.back().second = WeightTensor::fromValues({3}, bias);
  test::writeKerasWeights(path, layers, options);
  ModelSpec spec;
  spec.source = path;
  const LoadedModel loaded = loadModel(spec);
  bool said = false;
  for (const auto& note : loaded.notes)
    said = said || note.find("1 layers hold NaN or infinite weights (dense)") != std::string::npos;
  EXPECT_TRUE(said);
}

// A negative moving variance (a damaged or hand-edited file) makes every output NaN too: said,
// naming the BatchNormalization.
TEST(KerasImportFile, ANegativeMovingVarianceIsSaidWhenTheModelOpens) {
  test::TempDir dir;
  const std::string path = dir.file("damaged.h5");
  test::KerasFileOptions options;
  options.modelConfig = graphToKerasJson(smallGraph()).dump();
  std::vector<LayerToWrite> layers = smallLayers();
  layers[2].weights.back().second = WeightTensor::fromValues({4}, {1.0f, -1.0f, 1.0f, 1.0f});
  test::writeKerasWeights(path, layers, options);
  ModelSpec spec;
  spec.source = path;
  std::string notes;
  for (const auto& note : loadModel(spec).notes) notes += note + "\n";
  EXPECT_NE(notes.find("BatchNormalization with a negative moving_variance (bn)"),
            std::string::npos)
      << notes;
  EXPECT_EQ(notes.find("NaN or infinite"), std::string::npos) << notes;
}

}  // namespace
}  // namespace graft

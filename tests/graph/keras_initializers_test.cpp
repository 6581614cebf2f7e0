// Keras's initializers as a layer's config names them: a layer stacked with "bias_initializer":
// "ones" gets ones (it got Glorot kernels and zero biases whatever it said), each random one
// draws from Keras's distribution, and one Graft does not know is said, naming the layer.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "graph/keras_initializers.h"
#include "graph/surgery/surgery.h"
#include "surgery_models.h"

namespace graft {
namespace {

using test::chainGraph;
using test::modelFrom;

WeightTensor draw(const Json& initializer, const Shape& shape, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::string unknown;
  auto tensor = drawKerasInitializer(initializer, shape, rng, &unknown);
  EXPECT_TRUE(tensor) << initializer.dump() << ": " << unknown;
  return tensor ? *tensor : WeightTensor::filled(shape, NAN);
}

double mean(const WeightTensor& t) {
  return std::accumulate(t.data->begin(), t.data->end(), 0.0) / double(t.data->size());
}

double stddev(const WeightTensor& t) {
  const double m = mean(t);
  double sum = 0;
  for (float v : *t.data) sum += (v - m) * (v - m);
  return std::sqrt(sum / double(t.data->size()));
}

float largest(const WeightTensor& t) {
  float most = 0;
  for (float v : *t.data) most = std::max(most, std::abs(v));
  return most;
}

TEST(KerasInitializers, ConstantsAreExact) {
  EXPECT_EQ(*draw("zeros", {3, 2}).data, std::vector<float>(6, 0.0f));
  EXPECT_EQ(*draw("Ones", {4}).data, std::vector<float>(4, 1.0f));
  EXPECT_EQ(*draw({{"class_name", "Constant"}, {"config", {{"value", 0.5}}}}, {2}).data,
            std::vector<float>(2, 0.5f));
  // Keras 3's serialization, module and registered_name beside the class name.
  EXPECT_EQ(*draw({{"module", "keras.initializers"},
                   {"class_name", "Zeros"},
                   {"config", Json::object()},
                   {"registered_name", nullptr}},
                  {2})
                 .data,
            std::vector<float>(2, 0.0f));
  const WeightTensor eye = draw("identity", {2, 3});
  EXPECT_EQ(*eye.data, (std::vector<float>{1, 0, 0, 0, 1, 0}));
}

TEST(KerasInitializers, RandomOnesDrawFromKerassDistributions) {
  const Shape kernel{3, 3, 64, 128};  // fan_in 576, fan_out 1152
  const WeightTensor normal =
      draw({{"class_name", "RandomNormal"}, {"config", {{"mean", 1.0}, {"stddev", 0.2}}}}, kernel);
  EXPECT_NEAR(mean(normal), 1.0, 0.005);
  EXPECT_NEAR(stddev(normal), 0.2, 0.005);
  const WeightTensor small = draw("random_normal", kernel);  // Keras's default stddev 0.05
  EXPECT_NEAR(stddev(small), 0.05, 0.002);
  const WeightTensor uniform = draw("random_uniform", kernel);
  EXPECT_LE(largest(uniform), 0.05f);
  EXPECT_NEAR(stddev(uniform), 0.1 / std::sqrt(12.0), 0.002);
  // Truncated at two standard deviations.
  const WeightTensor truncated = draw("truncated_normal", kernel);
  EXPECT_LE(largest(truncated), 0.1f + 1e-6f);
  // VarianceScaling's truncated normal has the variance scale / fan: He normal sqrt(2 / 576).
  EXPECT_NEAR(stddev(draw("he_normal", kernel)), std::sqrt(2.0 / 576), 0.002);
  EXPECT_NEAR(stddev(draw("HeUniform", kernel)), std::sqrt(2.0 / 576), 0.002);
  EXPECT_NEAR(stddev(draw("lecun_normal", kernel)), std::sqrt(1.0 / 576), 0.002);
  EXPECT_NEAR(stddev(draw("glorot_normal", kernel)), std::sqrt(1.0 / 864), 0.002);
  EXPECT_NEAR(stddev(draw("glorot_uniform", kernel)), std::sqrt(1.0 / 864), 0.002);
  // EfficientNet's dense initializer: VarianceScaling(1/3, fan_out, uniform).
  const WeightTensor efficient =
      draw({{"class_name", "VarianceScaling"},
            {"config", {{"scale", 1.0 / 3.0}, {"mode", "fan_out"}, {"distribution", "uniform"}}}},
           {1280, 1000});
  EXPECT_LE(largest(efficient), std::sqrt(3.0 / 3.0 / 1000) + 1e-6);
  EXPECT_NEAR(stddev(efficient), std::sqrt(1.0 / 3.0 / 1000), 0.0005);
}

TEST(KerasInitializers, OrthogonalGivesOrthonormalColumnsOrRows) {
  for (const Shape& shape : {Shape{6, 4}, Shape{4, 6}, Shape{2, 3, 5}}) {
    const WeightTensor q = draw({{"class_name", "Orthogonal"}, {"config", {{"gain", 2.0}}}}, shape);
    const int64_t cols = shape.back(), rows = elementCount(shape) / cols;
    const bool tall = rows >= cols;
    const int64_t n = tall ? cols : rows, len = tall ? rows : cols;
    const auto at = [&](int64_t vector, int64_t i) {
      return double((*q.data)[size_t(tall ? i * cols + vector : vector * cols + i)]);
    };
    for (int64_t a = 0; a < n; ++a)
      for (int64_t b = 0; b < n; ++b) {
        double dot = 0;
        for (int64_t i = 0; i < len; ++i) dot += at(a, i) * at(b, i);
        EXPECT_NEAR(dot, a == b ? 4.0 : 0.0, 1e-5) << a << "," << b;
      }
  }
}

TEST(KerasInitializers, AnUnknownInitializerIsNamed) {
  std::mt19937_64 rng(1);
  std::string unknown;
  EXPECT_FALSE(drawKerasInitializer({{"class_name", "MyInit"}, {"config", Json::object()}}, {2},
                                    rng, &unknown));
  EXPECT_EQ(unknown, "MyInit");
  // A typo in its config is no default drawn in silence.
  EXPECT_FALSE(drawKerasInitializer({{"class_name", "RandomNormal"}, {"config", {{"stdev", 0.5}}}},
                                    {2}, rng, &unknown));
  EXPECT_EQ(unknown,
            "RandomNormal with a field 'stdev' it does not have (expected seed, mean, stddev)");
  EXPECT_FALSE(drawKerasInitializer(
      {{"class_name", "VarianceScaling"}, {"config", {{"mode", "fan_everything"}}}}, {2}, rng,
      &unknown));
  EXPECT_NE(unknown.find("mode 'fan_everything'"), std::string::npos) << unknown;
  // Keras's own fields are fields: the seed (Graft draws from the step's) and Keras 2's dtype.
  EXPECT_TRUE(drawKerasInitializer(
      {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}, {2, 2}, rng, &unknown));
}

// A recipe's stacked layer gets the initializers its config names; one Graft does not know is
// said in the edit's notes, naming the layer, and drawn as Keras's default.
TEST(KerasInitializers, AStackedLayerIsDrawnAsItsConfigSays) {
  const Model m = modelFrom(chainGraph());
  // A Dense "head" of 3 units stacked on the model's output, its config with `initializers`.
  const auto stackHead = [&m](Json initializers) {
    Json config = {{"name", "head"}, {"units", 3}};
    config.update(initializers);
    return applyOperation(m,
                          {{"op", "stack"},
                           {"after", "out"},
                           {"layers", {{{"class_name", "Dense"}, {"config", std::move(config)}}}}});
  };
  const auto mentionsInitializers = [](const std::vector<std::string>& notes) {
    for (const auto& note : notes)
      if (note.find("initializer") != std::string::npos) return true;
    return false;
  };
  const auto stacked =
      stackHead({{"kernel_initializer", "zeros"},
                 {"bias_initializer", {{"class_name", "Constant"}, {"config", {{"value", 2}}}}}});
  ASSERT_TRUE(stacked) << stacked.diagnostics().front().str();
  const auto& weights = *stacked.value().model.weights.find("head");
  ASSERT_EQ(weights.size(), 2u);
  EXPECT_EQ(largest(weights[0]), 0.0f);
  EXPECT_EQ(*weights[1].data, std::vector<float>(3, 2.0f));
  EXPECT_FALSE(mentionsInitializers(stacked.value().notes));

  const auto custom =
      stackHead({{"kernel_initializer", {{"class_name", "MyInit"}, {"config", Json::object()}}}});
  ASSERT_TRUE(custom) << custom.diagnostics().front().str();
  bool said = false;
  for (const auto& note : custom.value().notes)
    said = said || note.find("head: kernel_initializer MyInit is not one Graft draws") == 0;
  EXPECT_TRUE(said) << (custom.value().notes.empty() ? "no notes" : custom.value().notes[0]);
  EXPECT_GT(largest((*custom.value().model.weights.find("head"))[0]), 0.0f);  // Glorot
}

}  // namespace
}  // namespace graft

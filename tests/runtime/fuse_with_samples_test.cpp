// Recipes with sample images: a fuse the core refuses for a nonlinearity between two
// convolutions becomes the least-squares fusion on the user's images, reported with its error
// (checked here against an independent forward pass), at the right step of the recipe.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "graph/surgery/ops.h"
#include "runtime/data/sample_data.h"
#include "runtime/data/sample_inputs.h"
#include "runtime/fuse_pair_model.h"
#include "runtime/fusion/fuse_with_sample_inputs.h"
#include "support/test_support.h"

namespace graft {
namespace {

using test::chainModel;
using test::pairError;
using test::pairModel;

// Three classes of 4 images each (circle, square, triangle), 16 x 16 pixels.
std::string sampleFolder(const test::TempDir& dir) {
  SampleDataOptions options;
  options.imagesPerClass = 4;
  options.size = 16;
  writeSampleData(dir.file("images"), options);
  return dir.file("images");
}

TEST(FuseWithSamples, ListsImagesSpreadOverEveryClassAndSkipsHiddenFolders) {
  test::TempDir dir;
  const std::string folder = sampleFolder(dir);
  std::filesystem::create_directories(folder + "/.thumbnails");
  std::filesystem::copy_file(folder + "/circle/circle_000.png", folder + "/.thumbnails/x.png");
  std::ofstream(folder + "/circle/notes.txt") << "not an image";

  const auto three = listSampleImages(folder, 3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_NE(three[0].find("/circle/"), std::string::npos) << three[0];
  EXPECT_NE(three[1].find("/square/"), std::string::npos) << three[1];
  EXPECT_NE(three[2].find("/triangle/"), std::string::npos) << three[2];
  EXPECT_EQ(listSampleImages(folder, 100).size(), 12u) << "all of them, hidden folder left out";

  std::filesystem::create_directories(dir.file("empty"));
  try {
    listSampleImages(dir.file("empty"), 4);
    FAIL() << "an empty folder has no samples";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("empty") + ": no images"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(listSampleImages(dir.file("missing"), 4), Error);
}

TEST(FuseWithSamples, ARecipeFusesAcrossAReluByLeastSquaresOnTheImages) {
  test::TempDir dir;
  const std::string folder = sampleFolder(dir);
  const Model m = pairModel("relu", "same");
  std::vector<ApproximateFusion> fits;
  const RecipeStepRunner steps =
      stepsWithSamples(sampleInputsFromFolder(folder, 6, 224),
                       [&](const ApproximateFusion& f) { fits.push_back(f); });
  ops::Selection head;
  head.layers = {"head"};
  const Json operations = Json::array({ops::freeze(head), ops::fuse({"a", "b"})});

  Expected<RecipeResult> result = applyRecipe(m, operations, {}, steps);
  ASSERT_TRUE(result.ok()) << joinDiagnostics(result.diagnostics());
  ASSERT_EQ(fits.size(), 1u);
  EXPECT_EQ(fits[0].rows, 6 * 10 * 10) << "six images at the model's 10 x 10 input";
  const Model& fused = result->model;
  EXPECT_FALSE(fused.graph.find("b"));
  EXPECT_EQ((*fused.weights.find("a"))[0].shape, (Shape{5, 5, 3, 5}));
  EXPECT_FALSE(fused.graph.at("head").trainable) << "the step before still applied";

  // The reported error is the pair's real error on those images.
  const torch::Tensor inputs = loadSampleInputs(m, listSampleImages(folder, 6), 224);
  EXPECT_NEAR(fits[0].relativeError, pairError(m, fused, inputs), 1e-6);
  EXPECT_GT(fits[0].relativeError, 1e-4);
  const Json& recorded = fused.recipe.back();
  EXPECT_EQ(recorded["method"], "least_squares");
  EXPECT_DOUBLE_EQ(recorded["relative_error"].get<double>(), fits[0].relativeError);
  ASSERT_EQ(result->notes.size(), 2u) << "the freeze says what it froze, the fuse how well";
  EXPECT_EQ(result->notes[1].rfind("operations[1] (fuse): merged b into a", 0), 0u)
      << result->notes[1];
  EXPECT_NE(result->notes[1].find("relative RMS error"), std::string::npos);

  // The recorded step replays to the same kernel on the same images.
  Expected<RecipeResult> replay = applyRecipe(m, Json::array({recorded}), {}, steps);
  ASSERT_TRUE(replay.ok()) << joinDiagnostics(replay.diagnostics());
  EXPECT_EQ(*(*replay->model.weights.find("a"))[0].data, *(*fused.weights.find("a"))[0].data);

  // Replayed where the folder's count is another (edit --sample-count 2): the step's recorded
  // "samples": 6 decides, so it fits what was fitted.
  std::vector<ApproximateFusion> refits;
  Expected<RecipeResult> elsewhere =
      applyRecipe(m, Json::array({recorded}), {},
                  stepsWithSamples(sampleInputsFromFolder(folder, 2, 224),
                                   [&](const ApproximateFusion& f) { refits.push_back(f); }));
  ASSERT_TRUE(elsewhere.ok()) << joinDiagnostics(elsewhere.diagnostics());
  ASSERT_EQ(refits.size(), 1u);
  EXPECT_EQ(refits[0].rows, 6 * 10 * 10);
  EXPECT_DOUBLE_EQ(refits[0].relativeError, fits[0].relativeError);
}

TEST(FuseWithSamples, FailuresAreReportedAtTheirStep) {
  test::TempDir dir;
  const std::string folder = sampleFolder(dir);
  const Model m = pairModel("relu", "same");
  ops::Selection missing;
  missing.layers = {"nope"};

  // A later step failing after an approximate fusion keeps its own index.
  const auto steps = stepsWithSamples(sampleInputsFromFolder(folder, 3, 224));
  auto late = applyRecipe(m, Json::array({ops::fuse({"a", "b"}), ops::freeze(missing)}), {}, steps);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.diagnostics()[0].subject, "operations[1] (freeze)");

  // Without samples the core refuses the fuse and says how to get the approximate one.
  auto without = applyRecipe(m, Json::array({ops::freeze(missing), ops::fuse({"a", "b"})}));
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.diagnostics()[0].subject, "operations[0] (freeze)");
  auto refused = applyRecipe(m, Json::array({ops::fuse({"a", "b"})}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.diagnostics()[0].subject, "operations[0] (fuse)");
  EXPECT_NE(refused.diagnostics()[0].message.find("--samples"), std::string::npos)
      << refused.diagnostics()[0].message;

  // A samples folder without images fails the fuse step, naming the folder.
  std::filesystem::create_directories(dir.file("empty"));
  auto noImages = applyRecipe(m, Json::array({ops::fuse({"a", "b"})}), {},
                              stepsWithSamples(sampleInputsFromFolder(dir.file("empty"), 3, 224)));
  ASSERT_FALSE(noImages.ok());
  EXPECT_EQ(noImages.diagnostics()[0].subject, "operations[0] (fuse)");
  EXPECT_NE(noImages.diagnostics()[0].message.find(dir.file("empty")), std::string::npos);
}

// Conv2D -> BatchNormalization -> ReLU -> Conv2D, as Keras models are written: fused by naming
// the two convolutions or the whole chain; a part of the chain is refused, saying what to name.
TEST(FuseWithSamples, ARecipeFusesTheLayersBetweenTwoConvolutions) {
  test::TempDir dir;
  const std::string folder = sampleFolder(dir);
  const Model m = chainModel();
  const auto steps = stepsWithSamples(sampleInputsFromFolder(folder, 6, 224));
  const std::vector<std::vector<std::string>> namings = {
      {"a", "b"}, {"a", "a_bn", "a_relu", "b"}, {"b", "a_relu", "a", "a_bn"}};
  for (const auto& layers : namings) {
    auto fused = applyRecipe(m, Json::array({ops::fuse(layers)}), {}, steps);
    ASSERT_TRUE(fused.ok()) << Json(layers).dump() << ": " << joinDiagnostics(fused.diagnostics());
    EXPECT_FALSE(fused->model.graph.find("a_relu"));
    EXPECT_EQ(fused->model.graph.at("pool").inputs, std::vector<std::string>{"a"});
  }
  auto part = applyRecipe(m, Json::array({ops::fuse({"a", "a_relu", "b"})}), {}, steps);
  ASSERT_FALSE(part.ok());
  EXPECT_NE(part.diagnostics()[0].message.find(
                "name the two convolutions, or all 4 layers from 'a' to 'b'"),
            std::string::npos)
      << part.diagnostics()[0].message;

  // Without samples the core refuses, and says how the pair can be merged.
  auto refused = applyRecipe(m, Json::array({ops::fuse({"a", "b"})}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.diagnostics()[0].message.find("edit --samples DIR"), std::string::npos)
      << refused.diagnostics()[0].message;

  // Nothing nonlinear between (Conv2D -> BatchNormalization -> Conv2D): named by its ends, it
  // fuses exactly, the whole chain, without reading an image.
  const Model linear = applyOperation(m, ops::remove({"a_relu"})).value().model;
  int loads = 0;
  const auto counting = stepsWithSamples([&](const Model&, std::optional<int64_t>) {
    ++loads;
    return torch::zeros({8, 3, 10, 10});
  });
  auto exact = applyRecipe(linear, Json::array({ops::fuse({"a", "b"})}), {}, counting);
  ASSERT_TRUE(exact.ok()) << joinDiagnostics(exact.diagnostics());
  EXPECT_EQ(loads, 0);
  EXPECT_FALSE(exact->model.recipe.back().contains("method")) << "recorded as the exact fuse";
  EXPECT_EQ(exact->model.recipe.back()["layers"], Json({"a", "a_bn", "b"}));

  // What least squares cannot merge is refused before an image is read.
  const Model pooled =
      applyOperation(
          m, ops::replace({"a_relu"},
                          ops::layer("MaxPooling2D", "squeeze",
                                     {{"pool_size", 3}, {"strides", 1}, {"padding", "same"}})))
          .value()
          .model;
  auto across = applyRecipe(pooled, Json::array({ops::fuse({"a", "b"})}), {}, counting);
  ASSERT_FALSE(across.ok());
  EXPECT_EQ(loads, 0);
  EXPECT_NE(across.diagnostics()[0].message.find("squeeze"), std::string::npos)
      << across.diagnostics()[0].message;
  auto unhinted = applyRecipe(pooled, Json::array({ops::fuse({"a", "b"})}));
  ASSERT_FALSE(unhinted.ok());
  EXPECT_EQ(unhinted.diagnostics()[0].message.find("--samples"), std::string::npos)
      << "no hint where least squares would refuse too: " << unhinted.diagnostics()[0].message;
}

TEST(FuseWithSamples, ExactFusionsNeverTouchTheSamples) {
  const Model m = pairModel("linear", "same");
  int loads = 0;
  const auto steps = stepsWithSamples([&](const Model&, std::optional<int64_t>) {
    ++loads;
    return torch::zeros({1, 3, 10, 10});
  });
  auto result = applyRecipe(m, Json::array({ops::fuse({"a", "b"})}), {}, steps);
  ASSERT_TRUE(result.ok()) << joinDiagnostics(result.diagnostics());
  EXPECT_EQ(loads, 0);
  EXPECT_FALSE(result->model.recipe.back().contains("method")) << "recorded as the exact fuse";
}

}  // namespace
}  // namespace graft

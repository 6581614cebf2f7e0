// A model with a free input size whose first layers resize its images (Input(None, None, 3) ->
// Rescaling -> Resizing(crop_to_aspect_ratio)): Keras resizes each image from its own size.
// Graft resized every image to 224 x 224 first, so the layer's aspect-ratio window saw that
// square, not the photo. Predict now feeds each image at its own size; eval and training, whose
// batches need one size, apply the layer's rule to the raw pixels in the loader.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "graph/graph_builder.h"
#include "graph/image_resize.h"
#include "naive_reference.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/data/image_loader.h"
#include "runtime/prediction/predict.h"
#include "support/test_support.h"

namespace graft {
namespace {

Model resizingModel(const Json& resizing, bool sharedInput = false) {
  GraphBuilder b("sizes_its_own");
  const std::string in = b.input("image", {kUnknown, kUnknown, kUnknown, 3});
  std::string x = b.add("Rescaling", "rescale", {{"scale", 1.0 / 255}}, in);
  x = b.add("Resizing", "resize", resizing, x);
  if (sharedInput) {
    const std::string other = b.add("Resizing", "other", {{"height", 6}, {"width", 9}}, in);
    x = b.add("Add", "sum", Json::object(), {x, other});
  }
  Model model;
  model.graph = b.build();
  return model;
}

// 13 rows x 20 columns of noise, as a lossless PNG.
std::string noisePng(const test::TempDir& dir) {
  cv::Mat bgr(13, 20, CV_8UC3);
  cv::randu(bgr, 0, 256);
  EXPECT_TRUE(cv::imwrite(dir.file("noise.png"), bgr));
  return dir.file("noise.png");
}

// The image as Keras's model gets it: (1, H, W, 3) float, 0..255, RGB.
torch::Tensor asTensor(const cv::Mat& rgb) {
  return torch::from_blob(const_cast<float*>(rgb.ptr<float>()), {1, rgb.rows, rgb.cols, 3},
                          torch::kFloat32)
      .clone();
}

const Json kCropTo6x9 = {{"height", 6}, {"width", 9}, {"crop_to_aspect_ratio", true}};

TEST(OwnResize, TheModelsFirstResizingIsFoundWhereItCanSizeTheRawImages) {
  const auto plan = layers::leadingImageResize(resizingModel(kCropTo6x9).graph);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->height, 6);
  EXPECT_EQ(plan->width, 9);
  EXPECT_TRUE(sizesItsOwnImages(resizingModel(kCropTo6x9)));
  EXPECT_EQ(defaultFreeInputSide(resizingModel(kCropTo6x9)), 0);
  EXPECT_NE(freeInputSizeNote(resizingModel(kCropTo6x9)).find("at their own size"),
            std::string::npos);
  // Padding fills in the rescaled values' range: not applicable to raw pixels.
  EXPECT_FALSE(layers::leadingImageResize(
      resizingModel({{"height", 6}, {"width", 9}, {"pad_to_aspect_ratio", true}}).graph));
  // The raw input also read elsewhere: that reader needs the image as it is.
  EXPECT_FALSE(layers::leadingImageResize(resizingModel(kCropTo6x9, true).graph));
  // Only the width free: the height is resized to first, so the layer sees another image.
  GraphBuilder b("half_free");
  std::string x = b.input("image", {kUnknown, 30, kUnknown, 3});
  b.add("Resizing", "resize", kCropTo6x9, x);
  Model halfFree;
  halfFree.graph = b.build();
  EXPECT_FALSE(layers::leadingImageResize(halfFree.graph));
  EXPECT_FALSE(sizesItsOwnImages(halfFree));
  EXPECT_THROW(inputSpecFor(halfFree, 0), Error);  // a size is needed, as for any free input
}

TEST(OwnResize, EvalAndTrainingImagesAreWhatTheLayerMakesOfThePhoto) {
  test::TempDir dir;
  const std::string file = noisePng(dir);
  const Model model = resizingModel(kCropTo6x9);
  const InputSpec spec = inputSpecFor(model, 0);
  ASSERT_TRUE(spec.ownResize);
  EXPECT_EQ(spec.height, 6);
  EXPECT_EQ(spec.width, 9);
  Random random(1);
  const cv::Mat loaded = loadSampleImage(file, spec, AugmentOptions{}, random);
  ASSERT_EQ(loaded.rows, 6);
  ASSERT_EQ(loaded.cols, 9);
  // 13 x 20 to 6 x 9: crop width int(13 * 9 / 6) = 19 from column int((20 - 19) / 2) = 0, all
  // 13 rows, then TensorFlow's half-pixel bilinear.
  const torch::Tensor photo = asTensor(loadImageRgb(file));
  const torch::Tensor keras = test::naive::resizeBilinear(photo.slice(2, 0, 19), 6, 9);
  EXPECT_TRUE(torch::allclose(asTensor(loaded).to(torch::kDouble), keras, 1e-4, 1e-3))
      << (asTensor(loaded).to(torch::kDouble) - keras).abs().max().item<double>();
  // Nearest too (TensorFlow's half-pixel nearest), stretched this time: the whole photo.
  const Model nearest = resizingModel({{"height", 5}, {"width", 12}, {"interpolation", "nearest"}});
  const cv::Mat sampled = loadSampleImage(file, inputSpecFor(nearest, 0), AugmentOptions{}, random);
  EXPECT_TRUE(torch::equal(asTensor(sampled).to(torch::kDouble),
                           test::naive::resizeNearest(photo, 5, 12).to(torch::kDouble)));
  // Given a size, the images are resized to it as before (the layer then works on that).
  const InputSpec given = inputSpecFor(model, 32);
  EXPECT_FALSE(given.ownResize);
  EXPECT_EQ(given.height, 32);
}

TEST(OwnResize, PredictRunsTheModelOnThePhotoAtItsOwnSize) {
  test::TempDir dir;
  const std::string file = noisePng(dir);
  Predictor predictor(resizingModel(kCropTo6x9));
  const std::vector<ImagePrediction> results = predictor.run({file}, PredictOptions{});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].error;
  ASSERT_EQ(results[0].shape, Shape({6, 9, 3}));
  const torch::Tensor photo = asTensor(loadImageRgb(file));
  const torch::Tensor keras =
      test::naive::resizeBilinear(photo.slice(2, 0, 19), 6, 9).flatten() / 255.0;
  const torch::Tensor got =
      torch::from_blob(const_cast<float*>(results[0].output.data()),
                       {static_cast<int64_t>(results[0].output.size())}, torch::kFloat32)
          .to(torch::kDouble);
  EXPECT_TRUE(torch::allclose(got, keras, 1e-5, 1e-5)) << (got - keras).abs().max().item<double>();
}

}  // namespace
}  // namespace graft

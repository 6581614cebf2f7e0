// Keras's Resizing and CenterCrop: the window Keras cuts or pads (its arithmetic, checked with
// numbers worked out by hand from keras/src/backend/tensorflow/image.py and smart_resize), then
// TensorFlow's half-pixel resize, against loops written from TensorFlow's kernels.
#include "graph/analysis.h"
#include "graph/image_resize.h"
#include "graph/keras_json.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

using layers::ImageResize;
using layers::ResizeWindow;

ImageResize resizeOf(const std::string& className, const Json& config) {
  return layers::imageResizeOf(className,
                               LayerRegistry::standard().normalizeConfig(className, config));
}

void expectWindow(const ResizeWindow& got, const ResizeWindow& want) {
  EXPECT_EQ(got.top, want.top);
  EXPECT_EQ(got.left, want.left);
  EXPECT_EQ(got.height, want.height);
  EXPECT_EQ(got.width, want.width);
}

TEST(ImageResizeWindow, KerasCropsAndPadsToTheAspectRatio) {
  // A 480 x 640 photo to 224 x 224: the centred 480 x 480 square, or padded to 640 x 640.
  expectWindow(
      resizeOf("Resizing", {{"height", 224}, {"width", 224}, {"crop_to_aspect_ratio", true}})
          .window(480, 640),
      {0, 80, 480, 480});
  expectWindow(
      resizeOf("Resizing", {{"height", 224}, {"width", 224}, {"pad_to_aspect_ratio", true}})
          .window(480, 640),
      {-80, 0, 640, 640});
  // 8 x 7 to 6 x 9: crop height int(7 * 6 / 9) = 4, start int((8 - 4) / 2) = 2; the width stays.
  expectWindow(resizeOf("Resizing", {{"height", 6}, {"width", 9}, {"crop_to_aspect_ratio", true}})
                   .window(8, 7),
               {2, 0, 4, 7});
  // Padding: width int(8 * 9 / 6) = 12, so int((12 - 7) / 2) = 2 columns each side (Keras pads
  // both sides by the same amount: 11 columns, not 12).
  expectWindow(resizeOf("Resizing", {{"height", 6}, {"width", 9}, {"pad_to_aspect_ratio", true}})
                   .window(8, 7),
               {0, -2, 8, 11});
  // Stretching takes the whole image.
  expectWindow(resizeOf("Resizing", {{"height", 6}, {"width", 9}}).window(8, 7), {0, 0, 8, 7});
}

TEST(ImageResizeWindow, CenterCropTakesTheCentreOrResizesASmallerImage) {
  const ImageResize crop = resizeOf("CenterCrop", {{"height", 224}, {"width", 224}});
  expectWindow(crop.window(256, 300), {16, 38, 224, 224});
  EXPECT_FALSE(crop.resizes(256, 300));
  // Smaller than the output in one direction: smart_resize's centred square, resized.
  const ImageResize large = resizeOf("CenterCrop", {{"height", 300}, {"width", 300}});
  expectWindow(large.window(256, 400), {0, 72, 256, 256});
  EXPECT_TRUE(large.resizes(256, 400));
}

// x (N, H, W, C) with `rows` and `cols` of `fill` added on each side.
torch::Tensor padded(const torch::Tensor& x, int64_t rows, int64_t cols, double fill) {
  return torch::constant_pad_nd(x.permute({0, 3, 1, 2}), {cols, cols, rows, rows}, fill)
      .permute({0, 2, 3, 1});
}

TEST(ImageResizeOps, ResizingIsTensorFlowsResizeOfKerassWindow) {
  const torch::Tensor x = randomTensor({2, 8, 7, 3}, 61);
  const auto run = [&](const Json& config, const Shape& input = {kUnknown, 8, 7, 3}) {
    return runLayer(oneLayer("Resizing", config, input), {}, x);
  };
  EXPECT_TRUE(allClose(run({{"height", 11}, {"width", 13}}), naive::resizeBilinear(x, 11, 13)));
  EXPECT_TRUE(allClose(run({{"height", 5}, {"width", 3}}), naive::resizeBilinear(x, 5, 3)));
  EXPECT_TRUE(allClose(run({{"height", 5}, {"width", 12}, {"interpolation", "nearest"}}),
                       naive::resizeNearest(x, 5, 12)));
  EXPECT_TRUE(allClose(run({{"height", 6}, {"width", 9}, {"crop_to_aspect_ratio", true}}),
                       naive::resizeBilinear(x.slice(1, 2, 6), 6, 9)));
  EXPECT_TRUE(allClose(
      run({{"height", 6}, {"width", 9}, {"pad_to_aspect_ratio", true}, {"fill_value", 0.5}}),
      naive::resizeBilinear(padded(x, 0, 2, 0.5), 6, 9)));
  // TensorFlow's float32 scale: 2 rows to 41 reads row 0 for output row 20 (exactly, row 1).
  const torch::Tensor two = randomTensor({1, 2, 3, 1}, 63);
  const torch::Tensor tallNearest =
      runLayer(oneLayer("Resizing", {{"height", 41}, {"width", 3}, {"interpolation", "nearest"}},
                        {kUnknown, 2, 3, 1}),
               {}, two);
  EXPECT_TRUE(allClose(tallNearest, naive::resizeNearest(two, 41, 3)));
  EXPECT_TRUE(torch::equal(tallNearest[0][20], two[0][0]));
  // A model with a free input size resizes each image from its own size.
  EXPECT_TRUE(allClose(run({{"height", 6}, {"width", 9}, {"crop_to_aspect_ratio", true}},
                           {kUnknown, kUnknown, kUnknown, 3}),
                       naive::resizeBilinear(x.slice(1, 2, 6), 6, 9)));
}

TEST(ImageResizeOps, CenterCropCutsOrResizes) {
  const torch::Tensor x = randomTensor({2, 8, 7, 3}, 62);
  Graph inside = oneLayer("CenterCrop", {{"height", 5}, {"width", 4}}, {kUnknown, 8, 7, 3});
  EXPECT_TRUE(torch::equal(runLayer(inside, {}, x), x.slice(1, 1, 6).slice(2, 1, 5)));
  // 6 x 10 from 8 x 7: crop height int(7 * 6 / 10) = 4 rows from row 2, then resized.
  Graph larger = oneLayer("CenterCrop", {{"height", 6}, {"width", 10}}, {kUnknown, 8, 7, 3});
  EXPECT_TRUE(allClose(runLayer(larger, {}, x), naive::resizeBilinear(x.slice(1, 2, 6), 6, 10)));
}

// RandomCrop outside training where its input already has its size: the image as it is, in
// every Keras (image_resize.cpp). Another size is refused naming the fields.
TEST(ImageResizeOps, RandomCropAtItsOwnSizeIsTheImage) {
  const torch::Tensor x = randomTensor({2, 8, 7, 3}, 64);
  const Graph g = oneLayer("RandomCrop", {{"height", 8}, {"width", 7}}, {kUnknown, 8, 7, 3});
  EXPECT_TRUE(torch::equal(runLayer(g, {}, x), x));
  const GraphAnalysis a =
      analyze(oneLayer("RandomCrop", {{"height", 6}, {"width", 9}}, {kUnknown, 8, 7, 3}));
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_EQ(a.diagnostics[0].subject, "layer");
  EXPECT_NE(a.diagnostics[0].message.find(
                "config fields 'height' and 'width' (6 x 9) differ from the input's 8 x 7"),
            std::string::npos)
      << a.diagnostics[0].str();
  EXPECT_NE(analyze(oneLayer("RandomCrop", {{"height", 8}, {"width", 7}},
                             {kUnknown, kUnknown, kUnknown, 3}))
                .diagnostics.at(0)
                .message.find("input's free x free"),
            std::string::npos);
}

// A Keras model with RandomCrop(height, width) on images of `in` (h, w), as Keras `version`
// saved it (the version given apart, as metadata.json and the HDF5 attribute do).
std::string randomCropModel(int64_t h, int64_t w, int height, int width) {
  return R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, )" +
         std::to_string(h) + ", " + std::to_string(w) +
         R"(, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "RandomCrop", "config": {"name": "crop", "height": )" +
         std::to_string(height) + R"(, "width": )" + std::to_string(width) +
         R"(, "seed": 3}, "name": "crop", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Conv2D", "config": {"name": "conv", "filters": 2, "kernel_size": [3, 3]}, "name": "conv", "inbound_nodes": [[["crop", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["conv", 0, 0]]}})";
}

// RandomCrop(6, 9) on 8 x 7 images, read by the version that saved it.
// tf.keras 2.7+ (keras/layers/preprocessing/image_preprocessing.py, RandomCrop._resize:
// image_utils.smart_resize), tf_keras 2.16+ (the same code) and Keras 3.0-3.5 (random_crop.py
// call's resize()) crop the centre to the aspect ratio and resize bilinearly: crop height
// int(7 * 6 / 9) = 4 from row int((8 - 4) / 2) = 2, every column, to 6 x 9; read as
// Resizing(crop_to_aspect_ratio). Keras 3.8+ returns the 8 x 7 image unchanged. tf.keras 2.6
// resizes the shorter side: refused, as is a file that does not say its version.
TEST(ImageResizeOps, RandomCropIsReadByTheKerasThatSavedIt) {
  const std::string text = randomCropModel(8, 7, 6, 9);
  const torch::Tensor x = randomTensor({2, 8, 7, 3}, 65);
  for (const char* version : {"2.9.0", "2.15.0", "2.17.0", "3.0.5", "3.5.0"}) {
    SCOPED_TRACE(version);
    const Graph g = graphFromKerasJsonText(text, LayerRegistry::standard(), version);
    EXPECT_EQ(g.at("crop").className, "Resizing");
    EXPECT_EQ(g.at("crop").config.at("crop_to_aspect_ratio"), true);
    const Graph crop = Graph("m", {g.at("in"), g.at("crop")}, {"crop"});
    EXPECT_TRUE(allClose(runLayer(crop, {}, x), naive::resizeBilinear(x.slice(1, 2, 6), 6, 9)));
    // At its own size it stays a RandomCrop: the image as it is.
    const Graph same =
        graphFromKerasJsonText(randomCropModel(8, 7, 8, 7), LayerRegistry::standard(), version);
    EXPECT_EQ(same.at("crop").className, "RandomCrop");
    EXPECT_TRUE(
        torch::equal(runLayer(Graph("m", {same.at("in"), same.at("crop")}, {"crop"}), {}, x), x));
  }
  // Keras 3.8 to the latest: the image unchanged, so the convolution after it sees 8 x 7.
  for (const char* version : {"3.8.0", "3.13.2", "3.15.1"}) {
    SCOPED_TRACE(version);
    const Graph g = graphFromKerasJsonText(text, LayerRegistry::standard(), version);
    EXPECT_EQ(g.at("crop").className, "RandomCrop");
    EXPECT_EQ(g.at("crop").config.at(layers::kRandomCropKeepsImage), true);
    const GraphAnalysis a = analyze(g);
    ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
    EXPECT_EQ(a.find("crop")->outputShape, (Shape{kUnknown, 8, 7, 3}));
    EXPECT_EQ(a.find("conv")->outputShape, (Shape{kUnknown, 6, 5, 2}));
    EXPECT_TRUE(torch::equal(runLayer(Graph("m", {g.at("in"), g.at("crop")}, {"crop"}), {}, x), x));
    const std::vector<std::string> notes = randomCropsReadByVersion(Json::parse(text), g, version);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("RandomCrop 'crop' passes images unchanged: outside training Keras " +
                            std::string(version) + " does not crop"),
              std::string::npos)
        << notes[0];
    // Saved in a project and read again (Keras 2's JSON, no version), it stays unchanged.
    const Graph back = graphFromKerasJson(graphToKerasJson(g));
    EXPECT_EQ(back, g);
  }
  for (const char* version : {"2.6.0", ""}) {
    SCOPED_TRACE(version);
    const Graph g = graphFromKerasJsonText(text, LayerRegistry::standard(), version);
    EXPECT_EQ(g.at("crop").className, "RandomCrop");
    const GraphAnalysis a = analyze(g);
    ASSERT_FALSE(a.diagnostics.empty());
    EXPECT_EQ(a.diagnostics[0].subject, "crop");
    EXPECT_NE(a.diagnostics[0].message.find("Keras 3.8 and later return the image unchanged"),
              std::string::npos);
    EXPECT_TRUE(randomCropsReadByVersion(Json::parse(text), g, version).empty());
  }
  // tf.keras's to_json names its version in the JSON itself.
  Json withVersion = Json::parse(text);
  withVersion["keras_version"] = "2.11.0";
  EXPECT_EQ(graphFromKerasJson(withVersion).at("crop").className, "Resizing");
}

// Keras 3.6 and 3.7 outside training (random_crop.py get_random_transformation with
// training=False, then transform_images): the corner of the centred box of the output's aspect
// ratio, then height x width sliced from there. Input 256 x 256, RandomCrop(224, 224): the box
// is the whole image, its corner (0, 0): rows and columns 0..223 (the top-left crop, not the
// centre). Input 10 x 12, RandomCrop(6, 6): box 10 x 10 at column int((12 - 10) / 2) = 1:
// rows 0..5, columns 1..6. Read as the Cropping2D that takes it.
TEST(ImageResizeOps, RandomCropOfKeras36And37IsTheSliceFromTheBoxCorner) {
  for (const char* version : {"3.6.0", "3.7.0"}) {
    SCOPED_TRACE(version);
    const Graph square = graphFromKerasJsonText(randomCropModel(256, 256, 224, 224),
                                                LayerRegistry::standard(), version);
    EXPECT_EQ(square.at("crop").className, "Cropping2D");
    EXPECT_EQ(square.at("crop").config.at("cropping"), Json::parse("[[0, 32], [0, 32]]"));
    const Graph g =
        graphFromKerasJsonText(randomCropModel(10, 12, 6, 6), LayerRegistry::standard(), version);
    ASSERT_EQ(g.at("crop").className, "Cropping2D");
    const GraphAnalysis a = analyze(g);
    ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
    EXPECT_EQ(a.find("conv")->outputShape, (Shape{kUnknown, 4, 4, 2}));
    const torch::Tensor x = randomTensor({2, 10, 12, 3}, 66);
    EXPECT_TRUE(torch::equal(runLayer(Graph("m", {g.at("in"), g.at("crop")}, {"crop"}), {}, x),
                             x.slice(1, 0, 6).slice(2, 1, 7)));
    const std::vector<std::string> notes =
        randomCropsReadByVersion(Json::parse(randomCropModel(10, 12, 6, 6)), g, version);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("RandomCrop 'crop' is read as Cropping2D"), std::string::npos);
    // A slice the image cuts short is stretched to height x width (backend.image.resize,
    // bilinear). Input 8 x 7, RandomCrop(6, 9): box int(7 * 6 / 9) = 4 rows from row
    // int((8 - 4) / 2) = 2 and all 7 columns; rows 2..7 and columns 0..6 sliced (6 x 7),
    // stretched to 6 x 9: Cropping2D 'crop_slice' then Resizing 'crop'.
    const Graph shortSlice =
        graphFromKerasJsonText(randomCropModel(8, 7, 6, 9), LayerRegistry::standard(), version);
    ASSERT_EQ(shortSlice.at("crop_slice").className, "Cropping2D");
    EXPECT_EQ(shortSlice.at("crop_slice").config.at("cropping"), Json::parse("[[2, 0], [0, 0]]"));
    ASSERT_EQ(shortSlice.at("crop").className, "Resizing");
    EXPECT_EQ(shortSlice.at("crop").inputs, std::vector<std::string>{"crop_slice"});
    EXPECT_EQ(shortSlice.at("conv").inputs, std::vector<std::string>{"crop"});
    const torch::Tensor small = randomTensor({2, 8, 7, 3}, 67);
    EXPECT_TRUE(allClose(
        runLayer(
            Graph("m", {shortSlice.at("in"), shortSlice.at("crop_slice"), shortSlice.at("crop")},
                  {"crop"}),
            {}, small),
        naive::resizeBilinear(small.slice(1, 2, 8), 6, 9)));
    const std::vector<std::string> shortNotes =
        randomCropsReadByVersion(Json::parse(randomCropModel(8, 7, 6, 9)), shortSlice, version);
    ASSERT_EQ(shortNotes.size(), 1u);
    EXPECT_NE(shortNotes[0].find("RandomCrop 'crop' is read as Cropping2D 'crop_slice' then "
                                 "Resizing (bilinear)"),
              std::string::npos)
        << shortNotes[0];
    // An image smaller than the crop in both sides, of its aspect ratio: the whole image,
    // stretched (Resizing alone).
    const Graph whole =
        graphFromKerasJsonText(randomCropModel(4, 4, 6, 6), LayerRegistry::standard(), version);
    EXPECT_EQ(whole.at("crop").className, "Resizing");
    EXPECT_EQ(whole.at("crop").inputs, std::vector<std::string>{"in"});
    EXPECT_EQ(whole.find("crop_slice"), nullptr);
    // A free size (a window that depends on each image): refused naming the layer.
    try {
      graphFromKerasJsonText(R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, null, null, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "RandomCrop", "config": {"name": "crop", "height": 6, "width": 6}, "name": "crop", "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["crop", 0, 0]]}})",
                             LayerRegistry::standard(), version);
      ADD_FAILURE() << "read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("crop: is a RandomCrop of 6 x 6"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("which depends on each image's size; Graft reads "
                                           "that for an input of fixed size"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(ImageResizeOps, WhatGraftDoesNotComputeIsRefusedNamingTheField) {
  const auto refusal = [](const Json& config) {
    const GraphAnalysis a = analyze(oneLayer("Resizing", config, {kUnknown, 8, 7, 3}));
    return a.diagnostics.empty() ? std::string() : a.diagnostics[0].str();
  };
  EXPECT_NE(refusal({{"height", 4}, {"width", 4}, {"interpolation", "bicubic"}})
                .find("'interpolation' is \"bicubic\""),
            std::string::npos);
  EXPECT_NE(refusal({{"height", 4}, {"width", 4}, {"antialias", true}}).find("'antialias'"),
            std::string::npos);
  EXPECT_NE(refusal({{"height", 4},
                     {"width", 4},
                     {"crop_to_aspect_ratio", true},
                     {"pad_to_aspect_ratio", true}})
                .find("both true"),
            std::string::npos);
  EXPECT_NE(refusal({{"height", 4}, {"width", 4}, {"fill_mode", "reflect"}}).find("'fill_mode'"),
            std::string::npos);
  EXPECT_NE(refusal({{"height", 0}, {"width", 4}}).find("'height' must be a positive integer"),
            std::string::npos);
  EXPECT_NE(refusal({{"width", 4}}).find("'height' must be a positive integer"), std::string::npos);
}

}  // namespace
}  // namespace graft::test

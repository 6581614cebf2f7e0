#include "export_test_support.h"

#include <opencv2/dnn.hpp>

#include <fstream>
#include <sstream>

#include "graph/graph_builder.h"
#include "graph/image_resize.h"
#include "graph/layer_helpers.h"
#include "runtime/module/graph_module.h"
#include "runtime_test_util.h"

namespace graft::test::exports {

Model randomModel(Graph graph, uint64_t seed, Preprocessing preprocessing,
                  std::vector<std::string> labels) {
  Model m;
  m.weights = randomWeights(graph, seed);
  m.graph = std::move(graph);
  m.preprocessing = preprocessing;
  m.labels = std::move(labels);
  m.weightsSource = "random (test)";
  return m;
}

namespace {

const Shape kImage{kUnknown, 8, 7, 3};

// input_1 -> `className` "layer" (config) -> optional tail; the sample's output is the last.
Model oneLayer(const std::string& className, const Json& config, const Shape& input = kImage,
               uint64_t seed = 7) {
  GraphBuilder b("sample");
  const std::string x = b.add(className, "layer", config, b.input("input_1", input));
  return randomModel(b.build({x}), seed);
}

// input_1 -> `before` "prep" (its config) -> `className` "layer".
Model afterLayer(const std::string& beforeClass, const Json& beforeConfig,
                 const std::string& className, const Json& config, const Shape& input) {
  GraphBuilder b("sample");
  std::string x = b.add(beforeClass, "prep", beforeConfig, b.input("input_1", input));
  x = b.add(className, "layer", config, x);
  return randomModel(b.build({x}), 11);
}

// input_1 and two convolutions of it (the first `inputs` of the three), merged by `className`.
Model merged(const std::string& className, const Json& config, size_t inputs = 3) {
  GraphBuilder b("sample");
  const std::string in = b.input("input_1", kImage);
  const std::string a = b.add("Conv2D", "branch_a", {{"filters", 3}, {"kernel_size", 1}}, in);
  const std::string c =
      b.add("Conv2D", "branch_b", {{"filters", 3}, {"kernel_size", 3}, {"padding", "same"}}, in);
  std::vector<std::string> merging{in, a, c};
  merging.resize(inputs);
  const std::string y = b.add(className, "layer", config, merging);
  return randomModel(b.build({y}), 5);
}

using Samples = std::vector<LayerSample>;

Samples activationSamples() {
  Samples s;
  for (const auto& name : layers::knownActivations())
    s.push_back({"Activation " + name, oneLayer("Activation", {{"activation", name}})});
  s.push_back(
      {"Activation softmax after Flatten",
       afterLayer("Flatten", Json::object(), "Activation", {{"activation", "softmax"}}, kImage)});
  s.push_back({"Activation log_softmax after Flatten",
               afterLayer("Flatten", Json::object(), "Activation", {{"activation", "log_softmax"}},
                          kImage)});
  return s;
}

}  // namespace

std::vector<LayerSample> layerSamples(const std::string& cls) {
  if (cls == "InputLayer") {
    GraphBuilder b("sample");
    const std::string x = b.input("input_1", kImage);
    return {{"InputLayer alone", randomModel(b.build({x}), 1)}};
  }
  if (cls == "Conv2D")
    return {
        {"Conv2D same stride 2 (asymmetric) relu", oneLayer(cls, {{"filters", 4},
                                                                  {"kernel_size", 3},
                                                                  {"strides", 2},
                                                                  {"padding", "same"},
                                                                  {"activation", "relu"}})},
        {"Conv2D valid dilated, no bias",
         oneLayer(
             cls,
             {{"filters", 5}, {"kernel_size", {3, 2}}, {"dilation_rate", 2}, {"use_bias", false}},
             {kUnknown, 9, 8, 3})},
        {"Conv2D same even kernel (asymmetric), groups 3, sigmoid",
         oneLayer(cls,
                  {{"filters", 6},
                   {"kernel_size", 2},
                   {"padding", "same"},
                   {"groups", 3},
                   {"activation", "sigmoid"}},
                  {kUnknown, 6, 5, 6})},
    };
  if (cls == "DepthwiseConv2D")
    return {
        {"DepthwiseConv2D multiplier 2 same stride 2 relu6",
         oneLayer(cls, {{"kernel_size", 3},
                        {"strides", 2},
                        {"padding", "same"},
                        {"depth_multiplier", 2},
                        {"activation", "relu6"}})},
        {"DepthwiseConv2D valid, no bias",
         oneLayer(cls, {{"kernel_size", 3}, {"use_bias", false}})},
    };
  if (cls == "SeparableConv2D")
    return {
        {"SeparableConv2D multiplier 2 dilated same elu", oneLayer(cls, {{"filters", 5},
                                                                         {"kernel_size", 3},
                                                                         {"padding", "same"},
                                                                         {"depth_multiplier", 2},
                                                                         {"dilation_rate", 2},
                                                                         {"activation", "elu"}})},
        {"SeparableConv2D same stride 2 (asymmetric), no bias",
         oneLayer(cls, {{"filters", 4},
                        {"kernel_size", 3},
                        {"strides", 2},
                        {"padding", "same"},
                        {"use_bias", false}})},
    };
  if (cls == "Conv2DTranspose")
    return {
        {"Conv2DTranspose same stride 2 (cropped at the end), relu",
         oneLayer(cls, {{"filters", 4},
                        {"kernel_size", 3},
                        {"strides", 2},
                        {"padding", "same"},
                        {"activation", "relu"}})},
        {"Conv2DTranspose valid stride 2, no bias",
         oneLayer(cls,
                  {{"filters", 3}, {"kernel_size", {3, 2}}, {"strides", 2}, {"use_bias", false}})},
        {"Conv2DTranspose kernel 1 stride 3 (zero cells appended)",
         oneLayer(cls, {{"filters", 2}, {"kernel_size", 1}, {"strides", 3}, {"padding", "same"}})},
        {"Conv2DTranspose kernel 4 stride 2 same (cropped at both ends)",
         oneLayer(cls, {{"filters", 2}, {"kernel_size", 4}, {"strides", 2}, {"padding", "same"}})},
        {"Conv2DTranspose output_padding (2, 1) stride 3",
         oneLayer(cls, {{"filters", 2},
                        {"kernel_size", 3},
                        {"strides", 3},
                        {"padding", "same"},
                        {"output_padding", {2, 1}}})},
        {"Conv2DTranspose dilated same",
         oneLayer(cls,
                  {{"filters", 3}, {"kernel_size", 3}, {"dilation_rate", 2}, {"padding", "same"}})},
    };
  if (cls == "Dense")
    return {
        {"Dense after Flatten, softmax",
         afterLayer("Flatten", Json::object(), cls, {{"units", 4}, {"activation", "softmax"}},
                    kImage)},
        {"Dense after Flatten, log_softmax",
         afterLayer("Flatten", Json::object(), cls, {{"units", 4}, {"activation", "log_softmax"}},
                    kImage)},
        {"Dense on a feature map (channels), tanh",
         oneLayer(cls, {{"units", 4}, {"activation", "tanh"}})},
        {"Dense on rank 3, no bias",
         afterLayer("Reshape", {{"target_shape", {14, 12}}}, cls,
                    {{"units", 3}, {"use_bias", false}}, {kUnknown, 4, 7, 6})},
    };
  if (cls == "Dropout")
    return {{"Dropout (identity at inference)", oneLayer(cls, {{"rate", 0.5}})}};
  if (cls == "Rescaling")
    return {{"Rescaling x/127.5 - 1", oneLayer(cls, {{"scale", 1.0 / 127.5}, {"offset", -1.0}})},
            {"Rescaling per channel (EfficientNet's 1/sqrt(stddev))",
             oneLayer(cls, {{"scale", {2.09, 2.11, 2.108}}, {"offset", 0.5}})},
            {"Rescaling per channel with per-channel offset ((x - mean) / std)",
             oneLayer(cls, {{"scale", {0.017, 0.0175, 0.0174}}, {"offset", {-2.1, -2.0, -1.8}}})},
            {"Rescaling per channel after Flatten (rank 2)",
             afterLayer("Flatten", Json::object(), cls, {{"scale", {2.0, -1.0}}},
                        {kUnknown, 1, 1, 2})}};
  if (cls == "BatchNormalization")
    return {
        {"BatchNormalization on a feature map", oneLayer(cls, Json::object())},
        {"BatchNormalization without gamma and beta, tf.keras epsilon",
         oneLayer(cls, {{"center", false}, {"scale", false}, {"epsilon", 1.001e-5}})},
        {"BatchNormalization after Flatten (rank 2)",
         afterLayer("Flatten", Json::object(), cls, Json::object(), {kUnknown, 2, 3, 4})},
        {"BatchNormalization on rank 3 (channels last)",
         afterLayer("Reshape", {{"target_shape", {14, 12}}}, cls, Json::object(),
                    {kUnknown, 4, 7, 6})},
    };
  if (cls == "Activation") return activationSamples();
  if (cls == "ReLU")
    return {
        {"ReLU max 6", oneLayer(cls, {{"max_value", 6.0}})},
        {"ReLU max 0.4 (cap reached)", oneLayer(cls, {{"max_value", 0.4}})},
        {"ReLU negative slope", oneLayer(cls, {{"negative_slope", 0.1}})},
        {"ReLU threshold, cap and slope",
         oneLayer(cls, {{"threshold", 0.25}, {"max_value", 0.6}, {"negative_slope", 0.2}})},
        {"ReLU negative threshold", oneLayer(cls, {{"threshold", -0.3}})},
        {"ReLU cap and slope", oneLayer(cls, {{"max_value", 0.5}, {"negative_slope", 0.3}})},
    };
  if (cls == "LeakyReLU") return {{"LeakyReLU alpha 0.2", oneLayer(cls, {{"alpha", 0.2}})}};
  if (cls == "ELU")
    return {{"ELU alpha 1", oneLayer(cls, Json::object())},
            {"ELU alpha 0.3", oneLayer(cls, {{"alpha", 0.3}})}};
  if (cls == "PReLU")
    return {
        {"PReLU alpha per position", oneLayer(cls, Json::object())},
        {"PReLU alpha per channel (shared_axes [1, 2])", oneLayer(cls, {{"shared_axes", {1, 2}}})},
        {"PReLU alpha shared over width", oneLayer(cls, {{"shared_axes", 2}})},
        {"PReLU after Flatten (rank 2)",
         afterLayer("Flatten", Json::object(), cls, Json::object(), {kUnknown, 2, 3, 4})},
    };
  if (cls == "SpatialDropout2D" || cls == "GaussianDropout")
    return {{cls + " (identity at inference)", oneLayer(cls, {{"rate", 0.3}})}};
  if (cls == "GaussianNoise")
    return {{"GaussianNoise (identity at inference)", oneLayer(cls, {{"stddev", 0.2}})}};
  if (cls == "Softmax")
    return {
        {"Softmax over channels", oneLayer(cls, {{"axis", -1}})},
        {"Softmax over height", oneLayer(cls, {{"axis", 1}})},
        {"Softmax after Flatten",
         afterLayer("Flatten", Json::object(), cls, Json::object(), kImage)},
    };
  if (cls == "MaxPooling2D")
    return {
        {"MaxPooling2D 3 stride 2 same (asymmetric)",
         oneLayer(cls, {{"pool_size", 3}, {"strides", 2}, {"padding", "same"}})},
        {"MaxPooling2D 2 valid (odd size floors)", oneLayer(cls, {{"pool_size", 2}})},
    };
  if (cls == "AveragePooling2D")
    return {
        {"AveragePooling2D 2 stride 2 same (asymmetric)",
         oneLayer(cls, {{"pool_size", 2}, {"strides", 2}, {"padding", "same"}},
                  {kUnknown, 7, 7, 3})},
        {"AveragePooling2D 3 stride 1 same (symmetric)",
         oneLayer(cls, {{"pool_size", 3}, {"strides", 1}, {"padding", "same"}})},
        {"AveragePooling2D [3, 2] strides [2, 1] valid",
         oneLayer(cls, {{"pool_size", {3, 2}}, {"strides", {2, 1}}})},
    };
  if (cls == "GlobalAveragePooling2D" || cls == "GlobalMaxPooling2D")
    return {
        {cls, oneLayer(cls, Json::object())},
        {cls + " keepdims", oneLayer(cls, {{"keepdims", true}})},
    };
  if (cls == "Add" || cls == "Average" || cls == "Maximum" || cls == "Minimum")
    return {{cls + " of three", merged(cls, Json::object())},
            {cls + " of two", merged(cls, Json::object(), 2)}};
  if (cls == "Subtract") return {{"Subtract", merged(cls, Json::object(), 2)}};
  if (cls == "Multiply") {
    // Squeeze-and-excitation: (N, H, W, C) times (N, 1, 1, C).
    GraphBuilder b("sample");
    const std::string in = b.input("input_1", kImage);
    const std::string pooled = b.add("GlobalAveragePooling2D", "pool", {{"keepdims", true}}, in);
    const std::string gate = b.add("Activation", "gate", {{"activation", "sigmoid"}}, pooled);
    const std::string y = b.add(cls, "layer", Json::object(), std::vector<std::string>{in, gate});
    return {{"Multiply of three", merged(cls, Json::object())},
            {"Multiply of two", merged(cls, Json::object(), 2)},
            {"Multiply by (N, 1, 1, C) (squeeze-and-excitation)", randomModel(b.build({y}), 5)}};
  }
  if (cls == "TFOpLambda") {
    auto op = [&](const std::string& function, const Json& operands) {
      return oneLayer(cls, {{"function", function}, {"operands", operands}});
    };
    // x / mean(x) over the positions: two tensors, one (N, 1, 1, C).
    GraphBuilder b("sample");
    const std::string in = b.input("input_1", kImage);
    const std::string pooled = b.add("GlobalAveragePooling2D", "pool", {{"keepdims", true}}, in);
    const std::string y =
        b.add(cls, "layer", {{"function", "math.truediv"}, {"operands", {nullptr, nullptr}}},
              std::vector<std::string>{in, pooled});
    return {
        {"TFOpLambda x + 3", op("__operators__.add", {nullptr, 3.0})},
        {"TFOpLambda 1 - x", op("math.subtract", {1.0, nullptr})},
        {"TFOpLambda x * (1 / 6)", op("math.multiply", {nullptr, 0.16666666666666666})},
        {"TFOpLambda x / 6", op("math.truediv", {nullptr, 6.0})},
        {"TFOpLambda max(x, 0.25)", op("math.maximum", {nullptr, 0.25})},
        {"TFOpLambda min(-0.25, x)", op("math.minimum", {-0.25, nullptr})},
        {"TFOpLambda relu6", op("nn.relu6", {nullptr})},
        {"TFOpLambda silu", op("nn.silu", {nullptr})},
        {"TFOpLambda x * per-channel constant", op("math.multiply", {nullptr, {0.5, -1.0, 2.0}})},
        {"TFOpLambda x / mean(x) (two tensors, broadcast)", randomModel(b.build({y}), 5)},
    };
  }
  if (cls == "CustomScaleLayer")
    return {{"CustomScaleLayer scale 0.17", merged(cls, {{"scale", 0.17}}, 2)}};
  if (cls == "StochasticDepth")
    return {{"StochasticDepth (identity at inference)", oneLayer(cls, {{"drop_path_rate", 0.2}})}};
  if (cls == "LayerScale")
    return {
        {"LayerScale on channels", oneLayer(cls, {{"init_values", 0.5}, {"projection_dim", 3}})},
        {"LayerScale after Flatten (rank 2)",
         afterLayer("Flatten", Json::object(), cls, {{"init_values", 0.5}, {"projection_dim", 24}},
                    {kUnknown, 2, 3, 4})},
        {"LayerScale on a rank-3 input",
         oneLayer(cls, {{"init_values", 0.5}, {"projection_dim", 4}}, {kUnknown, 3, 4})},
    };
  if (cls == "Concatenate")
    return {
        {"Concatenate channels", merged(cls, {{"axis", -1}})},
        {"Concatenate width", merged(cls, {{"axis", 2}})},
    };
  if (cls == "ZeroPadding2D")
    return {
        {"ZeroPadding2D ((1, 2), (0, 3))", oneLayer(cls, {{"padding", {{1, 2}, {0, 3}}}})},
        {"ZeroPadding2D 1", oneLayer(cls, {{"padding", 1}})},
    };
  if (cls == "Cropping2D")
    return {{"Cropping2D ((1, 0), (2, 1))", oneLayer(cls, {{"cropping", {{1, 0}, {2, 1}}}})}};
  if (cls == "Flatten")
    return {{"Flatten a feature map (H, W, C order)", oneLayer(cls, Json::object())}};
  if (cls == "UpSampling2D")
    return {
        {"UpSampling2D nearest 2", oneLayer(cls, Json::object())},
        {"UpSampling2D nearest (3, 2)", oneLayer(cls, {{"size", {3, 2}}})},
        {"UpSampling2D bilinear 2", oneLayer(cls, {{"interpolation", "bilinear"}})},
        {"UpSampling2D bilinear (2, 3)",
         oneLayer(cls, {{"size", {2, 3}}, {"interpolation", "bilinear"}})},
    };
  // 8 x 7 inputs, and wide and tall ones: the other side padded or cropped, in the TorchScript
  // module's own window arithmetic as much as in Graft's.
  const Shape wide{kUnknown, 5, 13, 3}, tall{kUnknown, 13, 5, 3};
  if (cls == "Resizing")
    return {
        {"Resizing bilinear up (11, 13)", oneLayer(cls, {{"height", 11}, {"width", 13}})},
        {"Resizing bilinear down (5, 3)", oneLayer(cls, {{"height", 5}, {"width", 3}})},
        {"Resizing nearest (5, 12)",
         oneLayer(cls, {{"height", 5}, {"width", 12}, {"interpolation", "nearest"}})},
        {"Resizing crop to aspect ratio (6, 9)",
         oneLayer(cls, {{"height", 6}, {"width", 9}, {"crop_to_aspect_ratio", true}})},
        {"Resizing pad to aspect ratio (6, 9) with 0.5",
         oneLayer(
             cls,
             {{"height", 6}, {"width", 9}, {"pad_to_aspect_ratio", true}, {"fill_value", 0.5}})},
        {"Resizing nearest pad (16, 11) from 5 x 13", oneLayer(cls,
                                                               {{"height", 16},
                                                                {"width", 11},
                                                                {"interpolation", "nearest"},
                                                                {"pad_to_aspect_ratio", true}},
                                                               wide)},
        {"Resizing nearest crop (6, 9) from 13 x 5", oneLayer(cls,
                                                              {{"height", 6},
                                                               {"width", 9},
                                                               {"interpolation", "nearest"},
                                                               {"crop_to_aspect_ratio", true}},
                                                              tall)},
        {"Resizing pad (6, 9) from 13 x 5",
         oneLayer(cls, {{"height", 6}, {"width", 9}, {"pad_to_aspect_ratio", true}}, tall)},
        {"Resizing crop (16, 11) from 5 x 13",
         oneLayer(cls, {{"height", 16}, {"width", 11}, {"crop_to_aspect_ratio", true}}, wide)},
    };
  if (cls == "CenterCrop")
    return {
        {"CenterCrop (6, 9) from 5 x 13: resized",
         oneLayer(cls, {{"height", 6}, {"width", 9}}, wide)},
        {"CenterCrop (16, 11) from 13 x 5: resized",
         oneLayer(cls, {{"height", 16}, {"width", 11}}, tall)},
        {"CenterCrop (4, 9) from 5 x 13", oneLayer(cls, {{"height", 4}, {"width", 9}}, wide)},
        {"CenterCrop inside the image (5, 4)", oneLayer(cls, {{"height", 5}, {"width", 4}})},
        {"CenterCrop larger than the image (6, 10): resized",
         oneLayer(cls, {{"height", 6}, {"width", 10}})},
    };
  if (cls == "RandomCrop")  // the image as it is: at its input's size, or read from Keras 3.8+
    return {
        {"RandomCrop at the image's size (8, 7)",
         oneLayer(cls, {{"height", 8}, {"width", 7}, {"seed", 5}})},
        {"RandomCrop (5, 4) from Keras 3.8+: the image unchanged",
         oneLayer(
             cls,
             {{"height", 5}, {"width", 4}, {"seed", 5}, {layers::kRandomCropKeepsImage, true}})}};
  if (cls == "AutoContrast")
    return {
        {"AutoContrast in [0, 255]", oneLayer(cls, Json::object())},
        {"AutoContrast in [-1, 1]", oneLayer(cls, {{"value_range", {-1, 1}}})},
    };
  if (cls == "Permute")
    return {
        {"Permute (2, 1, 3) swaps height and width", oneLayer(cls, {{"dims", {2, 1, 3}}})},
        {"Permute (3, 1, 2) channels to height", oneLayer(cls, {{"dims", {3, 1, 2}}})},
        {"Permute (2, 1) of rank 3", afterLayer("Reshape", {{"target_shape", {14, 12}}}, cls,
                                                {{"dims", {2, 1}}}, {kUnknown, 4, 7, 6})},
    };
  if (cls == "Normalization")
    return {
        {"Normalization per channel", oneLayer(cls, Json::object())},
        {"Normalization over height and channels, inverted",
         oneLayer(cls, {{"axis", {1, 3}}, {"invert", true}})},
        {"Normalization with one scalar (axis None)", oneLayer(cls, {{"axis", nullptr}})},
        {"Normalization with mean and variance in the config",
         oneLayer(cls, {{"mean", {0.5, -1.0, 2.0}}, {"variance", {0.25, 4.0, 1.0}}})},
        {"Normalization after Flatten (rank 2)",
         afterLayer("Flatten", Json::object(), cls, Json::object(), {kUnknown, 2, 3, 4})},
    };
  if (cls == "RepeatVector")
    return {
        {"RepeatVector 3 after Flatten",
         afterLayer("Flatten", Json::object(), cls, {{"n", 3}}, {kUnknown, 2, 3, 4})},
        {"RepeatVector 1 after GlobalAveragePooling2D",
         afterLayer("GlobalAveragePooling2D", Json::object(), cls, {{"n", 1}}, kImage)},
    };
  if (cls == "LayerNormalization")
    return {
        {"LayerNormalization over channels", oneLayer(cls, Json::object())},
        {"LayerNormalization over height, no beta",
         oneLayer(cls, {{"axis", 1}, {"center", false}})},
        {"LayerNormalization after Flatten (rank 2), no gamma",
         afterLayer("Flatten", Json::object(), cls, {{"scale", false}}, {kUnknown, 2, 3, 4})},
        {"LayerNormalization over height, width and channels",
         oneLayer(cls, {{"axis", {1, 2, 3}}})},
        {"LayerNormalization over channels and height (tf.keras 2's order), no beta",
         oneLayer(cls, {{"axis", {3, 1}}, {"center", false}})},
        {"LayerNormalization over width, no gamma",
         oneLayer(cls, {{"axis", {2}}, {"scale", false}})},
        {"LayerNormalization over the last axis of rank 3",
         afterLayer("Reshape", {{"target_shape", {14, 12}}}, cls, Json::object(),
                    {kUnknown, 4, 7, 6})},
        {"LayerNormalization over both axes of rank 3",
         afterLayer("Reshape", {{"target_shape", {14, 12}}}, cls, {{"axis", {1, 2}}},
                    {kUnknown, 4, 7, 6})},
    };
  if (cls == "Reshape")
    return {
        {"Reshape to rank 3", oneLayer(cls, {{"target_shape", {14, 12}}}, {kUnknown, 4, 7, 6})},
        {"Reshape to a feature map",
         oneLayer(cls, {{"target_shape", {2, 14, 6}}}, {kUnknown, 4, 7, 6})},
        {"Reshape with -1", oneLayer(cls, {{"target_shape", {-1, 3}}}, {kUnknown, 4, 7, 6})},
    };
  return {};
}

Model coverageModel(uint64_t seed) {
  GraphBuilder b("coverage");
  std::string x = b.input("input_1", {kUnknown, 16, 15, 3});
  x = b.add("Rescaling", "rescale", {{"scale", 1.0 / 127.5}, {"offset", -1.0}}, x);
  x = b.add("Conv2D", "conv1",
            {{"filters", 8},
             {"kernel_size", 3},
             {"strides", 2},
             {"padding", "same"},
             {"use_bias", false}},
            x);  // 16 x 15 -> 8 x 8: padding (0, 1) rows, (1, 1) columns
  x = b.add("BatchNormalization", "conv1_bn", Json::object(), x);
  const std::string relu1 = b.add("ReLU", "conv1_relu", {{"max_value", 6.0}}, x);
  std::string dw = b.add("DepthwiseConv2D", "dw", {{"kernel_size", 3}, {"padding", "same"}}, relu1);
  dw = b.add("BatchNormalization", "dw_bn", {{"center", false}}, dw);
  dw = b.add("Activation", "dw_relu", {{"activation", "relu"}}, dw);
  const std::string sep = b.add(
      "SeparableConv2D", "sep",
      {{"filters", 8}, {"kernel_size", 3}, {"padding", "same"}, {"activation", "swish"}}, relu1);
  const std::string sum = b.add("Add", "add", Json::object(), std::vector<std::string>{dw, sep});
  const std::string gate = b.add(
      "Conv2D", "gate", {{"filters", 8}, {"kernel_size", 1}, {"activation", "sigmoid"}}, relu1);
  x = b.add("Multiply", "gated", Json::object(), std::vector<std::string>{sum, gate});
  x = b.add("LeakyReLU", "leaky", {{"alpha", 0.1}}, x);
  x = b.add("Concatenate", "concat", Json::object(), std::vector<std::string>{x, relu1});
  x = b.add("MaxPooling2D", "pool", {{"pool_size", 3}, {"strides", 2}, {"padding", "same"}}, x);
  x = b.add("ZeroPadding2D", "pad", {{"padding", {{1, 0}, {0, 1}}}}, x);  // 5 x 5
  x = b.add("AveragePooling2D", "avg", {{"pool_size", 2}, {"strides", 2}, {"padding", "same"}},
            x);                                                          // 3 x 3, asymmetric
  x = b.add("Cropping2D", "crop", {{"cropping", {{0, 1}, {1, 0}}}}, x);  // 2 x 2
  x = b.add("Flatten", "flatten", Json::object(), x);
  x = b.add("Dense", "fc1", {{"units", 10}, {"activation", "relu"}}, x);
  x = b.add("Dropout", "drop", {{"rate", 0.3}}, x);
  x = b.add("Dense", "predictions", {{"units", 3}, {"activation", "softmax"}}, x);
  return randomModel(b.build({x}), seed, Preprocessing::Tf, {"cat", "dog", "bird"});
}

torch::Tensor randomInput(const Model& model, int64_t batch, uint64_t seed) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  Shape s = analysis.find(model.graph.inputs().front())->outputShape;
  if (s.size() == 4) s = {s[0], s[3], s[1], s[2]};
  s[0] = batch;
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::rand(s, gen, torch::kFloat32) * 2.0 - 1.0;
}

torch::Tensor graftReference(const Model& model, const torch::Tensor& input) {
  GraphModule module(model.graph, model.weights);
  return toKerasLayout(module.forward(input)).contiguous();
}

::testing::AssertionResult closeTo(const torch::Tensor& got, const torch::Tensor& want,
                                   double tol) {
  if (got.sizes() != want.sizes()) {
    std::ostringstream s;
    s << "shape " << got.sizes() << " != " << want.sizes();
    return ::testing::AssertionFailure() << s.str();
  }
  const torch::Tensor g = got.to(torch::kFloat64), w = want.to(torch::kFloat64);
  if (w.numel() == 0) return ::testing::AssertionSuccess();
  const torch::Tensor finite = torch::isfinite(w);
  const torch::Tensor same = (g == w) | (torch::isnan(g) & torch::isnan(w));
  const torch::Tensor diff = torch::where(same, torch::zeros_like(g), (g - w).abs()).flatten();
  const double scale = finite.any().item<bool>()
                           ? std::max(1.0, w.abs().masked_select(finite).max().item<double>())
                           : 1.0;
  const int64_t worst = diff.argmax().item<int64_t>();
  const double d = diff[worst].item<double>();
  if (d <= tol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << worst << ": got " << g.flatten()[worst].item<double>() << ", want "
         << w.flatten()[worst].item<double>() << " (difference " << d << " > " << tol << " x "
         << scale << ", the output's scale)";
}

std::string pythonMissing(const std::vector<std::string>& modules) {
  if (!std::filesystem::exists(GRAFT_PYTHON))
    return std::string(GRAFT_PYTHON) + " not found: the independent Python checks are skipped";
  std::string imports;
  for (const auto& m : modules) imports += "import " + m + "\n";
  const CommandResult r = runProgram(GRAFT_PYTHON, {"-c", imports});
  if (r.exitCode == 0) return "";
  return std::string(GRAFT_PYTHON) +
         " cannot import what the check needs (Debian's python3-torch, " +
         "python3-onnx, python3-h5py): " + r.err;
}

namespace {

void writeRaw(const torch::Tensor& t, const std::string& path) {
  const torch::Tensor c = t.to(torch::kFloat32).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(c.data_ptr<float>()),
            static_cast<std::streamsize>(c.numel() * sizeof(float)));
}

Json sizes(const torch::Tensor& t) {
  return Json(std::vector<int64_t>(t.sizes().begin(), t.sizes().end()));
}

}  // namespace

std::vector<Json> runPython(const char* script, const std::vector<PythonCase>& cases,
                            const TempDir& scratch) {
  const std::string scriptPath = scratch.file("checker.py");
  std::ofstream(scriptPath) << script;
  const std::string manifest = scratch.file("cases.jsonl");
  {
    std::ofstream out(manifest);
    for (size_t i = 0; i < cases.size(); ++i) {
      Json c{{"file", cases[i].file}};
      if (cases[i].input.defined()) {
        c["input"] = scratch.file("input_" + std::to_string(i) + ".bin");
        c["input_shape"] = sizes(cases[i].input);
        writeRaw(cases[i].input, c["input"].get<std::string>());
        c["expected"] = scratch.file("expected_" + std::to_string(i) + ".bin");
        c["expected_shape"] = sizes(cases[i].expected);
        writeRaw(cases[i].expected, c["expected"].get<std::string>());
      }
      out << c.dump() << "\n";
    }
  }
  const CommandResult r = runProgram(GRAFT_PYTHON, {scriptPath, manifest});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  std::vector<Json> results;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) results.push_back(Json::parse(line));
  EXPECT_EQ(results.size(), cases.size()) << r.out << r.err;
  results.resize(cases.size(), Json{{"error", "no result from the checker"}});
  return results;
}

const char* const kTorchScriptChecker = R"PY(
import json, sys
import numpy as np
import torch

for line in open(sys.argv[1]):
    case = json.loads(line)
    out = {"file": case["file"]}
    try:
        extra = {"graft.json": ""}
        m = torch.jit.load(case["file"], _extra_files=extra)
        m.eval()
        x = torch.from_numpy(np.fromfile(case["input"], dtype=np.float32).reshape(case["input_shape"]))
        with torch.no_grad():
            y = m(x).numpy()
        want = np.fromfile(case["expected"], dtype=np.float32).reshape(case["expected_shape"])
        out["shape"] = list(y.shape)
        if y.shape == want.shape and y.size:
            # Relative to the output's scale (largest finite magnitude, at least 1); equal
            # values (the same infinity) differ by nothing.
            same = (y == want) | (np.isnan(y) & np.isnan(want))
            d = np.where(same, 0.0, np.abs(y.astype(np.float64) - want))
            finite = np.abs(want[np.isfinite(want)])
            scale = max(1.0, float(finite.max())) if finite.size else 1.0
            out["max_diff"] = float(d.max())
            out["scaled_diff"] = float(d.max() / scale)
        out["labels"] = list(m.labels)
        out["preprocessing"] = m.preprocessing
        out["graft_json"] = json.loads(extra["graft.json"])
        out["parameters"] = sorted(n for n, _ in m.named_parameters())
        out["buffers"] = sorted(n for n, _ in m.named_buffers())
    except Exception as e:
        out["error"] = repr(e)
    print(json.dumps(out), flush=True)
)PY";

const char* const kOnnxChecker = R"PY(
import json, sys
import onnx

def dims(value):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value
            for d in value.type.tensor_type.shape.dim]

for line in open(sys.argv[1]):
    case = json.loads(line)
    out = {"file": case["file"]}
    try:
        m = onnx.load(case["file"])
        onnx.checker.check_model(m, full_check=True)
        out["opset"] = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
        out["metadata"] = {p.key: p.value for p in m.metadata_props}
        out["inputs"] = [dims(v) for v in m.graph.input]
        out["outputs"] = [dims(v) for v in m.graph.output]
        out["nodes"] = len(m.graph.node)
    except Exception as e:
        out["error"] = repr(e)
    print(json.dumps(out), flush=True)
)PY";

const char* const kH5Inspector = R"PY(
import json, sys
import h5py

def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)

for line in open(sys.argv[1]):
    case = json.loads(line)
    out = {"file": case["file"]}
    try:
        with h5py.File(case["file"], "r") as h:
            out["layer_names"] = [text(n) for n in h.attrs["layer_names"]]
            out["backend"] = text(h.attrs["backend"])
            out["keras_version"] = text(h.attrs["keras_version"])
            layers = {}
            for name in out["layer_names"]:
                group = h[name]
                layers[name] = [[text(w), list(group[text(w)].shape)]
                                for w in group.attrs["weight_names"]]
            out["layers"] = layers
    except Exception as e:
        out["error"] = repr(e)
    print(json.dumps(out), flush=True)
)PY";

torch::Tensor runOpenCvDnn(const std::string& onnxPath, const torch::Tensor& input) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnxPath);
  const torch::Tensor x = input.contiguous();
  std::vector<int> dims(x.sizes().begin(), x.sizes().end());
  net.setInput(cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F, x.data_ptr<float>()));
  const cv::Mat out = net.forward();
  std::vector<int64_t> shape(out.size.p, out.size.p + out.dims);
  return torch::from_blob(const_cast<float*>(out.ptr<float>()), shape, torch::kFloat32).clone();
}

}  // namespace graft::test::exports

// Keras models saved with data_format "channels_first" (graph/channels_first.h) against the
// same computation written in PyTorch's own layout, which is Keras's channels_first: NCHW
// convolutions, per-channel normalization on axis 1, Flatten as Keras's (channels moved last
// first when it says channels_first, the tensor's own order when it says channels_last).
#include <torch/nn/functional.h>

#include "graph/keras_json.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

namespace F = torch::nn::functional;

Json entry(const std::string& cls, const std::string& name, Json config,
           const std::vector<std::string>& inbound) {
  config["name"] = name;
  Json nodes = Json::array();
  if (!inbound.empty()) {
    Json call = Json::array();
    for (const auto& i : inbound) call.push_back({i, 0, 0, Json::object()});
    nodes.push_back(call);
  }
  return {{"class_name", cls}, {"name", name}, {"config", config}, {"inbound_nodes", nodes}};
}

Json model(const Json& layers, const std::string& output) {
  return {{"class_name", "Functional"},
          {"config",
           {{"name", "cf"},
            {"layers", layers},
            {"input_layers", {{"input_1", 0, 0}}},
            {"output_layers", {{output, 0, 0}}}}}};
}

Json inputCf() {
  return entry("InputLayer", "input_1", {{"batch_input_shape", {nullptr, 3, 8, 8}}}, {});
}

Json convCf(const std::string& name, int filters, const std::string& from) {
  return entry("Conv2D", name,
               {{"filters", filters},
                {"kernel_size", {3, 3}},
                {"padding", "same"},
                {"activation", "relu"},
                {"data_format", "channels_first"}},
               {from});
}

// Keras's (kh, kw, in, out) kernel applied to an NCHW tensor, as Keras's channels_first does.
torch::Tensor conv(const torch::Tensor& x, const WeightStore& w, const std::string& layer) {
  const torch::Tensor kernel = kerasWeight(w, layer, 0).permute({3, 2, 0, 1});
  return torch::relu(
      F::conv2d(x, kernel, F::Conv2dFuncOptions().bias(kerasWeight(w, layer, 1)).padding(1)));
}

torch::Tensor dense(const torch::Tensor& x, const WeightStore& w, const std::string& layer) {
  return torch::matmul(x, kerasWeight(w, layer, 0)) + kerasWeight(w, layer, 1);
}

// The classifier a Keras user with image_data_format "channels_first" builds; `flattenFormat`
// is what its Flatten says.
Json classifier(const std::string& flattenFormat) {
  return model({inputCf(), convCf("conv_a", 4, "input_1"), convCf("conv_b", 2, "input_1"),
                entry("Concatenate", "concat", {{"axis", 1}}, {"conv_a", "conv_b"}),
                entry("BatchNormalization", "bn", {{"axis", 1}}, {"concat"}),
                entry("MaxPooling2D", "pool",
                      {{"pool_size", {2, 2}}, {"data_format", "channels_first"}}, {"bn"}),
                entry("Flatten", "flatten", {{"data_format", flattenFormat}}, {"pool"}),
                entry("Dense", "dense", {{"units", 5}}, {"flatten"})},
               "dense");
}

torch::Tensor classifierReference(const torch::Tensor& nchw, const WeightStore& w,
                                  bool flattenChannelsFirst) {
  torch::Tensor x = torch::cat({conv(nchw, w, "conv_a"), conv(nchw, w, "conv_b")}, 1);
  const auto perChannel = [&](size_t i) { return kerasWeight(w, "bn", i).reshape({1, -1, 1, 1}); };
  x = (x - perChannel(2)) / torch::sqrt(perChannel(3) + 1e-3) * perChannel(0) + perChannel(1);
  x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
  // Keras's Flatten(data_format="channels_first") moves the channels last before flattening.
  x = flattenChannelsFirst ? x.permute({0, 2, 3, 1}).flatten(1) : x.flatten(1);
  return dense(x, w, "dense");
}

TEST(ChannelsFirst, AClassifierComputesAsKerasWithItsOwnWeights) {
  for (const std::string flatten : {"channels_first", "channels_last"}) {
    SCOPED_TRACE("Flatten " + flatten);
    const Graph graph = graphFromKerasJson(classifier(flatten));
    // Images go in as every model's: height x width x channels.
    EXPECT_EQ(graph.at("input_1").config["batch_input_shape"], Json({nullptr, 8, 8, 3}));
    EXPECT_EQ(graph.at("pool").config["data_format"], "channels_last");
    // Only a Flatten that flattens Keras's channels_first order needs that order first.
    EXPECT_EQ(graph.find("flatten_keras_layout") != nullptr, flatten == "channels_last");
    const WeightStore weights = randomWeights(graph, 7);
    const torch::Tensor nchw = randomTensor({2, 3, 8, 8}, 8);
    EXPECT_TRUE(allClose(runLayer(graph, weights, nchw.permute({0, 2, 3, 1}).contiguous()),
                         classifierReference(nchw, weights, flatten == "channels_first"), 1e-4));
  }
}

// An image output (here a feature map) comes out as Keras returns it: channels first.
TEST(ChannelsFirst, AnImageOutputKeepsKerasLayout) {
  const Graph graph = graphFromKerasJson(model({inputCf(), convCf("conv", 4, "input_1")}, "conv"));
  const WeightStore weights = randomWeights(graph, 9);
  const torch::Tensor nchw = randomTensor({2, 3, 8, 8}, 10);
  const torch::Tensor got = runLayer(graph, weights, nchw.permute({0, 2, 3, 1}).contiguous());
  EXPECT_EQ(got.sizes(), torch::IntArrayRef({2, 4, 8, 8}));
  EXPECT_TRUE(allClose(got, conv(nchw, weights, "conv"), 1e-4));
}

// A layer without a data format of its own on an image (Dense on the last axis, Keras's width)
// sees Keras's layout; its output, the model's, is Keras's without a Permute back and forth.
TEST(ChannelsFirst, ALayerOnKerasAxesSeesKerasLayout) {
  const Graph graph = graphFromKerasJson(model(
      {inputCf(), convCf("conv", 4, "input_1"), entry("Dense", "dense", {{"units", 3}}, {"conv"})},
      "dense"));
  EXPECT_EQ(graph.outputs(), std::vector<std::string>{"dense"});
  EXPECT_EQ(graph.find("dense_channels_last"), nullptr);
  const WeightStore weights = randomWeights(graph, 11);
  const torch::Tensor nchw = randomTensor({2, 3, 8, 8}, 12);
  const torch::Tensor got = runLayer(graph, weights, nchw.permute({0, 2, 3, 1}).contiguous());
  EXPECT_TRUE(allClose(got, dense(conv(nchw, weights, "conv"), weights, "dense"), 1e-4));
}

// Activation("softmax") takes Keras's last axis, the width: it computes on Keras's layout.
TEST(ChannelsFirst, ASoftmaxActivationTakesKerasLastAxis) {
  const Graph graph =
      graphFromKerasJson(model({inputCf(), convCf("conv", 4, "input_1"),
                                entry("Activation", "act", {{"activation", "softmax"}}, {"conv"})},
                               "act"));
  const WeightStore weights = randomWeights(graph, 13);
  const torch::Tensor nchw = randomTensor({2, 3, 8, 8}, 14);
  EXPECT_TRUE(allClose(runLayer(graph, weights, nchw.permute({0, 2, 3, 1}).contiguous()),
                       torch::softmax(conv(nchw, weights, "conv"), -1), 1e-5));
}

// Squeeze-and-excitation as a channels_first model writes it: the pooled vector reshaped to
// (C, 1, 1), Keras's layout, before it scales the feature map (a flat input, an image output).
TEST(ChannelsFirst, AVectorReshapedToAnImageTakesKerasLayout) {
  const Graph graph = graphFromKerasJson(
      model({inputCf(), convCf("conv", 4, "input_1"),
             entry("GlobalAveragePooling2D", "gap", {{"data_format", "channels_first"}}, {"conv"}),
             entry("Dense", "excite", {{"units", 4}, {"activation", "sigmoid"}}, {"gap"}),
             entry("Reshape", "to_map", {{"target_shape", {4, 1, 1}}}, {"excite"}),
             entry("Multiply", "scaled", Json::object(), {"conv", "to_map"})},
            "scaled"));
  const WeightStore weights = randomWeights(graph, 15);
  const torch::Tensor nchw = randomTensor({2, 3, 8, 8}, 16);
  const torch::Tensor features = conv(nchw, weights, "conv");
  const torch::Tensor scale =
      torch::sigmoid(dense(features.mean({2, 3}), weights, "excite")).reshape({2, 4, 1, 1});
  EXPECT_TRUE(allClose(runLayer(graph, weights, nchw.permute({0, 2, 3, 1}).contiguous()),
                       features * scale, 1e-5));
}

TEST(ChannelsFirst, AChannelsFirstLayerEndingInASoftmaxIsRefusedNamingIt) {
  Json layers = {inputCf(), convCf("conv", 4, "input_1")};
  layers[1]["config"]["activation"] = "softmax";
  try {
    graphFromKerasJson(model(layers, "conv"));
    FAIL() << "a channels_first softmax read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv: says channels_first and ends in a softmax"),
              std::string::npos)
        << e.what();
  }
}

TEST(ChannelsFirst, AChannelsLastModelIsReadAsItIs) {
  Json layers = classifier("channels_last")["config"]["layers"];
  for (auto& layer : layers) {
    Json& c = layer["config"];
    if (c.contains("data_format")) c["data_format"] = "channels_last";
    if (c.contains("axis")) c["axis"] = -1;
  }
  layers[0]["config"]["batch_input_shape"] = {nullptr, 8, 8, 3};
  const Graph graph = graphFromKerasJson(model(layers, "dense"));
  EXPECT_EQ(graph.size(), 8u);
  EXPECT_EQ(graph.find("flatten_keras_layout"), nullptr);
}

TEST(ChannelsFirst, TheanoOrderingIsRefusedNamingTheLayer) {
  Json layers = {
      entry("InputLayer", "input_1", {{"batch_input_shape", {nullptr, 3, 8, 8}}}, {}),
      entry("Convolution2D", "conv",
            {{"nb_filter", 4}, {"nb_row", 3}, {"nb_col", 3}, {"dim_ordering", "th"}}, {"input_1"})};
  try {
    graphFromKerasJson(model(layers, "conv"));
    FAIL() << "Theano ordering read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv: uses Keras 1's Theano ordering"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft::test

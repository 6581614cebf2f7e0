// GraphModule as a whole: every registered layer class has a LibTorch op, parameters carry Keras
// names, frozen layers do not train, weights go back to Keras layout bit for bit, bad input is
// refused by name.
#include "graph/layer_registry.h"
#include "runtime/layers/layer_op.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

using test::errorOf;

TEST(GraphModule, EveryRegisteredLayerClassHasAnOp) {
  const auto& ops = runtime::layerFactories();
  for (const auto& cls : LayerRegistry::standard().classNames())
    EXPECT_TRUE(ops.count(cls)) << cls << " has no LibTorch op";
  for (const auto& [cls, factory] : ops)
    EXPECT_NE(LayerRegistry::standard().find(cls), nullptr) << cls << " is not a registered layer";
}

// A small network touching every layer type with weights, some frozen.
Graph weightedNetwork() {
  GraphBuilder b("weighted");
  std::string x = b.input("input_1", {kUnknown, 9, 9, 3});
  x = b.add("Conv2D", "conv",
            {{"filters", 4}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"}}, x);
  x = b.add("BatchNormalization", "conv_bn", {}, x);
  x = b.add("DepthwiseConv2D", "dw",
            {{"kernel_size", {3, 3}}, {"depth_multiplier", 2}, {"padding", "same"}}, x);
  x = b.add("BatchNormalization", "dw_bn", {{"scale", false}}, x);
  x = b.add("SeparableConv2D", "sep",
            {{"filters", 5}, {"kernel_size", {3, 3}}, {"depth_multiplier", 2}}, x);
  x = b.add("Conv2D", "conv1x1", {{"filters", 6}, {"kernel_size", {1, 1}}, {"groups", 1}}, x);
  x = b.add("Flatten", "flatten", {}, x);
  x = b.add("Dense", "fc", {{"units", 3}, {"activation", "softmax"}}, x);
  b.setTrainable("conv", false);
  b.setTrainable("conv_bn", false);
  return b.build({x});
}

TEST(GraphModule, ParametersAreNamedAfterKerasLayersAndWeights) {
  Graph g = weightedNetwork();
  GraphModule m(g, randomWeights(g, 1));
  auto params = m.module().named_parameters();
  std::vector<std::string> names;
  for (const auto& p : params) names.push_back(p.key());
  const std::vector<std::string> expected = {"conv.kernel",
                                             "conv.bias",
                                             "conv_bn.gamma",
                                             "conv_bn.beta",
                                             "dw.depthwise_kernel",
                                             "dw.bias",
                                             "dw_bn.beta",
                                             "sep.depthwise_kernel",
                                             "sep.pointwise_kernel",
                                             "sep.bias",
                                             "conv1x1.kernel",
                                             "conv1x1.bias",
                                             "fc.kernel",
                                             "fc.bias"};
  EXPECT_EQ(names, expected);
  // Frozen layers do not require gradients; the others do.
  for (const auto& p : params)
    EXPECT_EQ(p.value().requires_grad(),
              p.key().rfind("conv.", 0) != 0 && p.key().rfind("conv_bn.", 0) != 0)
        << p.key();
  // Moving statistics are buffers, never parameters.
  auto buffers = m.module().named_buffers();
  EXPECT_TRUE(buffers.contains("conv_bn.moving_mean"));
  EXPECT_TRUE(buffers.contains("dw_bn.moving_variance"));
  // LibTorch layouts: conv (out, in, kh, kw); depthwise (in * mult, 1, kh, kw); Dense kept (in,
  // out).
  EXPECT_EQ(params["conv.kernel"].sizes(), (std::vector<int64_t>{4, 3, 3, 3}));
  EXPECT_EQ(params["dw.depthwise_kernel"].sizes(), (std::vector<int64_t>{8, 1, 3, 3}));
  EXPECT_EQ(params["sep.pointwise_kernel"].sizes(), (std::vector<int64_t>{5, 16, 1, 1}));
  EXPECT_EQ(params["fc.kernel"].sizes(), (std::vector<int64_t>{3 * 3 * 6, 3}));
}

TEST(GraphModule, WeightsRoundTripBitIdentical) {
  Graph g = weightedNetwork();
  WeightStore w = randomWeights(g, 2);
  GraphModule m(g, w);
  WeightStore back = m.weights();
  EXPECT_EQ(back.layers(), w.layers());
  for (const auto& layer : w.layers()) {
    const auto& a = *w.find(layer);
    const auto& b = *back.find(layer);
    ASSERT_EQ(a.size(), b.size()) << layer;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].shape, b[i].shape) << layer << " weight " << i;
      EXPECT_EQ(*a[i].data, *b[i].data) << layer << " weight " << i;
      EXPECT_NE(a[i].data.get(), b[i].data.get()) << "weights() must copy, not alias";
    }
  }
}

TEST(GraphModule, ParametersDoNotAliasTheWeightStore) {
  Graph g = oneLayer("Dense", {{"units", 2}}, {kUnknown, 3});
  WeightStore w = randomWeights(g, 3);
  const std::vector<float> before = *w.find("layer")->at(0).data;
  GraphModule m(g, w);
  {
    torch::NoGradGuard noGrad;
    m.module().named_parameters()["layer.kernel"].add_(1.0);
  }
  EXPECT_EQ(*w.find("layer")->at(0).data, before);
  EXPECT_NE(*m.weights().find("layer")->at(0).data, before);
}

TEST(GraphModule, InferenceRecordsNoGradientsTrainingDoes) {
  Graph g = weightedNetwork();
  GraphModule m(g, randomWeights(g, 4));
  torch::Tensor x = randomTensor({2, 3, 9, 9}, 5);
  EXPECT_FALSE(m.isTraining());
  torch::Tensor y = m.forward(x);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_FALSE(y.is_inference());
  m.train(true);
  EXPECT_TRUE(m.isTraining());
  torch::Tensor t = m.forward(x);
  ASSERT_TRUE(t.requires_grad());
  t.select(1, 0).sum().backward();
  auto params = m.module().named_parameters();
  EXPECT_TRUE(params["fc.kernel"].grad().defined());
  EXPECT_TRUE(params["dw.depthwise_kernel"].grad().defined());
  EXPECT_FALSE(params["conv.kernel"].grad().defined());  // frozen
}

// Training through every padding path (asymmetric 'same' convolution, -inf max-pool padding,
// padding-free average pooling) gives finite gradients for every trainable weight.
TEST(GraphModule, TrainingGradientsAreFiniteThroughPadding) {
  GraphBuilder b("padding_paths");
  std::string x = b.input("input_1", {kUnknown, 8, 7, 2});
  x = b.add("Conv2D", "conv",
            {{"filters", 3}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"}}, x);
  x = b.add("MaxPooling2D", "max",
            {{"pool_size", {2, 2}}, {"strides", {1, 1}}, {"padding", "same"}}, x);
  x = b.add("AveragePooling2D", "avg",
            {{"pool_size", {2, 2}}, {"strides", {1, 1}}, {"padding", "same"}}, x);
  x = b.add("BatchNormalization", "bn", {}, x);
  x = b.add("Flatten", "flatten", {}, x);
  x = b.add("Dense", "fc", {{"units", 2}}, x);
  Graph g = b.build({x});
  GraphModule m(g, randomWeights(g, 12));
  m.train(true);
  m.forward(randomTensor({3, 2, 8, 7}, 13)).pow(2).sum().backward();
  for (const auto& p : m.module().named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    // (The conv bias is a per-channel shift that training-mode BN removes: its gradient is ~0.)
    if (p.key() != "conv.bias") {
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
    }
  }
}

TEST(GraphModule, IntermediateOutputsByName) {
  Graph g = weightedNetwork();
  GraphModule m(g, randomWeights(g, 6));
  torch::Tensor x = randomTensor({1, 3, 9, 9}, 7);
  auto outs = m.forward(x, {"sep", "fc", "conv"});
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(outs[0].sizes(), (std::vector<int64_t>{1, 5, 3, 3}));
  EXPECT_EQ(outs[2].sizes(), (std::vector<int64_t>{1, 4, 5, 5}));
  EXPECT_TRUE(torch::equal(outs[1], m.forward(x)));
  EXPECT_THROW(m.forward(x, {"nope"}), Error);
}

TEST(GraphModule, WrongInputIsReportedByTheInputLayer) {
  Graph g = weightedNetwork();
  GraphModule m(g, randomWeights(g, 8));
  const std::string msg = errorOf([&] { m.forward(torch::zeros({1, 9, 9, 3})); });
  EXPECT_NE(msg.find("input_1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(None, 3, 9, 9)"), std::string::npos) << msg;
  EXPECT_NE(errorOf([&] {
              m.forward(torch::zeros({1, 3, 9, 9}, torch::kFloat64));
            }).find("float32"),
            std::string::npos);
}

TEST(GraphModule, FailingLayerIsNamed) {
  // Unknown spatial size: a 2x2 input is too small for the 3x3 valid convolution.
  Graph g = oneLayer("Conv2D", {{"filters", 2}, {"kernel_size", {3, 3}}},
                     {kUnknown, kUnknown, kUnknown, 1});
  GraphModule m(g, randomWeights(g, 9));
  const std::string msg = errorOf([&] { m.forward(torch::zeros({1, 1, 2, 2})); });
  EXPECT_EQ(msg.rfind("layer: ", 0), 0u) << msg;
}

TEST(GraphModule, MissingOrMisshapenWeightsAreRefusedByLayer) {
  Graph g = weightedNetwork();
  WeightStore w = randomWeights(g, 10);
  w.erase("sep");
  EXPECT_NE(errorOf([&] { GraphModule m(g, w); }).find("sep: has no weights"), std::string::npos);
  WeightStore bad = randomWeights(g, 10);
  bad.set("fc", {WeightTensor::filled({5, 3}, 0.f), WeightTensor::filled({3}, 0.f)});
  EXPECT_NE(errorOf([&] { GraphModule m(g, bad); }).find("fc"), std::string::npos);
}

TEST(GraphModule, MultipleOutputsAreRefusedClearly) {
  GraphBuilder b("two_heads");
  std::string x = b.input("input_1", {kUnknown, 4});
  std::string a = b.add("Dense", "head_a", {{"units", 2}}, x);
  std::string c = b.add("Dense", "head_b", {{"units", 2}}, x);
  Graph g = b.build({a, c});
  const std::string msg = errorOf([&] { GraphModule m(g, randomWeights(g, 11)); });
  EXPECT_NE(msg.find("one output; 'two_heads' has 2 (head_a, head_b): keep one by cutting at it"),
            std::string::npos)
      << msg;
}

}  // namespace
}  // namespace graft::test

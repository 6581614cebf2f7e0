// Grad-CAM (runtime/prediction/gradcam.h): the map against one computed by hand on a network where
// the gradient is known in closed form, and against LibTorch autograd on a hand-written copy of a
// small VGG-like network; the default layer on zoo families; errors that name the layer.
#include "runtime/prediction/gradcam.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "graph/graph_builder.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/predict_result.h"
#include "runtime_test_util.h"

namespace graft {
namespace {

using test::errorOf;
using test::zooGraph;

using test::allClose;
using test::kerasWeight;

// input (8, 8, 3) -> conv (4 filters, relu) -> pool (global average) -> predictions, with the
// head's softmax or log_softmax (log-probabilities: the same pre-softmax score) in the Dense
// layer or in a layer of its own.
Graph convPoolDense(const std::string& head) {
  GraphBuilder b("hand");
  auto x = b.input("input_1", {kUnknown, 8, 8, 3});
  x = b.add("Conv2D", "conv",
            {{"filters", 4}, {"kernel_size", {3, 3}}, {"padding", "same"}, {"activation", "relu"}},
            x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  if (head == "Dense softmax" || head == "Dense log_softmax")
    return b.build({b.add("Dense", "predictions",
                          {{"units", 3}, {"activation", head.substr(head.find(' ') + 1)}}, x)});
  x = b.add("Dense", "predictions", {{"units", 3}}, x);
  if (head == "Activation log_softmax")
    return b.build({b.add("Activation", "log_p", {{"activation", "log_softmax"}}, x)});
  return b.build({b.add("Softmax", "probabilities", Json::object(), x)});
}

// The score of class k is sum_c W[c, k] * mean(A_c) + b_k, so d score / d A_c(i, j) is
// W[c, k] / (H * W) everywhere: the weights are the Dense kernel's column over H * W.
torch::Tensor handMap(const torch::Tensor& activation, const torch::Tensor& kernel, int64_t k) {
  const int64_t hw = activation.size(1) * activation.size(2);
  const torch::Tensor w = kernel.index({torch::indexing::Slice(), k}) / static_cast<double>(hw);
  torch::Tensor map = torch::relu((w.view({-1, 1, 1}) * activation).sum(0));
  return map / map.max();
}

TEST(GradCam, MatchesTheMapComputedByHandOnConvPoolDense) {
  for (const std::string head :
       {"Dense softmax", "Softmax layer", "Dense log_softmax", "Activation log_softmax"}) {
    SCOPED_TRACE(head);
    const Graph graph = convPoolDense(head);
    const WeightStore weights = test::randomWeights(graph, 11);
    const torch::Tensor x = test::randomTensor({1, 3, 8, 8}, 5);
    GraphModule module(graph, weights);
    const torch::Tensor activation = module.forward(x, {"conv"}).front()[0];  // (C, H, W)
    const torch::Tensor kernel = kerasWeight(weights, "predictions", 0);      // (C, classes)
    GradCamModule gradCam(graph, weights);
    ASSERT_EQ(gradCam.classes(), 3);
    int nonZeroMaps = 0;
    for (int64_t k = 0; k < 3; ++k) {
      const GradCamResult r = gradCam.run(x, "conv", k);
      EXPECT_EQ(r.classIndex, k);
      const torch::Tensor want = handMap(activation, kernel, k);
      if (want.isnan().any().item<bool>()) {  // nothing speaks for k: the map is all zero
        EXPECT_EQ(r.map.max().item<float>(), 0.f);
        continue;
      }
      ++nonZeroMaps;
      EXPECT_TRUE(allClose(r.map, want, 1e-5));
    }
    EXPECT_GT(nonZeroMaps, 0);
    // Unset class: the predicted one.
    const int64_t predicted = module.forward(x).argmax(1).item<int64_t>();
    EXPECT_EQ(gradCam.run(x, "conv").classIndex, predicted);
  }
}

// A small VGG-like network and the same network written with LibTorch's functions on the
// Keras weights, differentiated by autograd.
Graph smallVgg() {
  GraphBuilder b("small_vgg");
  auto x = b.input("input_1", {kUnknown, 12, 12, 3});
  x = b.add("Conv2D", "block1_conv",
            {{"filters", 6}, {"kernel_size", {3, 3}}, {"padding", "same"}, {"activation", "relu"}},
            x);
  x = b.add("BatchNormalization", "block1_bn", Json::object(), x);
  x = b.add("MaxPooling2D", "block1_pool", {{"pool_size", {2, 2}}}, x);
  x = b.add("Conv2D", "block2_conv",
            {{"filters", 8}, {"kernel_size", {3, 3}}, {"padding", "same"}, {"activation", "relu"}},
            x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  return b.build({b.add("Dense", "predictions", {{"units", 4}, {"activation", "softmax"}}, x)});
}

torch::Tensor conv(const torch::Tensor& x, const WeightStore& w, const std::string& layer) {
  return torch::relu(torch::conv2d(x, kerasWeight(w, layer, 0).permute({3, 2, 0, 1}),
                                   kerasWeight(w, layer, 1), 1, 1));
}

TEST(GradCam, MatchesAutogradOnAHandWrittenSmallVgg) {
  const Graph graph = smallVgg();
  const WeightStore w = test::randomWeights(graph, 3);
  const torch::Tensor x = test::randomTensor({1, 3, 12, 12}, 8);
  GradCamModule gradCam(graph, w);
  int nonZeroMaps = 0;
  for (const std::string layer : {"block1_bn", "block1_pool", "block2_conv"}) {
    for (int64_t k : {0, 2}) {
      SCOPED_TRACE(layer + " class " + std::to_string(k));
      // The reference: the same network, cut at the chosen activation, which autograd then
      // sees as a leaf.
      const auto bn = [&](size_t i) { return kerasWeight(w, "block1_bn", i).view({1, -1, 1, 1}); };
      const torch::Tensor bnOut =
          (conv(x, w, "block1_conv") - bn(2)) / torch::sqrt(bn(3) + 1e-3) * bn(0) + bn(1);
      const torch::Tensor poolOut = torch::max_pool2d(bnOut, 2);
      const torch::Tensor before = layer == "block1_bn"     ? bnOut
                                   : layer == "block1_pool" ? poolOut
                                                            : conv(poolOut, w, "block2_conv");
      const torch::Tensor chosen = before.detach().requires_grad_(true);
      torch::Tensor y = chosen;
      if (layer == "block1_bn") y = torch::max_pool2d(y, 2);
      if (layer != "block2_conv") y = conv(y, w, "block2_conv");
      const torch::Tensor logits = torch::matmul(y.mean({2, 3}), kerasWeight(w, "predictions", 0)) +
                                   kerasWeight(w, "predictions", 1);  // pre-softmax
      const torch::Tensor grad = torch::autograd::grad({logits[0][k]}, {chosen})[0][0];
      const torch::Tensor act = chosen.detach()[0];
      torch::Tensor want = torch::relu((grad.mean({1, 2}).view({-1, 1, 1}) * act).sum(0));
      const GradCamResult r = gradCam.run(x, layer, k);
      if (want.max().item<float>() == 0.f) {  // no evidence for k here: all zero, not NaN
        EXPECT_EQ(r.map.abs().max().item<float>(), 0.f);
      } else {
        ++nonZeroMaps;
        EXPECT_TRUE(allClose(r.map, want / want.max(), 1e-4));
      }
      EXPECT_TRUE(allClose(r.scores, logits.detach()[0], 1e-4));
    }
  }
  EXPECT_GE(nonZeroMaps, 3);
}

TEST(GradCam, DefaultLayerIsTheLastSpatialMapBeforeTheHead) {
  // vgg16: block5_pool (7 x 7), the pooled block5_conv3 — the last map before Flatten.
  EXPECT_EQ(defaultGradCamLayer(zooGraph("vgg16")), "block5_pool");
  // mobilenet: the last pointwise block; its head's 1 x 1 maps (conv_preds) are not spatial.
  EXPECT_EQ(defaultGradCamLayer(zooGraph("mobilenet")), "conv_pw_13_relu");
  // ResNet50's last block output, by either naming of Keras's layers.
  EXPECT_EQ(defaultGradCamLayer(zooGraph("resnet50", "tf.keras")), "conv5_block3_out");
  EXPECT_EQ(defaultGradCamLayer(zooGraph("resnet50", "keras-applications")), "activation_49");
  EXPECT_EQ(defaultGradCamLayer(convPoolDense("Dense softmax")), "conv");
}

TEST(GradCam, RunsOnMobileNetAtItsDefaultLayer) {
  zoo::ZooOptions o;
  o.architecture = "mobilenet";
  o.alpha = 0.25;
  o.inputSize = 128;
  const Graph graph = zoo::buildGraph(o);
  GradCamModule gradCam(graph, test::randomWeights(graph, 1, -0.1f, 0.1f));
  const GradCamResult r =
      gradCam.run(test::randomTensor({1, 3, 128, 128}, 2), defaultGradCamLayer(graph));
  EXPECT_EQ(r.map.sizes(), (torch::IntArrayRef{4, 4}));
  EXPECT_EQ(r.scores.size(0), 1000);
  EXPECT_EQ(r.classIndex, r.scores.argmax().item<int64_t>());
  EXPECT_GE(r.map.min().item<float>(), 0.f);
  EXPECT_LE(r.map.max().item<float>(), 1.f);
}

// Grad-CAM at the graph's default layer on a random image: a map of that layer's resolution
// (above 1 x 1), finite and in [0, 1], explaining the predicted class.
void expectGradCamRuns(const Graph& graph, const WeightStore& weights, int64_t size) {
  const std::string layer = defaultGradCamLayer(graph);
  SCOPED_TRACE(layer);
  GradCamModule gradCam(graph, weights);
  const torch::Tensor x = test::randomTensor({1, 3, size, size}, 4);
  const GradCamResult r = gradCam.run(x, layer);
  EXPECT_GT(r.map.size(0), 1);
  EXPECT_GT(r.map.size(1), 1);
  EXPECT_TRUE(torch::isfinite(r.map).all().item<bool>());
  EXPECT_GE(r.map.min().item<float>(), 0.f);
  EXPECT_LE(r.map.max().item<float>(), 1.f);
  // The class predict lists first from the model's own output (probabilities that tie in float
  // where Keras's initial weights leave the logits apart by 1e-8 or so: the lower index).
  GraphModule module(graph, weights);
  const torch::Tensor out = module.forward(x).contiguous();
  EXPECT_EQ(r.classIndex, predictedClass(std::vector<float>(out.data_ptr<float>(),
                                                            out.data_ptr<float>() + out.numel())));
  EXPECT_EQ(r.classIndex, r.predictedClass);
}

// #24 item 5: a member of every zoo family (Keras's initializers, a small input, a five-class
// top) and an edited model (cut at a block end, a BatchNormalization inserted, a new head).
TEST(GradCam, RunsOnEveryZooFamilyAndOnAnEditedModel) {
  const std::vector<std::pair<std::string, int64_t>> members = {{"vgg16", 64},
                                                                {"resnet50", 64},
                                                                {"resnet50v2", 64},
                                                                {"inception_v3", 75},
                                                                {"xception", 71},
                                                                {"inceptionresnetv2", 75},
                                                                {"mobilenet", 64},
                                                                {"mobilenetv2", 64},
                                                                {"mobilenetv3small", 64},
                                                                {"densenet121", 64},
                                                                {"nasnetmobile", 64},
                                                                {"efficientnetb0", 64},
                                                                {"efficientnetv2b0", 64},
                                                                {"convnexttiny", 64}};
  for (const auto& [architecture, size] : members) {
    SCOPED_TRACE(architecture);
    zoo::ZooOptions o;
    o.architecture = architecture;
    o.inputSize = size;
    o.classes = 5;
    o.resnetNaming = "tf.keras";  // keras-applications' ResNet50 top needs 197 px
    const Graph graph = zoo::buildGraph(o);
    WeightStore weights;
    initializeWeights(graph, analyzeOrThrow(graph), weights, 3);
    expectGradCamRuns(graph, weights, size);
  }

  zoo::ZooOptions o;
  o.architecture = "mobilenet";
  o.alpha = 0.25;
  o.inputSize = 64;
  Model model;
  model.graph = zoo::buildGraph(o);
  initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, 3);
  for (const Json& op :
       {ops::cut("conv_pw_6_relu"),
        ops::stack("conv_pw_6_relu",
                   {ops::layer("GlobalAveragePooling2D", "gap"),
                    ops::layer("Dense", "head", {{"units", 3}, {"activation", "softmax"}})}),
        ops::insertAfter("conv_pw_3_relu", ops::layer("BatchNormalization", "extra_bn"))}) {
    Expected<EditResult> edited = applyOperation(model, op);
    ASSERT_TRUE(edited.ok()) << op.dump();
    model = std::move(edited).value().model;
  }
  EXPECT_EQ(defaultGradCamLayer(model.graph), "conv_pw_6_relu");
  expectGradCamRuns(model.graph, model.weights, 64);
}

TEST(GradCam, RefusesUnknownLayersAndLayersWithoutASpatialMap) {
  const Graph graph = convPoolDense("Dense softmax");
  GradCamModule gradCam(graph, test::randomWeights(graph, 1));
  const torch::Tensor x = test::randomTensor({1, 3, 8, 8}, 1);
  const std::string unknown = errorOf([&] { gradCam.run(x, "block9_conv"); });
  EXPECT_NE(unknown.find("block9_conv"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("no such layer"), std::string::npos) << unknown;
  const std::string flat = errorOf([&] { gradCam.run(x, "pool"); });
  EXPECT_NE(flat.find("pool"), std::string::npos) << flat;
  EXPECT_NE(flat.find("spatial map"), std::string::npos) << flat;
  EXPECT_NE(flat.find("(None, 4)"), std::string::npos) << flat;
  // The input has the shape of a map, but nothing computed it: said as such.
  const std::string input = errorOf([&] { gradCam.run(x, graph.inputs().front()); });
  EXPECT_NE(input.find("is the model's input"), std::string::npos) << input;
  const std::string range = errorOf([&] { gradCam.run(x, "conv", 3); });
  EXPECT_NE(range.find("out of range"), std::string::npos) << range;

  GraphBuilder b("flat");
  auto y = b.input("input_1", {kUnknown, 8});
  const Graph mlp = b.build({b.add("Dense", "predictions", {{"units", 2}}, y)});
  EXPECT_NE(errorOf([&] { defaultGradCamLayer(mlp); }).find("no layer with a spatial map"),
            std::string::npos);
}

}  // namespace
}  // namespace graft

// What does interpreting a Graph cost over a LibTorch module written by hand for the same network?
// Builds MobileNet (alpha 0.25, 224; many small layers, so per-layer overhead shows) and VGG16
// (64x64; few heavy layers) from the zoo with random weights, a hand-written torch::nn::Module of
// each network holding the same weights, checks both give the same numbers, then times them
// interleaved in the same run and prints the ratio (GraphModule / hand-written).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "graph/analysis.h"
#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"
#include "runtime/system/threads.h"

namespace {

using namespace graft;
namespace F = torch::nn::functional;

torch::Tensor param(GraphModule& g, const std::string& name) {
  auto params = g.module().named_parameters();
  if (params.contains(name)) return params[name].detach();
  return g.module().named_buffers()[name].detach();
}

// Keras 2.2.4's MobileNet v1, as torch::nn layers.
struct HandMobileNet : torch::nn::Module {
  struct Block {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    bool padBottomRight = false;
  };
  std::vector<Block> blocks;
  torch::nn::Conv2d preds{nullptr};

  Block make(GraphModule& g, const std::string& name, torch::nn::Conv2dOptions options, bool pad) {
    Block b;
    b.conv = register_module(name, torch::nn::Conv2d(options.bias(false)));
    b.bn = register_module(
        name + "_bn",
        torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.out_channels()).eps(1e-3)));
    torch::NoGradGuard noGrad;
    b.conv->weight.copy_(
        param(g, name + (name.rfind("conv_dw", 0) == 0 ? ".depthwise_kernel" : ".kernel")));
    b.bn->weight.copy_(param(g, name + "_bn.gamma"));
    b.bn->bias.copy_(param(g, name + "_bn.beta"));
    b.bn->running_mean.copy_(param(g, name + "_bn.moving_mean"));
    b.bn->running_var.copy_(param(g, name + "_bn.moving_variance"));
    b.padBottomRight = pad;
    return b;
  }

  HandMobileNet(GraphModule& g, double alpha, int64_t classes) {
    auto width = [&](int f) { return static_cast<int64_t>(f * alpha); };
    int64_t c = width(32);
    blocks.push_back(make(g, "conv1", torch::nn::Conv2dOptions(3, c, 3).stride(2), true));
    const std::pair<int, int> spec[] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                                        {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                                        {512, 1}, {1024, 2}, {1024, 1}};
    int id = 1;
    for (auto [filters, stride] : spec) {
      const std::string n = std::to_string(id++);
      blocks.push_back(make(
          g, "conv_dw_" + n,
          torch::nn::Conv2dOptions(c, c, 3).stride(stride).groups(c).padding(stride == 1 ? 1 : 0),
          stride == 2));
      blocks.push_back(
          make(g, "conv_pw_" + n, torch::nn::Conv2dOptions(c, width(filters), 1), false));
      c = width(filters);
    }
    preds =
        register_module("conv_preds", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, classes, 1)));
    torch::NoGradGuard noGrad;
    preds->weight.copy_(param(g, "conv_preds.kernel"));
    preds->bias.copy_(param(g, "conv_preds.bias"));
  }

  torch::Tensor forward(torch::Tensor x) {
    for (auto& b : blocks) {
      if (b.padBottomRight) x = F::pad(x, F::PadFuncOptions({0, 1, 0, 1}));
      x = torch::clamp(b.bn(b.conv(x)), 0.0, 6.0);
    }
    x = x.mean({2, 3}, true);
    return torch::softmax(preds(x), 1).flatten(1);
  }
};

// VGG16 as torch::nn layers; the classifier's first Dense sees the Keras (H, W, C) flatten order.
struct HandVgg16 : torch::nn::Module {
  std::vector<torch::nn::Conv2d> convs;
  std::vector<int> poolAfter;
  std::vector<torch::Tensor> kernels, biases;  // Dense (in, out) as Keras stores them

  HandVgg16(GraphModule& g) {
    const int filters[] = {64, 128, 256, 512, 512};
    int64_t in = 3;
    for (int block = 1; block <= 5; ++block) {
      const int n = block <= 2 ? 2 : 3;
      for (int i = 1; i <= n; ++i) {
        const std::string name = "block" + std::to_string(block) + "_conv" + std::to_string(i);
        auto conv = register_module(
            name,
            torch::nn::Conv2d(torch::nn::Conv2dOptions(in, filters[block - 1], 3).padding(1)));
        torch::NoGradGuard noGrad;
        conv->weight.copy_(param(g, name + ".kernel"));
        conv->bias.copy_(param(g, name + ".bias"));
        convs.push_back(conv);
        in = filters[block - 1];
      }
      poolAfter.push_back(static_cast<int>(convs.size()) - 1);
    }
    for (const char* name : {"fc1", "fc2", "predictions"}) {
      kernels.push_back(register_parameter(std::string(name) + "_kernel",
                                           param(g, std::string(name) + ".kernel").clone()));
      biases.push_back(register_parameter(std::string(name) + "_bias",
                                          param(g, std::string(name) + ".bias").clone()));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    for (size_t i = 0; i < convs.size(); ++i) {
      x = torch::relu(convs[i](x));
      if (std::find(poolAfter.begin(), poolAfter.end(), static_cast<int>(i)) != poolAfter.end())
        x = torch::max_pool2d(x, 2, 2);
    }
    x = x.permute({0, 2, 3, 1}).reshape({x.size(0), -1});
    x = torch::relu(torch::addmm(biases[0], x, kernels[0]));
    x = torch::relu(torch::addmm(biases[1], x, kernels[1]));
    return torch::softmax(torch::addmm(biases[2], x, kernels[2]), 1);
  }
};

double seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class Hand>
void compare(const char* title, GraphModule& graph, Hand& hand, const torch::Tensor& x,
             int rounds) {
  torch::NoGradGuard noGrad;
  hand.eval();
  const torch::Tensor difference = graph.forward(x) - hand.forward(x);
  const double diff = difference.abs().max().item<double>();
  for (int i = 0; i < 3; ++i) {  // warm up both
    graph.forward(x);
    hand.forward(x);
  }
  std::vector<double> tg, th;
  for (int i = 0; i < rounds; ++i) {  // interleaved, so load changes hit both alike
    tg.push_back(seconds([&] { graph.forward(x); }));
    th.push_back(seconds([&] { hand.forward(x); }));
  }
  // Median: the typical call; minimum: the least disturbed one (other processes share the cores).
  const double g = median(tg), h = median(th);
  const double gMin = *std::min_element(tg.begin(), tg.end());
  const double hMin = *std::min_element(th.begin(), th.end());
  std::printf(
      "%-30s batch %2ld  GraphModule %8.2f ms  hand-written %8.2f ms  ratio %.3f (median), %.3f "
      "(min)  max |diff| %.1e\n",
      title, static_cast<long>(x.size(0)), g * 1e3, h * 1e3, g / h, gMin / hMin, diff);
}

}  // namespace

// Optional argument: the intra-op thread count (default: every core). One thread gives steadier
// figures when other processes load the machine.
int main(int argc, char** argv) {
  int threads = useAllCoresForTorch();
  if (argc > 1) {
    at::set_num_threads(std::max(1, std::atoi(argv[1])));
    threads = at::get_num_threads();
  }
  std::printf("LibTorch intra-op threads: %d\n", threads);

  {
    zoo::ZooOptions o;
    o.architecture = "mobilenet";
    o.alpha = 0.25;
    o.inputSize = 224;
    Graph graph = zoo::buildGraph(o);
    WeightStore weights;
    initializeWeights(graph, analyzeOrThrow(graph), weights, 1);
    GraphModule module(graph, weights);
    HandMobileNet hand(module, 0.25, 1000);
    for (int64_t batch : {1, 8})
      compare("MobileNet alpha 0.25, 224x224", module, hand, torch::rand({batch, 3, 224, 224}),
              batch == 1 ? 40 : 15);
  }
  {
    zoo::ZooOptions o;
    o.architecture = "vgg16";
    o.inputSize = 64;
    Graph graph = zoo::buildGraph(o);
    WeightStore weights;
    initializeWeights(graph, analyzeOrThrow(graph), weights, 2);
    GraphModule module(graph, weights);
    HandVgg16 hand(module);
    for (int64_t batch : {1, 8})
      compare("VGG16 with top, 64x64", module, hand, torch::rand({batch, 3, 64, 64}),
              batch == 1 ? 20 : 8);
  }
  return 0;
}

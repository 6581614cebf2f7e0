#include "runtime/prediction/layer_maps.h"

#include <algorithm>
#include <numeric>

#include "graph/analysis.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/data/image_resize.h"
#include "runtime/data/preprocess.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/gradcam.h"
#include "runtime/system/device.h"

namespace graft {

FeatureMaps strongestChannels(const std::string& layer, const Shape& shape,
                              const std::vector<float>& activation, int64_t k) {
  FeatureMaps maps{layer, shape, 0, 0, {}, {}};
  if (shape.size() != 3 || shape[0] * shape[1] <= 1) {
    maps.values = activation;
    return maps;
  }
  const int64_t h = shape[0], w = shape[1], c = shape[2];
  const int64_t pixels = h * w;
  std::vector<double> means(static_cast<size_t>(c), 0.0);
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t ch = 0; ch < c; ++ch) means[ch] += activation[p * c + ch];
  for (double& m : means) m /= static_cast<double>(pixels);
  std::vector<int64_t> order(static_cast<size_t>(c));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return means[a] > means[b]; });
  order.resize(static_cast<size_t>(std::clamp<int64_t>(k, 0, c)));
  maps.height = static_cast<int>(h);
  maps.width = static_cast<int>(w);
  for (int64_t ch : order) {
    ChannelMap m{ch, means[ch], std::vector<float>(static_cast<size_t>(pixels))};
    float lo = activation[ch], hi = activation[ch];
    for (int64_t p = 0; p < pixels; ++p) {
      lo = std::min(lo, activation[p * c + ch]);
      hi = std::max(hi, activation[p * c + ch]);
    }
    for (int64_t p = 0; p < pixels; ++p)
      m.values[p] = hi > lo ? (activation[p * c + ch] - lo) / (hi - lo) : 0.f;
    maps.channels.push_back(std::move(m));
  }
  return maps;
}

struct LayerMaps::State {
  Model model;
  Shape inputShape;
  Shape outputShape;
  std::vector<std::string> layers;
  // Each built on first use: a model's weights are held once more by each.
  std::unique_ptr<GraphModule> module;
  std::unique_ptr<GradCamModule> gradCam;
  int64_t freeSize;
  torch::Device device;

  State(const Model& m, const DeviceChoice& choice, std::optional<int64_t> freeInputSize)
      : model(m), device(resolveDevice(choice).device) {
    const Graph& g = model.graph;
    if (g.inputs().size() != 1 || g.outputs().size() != 1)
      throw Error("feature maps and Grad-CAM need a model with one input and one output; '" +
                  g.name() + "' has " + std::to_string(g.inputs().size()) + " and " +
                  std::to_string(g.outputs().size()));
    const GraphAnalysis analysis = analyzeOrThrow(g);
    inputShape = analysis.find(g.inputs().front())->outputShape;
    outputShape = analysis.find(g.outputs().front())->outputShape;
    if (!isImageInput(inputShape, true))
      throw Error(Diagnostic{g.inputs().front(),
                             "needs an image input, the model's is " + shapeToString(inputShape)});
    const std::vector<size_t> order = g.topologicalOrder().value();
    for (size_t i : order) {
      const Node& node = model.graph.nodes()[i];
      if (node.className != "InputLayer") layers.push_back(node.name);
    }
    // As predict does: the maps of the prediction the user sees (they were of a 224 x 224
    // image's whatever --input-size or the size the model was trained at).
    freeSize = freeInputSize.value_or(defaultFreeInputSide(model));
  }

  torch::Tensor input(const std::string& file) const {
    const cv::Mat image = loadImageForInput(file, inputShape, FreeInputSize{freeSize});
    return asModelInput(preprocessBatch({image}, model.preprocessing), inputShape);
  }
};

LayerMaps::LayerMaps(const Model& model, const DeviceChoice& device,
                     std::optional<int64_t> freeInputSize)
    : state_(std::make_unique<State>(model, device, freeInputSize)) {}
LayerMaps::~LayerMaps() = default;
LayerMaps::LayerMaps(LayerMaps&&) noexcept = default;
LayerMaps& LayerMaps::operator=(LayerMaps&&) noexcept = default;

const std::vector<std::string>& LayerMaps::layers() const {
  return state_->layers;
}
std::string LayerMaps::defaultGradCamLayer() const {
  return graft::defaultGradCamLayer(state_->model.graph);
}
std::string LayerMaps::gradCamLayer(const std::string& requested) const {
  const std::string layer =
      requested.empty() || requested == "auto" ? defaultGradCamLayer() : requested;
  checkSpatialLayer(state_->model.graph, layer);
  return layer;
}
const std::vector<std::string>& LayerMaps::labels() const {
  return state_->model.labels;
}

int64_t LayerMaps::classes() const {
  const Shape& out = state_->outputShape;
  return out.size() == 2 && out[1] > 0 ? out[1] : 0;
}

int64_t LayerMaps::classIndexOf(const std::string& numberOrLabel) const {
  const auto& labels = state_->model.labels;
  const Shape& out = state_->outputShape;
  if (out.size() != 2 || out[1] < 1)
    throw Error("the model's output " + shapeToString(out) + " is not a vector of class scores");
  const auto it = std::find(labels.begin(), labels.end(), numberOrLabel);
  if (it != labels.end()) return it - labels.begin();
  if (!numberOrLabel.empty() &&
      std::all_of(numberOrLabel.begin(), numberOrLabel.end(),
                  [](char ch) { return ch >= '0' && ch <= '9'; }) &&
      numberOrLabel.size() < 10 && std::stoll(numberOrLabel) < out[1])
    return std::stoll(numberOrLabel);
  std::string valid = "a class number from 0 to " + std::to_string(out[1] - 1);
  if (!labels.empty()) valid += " or one of the labels (" + labels.front() + ", ...)";
  throw Error("unknown class '" + numberOrLabel + "': give " + valid);
}

FeatureMaps LayerMaps::featureMaps(const std::string& file, const std::string& layer, int64_t k) {
  if (!state_->model.graph.find(layer))
    throw Error(Diagnostic{layer, "no such layer in the model"});
  const torch::Tensor input = state_->input(file);
  if (!state_->module) {
    state_->module = std::make_unique<GraphModule>(state_->model.graph, state_->model.weights);
    state_->module->to(state_->device);
    state_->module->train(false);
  }
  const torch::Tensor out = toKerasLayout(state_->module->forward(input, {layer}).front())
                                .to(torch::kCPU, torch::kFloat32)
                                .contiguous();
  const Shape shape(out.sizes().begin() + 1, out.sizes().end());
  const float* data = out.data_ptr<float>();
  return strongestChannels(layer, shape, std::vector<float>(data, data + out.numel()), k);
}

GradCamMap LayerMaps::gradCam(const std::string& file, const std::string& layer,
                              std::optional<int64_t> classIndex) {
  const std::string chosen = gradCamLayer(layer);
  if (!state_->gradCam)
    state_->gradCam =
        std::make_unique<GradCamModule>(state_->model.graph, state_->model.weights, state_->device);
  const GradCamResult r = state_->gradCam->run(state_->input(file), chosen, classIndex);
  GradCamMap result;
  result.layer = chosen;
  result.classIndex = r.classIndex;
  if (static_cast<size_t>(r.classIndex) < state_->model.labels.size())
    result.label = state_->model.labels[r.classIndex];
  result.predicted = r.predictedClass == r.classIndex;
  result.height = static_cast<int>(r.map.size(0));
  result.width = static_cast<int>(r.map.size(1));
  const float* data = r.map.data_ptr<float>();
  result.map.assign(data, data + r.map.numel());
  result.noEvidence =
      std::all_of(result.map.begin(), result.map.end(), [](float v) { return v == 0.0f; });
  return result;
}

}  // namespace graft

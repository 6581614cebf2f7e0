// GraphModule: one LayerOp per node, made by the factory table from the node's Keras class,
// evaluated in topological order. Intermediate tensors are released as soon as their last
// consumer has run, so memory follows the widest cut of the graph, not its size.
#include "runtime/module/graph_module.h"

#include "graph/one_output.h"
#include "runtime/module/graph_module_impl.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "runtime/layers/layer_op.h"
#include "runtime/layers/op_helpers.h"
#include "runtime/system/device.h"

namespace graft {

std::string parameterPrefixOf(const std::string& layer) {
  std::string name = layer;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

GraphModuleImpl::GraphModuleImpl(const Graph& graph, const WeightStore& weights) {
  const auto& registry = LayerRegistry::standard();
  const GraphAnalysis analysis = analyzeOrThrow(graph, registry);
  if (Diagnostics problems = checkWeights(graph, analysis, weights); !problems.empty())
    throw Error(problems);
  const std::vector<std::string> inputs = graph.inputs();
  if (inputs.size() != 1)
    throw Error("model '" + graph.name() + "' has " + std::to_string(inputs.size()) +
                " input layers; the LibTorch runtime runs models with exactly one input");
  requireOneOutput(graph, "the LibTorch runtime runs");

  root = std::make_shared<torch::nn::Module>(graph.name().empty() ? "GraphModule" : graph.name());
  const auto& factories = runtime::layerFactories();
  const std::vector<size_t> order = graph.topologicalOrder().value();
  const std::vector<WeightTensor> noWeights;
  for (size_t nodeIndex : order) {
    const Node& node = graph.nodes()[nodeIndex];
    auto factory = factories.find(node.className);
    if (factory == factories.end())
      throw Error(Diagnostic{node.name,
                             "layer class " + node.className + " has no LibTorch implementation"});
    const NodeInfo& info = *analysis.find(node.name);
    std::vector<Shape> inputShapes;
    Step step{node.name, nullptr, {}, node.className == "BatchNormalization"};
    for (const auto& producer : node.inputs) {
      inputShapes.push_back(analysis.find(producer)->outputShape);
      step.inputs.push_back(index.at(producer));
    }
    const Json config = registry.normalizeConfig(node.className, node.config);
    const std::vector<WeightTensor>* w =
        info.weights.empty() ? &noWeights : weights.find(node.name);
    // Layers with weights get their own submodule, so parameters read "layer.weight_name".
    std::shared_ptr<torch::nn::Module> holder = std::make_shared<torch::nn::Module>(node.name);
    if (!info.weights.empty()) {
      const std::string name = parameterPrefixOf(node.name);
      if (root->named_children().contains(name))
        throw Error(
            Diagnostic{node.name, "another layer has the same name once '.' is replaced by '_'"});
      root->register_module(name, holder);
    }
    runtime::LayerContext ctx{node, config, inputShapes, info, *w, *holder};
    try {
      step.op = factory->second(ctx);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(Diagnostic{node.name, std::string("cannot be built: ") + e.what()});
    }
    if (info.weights.empty() && !holder->buffers().empty()) constantHolders.push_back(holder);
    index[node.name] = steps.size();
    steps.push_back(std::move(step));
  }
  inputStep = index.at(inputs[0]);
  outputStep = index.at(graph.outputs()[0]);
  outputPlan = plan({outputStep});
}

GraphModuleImpl::Plan GraphModuleImpl::plan(const std::vector<size_t>& targets) const {
  // Steps the targets depend on; steps are topologically ordered, so one backward sweep does.
  std::vector<bool> needed(steps.size(), false);
  for (size_t t : targets) needed[t] = true;
  for (size_t i = steps.size(); i-- > 0;)
    if (needed[i])
      for (size_t p : steps[i].inputs) needed[p] = true;
  std::vector<size_t> lastUse(steps.size(), 0);
  std::vector<bool> isTarget(steps.size(), false);
  for (size_t t : targets) isTarget[t] = true;
  Plan plan;
  for (size_t i = 0; i < steps.size(); ++i)
    if (needed[i])
      for (size_t p : steps[i].inputs) lastUse[p] = std::max(lastUse[p], i);
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!needed[i]) continue;
    plan.order.push_back(i);
    plan.release.emplace_back();
    for (size_t p : steps[i].inputs)
      if (lastUse[p] == i && !isTarget[p] &&
          std::find(plan.release.back().begin(), plan.release.back().end(), p) ==
              plan.release.back().end())
        plan.release.back().push_back(p);
  }
  return plan;
}

size_t GraphModuleImpl::stepOf(const std::string& layer) const {
  auto it = index.find(layer);
  if (it == index.end()) throw Error(Diagnostic{layer, "no such layer in the model"});
  return it->second;
}

std::vector<torch::Tensor> GraphModuleImpl::run(const torch::Tensor& input,
                                                const std::vector<size_t>& targets,
                                                const Plan& plan, bool batchStatistics,
                                                bool keepAutograd) {
  const bool training = root->is_training();
  // Inference records no autograd graph; NoGradGuard (not InferenceMode) keeps the results
  // usable as inputs of a later trainable computation.
  std::optional<torch::NoGradGuard> noGrad;
  if (!training && !keepAutograd) noGrad.emplace();
  std::vector<torch::Tensor> values(steps.size());
  std::vector<torch::Tensor> args;
  torch::Tensor onDevice =
      input.device() == device ? input : input.to(device, /*non_blocking=*/true);
  if (channelsLast && onDevice.dim() == 4)
    onDevice = onDevice.contiguous(torch::MemoryFormat::ChannelsLast);
  for (size_t k = 0; k < plan.order.size(); ++k) {
    const size_t i = plan.order[k];
    Step& step = steps[i];
    args.clear();
    if (i == inputStep) args.push_back(onDevice);
    for (size_t p : step.inputs) args.push_back(values[p]);
    try {
      values[i] = step.op->forward(args, training || (batchStatistics && step.batchNorm));
    } catch (const Error&) {
      throw;
    } catch (const c10::Error& e) {
      std::string shapes;
      for (const auto& a : args) {
        Shape s(a.sizes().begin(), a.sizes().end());
        shapes += (shapes.empty() ? "" : ", ") + shapeToString(s);
      }
      throw Error(
          Diagnostic{step.name, "failed on input " + shapes + ": " + e.what_without_backtrace()});
    }
    for (size_t r : plan.release[k]) values[r] = torch::Tensor();
  }
  std::vector<torch::Tensor> out;
  for (size_t t : targets) out.push_back(values[t]);
  return out;
}

GraphModule::GraphModule(const Graph& graph, const WeightStore& weights)
    : impl_(std::make_unique<GraphModuleImpl>(graph, weights)) {
  impl_->root->eval();
}
GraphModule::~GraphModule() = default;
GraphModule::GraphModule(GraphModule&&) noexcept = default;
GraphModule& GraphModule::operator=(GraphModule&&) noexcept = default;

torch::Tensor GraphModule::forward(const torch::Tensor& input) {
  return impl_->run(input, {impl_->outputStep}, impl_->outputPlan).front();
}

std::vector<torch::Tensor> GraphModule::forward(const torch::Tensor& input,
                                                const std::vector<std::string>& layers) {
  std::vector<size_t> targets;
  for (const auto& layer : layers) targets.push_back(impl_->stepOf(layer));
  return impl_->run(input, targets, impl_->plan(targets));
}

torch::Tensor GraphModule::forwardWithBatchStatistics(const torch::Tensor& input) {
  torch::NoGradGuard noGrad;
  // A BatchNormalization layer in training mode updates its moving statistics: kept and put back.
  std::vector<torch::Tensor> buffers = impl_->root->buffers();
  std::vector<torch::Tensor> saved;
  for (const auto& b : buffers) saved.push_back(b.clone());
  const bool wasTraining = impl_->root->is_training();
  impl_->root->eval();
  torch::Tensor out;
  try {
    out = impl_->run(input, {impl_->outputStep}, impl_->outputPlan, true).front();
  } catch (...) {
    for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
    impl_->root->train(wasTraining);
    throw;
  }
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
  impl_->root->train(wasTraining);
  return out;
}

void GraphModuleImpl::moveTo(const torch::Device& to) {
  if (to == device) return;
  if (to.is_cuda()) useIeeeFloat32OnCuda();
  root->to(to);
  for (const auto& holder : constantHolders) holder->to(to);
  device = to;
}

void GraphModuleImpl::useChannelsLast(bool on) {
  if (on == channelsLast) return;
  const auto format = on ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  // set_data keeps each parameter the same object: an optimizer made before still holds it.
  const auto reorder = [format](torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& t : module.parameters())
      if (t.dim() == 4) t.set_data(t.contiguous(format));
    for (auto& t : module.buffers())
      if (t.dim() == 4) t.set_data(t.contiguous(format));
  };
  reorder(*root);
  for (const auto& holder : constantHolders) reorder(*holder);
  channelsLast = on;
}

void GraphModule::useChannelsLast(bool on) {
  impl_->useChannelsLast(on);
}

bool GraphModule::channelsLast() const {
  return impl_->channelsLast;
}

void GraphModule::to(const torch::Device& device) {
  impl_->moveTo(device);
}

const torch::Device& GraphModule::device() const {
  return impl_->device;
}

void GraphModule::train(bool on) {
  impl_->root->train(on);
}
bool GraphModule::isTraining() const {
  return impl_->root->is_training();
}
torch::nn::Module& GraphModule::module() {
  return *impl_->root;
}

WeightStore GraphModule::weights() const {
  WeightStore store;
  for (const auto& step : impl_->steps) {
    std::vector<WeightTensor> w = step.op->kerasWeights();
    if (!w.empty()) store.set(step.name, std::move(w));
  }
  return store;
}

const std::string& GraphModule::inputName() const {
  return impl_->steps[impl_->inputStep].name;
}
const std::string& GraphModule::outputName() const {
  return impl_->steps[impl_->outputStep].name;
}

torch::Tensor toKerasLayout(const torch::Tensor& t) {
  return runtime::runtimeToKeras(t);
}

}  // namespace graft

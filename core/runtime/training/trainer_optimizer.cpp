#include "runtime/training/trainer_optimizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "graph/diagnostic.h"
#include "runtime/module/graph_module.h"

namespace graft {

double layerRateScale(const std::map<std::string, double>& layerRateScales,
                      const std::string& parameterName) {
  // Keyed by layer name, while the parameter's prefix has '.' as '_': a pretrained
  // "layer1.0.conv1" looked up as "layer1_0_conv1" trained at the full rate.
  const std::string prefix = parameterName.substr(0, parameterName.find('.'));
  for (const auto& [layer, scale] : layerRateScales)
    if (parameterPrefixOf(layer) == prefix) return scale;
  return 1.0;
}

KerasOptimizer::KerasOptimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options,
                               std::vector<double> rateScales)
    : parameters_(std::move(parameters)),
      rateScales_(std::move(rateScales)),
      options_(options),
      lr_(options.effectiveLearningRate()),
      momentum_(options.effectiveMomentum()),
      weightDecay_(options.effectiveWeightDecay()) {
  if (!(lr_ > 0.0) || !std::isfinite(lr_))
    throw Error(Diagnostic{
        "--lr", "the learning rate must be a positive number, got " + std::to_string(lr_)});
  if (!(momentum_ >= 0.0 && momentum_ <= 1.0))
    throw Error(
        Diagnostic{"--momentum", "must be between 0 and 1, got " + std::to_string(momentum_)});
  if (!(weightDecay_ >= 0.0) || !std::isfinite(weightDecay_))
    throw Error(Diagnostic{"--weight-decay",
                           "must be a number of at least 0, got " + std::to_string(weightDecay_)});
  if (rateScales_.empty()) rateScales_.assign(parameters_.size(), 1.0);
  if (rateScales_.size() != parameters_.size())
    throw Error("internal: " + std::to_string(rateScales_.size()) + " learning-rate factors for " +
                std::to_string(parameters_.size()) + " parameters");
  for (double scale : rateScales_)
    if (!(scale > 0.0) || !std::isfinite(scale))
      throw Error(Diagnostic{"pretrained_lr_scale",
                             "must be a positive number, got " + std::to_string(scale)});
  for (const auto& p : parameters_) {
    first_.push_back(torch::zeros_like(p));
    second_.push_back(torch::zeros_like(p));
  }
}

void KerasOptimizer::zeroGrad() {
  for (auto& p : parameters_) {
    auto& g = p.mutable_grad();
    if (g.defined()) g = torch::Tensor();  // as zero_grad(set_to_none=True): no stale values
  }
}

namespace {

using TensorList = std::vector<torch::Tensor>;

// The parameters of one learning rate that have a gradient this step, with their state.
struct RateGroup {
  double lr = 0.0;
  TensorList parameters, gradients, first, second;
};

}  // namespace

// Each rule runs as multi-tensor (_foreach_) operations over the parameters that share a
// learning rate: on a GPU one launch covers many tensors instead of one launch per tensor and
// operation (hundreds a step for a MobileNet), on the CPU it is the same arithmetic. The
// operations and their order are those of Keras's per-variable rules, so the numbers are too.
void KerasOptimizer::step() {
  torch::NoGradGuard noGrad;
  ++iterations_;
  const double t = static_cast<double>(iterations_);
  std::vector<RateGroup> groups;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& g = parameters_[i].grad();
    if (!g.defined()) continue;
    const double lr = lr_ * rateScales_[i];  // this parameter's rate
    auto group = std::find_if(groups.begin(), groups.end(),
                              [lr](const RateGroup& candidate) { return candidate.lr == lr; });
    if (group == groups.end()) group = groups.insert(groups.end(), RateGroup{lr, {}, {}, {}, {}});
    group->parameters.push_back(parameters_[i]);
    group->gradients.push_back(g);
    group->first.push_back(first_[i]);
    group->second.push_back(second_[i]);
  }
  for (RateGroup& group : groups) {
    TensorList& p = group.parameters;
    const TensorList& g = group.gradients;
    const double lr = group.lr;
    // Keras applies weight decay first, decoupled from the gradient (AdamW's rule; for the
    // other optimizers only when asked for).
    if (weightDecay_ > 0.0) torch::_foreach_sub_(p, torch::_foreach_mul(p, weightDecay_ * lr));
    switch (options_.kind) {
      case OptimizerKind::Sgd: {
        if (momentum_ == 0.0) {
          torch::_foreach_sub_(p, g, lr);
          break;
        }
        TensorList& v = group.first;  // v = momentum v - lr g
        torch::_foreach_mul_(v, momentum_);
        torch::_foreach_sub_(v, g, lr);
        if (options_.nesterov) {  // p += momentum v - lr g
          auto step = torch::_foreach_mul(v, momentum_);
          torch::_foreach_sub_(step, g, lr);
          torch::_foreach_add_(p, step);
        } else {
          torch::_foreach_add_(p, v);
        }
        break;
      }
      case OptimizerKind::RmsProp: {
        TensorList& v = group.second;  // v = rho v + (1 - rho) g^2
        torch::_foreach_mul_(v, options_.rho);
        torch::_foreach_addcmul_(v, g, g, 1.0 - options_.rho);
        auto increment = torch::_foreach_mul(g, lr);  // lr g / sqrt(v + epsilon)
        auto root = torch::_foreach_add(v, options_.epsilon);
        torch::_foreach_sqrt_(root);
        torch::_foreach_div_(increment, root);
        if (momentum_ > 0.0) {
          TensorList& m = group.first;
          torch::_foreach_mul_(m, momentum_);
          torch::_foreach_add_(m, increment);
          torch::_foreach_sub_(p, m);
        } else {
          torch::_foreach_sub_(p, increment);
        }
        break;
      }
      case OptimizerKind::Adam:
      case OptimizerKind::AdamW: {
        TensorList& m = group.first;
        TensorList& v = group.second;
        const double alpha =
            lr * std::sqrt(1.0 - std::pow(options_.beta2, t)) / (1.0 - std::pow(options_.beta1, t));
        auto towardG = torch::_foreach_sub(g, m);  // m += (g - m)(1 - beta1)
        torch::_foreach_mul_(towardG, 1.0 - options_.beta1);
        torch::_foreach_add_(m, towardG);
        auto towardG2 = torch::_foreach_mul(g, g);  // v += (g^2 - v)(1 - beta2)
        torch::_foreach_sub_(towardG2, v);
        torch::_foreach_mul_(towardG2, 1.0 - options_.beta2);
        torch::_foreach_add_(v, towardG2);
        auto update = torch::_foreach_mul(m, alpha);  // p -= alpha m / (sqrt(v) + epsilon)
        auto root = torch::_foreach_sqrt(v);
        torch::_foreach_add_(root, options_.epsilon);
        torch::_foreach_div_(update, root);
        torch::_foreach_sub_(p, update);
        break;
      }
    }
  }
}

}  // namespace graft

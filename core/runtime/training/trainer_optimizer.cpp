#include "runtime/training/trainer_optimizer.h"

#include <torch/torch.h>
#include <torch/version.h>

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

void KerasOptimizer::setLearningRate(double lr) {
  // A kernel on the device: only when the schedule changed the rate.
  if (rateOnDevice_.defined() && lr != lr_) rateOnDevice_.fill_(lr);
  lr_ = lr;
}

void KerasOptimizer::makeCapturable() {
  if (capturable()) return;
  const auto options =
      torch::TensorOptions()
          .dtype(torch::kFloat64)
          .device(parameters_.empty() ? torch::Device(torch::kCPU) : parameters_.front().device());
  rateOnDevice_ = torch::full({}, lr_, options);
  stepsOnDevice_ = torch::full({}, static_cast<double>(iterations_), options);
}

namespace {

using TensorList = std::vector<torch::Tensor>;

// The parameters of one learning-rate factor that have a gradient this step, with their state.
struct RateGroup {
  double scale = 1.0;
  TensorList parameters, gradients, first, second;
};

// The factors an update multiplies by are host numbers in the default mode and float64 0-dim
// tensors on the device in capturable mode; these overloads let one rule serve both. The
// products are rounded to the parameters' type as the default mode's _foreach_ kernels round a
// host scalar, so the two modes differ by float rounding at most.
TensorList scaledList(const TensorList& list, double factor) {
  return torch::_foreach_mul(list, factor);
}

TensorList scaledList(const TensorList& list, const torch::Tensor& factor) {
  const torch::Tensor f = factor.to(list.front().scalar_type());
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  // One launch for the list (a tensor factor in _foreach_mul: LibTorch 2.3 is a safe floor).
  return torch::_foreach_mul(list, f);
#else
  TensorList out;
  out.reserve(list.size());
  for (const auto& t : list) out.push_back(t * f);
  return out;
#endif
}

void subtractScaled(TensorList& p, const TensorList& g, double factor) {
  torch::_foreach_sub_(p, g, factor);
}

void subtractScaled(TensorList& p, const TensorList& g, const torch::Tensor& factor) {
  torch::_foreach_sub_(p, scaledList(g, factor));
}

double powerOf(double base, double exponent) {
  return std::pow(base, exponent);
}

torch::Tensor powerOf(double base, const torch::Tensor& exponent) {
  return torch::pow(base, exponent);
}

double squareRoot(double x) {
  return std::sqrt(x);
}

torch::Tensor squareRoot(const torch::Tensor& x) {
  return torch::sqrt(x);
}

// One group's update with the base rate `rate` (times the group's factor) at step `t`, Keras's
// rules as multi-tensor (_foreach_) operations: on a GPU one launch covers many tensors instead
// of one launch per tensor and operation (hundreds a step for a MobileNet), on the CPU it is the
// same arithmetic. The operations and their order are those of Keras's per-variable rules, so
// the numbers are too.
template <typename Factor>
void applyKerasRule(RateGroup& group, const OptimizerOptions& o, double momentum,
                    double weightDecay, const Factor& rate, const Factor& t) {
  TensorList& p = group.parameters;
  const TensorList& g = group.gradients;
  const Factor lr = rate * group.scale;  // this group's rate
  // Keras applies weight decay first, decoupled from the gradient (AdamW's rule; for the other
  // optimizers only when asked for).
  if (weightDecay > 0.0) torch::_foreach_sub_(p, scaledList(p, lr * weightDecay));
  switch (o.kind) {
    case OptimizerKind::Sgd: {
      if (momentum == 0.0) {
        subtractScaled(p, g, lr);
        break;
      }
      TensorList& v = group.first;  // v = momentum v - lr g
      torch::_foreach_mul_(v, momentum);
      subtractScaled(v, g, lr);
      if (o.nesterov) {  // p += momentum v - lr g
        auto step = torch::_foreach_mul(v, momentum);
        subtractScaled(step, g, lr);
        torch::_foreach_add_(p, step);
      } else {
        torch::_foreach_add_(p, v);
      }
      break;
    }
    case OptimizerKind::RmsProp: {
      TensorList& v = group.second;  // v = rho v + (1 - rho) g^2
      torch::_foreach_mul_(v, o.rho);
      torch::_foreach_addcmul_(v, g, g, 1.0 - o.rho);
      auto increment = scaledList(g, lr);  // lr g / sqrt(v + epsilon)
      auto sqrtV = torch::_foreach_add(v, o.epsilon);
      torch::_foreach_sqrt_(sqrtV);
      torch::_foreach_div_(increment, sqrtV);
      if (momentum > 0.0) {
        TensorList& m = group.first;
        torch::_foreach_mul_(m, momentum);
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
      const Factor alpha = lr * squareRoot(1.0 - powerOf(o.beta2, t)) / (1.0 - powerOf(o.beta1, t));
      auto towardG = torch::_foreach_sub(g, m);  // m += (g - m)(1 - beta1)
      torch::_foreach_mul_(towardG, 1.0 - o.beta1);
      torch::_foreach_add_(m, towardG);
      auto towardG2 = torch::_foreach_mul(g, g);  // v += (g^2 - v)(1 - beta2)
      torch::_foreach_sub_(towardG2, v);
      torch::_foreach_mul_(towardG2, 1.0 - o.beta2);
      torch::_foreach_add_(v, towardG2);
      auto step = scaledList(m, alpha);  // p -= alpha m / (sqrt(v) + epsilon)
      auto sqrtV = torch::_foreach_sqrt(v);
      torch::_foreach_add_(sqrtV, o.epsilon);
      torch::_foreach_div_(step, sqrtV);
      torch::_foreach_sub_(p, step);
      break;
    }
  }
}

}  // namespace

void KerasOptimizer::step() {
  torch::NoGradGuard noGrad;
  ++iterations_;
  std::vector<RateGroup> groups;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& g = parameters_[i].grad();
    if (!g.defined()) continue;
    const double scale = rateScales_[i];
    auto group = std::find_if(groups.begin(), groups.end(), [scale](const RateGroup& candidate) {
      return candidate.scale == scale;
    });
    if (group == groups.end())
      group = groups.insert(groups.end(), RateGroup{scale, {}, {}, {}, {}});
    group->parameters.push_back(parameters_[i]);
    group->gradients.push_back(g);
    group->first.push_back(first_[i]);
    group->second.push_back(second_[i]);
  }
  if (capturable()) {
    stepsOnDevice_.add_(1.0);
    for (RateGroup& group : groups)
      applyKerasRule(group, options_, momentum_, weightDecay_, rateOnDevice_, stepsOnDevice_);
  } else {
    const double t = static_cast<double>(iterations_);
    for (RateGroup& group : groups)
      applyKerasRule(group, options_, momentum_, weightDecay_, lr_, t);
  }
}

}  // namespace graft

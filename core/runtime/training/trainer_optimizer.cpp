#include "runtime/training/trainer_optimizer.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "graph/diagnostic.h"

namespace graft {

double layerRateScale(const std::map<std::string, double>& layerRateScales,
                      const std::string& parameterName) {
  const auto it = layerRateScales.find(parameterName.substr(0, parameterName.find('.')));
  return it == layerRateScales.end() ? 1.0 : it->second;
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

void KerasOptimizer::step() {
  torch::NoGradGuard noGrad;
  ++iterations_;
  const double t = static_cast<double>(iterations_);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    auto& p = parameters_[i];
    const auto& g = p.grad();
    if (!g.defined()) continue;
    const double lr = lr_ * rateScales_[i];  // this parameter's rate
    // Keras applies weight decay first, decoupled from the gradient (AdamW's rule; for the
    // other optimizers only when asked for).
    if (weightDecay_ > 0.0) p.sub_(p * (weightDecay_ * lr));
    switch (options_.kind) {
      case OptimizerKind::Sgd: {
        if (momentum_ == 0.0) {
          p.sub_(g, lr);
          break;
        }
        auto& v = first_[i];
        v.mul_(momentum_).sub_(g, lr);
        if (options_.nesterov)
          p.add_(v * momentum_ - g * lr);
        else
          p.add_(v);
        break;
      }
      case OptimizerKind::RmsProp: {
        auto& v = second_[i];
        v.mul_(options_.rho).addcmul_(g, g, 1.0 - options_.rho);
        const auto increment = g * lr / (v + options_.epsilon).sqrt();
        if (momentum_ > 0.0) {
          auto& m = first_[i];
          m.mul_(momentum_).add_(increment);
          p.sub_(m);
        } else {
          p.sub_(increment);
        }
        break;
      }
      case OptimizerKind::Adam:
      case OptimizerKind::AdamW: {
        auto& m = first_[i];
        auto& v = second_[i];
        const double alpha =
            lr * std::sqrt(1.0 - std::pow(options_.beta2, t)) / (1.0 - std::pow(options_.beta1, t));
        m.add_((g - m) * (1.0 - options_.beta1));
        v.add_((g * g - v) * (1.0 - options_.beta2));
        p.sub_(m * alpha / (v.sqrt() + options_.epsilon));
        break;
      }
    }
  }
}

}  // namespace graft

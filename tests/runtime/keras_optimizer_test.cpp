// KerasOptimizer's multi-tensor step against Keras's update rules written per variable, as
// keras/src/optimizers/*.py state them: the same numbers for every optimizer, with per-layer
// learning-rate factors and a parameter that has no gradient in some steps.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "runtime/training/trainer_optimizer.h"

namespace graft {
namespace {

// One variable's update, Keras's rule written out (weight decay first, then the optimizer).
void perVariableStep(const OptimizerOptions& o, double lr, int64_t iteration, torch::Tensor& p,
                     const torch::Tensor& g, torch::Tensor& first, torch::Tensor& second) {
  const double momentum = o.effectiveMomentum();
  const double decay = o.effectiveWeightDecay();
  if (decay > 0.0) p = p - p * (decay * lr);
  switch (o.kind) {
    case OptimizerKind::Sgd:
      if (momentum == 0.0) {
        p = p - lr * g;
      } else {
        first = momentum * first - lr * g;
        p = o.nesterov ? p + momentum * first - lr * g : p + first;
      }
      return;
    case OptimizerKind::RmsProp: {
      second = o.rho * second + (1.0 - o.rho) * g * g;
      const auto increment = lr * g / torch::sqrt(second + o.epsilon);
      if (momentum > 0.0) {
        first = momentum * first + increment;
        p = p - first;
      } else {
        p = p - increment;
      }
      return;
    }
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW: {
      const double t = static_cast<double>(iteration);
      const double alpha =
          lr * std::sqrt(1.0 - std::pow(o.beta2, t)) / (1.0 - std::pow(o.beta1, t));
      first = first + (g - first) * (1.0 - o.beta1);
      second = second + (g * g - second) * (1.0 - o.beta2);
      p = p - alpha * first / (torch::sqrt(second) + o.epsilon);
      return;
    }
  }
}

struct Case {
  std::string name;
  OptimizerOptions options;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  OptimizerOptions sgd;
  sgd.kind = OptimizerKind::Sgd;
  sgd.learningRate = 0.1;
  sgd.momentum = 0.0;
  out.push_back({"sgd", sgd});
  sgd.momentum = 0.9;
  out.push_back({"sgd momentum", sgd});
  sgd.nesterov = true;
  sgd.weightDecay = 0.01;
  out.push_back({"sgd nesterov, weight decay", sgd});
  OptimizerOptions rms;
  rms.kind = OptimizerKind::RmsProp;
  rms.learningRate = 0.01;
  out.push_back({"rmsprop", rms});
  rms.momentum = 0.5;
  out.push_back({"rmsprop momentum", rms});
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  adam.learningRate = 0.01;
  out.push_back({"adam", adam});
  OptimizerOptions adamw = adam;
  adamw.kind = OptimizerKind::AdamW;
  adamw.weightDecay = 0.05;
  out.push_back({"adamw", adamw});
  return out;
}

TEST(KerasOptimizer, MultiTensorStepsEqualKerasPerVariableRules) {
  const std::vector<std::vector<int64_t>> shapes = {{3, 3, 4, 8}, {8}, {5, 2}};
  const std::vector<double> scales = {0.1, 1.0, 1.0};  // a pretrained layer learns slower
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    torch::manual_seed(7);
    std::vector<torch::Tensor> parameters, expected, first, second;
    for (const auto& shape : shapes) {
      parameters.push_back(torch::randn(shape).requires_grad_());
      expected.push_back(parameters.back().detach().clone());
      first.push_back(torch::zeros(shape));
      second.push_back(torch::zeros(shape));
    }
    KerasOptimizer optimizer(parameters, c.options, scales);
    for (int64_t step = 1; step <= 4; ++step) {
      optimizer.setLearningRate(optimizer.learningRate() * 0.9);  // a schedule
      optimizer.zeroGrad();
      // The last parameter takes part only in even steps (a branch this batch did not reach).
      torch::Tensor loss = (parameters[0] * parameters[0]).sum() + parameters[1].sin().sum();
      if (step % 2 == 0) loss = loss + parameters[2].pow(3).sum();
      loss.backward();
      for (size_t i = 0; i < parameters.size(); ++i) {
        const auto& g = parameters[i].grad();
        if (!g.defined()) continue;
        perVariableStep(c.options, optimizer.learningRate() * scales[i], step, expected[i],
                        g.detach(), first[i], second[i]);
      }
      optimizer.step();
      for (size_t i = 0; i < parameters.size(); ++i)
        EXPECT_TRUE(torch::allclose(parameters[i].detach(), expected[i], 1e-6, 1e-7))
            << "parameter " << i << ", step " << step << ": max |diff| "
            << (parameters[i].detach() - expected[i]).abs().max().item<double>();
    }
    EXPECT_EQ(optimizer.iterations(), 4);
  }
}

// Parameters after `steps` steps of the same losses: a rate lowered by a schedule before every
// step, per-layer factors, and a parameter that has a gradient only in even steps.
std::vector<torch::Tensor> trained(const OptimizerOptions& options, bool capturable,
                                   const torch::Device& device, int steps) {
  const std::vector<std::vector<int64_t>> shapes = {{3, 3, 4, 8}, {8}, {5, 2}, {6}};
  const std::vector<double> scales = {0.1, 1.0, 1.0, 0.1};
  torch::manual_seed(11);
  std::vector<torch::Tensor> parameters;
  for (const auto& shape : shapes)
    parameters.push_back(torch::randn(shape).to(device).requires_grad_());
  KerasOptimizer optimizer(parameters, options, scales);
  if (capturable) optimizer.makeCapturable();
  for (int step = 1; step <= steps; ++step) {
    // The schedule changes the rate between steps, and in one step keeps it.
    if (step != 3) optimizer.setLearningRate(optimizer.learningRate() * 0.8);
    optimizer.zeroGrad();
    torch::Tensor loss = (parameters[0] * parameters[0]).sum() + parameters[1].sin().sum() +
                         (parameters[3] * parameters[0].mean()).sum();
    if (step % 2 == 0) loss = loss + parameters[2].pow(3).sum();
    loss.backward();
    optimizer.step();
  }
  EXPECT_EQ(optimizer.iterations(), steps);
  std::vector<torch::Tensor> out;
  for (const auto& p : parameters) out.push_back(p.detach().to(torch::kCPU));
  return out;
}

std::optional<std::string> modesDiffer(const OptimizerOptions& options,
                                       const torch::Device& device) {
  const int steps = 6;
  const auto plain = trained(options, false, device, steps);
  const auto capturable = trained(options, true, device, steps);
  for (size_t i = 0; i < plain.size(); ++i)
    if (!torch::allclose(capturable[i], plain[i], 1e-5, 1e-6))
      return "parameter " + std::to_string(i) + ": max |diff| " +
             std::to_string((capturable[i] - plain[i]).abs().max().item<double>());
  return std::nullopt;
}

std::vector<Case> capturableCases() {
  std::vector<Case> out = cases();
  for (Case c : cases()) {  // weight decay for every optimizer (Keras applies it to all)
    c.name += ", weight decay 0.02";
    c.options.weightDecay = 0.02;
    out.push_back(c);
  }
  return out;
}

// A captured step cannot read the rate or the step count from the host: the capturable mode
// keeps them in tensors and must land where the default mode lands, step after step.
TEST(KerasOptimizer, CapturableModeGivesTheDefaultModesParameters) {
  for (const Case& c : capturableCases()) {
    SCOPED_TRACE(c.name);
    const auto differs = modesDiffer(c.options, torch::kCPU);
    EXPECT_FALSE(differs) << *differs;
  }
}

TEST(KerasOptimizer, CapturableModeKeepsRateAndStepsInTensorsOnTheParametersDevice) {
  torch::Tensor p = torch::ones({3}).requires_grad_();
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  adam.learningRate = 0.01;
  KerasOptimizer optimizer({p}, adam);
  EXPECT_FALSE(optimizer.capturable());
  optimizer.makeCapturable();
  EXPECT_TRUE(optimizer.capturable());
  // A step with the rate set before it and one after a new rate: each uses its own rate (the
  // device tensor is written in place, as a replayed graph reads it).
  optimizer.setLearningRate(0.5);
  p.sum().backward();
  optimizer.step();
  // Adam's first step moves each weight by the rate (g / sqrt(g^2) = 1).
  EXPECT_NEAR(p[0].item<double>(), 0.5, 1e-5);
  optimizer.setLearningRate(0.25);
  optimizer.zeroGrad();
  p.sum().backward();
  optimizer.step();
  EXPECT_NEAR(p[0].item<double>(), 0.25, 1e-5);
  EXPECT_EQ(optimizer.iterations(), 2);
  optimizer.countReplayedStep();
  EXPECT_EQ(optimizer.iterations(), 3);
  optimizer.uncountStep();
  EXPECT_EQ(optimizer.iterations(), 2);
}

// The same on a GPU (the mode exists for it; skipped where there is none).
TEST(KerasOptimizer, CapturableModeGivesTheDefaultModesParametersOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (const Case& c : capturableCases()) {
    SCOPED_TRACE(c.name);
    const auto differs = modesDiffer(c.options, torch::Device(torch::kCUDA, 0));
    EXPECT_FALSE(differs) << *differs;
  }
}

}  // namespace
}  // namespace graft

#pragma once
// Optimizers with Keras's update rules and defaults, so a learning rate tuned in Keras means
// the same here. LibTorch's built-in optimizers differ where it matters for fine-tuning:
//   - RMSprop: Keras rho 0.9 (torch alpha 0.99), epsilon 1e-7 added *inside* the square root,
//     sqrt(v + eps) (torch: sqrt(v) + eps, 1e-8); momentum accumulates lr-scaled steps.
//   - Adam: Keras epsilon 1e-7 is "epsilon hat", added to sqrt(v) of the *uncorrected* second
//     moment with the bias correction folded into the step size,
//     w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
//     (torch adds 1e-8 to the bias-corrected sqrt(v / (1 - b2^t))).
//   - AdamW: Adam after Keras's decoupled weight decay, w -= w * weight_decay * lr (Keras's
//     default weight_decay 0.004).
//   - SGD: Keras's velocity = momentum * velocity - lr * g (torch accumulates g and scales by lr
//     afterwards; the same while lr is constant); Nesterov as Keras writes it.
// Default learning rates as Keras: SGD 0.01, RMSprop 0.001, Adam 0.001. Reference:
// keras/src/optimizers/{sgd,rmsprop,adam}.py (Keras 3; tf.keras 2 uses the same rules).
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace graft {

enum class OptimizerKind { Sgd, RmsProp, Adam, AdamW };

// "sgd", "rmsprop", "adam", "adamw"; throws graft::Error naming the value and the choices.
OptimizerKind optimizerFromName(const std::string& name);
std::string optimizerName(OptimizerKind kind);

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::Adam;
  std::optional<double> learningRate;  // unset: Keras's default for the kind
  // SGD and RMSprop. Unset: 0.9 for SGD, 0 for RMSprop. Keras's SGD default is 0, but
  // fine-tuning with SGD almost always uses 0.9 (what transfer-learning guides give), so that
  // is Graft's default; set 0 for plain SGD.
  std::optional<double> momentum;
  bool nesterov = false;
  double rho = 0.9;      // RMSprop
  double beta1 = 0.9;    // Adam
  double beta2 = 0.999;  // Adam
  double epsilon = 1e-7;
  std::optional<double> weightDecay;  // unset: 0.004 for AdamW (Keras), 0 otherwise

  double effectiveLearningRate() const;
  double effectiveMomentum() const;
  double effectiveWeightDecay() const;
  std::string describe() const;  // "adam (lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-07)"
};

class KerasOptimizer {
 public:
  // `parameters`: the tensors to update (trainable ones only; frozen layers are left out).
  // `rateScales`: empty, or one factor per parameter: that parameter's step uses the learning
  // rate times its factor (a lower rate for pretrained layers than for new ones).
  KerasOptimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options,
                 std::vector<double> rateScales = {});

  void zeroGrad();
  // One update from the parameters' current .grad(); parameters without a gradient are
  // left alone.
  void step();

  // For schedules: the rate the next step() uses.
  void setLearningRate(double lr) { lr_ = lr; }
  double learningRate() const { return lr_; }

  const OptimizerOptions& options() const { return options_; }
  int64_t iterations() const { return iterations_; }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<double> rateScales_;  // one per parameter
  OptimizerOptions options_;
  double lr_ = 0.0;
  double momentum_ = 0.0;
  double weightDecay_ = 0.0;
  int64_t iterations_ = 0;
  std::vector<torch::Tensor> first_;   // SGD velocity, Adam m, RMSprop momentum
  std::vector<torch::Tensor> second_;  // Adam v, RMSprop velocity
};

}  // namespace graft

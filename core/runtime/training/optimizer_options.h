#pragma once
// The optimizer and its hyperparameters as plain data (no LibTorch: plans, specs and the GUI
// read and write them; runtime/training/trainer_optimizer.h runs them), with Keras's update rules
// and defaults, so a Keras learning rate means the same here. Where LibTorch's optimizers differ:
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
#include <optional>
#include <string>

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

}  // namespace graft

#include "runtime/training/optimizer_options.h"

#include <sstream>

#include "graph/diagnostic.h"

namespace graft {

OptimizerKind optimizerFromName(const std::string& name) {
  if (name == "sgd") return OptimizerKind::Sgd;
  if (name == "rmsprop") return OptimizerKind::RmsProp;
  if (name == "adam") return OptimizerKind::Adam;
  if (name == "adamw") return OptimizerKind::AdamW;
  throw Error(Diagnostic{
      "--optimizer", "unknown optimizer '" + name + "' (choose from sgd, rmsprop, adam, adamw)"});
}

std::string optimizerName(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Sgd:
      return "sgd";
    case OptimizerKind::RmsProp:
      return "rmsprop";
    case OptimizerKind::Adam:
      return "adam";
    case OptimizerKind::AdamW:
      return "adamw";
  }
  return "?";
}

double OptimizerOptions::effectiveLearningRate() const {
  if (learningRate) return *learningRate;
  return kind == OptimizerKind::Sgd ? 0.01 : 0.001;
}

double OptimizerOptions::effectiveMomentum() const {
  if (momentum) return *momentum;
  return kind == OptimizerKind::Sgd ? 0.9 : 0.0;
}

double OptimizerOptions::effectiveWeightDecay() const {
  if (weightDecay) return *weightDecay;
  return kind == OptimizerKind::AdamW ? 0.004 : 0.0;
}

std::string OptimizerOptions::describe() const {
  std::ostringstream out;
  out << optimizerName(kind) << " (lr " << effectiveLearningRate();
  switch (kind) {
    case OptimizerKind::Sgd:
      out << ", momentum " << effectiveMomentum() << (nesterov ? ", nesterov" : "");
      break;
    case OptimizerKind::RmsProp:
      out << ", rho " << rho << ", epsilon " << epsilon;
      if (effectiveMomentum() > 0.0) out << ", momentum " << effectiveMomentum();
      break;
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
      out << ", beta_1 " << beta1 << ", beta_2 " << beta2 << ", epsilon " << epsilon;
      break;
  }
  if (effectiveWeightDecay() > 0.0) out << ", weight_decay " << effectiveWeightDecay();
  out << ")";
  return out.str();
}

}  // namespace graft

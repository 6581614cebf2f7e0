#include "run/eval_spec.h"

namespace graft {

const std::vector<EvalSpecField>& evalSpecFields() {
  using K = SpecKind;
  using S = EvalSpec;
  // The help texts are `graft-cli eval --help`'s. The batch size has no range here: a batch of
  // 0 has always been the data loader's error (exit 1), not a usage error.
  static const std::vector<EvalSpecField> fields = {
      imageFolderField(&S::data),
      {"batch_size", K::Integer, &S::batchSize, "images per forward pass (default 32)"},
      deviceField(&S::device),
  };
  return fields;
}

const EvalSpecField& evalSpecField(const std::string& key) {
  return specFieldOf(evalSpecFields(), key, "evaluation");
}

std::optional<SpecProblem> validateEvalSpec(const EvalSpec& spec) {
  return tableProblem(evalSpecFields(), spec);
}

}  // namespace graft

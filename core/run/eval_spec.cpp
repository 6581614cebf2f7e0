#include "run/eval_spec.h"

namespace graft {

const std::vector<EvalSpecField>& evalSpecFields() {
  using K = SpecKind;
  using S = EvalSpec;
  // The help texts are `graft-cli eval --help`'s.
  static const std::vector<EvalSpecField> fields = {
      imageFolderField(&S::data),
      {"batch_size",
       K::Integer,
       &S::batchSize,
       "images per forward pass (default 32)",
       {},
       SpecRange{1.0, std::nullopt}},
      deviceField(&S::device),
      {"max_unreadable",
       K::Real,
       &S::maxUnreadable,
       "refuse to report an accuracy once more than this share of the images cannot be read; "
       "fewer are skipped and listed (default 0.1)",
       {},
       SpecRange{0.0, 1.0}},
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

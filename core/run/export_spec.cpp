#include "run/export_spec.h"

namespace graft {

const std::vector<ExportSpecField>& exportSpecFields() {
  using K = SpecKind;
  using S = ExportSpec;
  // The help texts are `graft-cli export --help`'s; the choices are export/export.h's format
  // names (tests/runtime/export_spec_test.cpp keeps the two lists equal).
  static const std::vector<ExportSpecField> fields = {
      {"format",
       K::Choice,
       &S::format,
       "torchscript, onnx, keras-h5 (Keras 2 save_weights layout), keras-weights (Keras 3 "
       ".weights.h5) or keras (Keras 3 .keras model: config and weights)",
       {"torchscript", "onnx", "keras-h5", "keras-weights", "keras"},
       {},
       false,
       true},
      {"output",
       K::Path,
       &S::output,
       "the file to write (replaced only by a checked export)",
       {},
       {},
       false,
       true,
       "-o,--output"},
  };
  return fields;
}

const ExportSpecField& exportSpecField(const std::string& key) {
  return specFieldOf(exportSpecFields(), key, "export");
}

std::optional<SpecProblem> validateExportSpec(const ExportSpec& spec) {
  return tableProblem(exportSpecFields(), spec);
}

}  // namespace graft

#pragma once
// One export as plain data, and the table of its fields (run/spec_fields.h): `graft-cli
// export`'s options, each object of a pipeline's "exports" list, the GUI's export dialog and
// the manual page come from exportSpecFields(). The format is its name here (no LibTorch):
// export/export.h's exportFormatFromName turns it into the exporter's ExportFormat.
// Adding an option: a member below, one entry in exportSpecFields() (export_spec.cpp), the
// code that uses it (export/export.h) and its widget in ui/export_dialog.cpp.
#include <optional>
#include <string>
#include <vector>

#include "run/spec_fields.h"

namespace graft {

struct ExportSpec {
  std::string format;  // "torchscript", "onnx", "keras-h5", "keras-weights", "keras"
  std::string output;  // the file to write
};

using ExportSpecField = SpecFieldOf<ExportSpec>;

// Every field, in the order `graft-cli export --help` lists them.
const std::vector<ExportSpecField>& exportSpecFields();
// The entry with this JSON key; throws graft::Error for an unknown key.
const ExportSpecField& exportSpecField(const std::string& key);
// The table's checks (a known format, a file to write) and exportFileNameProblem's.
std::optional<SpecProblem> validateExportSpec(const ExportSpec& spec);
// Why `output` is no name for a file of `format` (a known format name), or "": the file name
// ends in another format's suffix (`--format onnx -o model.pt`, which the next tool would open
// as TorchScript), or a Keras 3 file lacks the suffix Keras requires (`.keras`, `.weights.h5`:
// keras.Model.load_weights picks the reader by it). Other names are the user's choice.
std::string exportFileNameProblem(const std::string& format, const std::string& output);
// The suffix a file of `format` (a known format name) is given: ".pt", ".onnx", ".h5",
// ".weights.h5", ".keras"; "" for an unknown name.
std::string exportFileSuffix(const std::string& format);

}  // namespace graft

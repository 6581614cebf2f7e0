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
// The table's checks (a known format, a file to write).
std::optional<SpecProblem> validateExportSpec(const ExportSpec& spec);

}  // namespace graft

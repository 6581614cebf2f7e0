#include "run/export_spec.h"

#include <algorithm>
#include <cctype>

namespace graft {

namespace {

struct FormatSuffixes {
  const char* format;
  std::vector<std::string> suffixes;  // the first is the one to suggest
  bool required;                      // Keras 3 reads the file by its suffix
};

// The first of each is the one the format's files are given (exportFileSuffix).
const std::vector<FormatSuffixes>& formatSuffixes() {
  static const std::vector<FormatSuffixes> table = {
      {"torchscript", {".pt", ".pth", ".torchscript"}, false},
      {"onnx", {".onnx"}, false},
      {"keras-h5", {".h5", ".hdf5"}, false},
      {"keras-weights", {".weights.h5"}, true},
      {"keras", {".keras"}, true},
  };
  return table;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), text.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// The format whose suffix `path` ends in, the longest match (".weights.h5" before ".h5").
const FormatSuffixes* formatNamedBy(const std::string& path, std::string* matched) {
  const FormatSuffixes* best = nullptr;
  for (const auto& entry : formatSuffixes())
    for (const auto& suffix : entry.suffixes)
      if (endsWith(path, suffix) && suffix.size() > matched->size()) {
        best = &entry;
        *matched = suffix;
      }
  return best;
}

}  // namespace

std::string exportFileSuffix(const std::string& format) {
  for (const auto& entry : formatSuffixes())
    if (format == entry.format) return entry.suffixes.front();
  return "";
}

std::string exportFileNameProblem(const std::string& format, const std::string& output) {
  const auto own = std::find_if(formatSuffixes().begin(), formatSuffixes().end(),
                                [&](const FormatSuffixes& f) { return format == f.format; });
  if (own == formatSuffixes().end() || output.empty()) return "";
  std::string matched;
  const FormatSuffixes* named = formatNamedBy(output, &matched);
  if (named == &*own) return "";
  // Graft's own files: opened later as a project, an export under that name fails.
  if (endsWith(output, ".graft"))
    return output +
           ": .graft is the suffix of Graft projects (train -o, the workbench's Save); "
           "give the " +
           format + " export the suffix " + own->suffixes.front() + " (e.g. " +
           output.substr(0, output.size() - 6) + own->suffixes.front() + ")";
  const std::string stem = output.substr(0, output.size() - matched.size());
  const std::string suggestion = " (e.g. " + stem + own->suffixes.front() + ")";
  if (named)
    return output + ": " + matched + " is the suffix of " + named->format + " files; give the " +
           format + " export the suffix " + own->suffixes.front() + suggestion;
  if (own->required)
    return "Keras 3 reads a " + format + " file only by the suffix " + own->suffixes.front() +
           suggestion;
  return "";
}

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
  if (auto problem = tableProblem(exportSpecFields(), spec)) return problem;
  const std::string name = exportFileNameProblem(spec.format, spec.output);
  if (!name.empty()) return SpecProblem{"output", name};
  return std::nullopt;
}

}  // namespace graft

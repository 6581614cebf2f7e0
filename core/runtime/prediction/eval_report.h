#pragma once
// What an evaluation measured, as plain values (no LibTorch): what `graft-cli eval` prints and
// a pipeline's eval step hands to its front end and checks (runtime/prediction/evaluate.h
// computes it).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"  // Json

namespace graft {

struct ClassReport {
  std::string name;
  // Empty where undefined: precision of a class never predicted, recall of a class without
  // images. JSON writes null, the table "-": a 0 there reads as a class the model always misses.
  std::optional<double> precision;
  std::optional<double> recall;
  int64_t count = 0;
};

struct EvalReport {
  double accuracy = 0.0;
  double loss = 0.0;
  int64_t count = 0;
  std::vector<std::string> classes;
  std::vector<ClassReport> perClass;
  std::vector<std::vector<int64_t>> confusion;                    // [true][predicted]
  std::vector<std::pair<std::string, std::string>> skippedFiles;  // (path, reason)
};

// DESIGN.md's `eval --json` object: {"accuracy", "loss", "count", "classes", "per_class":
// [{"class", "precision", "recall", "count"}], "confusion_matrix"}, plus "skipped" when files
// could not be read; an undefined precision or recall is null.
Json evalReportJson(const EvalReport& report);

}  // namespace graft

#pragma once
// Keras-style model summary: the table model.summary() prints, and the JSON form of the CLI.
#include <string>

#include "graph/analysis.h"

namespace graft {

struct SummaryOptions {
  // Nested models (Node::group) are one row each with their totals, as Keras prints them;
  // expanded, their layers follow the row, indented ("│ "), as model.summary(expand_nested=True).
  bool expandNested = false;
};

// "Layer (type) | Output Shape | Param # [| Connected to]" with Keras's totals underneath.
// The "Connected to" column appears when some layer has several inputs, as in Keras.
std::string formatSummary(const Graph& graph, const GraphAnalysis& analysis,
                          const SummaryOptions& options = {});

// {"total_params", "trainable_params", "non_trainable_params",
//  "layers": [{"name", "type", "output_shape", "params", "trainable"[, "group"]}]
//  [, "groups": [{"path", "name", "type", "output_shape", "params", "trainable_params"}]]}
// Every layer is listed (nested ones with the group they sit in).
Json summaryJson(const Graph& graph, const GraphAnalysis& analysis);

// A nested model's totals and its output (the last of its layers that a layer outside it, or
// the model's output list, reads).
struct GroupSummary {
  std::string output;
  int64_t params = 0;
  int64_t trainableParams = 0;
};
GroupSummary summarizeGroup(const Graph& graph, const GraphAnalysis& analysis,
                            const std::string& path);

// 138357544 -> "138,357,544"
std::string withThousands(int64_t value);

}  // namespace graft

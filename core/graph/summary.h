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

// One row of the summary: a layer, or a nested model (its totals), in Keras's order.
struct SummaryRow {
  bool isGroup = false;
  std::string name;       // the layer's name, or the nested model's path (Node::group)
  std::string label;      // the layer's name, or the nested model's own name
  std::string className;  // the layer's class, or "Sequential" / "Functional"
  int depth = 0;          // nested models it sits in
  bool known = false;     // the analysis knows its output shape
  Shape outputShape;      // a nested model's: its output layer's
  int64_t params = 0;
  int64_t trainableParams = 0;
  bool trainable = true;            // a layer's flag; a nested model: some parameter trains
  std::vector<std::string> inputs;  // a layer's inputs
  // A nested model's layers with parameters, and how many of them train (all: trainable, none:
  // frozen, else partly; a BatchNormalization's statistics never train, whatever its flag).
  int weightedLayers = 0;
  int trainableWeightedLayers = 0;
};
// The rows in display order; nested models' layers follow their model's row when expandNested,
// else are left out.
std::vector<SummaryRow> summaryRows(const Graph& graph, const GraphAnalysis& analysis,
                                    const SummaryOptions& options = {true});

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

#pragma once
// Keras-style model summary: the table model.summary() prints, and the JSON form of the CLI.
#include <string>

#include "graph/analysis.h"

namespace graft {

// "Layer (type) | Output Shape | Param # [| Connected to]" with Keras's totals underneath.
// The "Connected to" column appears when some layer has several inputs, as in Keras.
std::string formatSummary(const Graph& graph, const GraphAnalysis& analysis);

// {"total_params", "trainable_params", "non_trainable_params",
//  "layers": [{"name", "type", "output_shape", "params", "trainable"}]}
Json summaryJson(const Graph& graph, const GraphAnalysis& analysis);

// 138357544 -> "138,357,544"
std::string withThousands(int64_t value);

}  // namespace graft

#pragma once
// Where a network can be cut for transfer learning, read from its structure: the ends of its
// blocks. A cut at layer L keeps everything L depends on and feeds a new head with L's output
// only, which is sound exactly when L is a cut vertex of the graph (every path from the input
// to the output passes through L; nothing before L is read after it). Among those, the
// explorer (runtime/explore/cut_explorer.h) measures the points where a block ends: pooling layers,
// merges (a residual Add, an Inception Concatenate, or the activation right after one), the
// last layer of a 1x1 convolution unit that the next convolution reads (MobileNet's
// conv_pw_N_relu), and the last spatial map before the top.
#include <cstddef>
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/graph.h"

namespace graft {

// Layers every path from the (single) input to the output passes through, in topological order
// (producers first), the output included and the input left out. Only
// layers the output depends on count. Throws graft::Error for a graph without exactly one input
// and one output, or with a cycle.
std::vector<std::string> cutVertices(const Graph& graph);

// Block ends (see above) with a spatial (rank-4) output, in order of depth. When there are
// more than `limit`, pooling layers and merges are kept first (where resolution and stages
// change) and the rest spread evenly over depth; the last spatial map is always kept.
// Names play no part. Throws graft::Error as cutVertices does, or when shapes cannot be
// inferred (naming the layer).
std::vector<std::string> cutCandidates(const Graph& graph, size_t limit = 16);

// The parameters of `layer` and of every layer it depends on: what a model cut there keeps.
int64_t prefixParameters(const Graph& graph, const GraphAnalysis& analysis,
                         const std::string& layer);

}  // namespace graft

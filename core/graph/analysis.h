#pragma once
// Shape inference and parameter counting over a whole graph, exactly as Keras's
// model.summary() reports them.
#include <map>
#include <string>

#include "graph/layer_registry.h"

namespace graft {

struct NodeInfo {
  Shape outputShape;
  std::vector<WeightSpec> weights;  // Keras order and layout; trainable already reflects freezing
  int64_t params = 0;
  int64_t trainableParams = 0;
};

struct GraphAnalysis {
  std::map<std::string, NodeInfo> nodes;  // only nodes whose shape could be inferred
  Diagnostics diagnostics;                // one per failing node, naming it
  int64_t totalParams = 0;
  int64_t trainableParams = 0;
  int64_t nonTrainableParams() const { return totalParams - trainableParams; }
  bool ok() const { return diagnostics.empty(); }
  const NodeInfo* find(const std::string& name) const;
};

// Never throws for problems in the graph: they come back as diagnostics. Nodes downstream of a
// failing node are skipped silently so that each problem is reported once, at its source.
GraphAnalysis analyze(const Graph& graph,
                      const LayerRegistry& registry = LayerRegistry::standard());

// analyze() that throws graft::Error listing every diagnostic.
GraphAnalysis analyzeOrThrow(const Graph& graph,
                             const LayerRegistry& registry = LayerRegistry::standard());

}  // namespace graft

#pragma once
// Training, evaluation, prediction and exports take a model with one output. A recipe's `stack`
// after a layer that already feeds another (Keras's no-top MobileNet file ends in its own
// pooling layer) adds a second output: the refusal names the outputs and how to keep one.
#include <string>

#include "graph/graph.h"

namespace graft {

// Throws graft::Error "WHAT need(s) a model with one output; 'NAME' has 2 (a, b): keep one by
// cutting at it (a recipe's {"op": "cut", "at": "b", "drop_branches": true}, or Cut Here on it in
// the graph)" unless
// the graph has exactly one output. `what` is the subject of the sentence ("exports need").
void requireOneOutput(const Graph& graph, const std::string& what);

// Throws graft::Error "WHAT need(s) a model with one input; 'NAME' has 2 (input_1, input_2): ..."
// unless the graph has exactly one InputLayer.
void requireOneInput(const Graph& graph, const std::string& what);

}  // namespace graft

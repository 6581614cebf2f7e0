#pragma once
// The graphs training runs, derived from the model's graph without changing its weights:
//  - the same network ending at the logits when it ends in softmax, so the loss can use
//    log_softmax (stable) instead of log(softmax) (which underflows to -inf for confident
//    wrong answers); one ending in log_softmax likewise: its outputs are the log-probabilities
//    the loss takes directly (NLL), computed by the loss from the logits before it, the same
//    numbers, never a second softmax;
//  - for the frozen-feature cache, the frozen prefix (computed once per image) and the
//    trainable rest (trained on the cached prefix outputs).
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/graph.h"
#include "graph/weights.h"

namespace graft {

// How the network's output relates to class probabilities.
enum class OutputKind {
  Logits,         // unnormalised scores: loss = -log_softmax(output)[label]
  Probabilities,  // a non-softmax activation: Keras's rule, p / sum(p), clipped, then log
};

struct TrainHead {
  Graph graph;  // the model's graph pruned to its output, ending at the logits when possible
  OutputKind kind = OutputKind::Logits;
  std::string softmaxLayer;  // the layer whose softmax (or log_softmax) the loss applies itself;
                             // may be empty
  std::string note;          // for the user when the output is not a softmax
  int64_t classes = 0;       // size of the output vector
};

// Throws graft::Error when the model has no single output, or its output is not a vector of
// class scores (N, classes), naming the output layer.
TrainHead trainHead(const Graph& graph);

// Throws graft::Error, addressed to the output layer, when the head's class count is not the
// data's: what to give the model instead (training and the advisor say the same).
void checkClassCount(const TrainHead& head, const std::vector<std::string>& classes);

// The frozen prefix and the trainable rest, split at one layer (the boundary).
struct FrozenSplit {
  std::string boundary;  // layer whose output is cached; empty when nothing can be cached
  std::string reason;    // why not (for the user), when boundary is empty
  Graph prefix;          // input .. boundary (boundary is its output)
  Graph suffix;          // boundary as an InputLayer of its output shape .. the head's output
  int64_t featureElements = 0;  // per image, of the boundary's output
};

// A layer belongs to the frozen prefix when all its inputs do and it computes the same in
// training and inference: not trainable (or without weights) and not random (Dropout and the
// like). The boundary is the single prefix layer feeding the rest; when there are several, or
// only the input layer, nothing is cached and `reason` says why. Throws graft::Error when every
// layer is frozen (nothing to train).
FrozenSplit splitFrozenPrefix(const Graph& graph, const GraphAnalysis& analysis);

// The weights `graph` uses, taken from `store`.
WeightStore weightsFor(const Graph& graph, const WeightStore& store);

// True when any layer of `graph` has trainable weights.
bool hasTrainableWeights(const Graph& graph, const GraphAnalysis& analysis);

}  // namespace graft

#pragma once
// Whether a model's output is a class vector (gets a top-K list and labels) or features.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/model.h"
#include "graph/shape.h"

namespace graft {

// The activation a layer's config names ("linear" when it names none, as Keras defaults).
std::string activationOf(const Node& node);

// softmax or log_softmax: the activations that normalise a class vector (log_softmax gives
// log-probabilities; training reads both as the logits before them, Grad-CAM drops both).
bool isSoftmaxActivation(const std::string& activation);

// True when one image's output (Keras layout, no batch) is a class vector: rank 1 with two or
// more entries, produced by a classifier. Going back from the output through Reshape, Flatten,
// Dropout and linear activations, the first other layer must be Dense or Conv2D (MobileNet's
// 1x1 conv_preds) with a softmax, log_softmax, sigmoid or linear activation, or a softmax /
// log_softmax / sigmoid Activation or Softmax layer. A pooled feature vector (no-top model) is not
// a class vector.
bool outputIsClassVector(const Graph& graph, const Shape& perImageOutput);

// Class names must be one per class where the output is a class vector (predict names its
// top-K with them, exports carry them). Throws graft::Error with subject "labels" otherwise;
// no labels, or an output that is not a class vector, is fine.
void checkLabelsFitOutput(const std::vector<std::string>& labels, const Graph& graph,
                          const Shape& perImageOutput);
// The same for a model's own labels and its output (a model with several outputs passes).
void checkModelLabels(const Model& model);

}  // namespace graft

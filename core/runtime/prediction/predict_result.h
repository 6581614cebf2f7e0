#pragma once
// What a prediction says about one image, and how a class vector becomes a top-K list.
// Plain C++: the CLI and the GUI format these without touching torch.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/shape.h"

namespace graft {

struct TopEntry {
  int64_t index = 0;
  double probability = 0;
  std::string label;  // empty when the model has no labels
};

struct ImagePrediction {
  std::string file;
  std::string error;  // non-empty: this image failed (unreadable, ...); nothing else set
  Shape shape;        // one image's output, Keras layout, no batch dimension: (2,), (7, 7, 256)
  std::vector<float> output;  // the values, row-major in that shape
  std::vector<TopEntry> top;  // best first; empty unless the output is a class vector

  bool ok() const { return error.empty(); }
};

// The shape of a class vector: rank 1 with at least two entries (one per class). A single
// sigmoid unit or a feature map is not one. (predict_output.h also asks the graph whether a
// classifier made it.)
bool isClassVector(const Shape& shape);

// The k highest entries, best first (ties: lower index first), at most values.size().
// Probabilities: the values themselves when they all lie in [0, 1] (softmax or sigmoid outputs);
// otherwise the values are taken as logits and softmax gives the probabilities, so a top
// without its final activation still reports probabilities, and a log_softmax output's
// log-probabilities come back as exp(output) (their softmax: they already sum to 1 as exp). Labels
// from `labels` by index when there are exactly as many labels as values.
std::vector<TopEntry> topK(const std::vector<float>& values, int64_t k,
                           const std::vector<std::string>& labels);

// The class a prediction names: topK's first (the highest probability, ties to the lower
// index, NaN last). Grad-CAM's "predicted" class is this one too. `values` must not be empty.
int64_t predictedClass(const std::vector<float>& values);

}  // namespace graft

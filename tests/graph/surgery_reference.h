#pragma once
// A deliberately naive evaluator of small Keras graphs (NHWC, double precision, nested loops
// written straight from Keras's definitions) so the fusion tests compare a model before and
// after an edit without relying on the code under test or the LibTorch runtime.
#include <random>
#include <vector>

#include "graph/model.h"

namespace graft::test {

struct Tensor {
  Shape shape;  // batch first, channels last
  std::vector<double> values;
};

// Deterministic values in [-1, 1].
Tensor randomTensor(const Shape& shape, uint32_t seed);

// Runs the graph (InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, Dense,
// BatchNormalization in inference mode, Activation, ReLU, Add, Flatten, MaxPooling2D) on one
// input and returns the first output. Throws for anything else.
Tensor evaluate(const Model& model, const Tensor& input);

// Largest absolute difference; the shapes must match.
double maxAbsDifference(const Tensor& a, const Tensor& b);

// Random weights for every layer (unlike Keras's zero biases and unit BN statistics, so that
// folding is actually exercised): kernels in [-0.5, 0.5], biases in [-0.2, 0.2], BN gamma in
// [0.5, 1.5], beta and mean in [-0.3, 0.3], variance in [0.2, 1.2].
void randomizeWeights(Model& model, uint32_t seed);

}  // namespace graft::test

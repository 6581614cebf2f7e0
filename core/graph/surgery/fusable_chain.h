#pragma once
// Which layers a least-squares fusion replaces: two Conv2D layers and whatever lies between them
// on a single path, provided each layer between computes position by position (an activation,
// BatchNormalization, a dropout). Then one convolution of the combined size sees every input
// value the pair did, and least squares can fit it; a pooling or another convolution between
// would widen what one output depends on. Structure only (no LibTorch): the core's refusal, the
// GUI and the recipe runner check it before any sample image is read.
#include <optional>
#include <string>
#include <vector>

#include "graph/surgery/surgery.h"

namespace graft {

struct ConvolutionPair {
  std::string first, second;  // in graph order
};

// The two Conv2D layers among the names a user gave for a fuse: the pair itself
// (["conv_a", "conv_b"]) or the whole chain (["conv_a", "relu", "conv_b"]). Unset when the
// names are not exactly two existing Conv2D layers plus other existing layers: such a fuse is
// nothing for least squares.
std::optional<ConvolutionPair> convolutionPairNamed(const Model& model, const Json& layers);

// The chain first -> ... -> second (both included), each layer after `first` reading the one
// before it alone and each layer before `second` feeding the next alone. Throws Error with a
// diagnostic naming the layer that breaks it: one that is not reached from `first`, that also
// feeds another layer or is a model output, or that mixes positions (pooling, a convolution).
std::vector<std::string> chainBetween(const Model& model, const std::string& first,
                                      const std::string& second);

// Everything one convolution needs to stand in for first -> ... -> second, checked on the
// structure: two ungrouped, undilated, stride-1 Conv2D layers with the same padding ('same'
// needs odd kernels), and chainBetween. Returns the chain; throws Error naming the layer.
std::vector<std::string> fusableChain(const Model& model, const std::string& first,
                                      const std::string& second);

// Whether least squares could merge the layers a fuse names (two Conv2D, or the whole chain):
// unset when it could, else why not (not two convolutions, or fusableChain's refusal).
std::optional<Diagnostics> leastSquaresRefusal(const Model& model, const Json& layers);

// Everything one convolution needs to stand in for first -> ... -> second, checked on the
// structure: two ungrouped, undilated, stride-1 Conv2D layers with the same padding ('same'
// needs odd kernels), and chainBetween. Returns the chain; throws Error naming the layer.
std::vector<std::string> fusableChain(const Model& model, const std::string& first,
                                      const std::string& second);

// Whether least squares could merge the layers a fuse names (two Conv2D, or the whole chain):
// unset when it could, else why not (not two convolutions, or fusableChain's refusal).
std::optional<Diagnostics> leastSquaresRefusal(const Model& model, const Json& layers);

}  // namespace graft

#pragma once
// Keras's weight initializers (keras/src/initializers), drawn as a layer's config names them
// ("kernel_initializer": "he_normal", or {"class_name": "RandomNormal", "config": {...}} as
// Keras 2 and 3 serialize them): a layer a recipe stacks with "bias_initializer": "ones" gets
// ones, not the Glorot default. The distributions are Keras's; the draws come from Graft's seed,
// not from Keras's random streams. No LibTorch.
#include <optional>
#include <random>
#include <string>

#include "graph/graph.h"  // Json
#include "graph/weights.h"

namespace graft {

// The config key that names how a weight is initialised: "kernel" -> "kernel_initializer",
// "depthwise_kernel" -> "depthwise_initializer", "pointwise_kernel" -> "pointwise_initializer".
std::string initializerKeyOf(const std::string& weightName);

// A tensor of `shape` drawn as `initializer` says; nullopt for an initializer Graft does not
// know (`unknown` then says which, for a note), leaving the caller's default.
std::optional<WeightTensor> drawKerasInitializer(const Json& initializer, const Shape& shape,
                                                 std::mt19937_64& rng, std::string* unknown);

// Keras's fan computation: receptive field size times input / output feature counts.
std::pair<double, double> kerasFans(const Shape& shape);

}  // namespace graft

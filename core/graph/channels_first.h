#pragma once
// Keras models built with data_format="channels_first" (keras.json's image_data_format, common
// with Keras 2 on GPUs) are read as channels_last models that compute the same numbers. Keras
// stores a convolution's kernel (kh, kw, in, out) and a normalization's vectors per channel in
// either format, so the weights stay as they are; what changes is where the channel axis lies.
//
// The rule kept over the whole graph: a tensor of rank 3 or more (batch included) holds Keras's
// channels_first tensor with axis 1 moved to the end; rank-2 tensors are Keras's own. Each layer
// keeps it: spatial layers that said channels_first compute natively as channels_last, axis
// arguments (BatchNormalization, one-axis LayerNormalization, Concatenate, Softmax) are
// renumbered, element-wise layers need nothing, and any other layer that sees such a tensor or
// makes one (Flatten or a convolution that said channels_last, Dense on an image, an
// Activation("softmax"), PReLU, Reshape, Permute, TFOpLambda with array constants, ...) is
// wrapped in Permute layers so it sees and returns Keras's layout. Outputs of rank 3 or more
// are permuted back, so the model's outputs are Keras's.
#include <set>
#include <string>

#include "graph/graph.h"
#include "graph/layer_registry.h"

namespace graft {

// What the layers of one file said about their data format, collected while reading them.
struct DataFormats {
  std::set<std::string> channelsFirst;  // layers whose config said "channels_first"

  bool any() const { return !channelsFirst.empty(); }
};

// Before a raw layer config is normalized: a "channels_first" data_format becomes
// "channels_last" and the layer is recorded in `found`. Keras 1's Theano ordering ("th") is
// refused naming the layer: Theano stored its kernels flipped.
void takeChannelsFirst(const std::string& layerName, Json& config, DataFormats& found);

// The graph as channels_last layers computing what the channels_first model computes (see
// above); the graph itself when no layer said channels_first. Throws graft::Error naming a
// layer whose shapes do not work out.
Graph channelsLastGraph(const Graph& graph, const DataFormats& formats,
                        const LayerRegistry& registry);

}  // namespace graft

#pragma once
// Small pieces shared by the layer definitions: reading normalized configs and Keras's
// output-length arithmetic.
#include <string>
#include <utility>
#include <vector>

#include "graph/layer_registry.h"

namespace graft::layers {

// Keras writes tuples as lists; a normalized config always has both entries.
std::pair<int64_t, int64_t> intPair(const Json& config, const std::string& key);

// ((top, bottom), (left, right)) from any of Keras's three spellings: p, [h, w], [[t, b], [l, r]].
std::pair<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> padPairs(
    const Json& value, const std::string& key);

// Keras conv_utils.conv_output_length; kUnknown stays unknown.
int64_t convOutputLength(int64_t length, int64_t kernel, int64_t stride, int64_t dilation,
                         const std::string& padding);

// Conv2DTranspose along one axis, as TensorFlow computes it (the gradient of a convolution
// whose input has the transposed output's size): the full transposed convolution has
// (n - 1) * stride + dilated kernel cells; the output starts `before` cells into it and ends
// `after` cells before its end (a negative `after`: that many zero cells, bias only, appended).
// Both are independent of n. `outputPadding` < 0 stands for Keras's None.
struct TransposeGeometry {
  int64_t before = 0, after = 0;
};
// Keras's deconv_output_length (conv_utils; compute_conv_transpose_output_shape in Keras 3);
// kUnknown stays unknown. Throws ShapeError for what Keras or TensorFlow refuse.
int64_t deconvOutputLength(int64_t length, int64_t kernel, int64_t stride, int64_t dilation,
                           const std::string& padding, int64_t outputPadding);
TransposeGeometry transposeGeometry(int64_t kernel, int64_t stride, int64_t dilation,
                                    const std::string& padding, int64_t outputPadding);
// Conv2DTranspose's output_padding (null, an integer or a pair); -1 for null.
std::pair<int64_t, int64_t> outputPaddingPair(const Json& config);

// Keras's broadcasting of equal-rank shapes (element-wise merges, tensor arithmetic): each size
// equal or 1; an unknown size takes a partner's known size other than 1. Throws ShapeError
// naming the shapes otherwise, and for different ranks.
Shape broadcastShapes(const std::vector<Shape>& shapes);

// A constant as Keras configs write one: a number, or nested lists of numbers of one shape
// (row-major values; a number has the empty shape). Throws ShapeError naming `key` otherwise.
std::vector<double> readConstant(const Json& value, const std::string& key, Shape& shape);

// TFOpLambda's operands (config "operands", see graph/keras_op_layers.h) for input tensors of
// rank `rank`: each an input (the next of the layer's inputs) or a constant, whose shape is
// padded with leading 1s to `rank` (Keras broadcasts from the right). Throws ShapeError for a
// function Graft does not compute, a wrong count, or a constant of higher rank.
struct OpOperand {
  bool input = true;
  Shape shape;                 // constants: padded to the tensors' rank
  std::vector<double> values;  // constants: row-major
};
std::vector<OpOperand> opOperands(const Json& config, size_t rank);

// Throws ShapeError("expects a 4-D input (batch, h, w, c), got (None, 4096)") and the like.
void requireRank(const Shape& input, size_t rank, const char* what);
int64_t requireKnownChannels(const Shape& input);

// Axis as given by Keras (negative counts from the end; a one-element list is accepted),
// made positive for the given rank; throws ShapeError when out of range.
int64_t resolveAxis(const Json& axis, size_t rank);

// Normalization (keras.layers.Normalization): the input axes that keep their own mean and
// variance (Keras's `axis`: an integer, a list, or null / [] for one scalar over everything),
// made positive and sorted as Keras's build does, and their sizes (the shape of `mean` and
// `variance`). Throws ShapeError for an axis out of range, the batch axis, or a kept axis of
// unknown size.
struct NormalizationAxes {
  std::vector<int64_t> kept;
  Shape keptShape;
};
NormalizationAxes normalizationAxes(const Json& config, const Shape& input);

// LayerNormalization's `axis` (an integer or a list of them) made positive, in the config's
// order: the mean and variance are taken over these axes together, and gamma and beta have their
// sizes in this order (Keras 3 sorts the axes when it builds and saves them sorted; tf.keras 2
// keeps the order given and reshapes gamma and beta, row-major, to the input's axis order).
// Throws ShapeError naming the field for a non-integer, an axis out of range, the batch axis, an
// axis given twice or one of unknown size.
std::vector<int64_t> layerNormalizationAxes(const Json& axis, const Shape& input);
// The config's `mean` and `variance` (a number or nested lists) broadcast, numpy's way aligned
// from the right, to `keptShape`, flattened row-major. Throws ShapeError when only one is given
// or a value does not broadcast. Both empty when the config gives none (they are weights then).
struct NormalizationConstants {
  std::vector<double> mean, variance;
};
NormalizationConstants normalizationConstants(const Json& config, const Shape& keptShape);

// Permute's `dims` checked against the input rank: a permutation of 1 .. rank - 1.
std::vector<int64_t> permuteDims(const Json& config, size_t rank);

const std::vector<std::string>& knownActivations();
void requireKnownActivation(const Json& config);

// Registration entry points, one per file.
void registerInputLayers(LayerRegistry& registry);
void registerConvolutionLayers(LayerRegistry& registry);
void registerPoolingLayers(LayerRegistry& registry);
void registerCoreLayers(LayerRegistry& registry);
void registerNormalizationLayers(LayerRegistry& registry);
void registerActivationLayers(LayerRegistry& registry);
void registerMergeLayers(LayerRegistry& registry);
void registerReshapingLayers(LayerRegistry& registry);
void registerImageResizeLayers(LayerRegistry& registry);  // Resizing, CenterCrop, RandomCrop
void registerRegularizationLayers(LayerRegistry& registry);
void registerOpLayers(LayerRegistry& registry);

// Keras's shared initializer/regularizer/constraint defaults for a weight called `prefix`.
Json weightOptionDefaults(const std::string& prefix, const std::string& initializer);

}  // namespace graft::layers

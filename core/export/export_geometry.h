#pragma once
// Keras's window arithmetic as the exporters need it, from a layer's normalized config and its
// input shape (Keras layout): kernel, strides, dilation, and `same` padding split the way
// TensorFlow splits it (the odd cell at the bottom / right).
#include <string>

#include "export/export_plan.h"

namespace graft::exporting {

struct Pair {
  int64_t h = 0, w = 0;
};

struct Pads {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  bool symmetric() const { return top == bottom && left == right; }
  bool none() const { return top == 0 && bottom == 0 && left == 0 && right == 0; }
};

struct Window {
  Pair kernel, stride, dilation{1, 1};
  bool same = false;  // padding 'same' (else 'valid')
};

// Conv2D / DepthwiseConv2D / SeparableConv2D (kernel_size, strides, dilation_rate) and the
// poolings (pool_size, strides defaulting to the pool size). Throws naming the layer for a
// padding other than 'valid' / 'same'.
Window convolutionWindow(const ExportLayer& layer);
Window poolingWindow(const ExportLayer& layer);

// Conv2DTranspose: its window, and the cells TensorFlow keeps of the full transposed
// convolution: `crop` cells cut at the top / left / bottom / right (a negative bottom or right:
// that many zero cells appended), see layers::transposeGeometry.
struct TransposeWindow {
  Window window;
  Pads crop;
};
TransposeWindow transposeWindow(const ExportLayer& layer);

// `same` padding for an input of height h and width w (both known). None for 'valid'.
Pads windowPads(const Window& window, int64_t h, int64_t w);

// ZeroPadding2D's `padding` / Cropping2D's `cropping` in any of Keras's spellings.
Pads padsFromConfig(const ExportLayer& layer, const std::string& key);

// Keras axis (negative allowed) of a rank-`rank` tensor -> dimension in the runtime layout
// (rank-4 tensors are NCHW; other ranks keep Keras's layout).
int64_t runtimeAxis(const Json& kerasAxis, size_t rank);

// The layer's `activation` ("linear" for none).
std::string activationName(const ExportLayer& layer);

}  // namespace graft::exporting

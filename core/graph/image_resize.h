#pragma once
// Keras's Resizing and CenterCrop, as one plan: which window of the input image is taken (a box
// inside it, or the image with bands of a fill value around it) and the size it is resized to,
// by which interpolation. The window depends on the input's height and width, so it is computed
// for each input size (a model with a free input size resizes each image its own way).
// Ported from Keras 3 (backend/tensorflow/image.py resize, utils/image_utils.py smart_resize,
// layers/preprocessing/image_preprocessing/{resizing,center_crop}.py); tf.keras 2's Resizing and
// CenterCrop compute the same.
#include <cstdint>
#include <optional>
#include <string>

#include "graph/graph.h"
#include "graph/layer_registry.h"

namespace graft::layers {

enum class ResizeInterpolation { Bilinear, Nearest };

// The part of the input that is resized: rows [top, top + height) and columns [left, left +
// width) of the input. A box inside the image crops; a negative top / left, with a height /
// width reaching as far past the other edge, pads with `fill` (Keras pads both sides by the same
// amount).
struct ResizeWindow {
  int64_t top = 0, left = 0, height = 0, width = 0;
  bool crops(int64_t inHeight, int64_t inWidth) const {
    return top > 0 || left > 0 || height < inHeight || width < inWidth;
  }
  bool pads() const { return top < 0 || left < 0; }
};

struct ImageResize {
  int64_t height = 0, width = 0;  // the output size
  ResizeInterpolation interpolation = ResizeInterpolation::Bilinear;
  enum class Fit { Stretch, CropToAspectRatio, PadToAspectRatio, CenterCrop } fit = Fit::Stretch;
  double fill = 0.0;  // for PadToAspectRatio

  // The window taken from an input of `inHeight` x `inWidth`.
  ResizeWindow window(int64_t inHeight, int64_t inWidth) const;
  // Whether the window is resized (CenterCrop takes a large enough image's centre as it is).
  bool resizes(int64_t inHeight, int64_t inWidth) const;
};

// From a normalized Resizing or CenterCrop config. Throws ShapeError naming the field and what
// Graft computes: interpolations other than bilinear and nearest (TensorFlow's bicubic, area
// and lanczos kernels differ from LibTorch's), antialias, a fill_mode other than constant.
ImageResize imageResizeOf(const std::string& className, const Json& config);

// The config key graph/keras_json sets on a RandomCrop saved by Keras 3.8 or later whose input
// is not its own size: that Keras returns the image unchanged outside training, so the layer's
// output is its input, values and size (the layers after it see the input's size, although
// Keras's summary says height x width). Graft's own: a Keras 3 writer leaves it out, since the
// plain layer computes the same in the Keras 3.8+ that reads it.
inline constexpr const char* kRandomCropKeepsImage = "graft_keeps_image";
bool randomCropKeepsImage(const Json& config);

// Whether the graph's single input is an image batch free in height or width (None): it takes
// images of any size, and a size must come from outside it (predict's, the size it was trained
// at).
bool hasFreeImageSide(const Graph& graph);

// The Resizing or CenterCrop a model applies to its images first: its single input is free in
// height and width (a fixed side is resized to first, so the layer would see another image),
// the layer is reached from it through Rescaling layers alone, each the only reader of what it
// reads, and it never pads (a pad's fill value lies in the range of the values the layer reads,
// not the file's pixels).
// A model with a free input size then gets each image as Keras would: at its own size, sized by
// this layer's rule (images in a batch need one size, so Graft's loader applies the rule to
// the raw pixels, which commutes with the scaling before it). nullopt otherwise.
std::optional<ImageResize> leadingImageResize(
    const Graph& graph, const LayerRegistry& registry = LayerRegistry::standard());

}  // namespace graft::layers

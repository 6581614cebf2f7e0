#pragma once
// Keras's Resizing, CenterCrop and RandomCrop on a batch of images (N, C, H, W): the layers'
// op. (The data loader applies a model's own leading resize with OpenCV, data_pipeline.cpp.)
#include <torch/types.h>

#include "graph/image_resize.h"

namespace graft::runtime {

// The window cut from each image or padded around it, then resized. Bilinear is
// tf.image.resize's half-pixel bilinear (LibTorch's with align_corners=False); nearest is its
// half-pixel nearest, source min(floor((dst + 0.5) * in / out), in - 1): LibTorch's
// nearest-exact.
torch::Tensor resizeImages(const layers::ImageResize& resize, torch::Tensor images);

}  // namespace graft::runtime

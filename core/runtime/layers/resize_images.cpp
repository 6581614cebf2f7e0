#include "runtime/layers/resize_images.h"

#include <torch/torch.h>

#include <vector>

namespace graft::runtime {

torch::Tensor resizeImages(const layers::ImageResize& resize, torch::Tensor images) {
  torch::Tensor x = std::move(images);
  const int64_t h = x.size(2), w = x.size(3);
  const layers::ResizeWindow box = resize.window(h, w);
  if (box.pads()) {
    const int64_t top = -box.top, left = -box.left;
    x = torch::constant_pad_nd(x, {left, box.width - w - left, top, box.height - h - top},
                               resize.fill);
  } else if (box.crops(h, w)) {
    x = x.slice(2, box.top, box.top + box.height).slice(3, box.left, box.left + box.width);
  }
  if (!resize.resizes(h, w)) return x.contiguous();
  const std::vector<int64_t> size{resize.height, resize.width};
  if (resize.interpolation == layers::ResizeInterpolation::Nearest)
    return torch::_upsample_nearest_exact2d(x, size, c10::nullopt, c10::nullopt);
  return torch::upsample_bilinear2d(x, size, false, c10::nullopt, c10::nullopt);
}

}  // namespace graft::runtime

#pragma once
// Random image augmentation for training, applied to decoded RGB images (CV_32FC3, 0..255)
// before the model's preprocessing. Each sample draws from its own seeded stream (see
// dataset_random.h), so a run is reproducible whatever the number of loader threads.
#include <opencv2/core/mat.hpp>

#include "run/augment_options.h"
#include "runtime/data/dataset_random.h"

namespace graft {

// The image at `size` (width, height): without augmentation exactly the Keras resize
// (resizeNearest); with it, the random crop is taken first, then resized, then flip, rotation
// and shift (one affine warp, edges replicated as Keras's fill_mode='nearest'), then brightness
// and contrast, clamped to 0..255.
cv::Mat augmentAndResize(const cv::Mat& rgb, cv::Size size, const AugmentOptions& options,
                         Random& random);

}  // namespace graft

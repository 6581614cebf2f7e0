#pragma once
// Random image augmentation for training, applied to decoded RGB images (CV_32FC3, 0..255)
// before the model's preprocessing. Each sample draws from its own seeded stream (see
// dataset_random.h), so a run is reproducible whatever the number of loader threads.
#include <opencv2/core/mat.hpp>

#include <string>

#include "runtime/dataset_random.h"

namespace graft {

struct AugmentOptions {
  bool crop = false;        // random resized crop: area 50..100 %, aspect 3/4..4/3
  bool flip = false;        // horizontal flip, probability 1/2
  bool rotate = false;      // rotation up to +-maxRotationDegrees
  bool shift = false;       // translation up to +-maxShift of width / height
  bool brightness = false;  // multiply by a factor in 1 +- brightnessRange
  bool contrast = false;    // scale the distance from the channel mean by 1 +- contrastRange

  double cropMinArea = 0.5;
  double maxRotationDegrees = 10.0;
  double maxShift = 0.1;
  double brightnessRange = 0.2;
  double contrastRange = 0.2;

  bool any() const { return crop || flip || rotate || shift || brightness || contrast; }
  // "flip,crop" etc.; "none" when nothing is on.
  std::string describe() const;
};

// A comma-separated list of: crop, flip, rotate, shift, brightness, contrast; "all" for every
// one, "none" or "" for nothing. Throws graft::Error naming the unknown item and the choices.
AugmentOptions parseAugmentList(const std::string& list);

// The image at `size` (width, height): without augmentation exactly the Keras resize
// (resizeNearest); with it, the random crop is taken first, then resized, then flip, rotation
// and shift (one affine warp, edges replicated as Keras's fill_mode='nearest'), then brightness
// and contrast, clamped to 0..255.
cv::Mat augmentAndResize(const cv::Mat& rgb, cv::Size size, const AugmentOptions& options,
                         Random& random);

}  // namespace graft

#pragma once
// Which random augmentations a training run applies, as plain data (no OpenCV): specs, plans
// and the GUI read these; runtime/data/augment.h applies them to images.
#include <string>

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

}  // namespace graft

#pragma once
// A handful of the user's own images as model inputs: what the least-squares fusion fits its
// kernel to. Read the way predict reads images (decode, upright, Keras's nearest resize to the
// model's input size, the model's channel count and preprocessing), so the fit sees the
// activations the model sees in use.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

// Up to `count` image files under `folder` (searched recursively, so an image folder with one
// subfolder per class works as well as a flat one), spread evenly over the sorted list so every
// class is represented. Throws graft::Error naming the folder when it is missing or holds no
// image, and for a count below 1.
std::vector<std::string> listSampleImages(const std::string& folder, int64_t count);

// The files as one float32 NCHW batch for the model's single image input (free height/width:
// `freeInputSize` pixels). Files that cannot be read are left out; throws graft::Error when none
// can (naming the first and why), or naming the input layer when the model has no single image
// input.
torch::Tensor loadSampleInputs(const Model& model, const std::vector<std::string>& files,
                               int64_t freeInputSize = 224);

}  // namespace graft

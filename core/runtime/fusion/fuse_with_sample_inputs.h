#pragma once
// The parts of runtime/fusion/fuse_with_samples.h that pass tensors: sample inputs from anywhere (a
// test's own batch) and each fit's numbers.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "runtime/fusion/fuse_approximate.h"
#include "runtime/fusion/fuse_with_samples.h"

namespace graft {

// Sample inputs for a model as it is at some step of a recipe (a recipe may change the input
// size before it fuses). Called only when a step needs them. `count`: the number of images a
// replayed step recorded ("samples"), which a replay takes so that it fits what was fitted;
// unset for a new step (the source's own count).
using SampleInputsFor = std::function<torch::Tensor(const Model&, std::optional<int64_t> count)>;

// A RecipeStepRunner: exact operations through applyOperation(); a fuse the core refuses for a
// nonlinearity between two convolutions, or one asking for "method": "least_squares", through
// fuseApproximately() on the samples, its error in the step's notes and in the recorded
// operation. `fitted` (optional) receives each approximate fusion's numbers.
RecipeStepRunner stepsWithSamples(SampleInputsFor samples,
                                  std::function<void(const ApproximateFusion&)> fitted = {});

// Sample inputs from up to `count` images of `folder` (listSampleImages; a replayed step's own
// count instead), read only when a step first needs them, and once per input shape and count.
// Errors (no images, an unreadable file) name the folder or file. The inputs are on `device` (the
// fit computes where its samples are).
SampleInputsFor sampleInputsFromFolder(std::string folder, int64_t count, int64_t freeInputSize,
                                       const torch::Device& device = torch::kCPU);

}  // namespace graft

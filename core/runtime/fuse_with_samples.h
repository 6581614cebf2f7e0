#pragma once
// Recipe steps with sample images at hand: the one place that decides when a `fuse` becomes
// the least-squares fusion, shared by graft-cli edit --samples and the GUI.
#include <functional>
#include <string>
#include <vector>

#include "io/recipe.h"
#include "runtime/fuse_approximate.h"

namespace graft {

// True for a fuse the core cannot do exactly but fuseApproximately can try: {"op": "fuse",
// "method": "least_squares", ...}, or a plain fuse of two layers that the core refused (two
// Conv2D with a nonlinearity between them).
bool wantsLeastSquares(const Model& model, const Json& operation, bool exactRefused);

// Sample inputs for a model as it is at some step of a recipe (a recipe may change the input
// size before it fuses). Called only when a step needs them.
using SampleInputsFor = std::function<torch::Tensor(const Model&)>;

// A RecipeStepRunner: exact operations through applyOperation(); a fuse the core refuses for a
// nonlinearity between two convolutions, or one asking for "method": "least_squares", through
// fuseApproximately() on the samples, its error in the step's notes and in the recorded
// operation. `fitted` (optional) receives each approximate fusion's numbers.
RecipeStepRunner stepsWithSamples(SampleInputsFor samples,
                                  std::function<void(const ApproximateFusion&)> fitted = {});

// Sample inputs from up to `count` images of `folder` (listSampleImages), read only when a step
// first needs them, and once per input shape the recipe passes through. Errors (no images, an
// unreadable file) name the folder or file.
SampleInputsFor sampleInputsFromFolder(std::string folder, int64_t count, int64_t freeInputSize);

}  // namespace graft

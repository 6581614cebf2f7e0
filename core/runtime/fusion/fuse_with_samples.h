#pragma once
// Recipe steps with sample images at hand: the one place that decides when a `fuse` becomes
// the least-squares fusion, shared by graft-cli edit --samples, pipelines and the GUI. No
// LibTorch here: the GUI includes it.
#include <cstdint>
#include <string>
#include <vector>

#include "io/recipe.h"
#include "run/compute_choice.h"

namespace graft {

// True for a fuse the core cannot do exactly but fuseApproximately can try: {"op": "fuse",
// "method": "least_squares", ...}, or a plain fuse of two layers that the core refused (two
// Conv2D with a nonlinearity between them). Whether their structure allows it is
// leastSquaresRefusal's to say (graph/surgery/fusable_chain.h), before any image is read.
bool wantsLeastSquares(const Model& model, const Json& operation, bool exactRefused);

// stepsWithSamples(sampleInputsFromFolder(folder, count, freeInputSize)) without LibTorch in
// the caller's includes (runtime/fusion/fuse_with_sample_inputs.h has the parts): what graft-cli
// edit
// --samples, a pipeline's recipe and the GUI's fuse use.
// The fit computes on `device` (runtime/system/device.h; an error naming --device at once when
// this machine lacks it).
RecipeStepRunner stepsWithFolderSamples(std::string folder, int64_t count, int64_t freeInputSize,
                                        const DeviceChoice& device = {});

}  // namespace graft

#pragma once
// The check every export runs on the file it has just written: a random preprocessed batch, the
// output Graft computes for it, and the comparison with what the file's reader computes.
#include <torch/types.h>

#include <string>

#include "export/export_plan.h"

namespace graft::exporting {

// Two images (two, so that a batch dimension fixed to 1 by mistake shows) of random RGB pixels
// through the model's preprocessing, as an (N, C, H, W) float32 batch; inputs that are not
// images get uniform values in [-1, 1). Unknown spatial sizes take `freeSize` pixels.
// Deterministic for a given model shape.
torch::Tensor sampleInput(const Model& model, const ExportPlan& plan, int64_t freeSize = 224);

// GraphModule's output for `input`, in Keras's layout (what `graft-cli predict` prints).
torch::Tensor graftOutput(const Model& model, const torch::Tensor& input);

struct Comparison {
  double maxDifference = 0.0;  // largest |got - want|
  double allowed = 0.0;        // tolerance * max(1, largest finite |want|)
};

// Compares an export's output with Graft's. The bound is relative to the output's scale (its
// largest magnitude, at least 1), so probabilities are held to `tolerance` itself and large
// feature values to the same relative precision. Non-finite values must match exactly (an
// overflow to inf in Graft must be inf in the export too). Throws graft::Error naming the file
// and the reader when the shapes differ or the bound is exceeded.
Comparison compareWithGraft(const torch::Tensor& got, const torch::Tensor& want, double tolerance,
                            const std::string& path, const std::string& reader);

// Empty, or a warning when Graft's outputs for the check's inputs are all the same (each within
// `allowed`, the difference the comparison lets pass, or float32's rounding of the first): the
// output does not depend on the input there (a random-weight MobileNetV3 at 64 px gives one
// output for every image), so a file that ignored its input would pass the check too.
std::string constantOutputWarning(const torch::Tensor& want, double allowed);

// The warning for the check of `model` on `input` (Graft's output `want`, the comparison's
// relative `tolerance`). A model ending in softmax is judged by its logits when its outputs look
// the same: a confident trained classifier gives exactly 1 and 0 for both random check images
// while its logits differ, and was told its output ignored its input.
std::string exportCheckWarning(const Model& model, const torch::Tensor& input,
                               const torch::Tensor& want, double tolerance);

}  // namespace graft::exporting

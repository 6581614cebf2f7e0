#pragma once
// What the trainer measures for the training doctor (runtime/training/training_doctor.h) that needs
// the network itself: how BatchNormalization's two modes disagree on a batch, and how far a set of
// weights moved during an epoch.
#include <torch/types.h>

#include <optional>
#include <vector>

#include "runtime/module/graph_module.h"
#include "runtime/training/trainer_graph.h"

namespace graft {

// Class probabilities (N, classes) from a training head's output.
torch::Tensor probabilitiesOf(const torch::Tensor& output, OutputKind kind);

struct BatchNormProbe {
  double distance = 0.0;  // mean total-variation distance of the class probabilities, 0..1
  double changed = 0.0;   // share of images whose predicted class differs
};

// The predictions of `images` in inference mode against those with BatchNormalization's batch
// statistics (GraphModule::forwardWithBatchStatistics); nullopt for fewer than 2 images. The
// module's weights, statistics and mode are as they were afterwards.
std::optional<BatchNormProbe> probeBatchNorm(GraphModule& module, const torch::Tensor& images,
                                             OutputKind kind);

// How far some parameters move: start() copies them, relativeChange() compares.
class WeightMovement {
 public:
  void start(const std::vector<torch::Tensor>& parameters);
  bool started() const { return !start_.empty(); }
  // The median over the tensors of |W - W_start| / |W_start| (L2; all-zero tensors left out,
  // 0 when none is left): a few large tensors (BatchNormalization's scale) do not hide how far
  // the many kernels moved.
  double relativeChange() const;

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> start_;
};

}  // namespace graft

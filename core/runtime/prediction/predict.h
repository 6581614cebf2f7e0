#pragma once
// Running a model on image files: load, resize, preprocess, batch, forward, top-K. The one
// implementation behind `graft-cli predict` and the GUI's prediction panel.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"
#include "run/compute_choice.h"
#include "runtime/prediction/predict_result.h"

namespace graft {

struct PredictOptions {
  int64_t topK = 5;
  int64_t batchSize = 16;
  // Pixels for an input height/width the model leaves as None (it accepts any size). Unset:
  // the zoo default the weights were trained at (224; 299 for inception_v3 / xception graphs).
  // 0: every image keeps its own size (such images then form batches of their own size).
  std::optional<int64_t> freeInputSize;
};

class Predictor {
 public:
  // Builds the LibTorch module once, in inference mode. Throws graft::Error when the model has
  // not exactly one image input (None, H, W, C with C = 1 or 3) and one output, or when it
  // carries labels but not one per class of its output (subject "labels"), and when `device`
  // names a device this machine lacks (subject "--device"). The model computes on that device.
  // `order`: the memory order it computes in (runtime/system/device.h's rule for auto).
  explicit Predictor(const Model& model, const DeviceChoice& device = {},
                     ChannelsLast order = ChannelsLast::Auto);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  const Shape& inputShape() const;   // Keras layout, batch first
  const Shape& outputShape() const;  // Keras layout, batch first
  // What it computes on ("CPU (2 cores)", "cuda:0 (...)").
  const std::string& deviceName() const;
  // `auto` took a CUDA device: the front ends say which (on stderr, in the status bar).
  bool autoChoseGpu() const;

  // One result per file, in the given order. A file that cannot be read or run gets its error
  // and the rest go on. `onResult` (optional) sees each result, in order, as soon as its batch
  // is done, so a long list shows progress. Throws only for bad options.
  std::vector<ImagePrediction> run(
      const std::vector<std::string>& files, const PredictOptions& options = {},
      const std::function<void(const ImagePrediction&)>& onResult = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace graft

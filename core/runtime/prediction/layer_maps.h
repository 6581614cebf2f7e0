#pragma once
// What a layer sees in one image, for the prediction preview and `graft-cli predict --gradcam`:
// its strongest feature maps (or its values, for a flat output) and Grad-CAM's map for a class.
// Torch-free: the GUI and the CLI get plain numbers and bytes (runtime/data/rgb_image.h).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"
#include "run/compute_choice.h"
#include "runtime/data/rgb_image.h"

namespace graft {

struct ChannelMap {
  int64_t channel = 0;        // index in the layer's output channels
  double mean = 0.0;          // the channel's mean activation (what ranks it)
  std::vector<float> values;  // height x width, row-major, this channel's min..max as 0..1
};

struct FeatureMaps {
  std::string layer;
  Shape shape;  // one image's output, Keras layout, no batch dimension
  // Spatial outputs (H, W, C with H * W > 1): the strongest channels, highest mean first.
  int height = 0;
  int width = 0;
  std::vector<ChannelMap> channels;
  // Any other output (Dense, pooled, 1 x 1): its values, flattened in Keras order (bars).
  std::vector<float> values;

  bool spatial() const { return height > 0; }
};

// `activation`: one image's output in Keras layout and row-major order, with `shape` (no batch).
// Rank 3 with height * width > 1: the k channels with the highest mean, each scaled from its
// own min..max to 0..1 (a constant channel is all 0), ties by lower channel index. Otherwise
// the values as they are.
FeatureMaps strongestChannels(const std::string& layer, const Shape& shape,
                              const std::vector<float>& activation, int64_t k);

struct GradCamMap {
  std::string layer;
  int64_t classIndex = 0;
  std::string label;       // the class's label when the model has labels
  bool predicted = false;  // the class is the model's prediction for this image
  int height = 0;          // the layer's map size
  int width = 0;
  std::vector<float> map;  // height x width, row-major, in [0, 1] (runtime/prediction/gradcam.h)
  // 0 everywhere: no position of the layer raises the class's score (the evidence lies in the
  // bias or in what the features lack; a head fitted by the cut explorer centres them). A blank
  // overlay is then said, not left to look like a failure.
  bool noEvidence = false;
};

class LayerMaps {
 public:
  // Throws graft::Error when the model has not one image input and one output, or when
  // `device` names one this machine lacks (subject "--device"). The maps compute there, on
  // images sized as predict sizes them: a free input takes `freeInputSize` when given, else
  // the size predict takes without one (runtime/data/data_pipeline.h, defaultFreeInputSide).
  explicit LayerMaps(const Model& model, const DeviceChoice& device = {},
                     std::optional<int64_t> freeInputSize = std::nullopt);
  ~LayerMaps();
  LayerMaps(LayerMaps&&) noexcept;
  LayerMaps& operator=(LayerMaps&&) noexcept;

  // Layers whose output can be shown: every layer but the input, in topological order.
  const std::vector<std::string>& layers() const;
  // runtime/prediction/gradcam.h's defaultGradCamLayer; throws when the model has none.
  std::string defaultGradCamLayer() const;
  // The layer Grad-CAM will use for `requested` ("auto" or empty: the default), checked: throws
  // graft::Error naming the layer when it is unknown or has no spatial map.
  std::string gradCamLayer(const std::string& requested) const;
  const std::vector<std::string>& labels() const;
  // Entries of the model's output when it is a vector of class scores (N, classes); else 0.
  int64_t classes() const;

  // A class given by number (0-based) or by label; throws graft::Error saying what is valid
  // (and when the model's output is not a vector of class scores).
  int64_t classIndexOf(const std::string& numberOrLabel) const;

  // The image is read and prepared as predict does (runtime/prediction/predict.h). Errors
  // (unreadable file, unknown layer, no spatial map) throw graft::Error naming the file or the
  // layer.
  FeatureMaps featureMaps(const std::string& file, const std::string& layer, int64_t k);
  // classIndex unset: the predicted class. layer "auto" or empty: defaultGradCamLayer().
  GradCamMap gradCam(const std::string& file, const std::string& layer,
                     std::optional<int64_t> classIndex = std::nullopt);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace graft

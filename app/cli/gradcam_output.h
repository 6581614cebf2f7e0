#pragma once
// `graft-cli predict --gradcam LAYER --gradcam-out DIR [--gradcam-class N|NAME]
// [--gradcam-opacity A]`: one Grad-CAM overlay PNG per image, named after the image.
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "cli/cli_context.h"
#include "runtime/prediction/layer_maps.h"

namespace graft::cli {

struct GradCamArguments {
  std::string layer;  // "auto": the last layer with a spatial map
  std::string outDir;
  std::string classChoice;  // empty: each image's predicted class
  double opacity = 0.5;

  void addTo(CLI::App& command);
  bool requested() const { return !layer.empty() || !outDir.empty(); }
};

struct GradCamWritten {
  Json json;         // {"file", "layer", "class", "label" (when the model has labels)}
  std::string text;  // one line for predict's text output
};

class GradCamWriter {
 public:
  // Checks everything before any image runs: both options given, the layer (known, with a
  // spatial map), the class, and the folder (created when missing). Throws graft::Error.
  // The maps compute on `device` (predict's --device), at predict's size for a free input
  // (`freeInputSize`, predict's --input-size; unset: the size predict takes without one).
  GradCamWriter(const GradCamArguments& arguments, const Model& model,
                const DeviceChoice& device = {},
                std::optional<int64_t> freeInputSize = std::nullopt);

  // Writes DIR/<image name without extension>.gradcam.png (a number added when two images
  // share a name) over the image at its own size.
  GradCamWritten write(const std::string& imageFile);

 private:
  GradCamArguments arguments_;
  LayerMaps maps_;
  std::string layer_;
  std::optional<int64_t> classIndex_;
  std::set<std::string> written_;
};

}  // namespace graft::cli

#include "graph/image_resize.h"

#include <algorithm>

#include "graph/analysis.h"
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

int64_t positiveSize(const Json& config, const std::string& key) {
  const Json& v = config.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 1)
    throw ShapeError("config field '" + key + "' must be a positive integer, got " + v.dump());
  return v.get<int64_t>();
}

// TensorFlow's tf.cast(tf.cast(a, "float32") / b, "int32"), as Keras computes the crop and pad
// sizes from the dynamic shape: float32 division, truncated.
int64_t float32Ratio(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<float>(a) / static_cast<float>(b));
}

// The largest centred box of the output's aspect ratio (smart_resize; Resizing's
// crop_to_aspect_ratio). `exactRatio`: smart_resize on a static shape divides in Python floats.
ResizeWindow cropToAspectRatio(int64_t h, int64_t w, int64_t th, int64_t tw, bool exactRatio) {
  const auto ratio = [&](int64_t a, int64_t b) {
    return exactRatio ? static_cast<int64_t>(static_cast<double>(a) / static_cast<double>(b))
                      : float32Ratio(a, b);
  };
  const int64_t cropH = std::max<int64_t>(std::min(h, ratio(w * th, tw)), 1);
  const int64_t cropW = std::max<int64_t>(std::min(w, ratio(h * tw, th)), 1);
  const int64_t top = exactRatio ? static_cast<int64_t>(static_cast<double>(h - cropH) / 2)
                                 : float32Ratio(h - cropH, 2);
  const int64_t left = exactRatio ? static_cast<int64_t>(static_cast<double>(w - cropW) / 2)
                                  : float32Ratio(w - cropW, 2);
  return {top, left, cropH, cropW};
}

}  // namespace

ResizeWindow ImageResize::window(int64_t h, int64_t w) const {
  switch (fit) {
    case Fit::Stretch:
      return {0, 0, h, w};
    case Fit::CropToAspectRatio:
      return cropToAspectRatio(h, w, height, width, false);
    case Fit::PadToAspectRatio: {
      // Keras pads the short side by (padded - size) / 2 on each side, the same amount twice.
      const int64_t padH = std::max(h, float32Ratio(w * height, width));
      const int64_t padW = std::max(w, float32Ratio(h * width, height));
      const int64_t top = float32Ratio(padH - h, 2), left = float32Ratio(padW - w, 2);
      return {-top, -left, h + 2 * top, w + 2 * left};
    }
    case Fit::CenterCrop:
      // A large enough image: its centre as it is; a smaller one: smart_resize.
      if (h >= height && w >= width) return {(h - height) / 2, (w - width) / 2, height, width};
      return cropToAspectRatio(h, w, height, width, true);
  }
  return {0, 0, h, w};
}

bool ImageResize::resizes(int64_t h, int64_t w) const {
  return !(fit == Fit::CenterCrop && h >= height && w >= width);
}

bool randomCropKeepsImage(const Json& config) {
  return config.is_object() && config.value(kRandomCropKeepsImage, false) == true;
}

ImageResize imageResizeOf(const std::string& className, const Json& config) {
  ImageResize r;
  r.height = positiveSize(config, "height");
  r.width = positiveSize(config, "width");
  // RandomCrop is read where its input already has its size (see registerImageResizeLayers):
  // CenterCrop's plan then takes the whole image as it is.
  if (className == "CenterCrop" || className == "RandomCrop") {
    r.fit = ImageResize::Fit::CenterCrop;
    return r;
  }
  const Json& interpolation = config.at("interpolation");
  if (interpolation == "nearest")
    r.interpolation = ResizeInterpolation::Nearest;
  else if (interpolation != "bilinear")
    throw ShapeError("config field 'interpolation' is " + interpolation.dump() +
                     "; Graft computes Keras's \"bilinear\" and \"nearest\" (TensorFlow's other "
                     "kernels are not LibTorch's)");
  if (config.value("antialias", false) != false)
    throw ShapeError(
        "config field 'antialias' is true; Graft computes Keras's resizing without "
        "antialiasing");
  const bool crop = config.at("crop_to_aspect_ratio") == true;
  const bool pad = config.value("pad_to_aspect_ratio", false) == true;
  if (crop && pad)
    throw ShapeError(
        "config fields 'crop_to_aspect_ratio' and 'pad_to_aspect_ratio' are both true; "
        "Keras allows one");
  // Keras's resize refuses any other fill_mode, padding or not.
  if (config.value("fill_mode", Json("constant")) != "constant")
    throw ShapeError("config field 'fill_mode' is " + config.at("fill_mode").dump() +
                     "; Keras pads with \"constant\" only");
  const Json fill = config.value("fill_value", Json(0.0));
  if (!fill.is_number())
    throw ShapeError("config field 'fill_value' must be a number, got " + fill.dump());
  r.fill = fill.get<double>();
  r.fit = crop  ? ImageResize::Fit::CropToAspectRatio
          : pad ? ImageResize::Fit::PadToAspectRatio
                : ImageResize::Fit::Stretch;
  return r;
}

bool hasFreeImageSide(const Graph& graph) {
  const std::vector<std::string> inputs = graph.inputs();
  if (inputs.size() != 1) return false;
  const GraphAnalysis analysis = analyze(graph);
  const NodeInfo* info = analysis.find(inputs.front());
  return info && info->outputShape.size() >= 3 &&
         (info->outputShape[1] == kUnknown || info->outputShape[2] == kUnknown);
}

std::optional<ImageResize> leadingImageResize(const Graph& graph, const LayerRegistry& registry) {
  const std::vector<std::string> inputs = graph.inputs();
  if (inputs.size() != 1) return std::nullopt;
  const GraphAnalysis analysis = analyze(graph, registry);
  const NodeInfo* input = analysis.find(inputs.front());
  if (!input || input->outputShape.size() != 4 || input->outputShape[1] != kUnknown ||
      input->outputShape[2] != kUnknown)
    return std::nullopt;
  std::string at = inputs.front();
  for (;;) {
    const std::vector<std::string> readers = graph.consumers(at);
    if (readers.size() != 1) return std::nullopt;
    const Node& next = graph.at(readers.front());
    if (next.className == "Rescaling") {
      at = next.name;
      continue;
    }
    if (next.className != "Resizing" && next.className != "CenterCrop") return std::nullopt;
    try {
      const ImageResize plan =
          imageResizeOf(next.className, registry.normalizeConfig(next.className, next.config));
      if (plan.fit == ImageResize::Fit::PadToAspectRatio) return std::nullopt;
      return plan;
    } catch (const std::exception&) {
      return std::nullopt;  // the layer's own check reports it where the model is analysed
    }
  }
}

void registerImageResizeLayers(LayerRegistry& registry) {
  const auto outputShape = [](const std::string& className) {
    return [className](const Json& c, const std::vector<Shape>& in) {
      requireRank(in[0], 4, "(batch, h, w, c)");
      const ImageResize r = imageResizeOf(className, c);
      return Shape{in[0][0], r.height, r.width, in[0][3]};
    };
  };
  LayerType resizing;
  resizing.className = "Resizing";
  resizing.category = LayerCategory::Preprocessing;
  resizing.summary = "resizes images to height x width (bilinear or nearest, as Keras)";
  // tf.keras 2's keys; Keras 3's pad_to_aspect_ratio, fill_mode, fill_value and antialias are
  // read when given.
  resizing.defaults = {{"height", nullptr},
                       {"width", nullptr},
                       {"interpolation", "bilinear"},
                       {"crop_to_aspect_ratio", false}};
  resizing.outputShape = outputShape("Resizing");
  resizing.newLayerConfig = {{"height", 224}, {"width", 224}};
  registry.add(resizing);

  LayerType centerCrop;
  centerCrop.className = "CenterCrop";
  centerCrop.category = LayerCategory::Preprocessing;
  centerCrop.summary = "the centre height x width of each image (smaller images resized, as Keras)";
  centerCrop.defaults = {{"height", nullptr}, {"width", nullptr}};
  centerCrop.outputShape = outputShape("CenterCrop");
  centerCrop.newLayerConfig = {{"height", 224}, {"width", 224}};
  registry.add(centerCrop);

  // Keras's RandomCrop outside training (predict) differs by version (graph/keras_json.cpp,
  // randomCropRule): tf.keras 2.7 on and Keras 3.0 to 3.5 crop the image's centre to the
  // output's aspect ratio and resize it (smart_resize: read as Resizing with
  // crop_to_aspect_ratio); Keras 3.6 and 3.7 slice height x width rows and columns from that
  // box's corner and resize what they got (read as the Cropping2D it is where the input is
  // fixed and large enough); Keras 3.8 on returns the image unchanged (transform_images acts
  // only `if training`), whatever its size (read as this class marked kRandomCropKeepsImage:
  // its output is its input); tf.keras 2.6 and earlier resize the shorter side and crop. Where
  // the input already is height x width every one of them returns the image as it is: this
  // class computes that (runtime, TorchScript and ONNX pass the image on), so a model saved by
  // any Keras opens, and saves again as RandomCrop keeping its training behaviour in Keras.
  LayerType randomCrop;
  randomCrop.className = "RandomCrop";
  randomCrop.category = LayerCategory::Preprocessing;
  randomCrop.summary =
      "random height x width crops in training; at inference the image unchanged (as Keras 3.8+)";
  randomCrop.defaults = {{"height", nullptr}, {"width", nullptr}, {"seed", nullptr}};
  randomCrop.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    const ImageResize r = imageResizeOf("RandomCrop", c);
    if (randomCropKeepsImage(c)) return in[0];
    if (in[0][1] != r.height || in[0][2] != r.width)
      throw ShapeError(
          "config fields 'height' and 'width' (" + std::to_string(r.height) + " x " +
          std::to_string(r.width) + ") differ from the input's " +
          (in[0][1] == kUnknown ? std::string("free") : std::to_string(in[0][1])) + " x " +
          (in[0][2] == kUnknown ? std::string("free") : std::to_string(in[0][2])) +
          " size. Outside training Keras's RandomCrop then computes what its version does "
          "(Keras 3.8 and later return the image unchanged, 3.6 and 3.7 slice and resize, "
          "tf.keras 2.7 on and Keras 3.0 to 3.5 crop to the aspect ratio and resize, tf.keras "
          "2.6 and earlier resize the shorter side and crop); Graft reads it so from a Keras "
          "file that names its version, and this layer came without one. Use "
          "Resizing(crop_to_aspect_ratio=True) or CenterCrop for a fixed inference, or give the "
          "input the crop's size");
    return in[0];
  };
  randomCrop.newLayerConfig = {{"height", 224}, {"width", 224}};
  registry.add(randomCrop);
}

}  // namespace graft::layers

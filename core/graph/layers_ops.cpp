// TFOpLambda (tensor arithmetic tf.keras wrote as a layer) and CustomScaleLayer
// (InceptionResNetV2's residual scaling): what graph/keras_op_layers.h reads Keras's op layers
// as. Both weightless. LayerScale: ConvNeXt's residual scaling, keras.applications.convnext's
// own class, x * gamma with one trainable gamma per channel.
#include <algorithm>

#include "graph/keras_op_layers.h"
#include "graph/layer_helpers.h"

namespace graft::layers {

void registerOpLayers(LayerRegistry& registry) {
  LayerType op;
  op.className = "TFOpLambda";
  op.category = LayerCategory::Merge;
  op.summary = "a TensorFlow function on tensors and constants (x + 3, x * y, relu6(x) ...)";
  op.defaults = {{"function", "__operators__.add"}, {"operands", {nullptr, 1.0}}};
  op.maxInputs = 2;
  op.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const std::vector<OpOperand> operands = opOperands(c, in[0].size());
    std::vector<Shape> shapes;
    size_t next = 0;
    for (const auto& o : operands) {
      if (!o.input) {
        shapes.push_back(o.shape);
        continue;
      }
      if (next >= in.size()) break;
      shapes.push_back(in[next++]);
    }
    const size_t inputs = static_cast<size_t>(
        std::count_if(operands.begin(), operands.end(), [](const OpOperand& o) { return o.input; }));
    if (inputs != in.size() || inputs == 0)
      throw ShapeError("tf." + c.at("function").get<std::string>() + " here takes " +
                       std::to_string(inputs) + " input tensor(s) (config 'operands'), got " +
                       std::to_string(in.size()));
    return broadcastShapes(shapes);
  };
  registry.add(op);

  LayerType scale;
  scale.className = "CustomScaleLayer";
  scale.category = LayerCategory::Merge;
  scale.summary = "first input + second input * scale (InceptionResNetV2's residual scaling)";
  scale.defaults = {{"scale", 1.0}};
  scale.minInputs = scale.maxInputs = 2;
  scale.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    if (!c.at("scale").is_number())
      throw ShapeError("config field 'scale' must be a number, got " + c.at("scale").dump());
    return broadcastShapes(in);
  };
  registry.add(scale);

  // convnext.py's LayerScale(init_values, projection_dim): build() adds one unnamed weight of
  // shape (projection_dim,), initialized to init_values (Keras 3 stores it as vars/0; tf.keras
  // 2 wrote it as the layer's only weight too), and call() is x * gamma, broadcast along the
  // last axis.
  LayerType layerScale;
  layerScale.className = "LayerScale";
  layerScale.category = LayerCategory::Normalization;
  layerScale.summary = "multiplies each channel by a trained gamma (ConvNeXt's residual scaling)";
  layerScale.defaults = {{"init_values", 1e-6}, {"projection_dim", nullptr}};
  layerScale.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const int64_t channels = requireKnownChannels(in[0]);
    const Json& dim = c.at("projection_dim");
    if (!dim.is_number_integer() || dim.get<int64_t>() != channels)
      throw ShapeError("config field 'projection_dim' must be the input's last axis (" +
                       std::to_string(channels) + "), got " + dim.dump());
    if (!c.at("init_values").is_number())
      throw ShapeError("config field 'init_values' must be a number, got " +
                       c.at("init_values").dump());
    return in[0];
  };
  layerScale.weights = [](const Json&, const std::vector<Shape>& in) {
    return std::vector<WeightSpec>{{"gamma", {requireKnownChannels(in[0])}}};
  };
  registry.add(layerScale);
}

}  // namespace graft::layers

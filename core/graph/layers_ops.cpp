// TFOpLambda (tensor arithmetic tf.keras wrote as a layer) and CustomScaleLayer
// (InceptionResNetV2's residual scaling): what graph/keras_op_layers.h reads Keras's op layers
// as. Both weightless.
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
}

}  // namespace graft::layers

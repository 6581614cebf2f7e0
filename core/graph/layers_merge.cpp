// Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate: layers with several inputs.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

// Element-wise merges broadcast as Keras's _Merge does: inputs of one rank whose sizes are equal
// or 1 (a squeeze-and-excitation block multiplies (N, H, W, C) by (N, 1, 1, C)). An unknown
// size takes its partner's when that is known and not 1. Different ranks are refused (Keras
// would insert axes; the runtime layout of a feature map could not follow).
Shape elementwise(const Json&, const std::vector<Shape>& in) {
  return broadcastShapes(in);
}

LayerType elementwiseMerge(const std::string& className, const std::string& summary) {
  LayerType t;
  t.className = className;
  t.category = LayerCategory::Merge;
  t.summary = summary;
  t.defaults = Json::object();
  t.minInputs = 2;
  t.maxInputs = -1;
  t.outputShape = elementwise;
  return t;
}

}  // namespace

void registerMergeLayers(LayerRegistry& registry) {
  registry.add(elementwiseMerge("Add", "element-wise sum of its inputs"));
  registry.add(elementwiseMerge("Multiply", "element-wise product of its inputs"));
  registry.add(elementwiseMerge("Average", "element-wise mean of its inputs"));
  registry.add(elementwiseMerge("Maximum", "element-wise maximum of its inputs"));
  registry.add(elementwiseMerge("Minimum", "element-wise minimum of its inputs"));
  LayerType subtract = elementwiseMerge("Subtract", "first input minus the second");
  subtract.maxInputs = 2;  // Keras: "should be called on exactly 2 inputs"
  registry.add(subtract);

  LayerType concat;
  concat.className = "Concatenate";
  concat.category = LayerCategory::Merge;
  concat.summary = "joins its inputs along an axis";
  concat.defaults = {{"axis", -1}};
  concat.minInputs = 2;
  concat.maxInputs = -1;
  concat.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    int64_t axis = resolveAxis(c.at("axis"), in[0].size());
    Shape out = in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i].size() != out.size())
        throw ShapeError("inputs must have the same rank, got " + shapeToString(in[0]) + " and " +
                         shapeToString(in[i]));
      for (size_t d = 0; d < out.size(); ++d) {
        if (static_cast<int64_t>(d) == axis) {
          out[d] = (out[d] == kUnknown || in[i][d] == kUnknown) ? kUnknown : out[d] + in[i][d];
        } else if (out[d] != kUnknown && in[i][d] != kUnknown && out[d] != in[i][d]) {
          throw ShapeError("inputs differ outside the concatenation axis: " + shapeToString(in[0]) +
                           " and " + shapeToString(in[i]));
        } else if (out[d] == kUnknown) {
          out[d] = in[i][d];
        }
      }
    }
    return out;
  };
  concat.aliases = {{"concat_axis", "axis"}};
  registry.add(concat);
}

}  // namespace graft::layers

#pragma once
// A layer type is data: one entry per Keras class name with its config schema (Keras's
// defaults), how many inputs it takes, its output-shape rule and its weights in Keras's order.
// The LibTorch side keeps its own factory table keyed by the same class names.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/shape.h"

namespace graft {

// One weight variable as Keras stores it: name without layer prefix ("kernel",
// "moving_mean"), shape in Keras's layout, trainable as Keras counts it.
struct WeightSpec {
  std::string name;
  Shape shape;
  bool trainable = true;
};

// Thrown by shape functions; shape inference turns it into a Diagnostic for the node.
class ShapeError : public Error {
 public:
  using Error::Error;
};

enum class LayerCategory {
  Input,
  Convolution,
  Pooling,
  Dense,
  Normalization,
  Activation,
  Merge,
  Reshape,
  Regularization,
  Preprocessing
};
std::string categoryName(LayerCategory category);

struct LayerType {
  std::string className;
  LayerCategory category = LayerCategory::Reshape;
  std::string summary;  // one line for the palette and tooltips
  Json defaults;        // every config key with Keras's default value
  int minInputs = 1;
  int maxInputs = 1;  // -1: any number
  // Output shape from a normalized config and the input shapes (batch first, channels last).
  std::function<Shape(const Json& config, const std::vector<Shape>& inputs)> outputShape;
  // Weights in Keras's order; empty for weightless layers.
  std::function<std::vector<WeightSpec>(const Json& config, const std::vector<Shape>& inputs)>
      weights;
  // Config keys whose legacy / alternative spellings are accepted on load (Keras 1, Keras 3).
  std::map<std::string, std::string> aliases;
  // Settings a layer added without any (from the GUI's palette) starts with, where Keras has no
  // default (a Resizing's size): the user changes them afterwards.
  Json newLayerConfig = Json::object();
};

class LayerRegistry {
 public:
  // Every layer type Graft knows. Built once; immutable afterwards.
  static const LayerRegistry& standard();

  void add(LayerType type);
  const LayerType* find(const std::string& className) const;
  const LayerType& at(const std::string& className) const;  // throws naming the class
  std::vector<std::string> classNames() const;

  // Keras's defaults filled in, aliases renamed, values normalized (kernel_size 3 -> [3, 3]),
  // and checked (only channels_last). Throws graft::Error naming the offending key.
  Json normalizeConfig(const std::string& className, const Json& config) const;

 private:
  std::map<std::string, LayerType> types_;
};

}  // namespace graft

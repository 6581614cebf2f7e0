#pragma once
// Builds a Graph layer by layer the way Keras's functional API does:
//   GraphBuilder b("vgg16");
//   auto x = b.input("input_1", {kUnknown, 224, 224, 3});
//   x = b.add("Conv2D", "block1_conv1", {{"filters", 64}, {"padding", "same"}}, x);
// Configs are normalized with Keras's defaults as they are added; errors name the layer.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/layer_registry.h"
#include "graph/shape.h"

namespace graft {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string modelName,
                        const LayerRegistry& registry = LayerRegistry::standard());

  std::string input(const std::string& name, const Shape& batchShape);
  std::string add(const std::string& className, const std::string& name, const Json& config,
                  const std::vector<std::string>& inputs);
  std::string add(const std::string& className, const std::string& name, const Json& config,
                  const std::string& input) {
    return add(className, name, config, std::vector<std::string>{input});
  }
  void setTrainable(const std::string& name, bool trainable);

  // Validates the wiring; throws graft::Error listing every problem.
  Graph build(std::vector<std::string> outputs = {}) const;

 private:
  std::string modelName_;
  const LayerRegistry& registry_;
  std::vector<Node> nodes_;
};

}  // namespace graft

#include "graph/graph_builder.h"

namespace graft {

GraphBuilder::GraphBuilder(std::string modelName, const LayerRegistry& registry)
    : modelName_(std::move(modelName)), registry_(registry) {}

std::string GraphBuilder::input(const std::string& name, const Shape& batchShape) {
  Json shape = Json::array();
  for (auto d : batchShape) shape.push_back(d == kUnknown ? Json() : Json(d));
  return add("InputLayer", name, {{"batch_input_shape", shape}}, std::vector<std::string>{});
}

std::string GraphBuilder::add(const std::string& className, const std::string& name,
                              const Json& config, const std::vector<std::string>& inputs) {
  Node node;
  node.name = name;
  node.className = className;
  try {
    node.config = registry_.normalizeConfig(className, config);
  } catch (const Error& e) {
    throw Error(Diagnostic{name, e.what()});
  }
  node.inputs = inputs;
  nodes_.push_back(std::move(node));
  return name;
}

void GraphBuilder::setTrainable(const std::string& name, bool trainable) {
  for (auto& n : nodes_)
    if (n.name == name) n.trainable = trainable;
}

Graph GraphBuilder::build(std::vector<std::string> outputs) const {
  Graph graph(modelName_, nodes_, std::move(outputs));
  Diagnostics problems = graph.validate();
  if (!problems.empty()) throw Error(problems);
  return graph;
}

}  // namespace graft

#include "graph/one_output.h"

#include "graph/diagnostic.h"

namespace graft {

void requireOneOutput(const Graph& graph, const std::string& what) {
  const std::vector<std::string>& outputs = graph.outputs();
  if (outputs.size() == 1) return;
  std::string message = what + " a model with one output; '" + graph.name() + "' has " +
                        std::to_string(outputs.size());
  if (outputs.empty()) throw Error(message);
  std::string names;
  for (const auto& name : outputs) names += (names.empty() ? "" : ", ") + name;
  // The last output is usually the newest: the head a recipe stacked beside the old end.
  throw Error(message + " (" + names +
              "): keep one by cutting at it (a recipe's {\"op\": \"cut\", \"at\": \"" +
              outputs.back() + "\", \"drop_branches\": true}, or Cut Here on it in the graph)");
}

void requireOneInput(const Graph& graph, const std::string& what) {
  const std::vector<std::string> inputs = graph.inputs();
  if (inputs.size() == 1) return;
  std::string names;
  for (const auto& name : inputs) names += (names.empty() ? "" : ", ") + name;
  throw Error(what + " a model with one input; '" + graph.name() + "' has " +
              std::to_string(inputs.size()) + (names.empty() ? "" : " (" + names + ")") +
              ": Graft feeds a model one batch of images");
}

}  // namespace graft

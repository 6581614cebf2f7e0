#include "ui/doc/cut_with_head.h"

#include "graph/diagnostic.h"
#include "graph/surgery/ops.h"

namespace graft::ui {

Json cutWithHeadOperations(const Graph& graph, const GraphAnalysis& analysis,
                           const std::string& layer, int classes, bool keepsMap) {
  if (classes < 2)
    throw Error("a new head needs at least two classes, not " + std::to_string(classes));
  if (!graph.find(layer)) throw Error("no layer named \"" + layer + "\" in the model");
  const NodeInfo* info = analysis.find(layer);
  if (!info || info->outputShape.empty())
    throw Error("the output shape of \"" + layer + "\" is unknown: fix the model first");
  std::vector<Json> head;
  const size_t rank = info->outputShape.size();
  // Names are left to the core, which picks unused Keras-style ones and records them.
  if (rank == 4 && !keepsMap)
    head.push_back(ops::layer("GlobalAveragePooling2D", ""));
  else if (rank > 2)
    head.push_back(ops::layer("Flatten", ""));
  head.push_back(ops::layer("Dense", "", {{"units", classes}, {"activation", "softmax"}}));
  return Json::array({ops::cut(layer), ops::stack(layer, std::move(head))});
}

}  // namespace graft::ui

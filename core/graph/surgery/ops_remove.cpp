// remove and replace: take out a chain of single-input layers and reconnect its predecessor to
// its successors, directly (remove) or through new layers (replace).
#include <algorithm>

#include "graph/surgery/draft.h"

namespace graft::surgery {
namespace {

std::vector<std::string> listedLayers(const Draft& d) {
  if (d.has("layers")) return d.nameList("layers");
  if (d.has("layer")) return {d.stringField("layer")};
  throw Error(Diagnostic{"layers", "missing (the layers to take out)"});
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

void removeOperation(Draft& d) {
  const std::vector<std::string> chain = chainOf(d, listedLayers(d));
  const std::string predecessor = d.node(chain.front()).inputs[0];
  d.redirect(chain.back(), predecessor);
  d.erase(std::set<std::string>(chain.begin(), chain.end()));
  d.notes.push_back("removed " + joined(chain) + "; '" + predecessor + "' now feeds what '" +
                    chain.back() + "' fed");
}

void replaceOperation(Draft& d) {
  const std::vector<std::string> chain = chainOf(d, listedLayers(d));
  if (!d.has("with")) throw Error(Diagnostic{"with", "missing (the new layer)"});
  const std::set<std::string> old(chain.begin(), chain.end());
  std::vector<Node> fresh = newLayers(d, d.operation().at("with"), "with", old);
  Json& recordedWith = d.recorded["with"];
  if (recordedWith.is_object())
    recordedWith["config"]["name"] = fresh[0].name;
  else
    for (size_t i = 0; i < fresh.size(); ++i) recordedWith[i]["config"]["name"] = fresh[i].name;

  const std::string predecessor = d.node(chain.front()).inputs[0];
  const size_t position = d.indexOf(chain.front());
  // The last replaced layer's consumers read the new chain's end instead. A new layer may reuse
  // a replaced layer's name, so rewire through a placeholder that no layer can be named.
  const std::string placeholder = "/replaced";
  d.redirect(chain.back(), placeholder);
  d.erase(old);
  std::string previous = predecessor;
  size_t at = std::min(position, d.nodes.size());
  for (auto& n : fresh) {
    n.inputs = {previous};
    previous = n.name;
    d.addFresh(n.name);
    d.insertAt(at++, std::move(n));
  }
  d.redirect(placeholder, previous);

  // "A new layer with compatible shapes": the replacement must hand its consumers what the
  // replaced chain did, so nothing downstream changes.
  const NodeInfo* before = d.originalAnalysis().find(chain.back());
  if (before) {
    Graph probe(d.original().graph.name(), d.nodes, d.outputs);
    const GraphAnalysis after = analyze(probe);
    if (!after.ok()) throw Error(after.diagnostics);
    const NodeInfo* now = after.find(previous);
    if (now && now->outputShape != before->outputShape)
      throw Error(Diagnostic{previous, "outputs " + shapeToString(now->outputShape) + " but '" +
                                           chain.back() + "', which it replaces, outputs " +
                                           shapeToString(before->outputShape) +
                                           "; a replacement must keep the output shape"});
  }
  d.notes.push_back("replaced " + joined(chain) + " by " + previous);
}

}  // namespace graft::surgery

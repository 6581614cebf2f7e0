// stack and insert: new layers with fresh Keras-default weights, wired after / before / between
// existing ones.
#include <algorithm>

#include "graph/surgery/draft.h"

namespace graft::surgery {
namespace {

// Records the resolved names so that replaying the recorded step builds the same layers.
void recordNames(Json& layersField, const std::vector<Node>& layers) {
  if (layersField.is_object()) {
    layersField["config"]["name"] = layers[0].name;
    return;
  }
  for (size_t i = 0; i < layers.size(); ++i) layersField[i]["config"]["name"] = layers[i].name;
}

}  // namespace

void stackOperation(Draft& d) {
  const std::string after = d.stringField("after");
  d.node(after);
  if (!d.has("layers")) throw Error(Diagnostic{"layers", "missing (the layers to stack)"});
  std::vector<Node> chain = newLayers(d, d.operation().at("layers"), "layers");
  recordNames(d.recorded["layers"], chain);
  std::string previous = after;
  for (auto& n : chain) {
    n.inputs = {previous};
    previous = n.name;
    d.addFresh(n.name);
  }
  const std::string last = chain.back().name;
  // Appended at the end of the layer list, where Keras's summary shows a new head.
  for (auto& n : chain) d.nodes.push_back(std::move(n));
  if (d.isOutput(after)) {
    std::replace(d.outputs.begin(), d.outputs.end(), after, last);
  } else {
    std::string existing;
    for (const auto& o : d.outputs) existing += (existing.empty() ? "'" : ", '") + o + "'";
    d.outputs.push_back(last);
    // Training, prediction and exports take one output: say so now, not at the next command.
    d.notes.push_back("'" + after + "' is not a model output: '" + last +
                      "' becomes an additional output beside " + existing +
                      "; training, prediction and exports need one, so stack after the model's "
                      "output or cut at '" +
                      last + "' with \"drop_branches\": true");
  }
}

void insertOperation(Draft& d) {
  const int given = int(d.has("after")) + int(d.has("before")) + int(d.has("between"));
  if (given != 1)
    throw Error(Diagnostic{"insert", "give exactly one of \"after\", \"before\" or \"between\""});
  const char* field = d.has("layer") ? "layer" : "layers";
  if (!d.has(field)) throw Error(Diagnostic{"layer", "missing (the layer to insert)"});
  std::vector<Node> chain = newLayers(d, d.operation().at(field), field);
  recordNames(d.recorded[field], chain);

  std::string from;                  // the producer the new layers read
  std::vector<std::string> targets;  // consumers that read the new layers instead
  bool takesOutput = false;          // whether the new layers replace `from` as a model output
  if (d.has("after")) {
    from = d.stringField("after");
    d.node(from);
    targets = d.consumersOf(from);
    takesOutput = d.isOutput(from);
  } else if (d.has("before")) {
    const std::string before = d.stringField("before");
    const Node& b = d.node(before);
    if (b.inputs.empty())
      throw Error(Diagnostic{before,
                             "is a model input: nothing goes before it (insert with "
                             "\"after\": \"" +
                                 before +
                                 "\" to put a layer right "
                                 "behind it)"});
    if (b.inputs.size() != 1)
      throw Error(Diagnostic{before, "has " + std::to_string(b.inputs.size()) +
                                         " inputs; say which edge with \"between\": [producer, " +
                                         "\"" + before + "\"]"});
    from = b.inputs[0];
    targets = {before};
  } else {
    const auto pair = d.nameList("between");
    if (pair.size() != 2)
      throw Error(Diagnostic{"between", "must name two layers: [producer, consumer]"});
    from = pair[0];
    d.node(from);
    const Node& to = d.node(pair[1]);
    if (std::find(to.inputs.begin(), to.inputs.end(), from) == to.inputs.end())
      throw Error(Diagnostic{
          pair[1], "does not read '" + from + "' directly, so there is no edge to insert on"});
    targets = {pair[1]};
  }

  std::string previous = from;
  for (auto& n : chain) {
    n.inputs = {previous};
    previous = n.name;
    d.addFresh(n.name);
  }
  const std::string last = chain.back().name;
  for (const auto& t : targets) {
    auto& inputs = d.node(t).inputs;
    std::replace(inputs.begin(), inputs.end(), from, last);
  }
  if (takesOutput) std::replace(d.outputs.begin(), d.outputs.end(), from, last);
  // Listed right after the producer, where the layers now sit in the data flow.
  size_t at = d.indexOf(from) + 1;
  for (auto& n : chain) d.insertAt(at++, std::move(n));
}

}  // namespace graft::surgery

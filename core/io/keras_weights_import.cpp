#include "io/keras_weights_import.h"

#include <algorithm>
#include <map>
#include <set>

namespace graft {

std::string WeightLoadReport::describe() const {
  std::string text = "weights matched " +
                     std::string(rule == MatchRule::ByName    ? "by layer name"
                                 : rule == MatchRule::ByOrder ? "by layer order"
                                                              : "by position in the model (Keras "
                                                                "3's layout)") +
                     ": " + std::to_string(loaded.size()) + " layers loaded";
  if (!missing.empty()) text += ", " + std::to_string(missing.size()) + " not in the file";
  if (!unused.empty()) text += ", " + std::to_string(unused.size()) + " file layers unused";
  if (!kernelsFlipped.empty())
    text += "; " + std::to_string(kernelsFlipped.size()) +
            " convolution kernels flipped, as Keras 2 did on loading a file from the Theano "
            "backend (which convolves where TensorFlow correlates)";
  return text;
}

namespace {

// Names Keras 1 and 2 used for the same variable.
std::string canonicalWeightName(const std::string& base) {
  static const std::map<std::string, std::string> aliases = {{"W", "kernel"},
                                                             {"b", "bias"},
                                                             {"running_mean", "moving_mean"},
                                                             {"running_std", "moving_variance"},
                                                             {"depthwise_W", "depthwise_kernel"},
                                                             {"pointwise_W", "pointwise_kernel"}};
  auto it = aliases.find(base);
  return it == aliases.end() ? base : it->second;
}

// For each expected weight, the index of the stored dataset that holds it: by stored name when
// every expected name is found exactly once, by position otherwise (validated by shape later).
std::vector<size_t> datasetOrder(const KerasH5Layer& layer, const std::vector<WeightSpec>& specs) {
  std::vector<size_t> order;
  std::set<size_t> used;
  for (const auto& spec : specs) {
    for (size_t i = 0; i < layer.weightNames.size(); ++i) {
      if (!used.count(i) &&
          canonicalWeightName(weightBaseName(layer.weightNames[i], layer.name)) == spec.name) {
        order.push_back(i);
        used.insert(i);
        break;
      }
    }
  }
  if (order.size() == specs.size()) return order;
  order.clear();
  for (size_t i = 0; i < specs.size(); ++i) order.push_back(i);
  return order;
}

// Theano computes true convolution, TensorFlow (and CNTK) cross-correlation: Keras 1 and 2
// flipped the kernels of these layers when a file came from the other kind of backend
// (keras/engine/saving.py, _need_convert_kernel and convert_kernel; another backend name
// converts nothing).
bool fileConvolves(const KerasH5Reader& file) {
  return file.backend() == "theano";
}

bool hasFlippableKernel(const std::string& className) {
  return className == "Conv1D" || className == "Conv2D" || className == "Conv3D" ||
         className == "Conv2DTranspose";
}

// Every spatial axis reversed (the kernel is (k1, ..., kn, in, out)): in row-major order that
// reverses the spatial index as a whole.
WeightTensor flippedKernel(const WeightTensor& kernel) {
  if (kernel.shape.size() < 3) return kernel;
  int64_t spatial = 1;
  for (size_t i = 0; i + 2 < kernel.shape.size(); ++i) spatial *= kernel.shape[i];
  const int64_t inner = kernel.shape[kernel.shape.size() - 2] * kernel.shape.back();
  std::vector<float> out(static_cast<size_t>(kernel.numel()));
  const float* in = kernel.values();
  for (int64_t s = 0; s < spatial; ++s)
    std::copy(in + s * inner, in + (s + 1) * inner, out.begin() + (spatial - 1 - s) * inner);
  return WeightTensor::fromValues(kernel.shape, std::move(out));
}

void loadLayer(const KerasH5Reader& file, const KerasH5Layer& stored, const Node& node,
               const NodeInfo& info, WeightStore& store, WeightLoadReport& report) {
  const std::string& target = node.name;
  if (stored.weightNames.size() != info.weights.size()) {
    std::string expected;
    for (const auto& w : info.weights) expected += (expected.empty() ? "" : ", ") + w.name;
    throw Error(Diagnostic{
        target, "layer '" + stored.name + "'" +
                    (stored.group.empty() ? "" : " (group " + stored.group + ")") + " in " +
                    file.path() + " has " + std::to_string(stored.weightNames.size()) +
                    " weight arrays, the model expects " + std::to_string(info.weights.size()) +
                    " (" + expected + ")"});
  }
  const auto order = datasetOrder(stored, info.weights);
  std::vector<WeightTensor> tensors;
  for (size_t i = 0; i < info.weights.size(); ++i) {
    try {
      tensors.push_back(file.read(stored, order[i], info.weights[i].shape));
    } catch (const Error& e) {
      // The reader already names its layer; name the model's layer only when it is another.
      const std::string message = e.what();
      if (message.rfind(target + ": ", 0) == 0) throw;
      throw Error(Diagnostic{target, message});
    }
  }
  if (fileConvolves(file) && hasFlippableKernel(node.className) && !tensors.empty()) {
    tensors[0] = flippedKernel(tensors[0]);
    report.kernelsFlipped.push_back(target);
  }
  store.set(target, std::move(tensors));
}

// Keras 3's file lacks a group the model's walk expects: the first such layer, as Keras names
// it, what it expects, and the groups of the file that nothing in the model reads.
std::string keras3MismatchMessage(const KerasH5Reader& file, const std::vector<KerasH5Layer>& all,
                                  const WeightLoadReport& report, const GraphAnalysis& analysis) {
  const std::string& layer = report.missing.front();
  std::string group;
  for (const auto& l : all)
    if (l.name == layer) group = l.group;
  std::string expected;
  if (const NodeInfo* info = analysis.find(layer))
    for (const auto& w : info->weights)
      expected += (expected.empty() ? "" : ", ") + w.name + " " + shapeToString(w.shape);
  std::string text = file.path() + ": no weights for layer '" + layer + "' (group " + group +
                     "/vars, where the model expects " + expected + ")";
  if (report.missing.size() > 1)
    text += " nor for " + std::to_string(report.missing.size() - 1) + " other layers";
  if (!report.unused.empty()) {
    text += "; the file's ";
    for (size_t i = 0; i < report.unused.size() && i < 4; ++i)
      text += (i ? ", " : "") + report.unused[i];
    if (report.unused.size() > 4) text += ", ...";
    text += " belong" + std::string(report.unused.size() == 1 ? "s" : "") +
            " to no layer of this model";
  }
  return text +
         ": it was saved from another model (a Keras 3 file names weights by each layer's "
         "position in the model that saved it, and Keras's load_weights refuses it too); open "
         "the model that saved it";
}

}  // namespace

WeightLoadReport loadKerasWeights(const KerasH5Reader& file, const Graph& graph,
                                  const GraphAnalysis& analysis, WeightStore& store,
                                  const WeightLoadOptions& options) {
  std::vector<const Node*> weighted;
  for (const auto& node : graph.nodes())
    if (const NodeInfo* info = analysis.find(node.name); info && !info->weights.empty())
      weighted.push_back(&node);
  const std::vector<KerasH5Layer> all = file.layersFor(
      graph,
      [&](const Node& node) {
        const NodeInfo* info = analysis.find(node.name);
        return info && !info->weights.empty();
      },
      options.leftOut);
  std::vector<const KerasH5Layer*> stored;
  std::map<std::string, const KerasH5Layer*> byName;
  for (const auto& l : all) {
    byName.emplace(l.name, &l);
    if (!l.weightNames.empty()) stored.push_back(&l);
  }
  std::set<std::string> renamed;  // file layers found under their older name
  for (const auto& [layer, older] : options.fileNames) {
    const auto it = byName.find(older);
    if (byName.count(layer) || it == byName.end()) continue;
    byName.emplace(layer, it->second);
    renamed.insert(older);
  }

  WeightLoadReport report;
  size_t byNameCount = 0;
  for (const Node* n : weighted) {
    auto it = byName.find(n->name);
    byNameCount += it != byName.end() && !it->second->weightNames.empty();
  }

  // Keras 3 names its variables after the model's own layer tree: a layer not found there is
  // missing, never matched by order.
  const bool useOrder = file.layout() == KerasWeightLayout::Keras2 &&
                        byNameCount < weighted.size() && stored.size() == weighted.size() &&
                        !(options.allowMissing && byNameCount > 0);
  if (useOrder) {
    report.rule = MatchRule::ByOrder;
    for (size_t i = 0; i < weighted.size(); ++i) {
      if (!options.only.empty() && !options.only.count(weighted[i]->name)) continue;
      loadLayer(file, *stored[i], *weighted[i], *analysis.find(weighted[i]->name), store, report);
      report.loaded.push_back(weighted[i]->name);
    }
    return report;
  }

  if (file.layout() != KerasWeightLayout::Keras2) report.rule = MatchRule::ByPosition;
  std::set<std::string> modelNames;
  for (const Node* n : weighted) {
    modelNames.insert(n->name);
    auto it = byName.find(n->name);
    if (it != byName.end() && !it->second->weightNames.empty())
      report.loaded.push_back(n->name);
    else
      report.missing.push_back(n->name);
  }
  if (file.layout() == KerasWeightLayout::Keras3) {
    // Keras 3's groups are named by the model's walk, so the walk never meets a group of another
    // model: the file's own tree says which it holds.
    std::set<std::string> walked;
    for (const auto& l : all) walked.insert(l.group);
    for (const auto& group : file.keras3LayerGroups())
      if (!walked.count(group)) report.unused.push_back(group);
  } else {
    for (const auto* l : stored)
      if (!modelNames.count(l->name) && !renamed.count(l->name)) report.unused.push_back(l->name);
  }
  if (!report.missing.empty() && !options.allowMissing) {
    std::string list;
    for (size_t i = 0; i < report.missing.size() && i < 8; ++i)
      list += (i ? ", " : "") + report.missing[i];
    if (report.missing.size() > 8) list += ", ...";
    throw Error(file.path() + ": " + std::to_string(report.missing.size()) +
                " model layers with weights are not in the file (" + list + "); the file has " +
                std::to_string(stored.size()) + " layers with weights, the model " +
                std::to_string(weighted.size()) +
                (file.layout() == KerasWeightLayout::Keras3
                     ? " (a Keras 3 file names weights by the position of each layer in the "
                       "model, so the model must be the one that saved it)"
                     : ", so matching by order is not possible either"));
  }
  // Keras's load_weights walks the model and raises at the first layer whose group is absent
  // (no variables where it expects some): another model's file, whose groups happen to overlap
  // this model's, would otherwise mix its weights with what the layers had before. A file
  // that fits nothing is said by the caller, which knows more about why. Only a file with
  // groups no layer reads is another model's: layers the user added after it was saved (a new
  // head) have no group in it, and loading it keeps what they had, as the GUI promises.
  if (file.layout() == KerasWeightLayout::Keras3 && options.allowMissing && options.only.empty() &&
      !report.missing.empty() && !report.loaded.empty() && !report.unused.empty())
    throw Error(keras3MismatchMessage(file, all, report, analysis));
  if (!options.only.empty())
    report.loaded.erase(
        std::remove_if(report.loaded.begin(), report.loaded.end(),
                       [&](const std::string& name) { return !options.only.count(name); }),
        report.loaded.end());
  for (const auto& name : report.loaded)
    loadLayer(file, *byName.at(name), graph.at(name), *analysis.find(name), store, report);
  return report;
}

}  // namespace graft

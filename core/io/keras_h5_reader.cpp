#include "io/keras_h5_reader.h"

#include "io/keras3_layout.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "io/json_file.h"

namespace graft {

KerasH5Reader::KerasH5Reader(const std::string& path) : file_(h5::File::openReadOnly(path)) {
  readLayout();
}

KerasH5Reader::KerasH5Reader(h5::File file) : file_(std::move(file)) {
  readLayout();
}

KerasH5Reader KerasH5Reader::fromShardIndex(const std::string& indexPath) {
  const Json index = readJsonFile(indexPath, "sharded weights index");
  const auto notAnIndex = [&](const std::string& why) {
    return Error(indexPath + ": not a Keras sharded weights index (" + why + ")");
  };
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw notAnIndex("expected an object with a 'weight_map' object, as save_weights writes");
  // The shards in name order (Keras numbers them: model_00000.weights.h5, ...), each once.
  std::set<std::string> shardNames;
  for (const auto& [group, shards] : index["weight_map"].items()) {
    const Json names = shards.is_array() ? shards : Json::array({shards});
    for (const auto& name : names) {
      if (!name.is_string())
        throw notAnIndex("weight_map['" + group + "'] is not a shard file name");
      const std::string file = name.get<std::string>();
      // A shard lies beside its index: a name with a folder in it could read any file.
      if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
          file.find('\\') != std::string::npos)
        throw notAnIndex("weight_map['" + group + "'] names '" + file +
                         "', not a file beside the index");
      shardNames.insert(file);
    }
  }
  if (shardNames.empty()) throw notAnIndex("its weight_map names no shard files");
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(indexPath).parent_path();
  // Keras 3.10 recorded only the first shard of each group: a shard holding nothing but the
  // later variables of a group is named nowhere. The shards are numbered after the index
  // (x.weights.json: x_00000.weights.h5, x_00001.weights.h5, ...), so those that follow are
  // taken too.
  std::string base = fs::path(indexPath).stem().string();
  for (auto at = base.find(".weights"); at != std::string::npos; at = base.find(".weights"))
    base.erase(at, 8);  // Python's str.replace(".weights", "")
  for (int i = 0; i < 100000; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "_%05d", i);
    const std::string name = base + number + ".weights.h5";
    std::error_code ec;
    if (!fs::exists(folder / name, ec)) break;
    shardNames.insert(name);
  }
  std::vector<h5::File> shards;
  for (const auto& name : shardNames) {
    const fs::path shard = folder / name;
    std::error_code ec;
    if (!fs::exists(shard, ec))
      throw Error(indexPath + ": the shard " + name + " it names is not in " +
                  (folder.empty() ? std::string(".") : folder.string()) +
                  " (the shards of a sharded save stay beside their index)");
    shards.push_back(h5::File::openReadOnly(shard.string()));
  }
  KerasH5Reader reader(std::move(shards.front()));
  if (reader.layout_ != KerasWeightLayout::Keras3)
    throw Error(indexPath + ": its shard " + reader.file_.path() +
                " is not in Keras 3's layout (a sharded save is Keras 3's)");
  reader.indexPath_ = indexPath;
  for (size_t i = 1; i < shards.size(); ++i) reader.otherShards_.push_back(std::move(shards[i]));
  return reader;
}

std::vector<std::string> KerasH5Reader::memberNames(const std::string& group) const {
  std::vector<std::string> names = file_.memberNames(group);
  if (otherShards_.empty()) return names;
  for (const auto& shard : otherShards_)
    for (auto& name : shard.memberNames(group)) names.push_back(std::move(name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

const h5::File& KerasH5Reader::fileHolding(const std::string& object) const {
  if (otherShards_.empty() || file_.exists(object)) return file_;
  for (const auto& shard : otherShards_)
    if (shard.exists(object)) return shard;
  return file_;  // in none: the first says it is missing
}

void KerasH5Reader::readLayout() {
  if (auto config = file_.string(file_.id(), "model_config")) modelConfig_ = *config;
  if (!modelConfig_ && file_.exists(kGraftModelConfigDataset))
    graftModelConfig_ = file_.text(kGraftModelConfigDataset, "the model Graft recorded");
  root_ = file_.exists("model_weights") ? "/model_weights" : "";
  h5::Handle root = file_.openGroup(root_.empty() ? "/" : root_);
  auto names = file_.stringList(root.get(), "layer_names");
  if (!names) {
    // Keras 3 names groups by position; "layers\conv2d" is how Windows builds wrote the path,
    // "_layer_checkpoint_dependencies" the container tf.keras 2.12-2.14 walked.
    bool keras3 = false;
    for (const auto& member : file_.memberNames("/"))
      for (const char* container : {"layers", "_layer_checkpoint_dependencies"})
        keras3 =
            keras3 || member == container || member.rfind(std::string(container) + "\\", 0) == 0;
    if (root_.empty() && keras3) {
      layout_ = KerasWeightLayout::Keras3;
      return;
    }
    throw Error(path() + ": not a Keras weights file (no 'layer_names' attribute" +
                std::string(root_.empty() ? "" : " in /model_weights") +
                ", and no Keras 3 'layers' group)");
  }
  if (auto version = file_.string(root.get(), "keras_version")) kerasVersion_ = *version;
  if (auto backend = file_.string(root.get(), "backend"))
    backend_ = *backend;
  else if (auto top = file_.string(file_.id(), "backend"))
    backend_ = *top;
  for (const auto& name : *names) {
    KerasH5Layer layer{name, {}, {}, {}};
    const std::string group = root_ + "/" + name;
    if (file_.exists(group)) {
      h5::Handle g = file_.openGroup(group);
      if (auto weights = file_.stringList(g.get(), "weight_names")) layer.weightNames = *weights;
    }
    // Keras writes a group for every layer; a missing one means a damaged file unless the
    // layer has no weights, which is all we can assume here.
    for (const auto& w : layer.weightNames) layer.datasets.push_back(group + "/" + w);
    layers_.push_back(std::move(layer));
  }
}

const KerasH5Layer* KerasH5Reader::find(const std::string& layer) const {
  for (const auto& l : layers_)
    if (l.name == layer) return &l;
  return nullptr;
}

std::vector<const KerasH5Layer*> KerasH5Reader::layersWithWeights() const {
  std::vector<const KerasH5Layer*> result;
  for (const auto& l : layers_)
    if (!l.weightNames.empty()) result.push_back(&l);
  return result;
}

namespace {

// "Conv1" from "Conv1/kernel:0" and from "model1/Conv1/kernel:0"; "" without a '/'.
std::string innerLayerOf(const std::string& weightName) {
  const auto last = weightName.rfind('/');
  if (last == std::string::npos) return "";
  const auto before = weightName.rfind('/', last == 0 ? 0 : last - 1);
  const size_t start = before == std::string::npos || before >= last ? 0 : before + 1;
  return weightName.substr(start, last - start);
}

// A Keras 2 nested model's group holds all its layers' weights, trainable ones first: split it
// into one stored layer per inner layer, in order of first appearance.
std::vector<KerasH5Layer> splitNestedModel(const KerasH5Layer& stored) {
  std::vector<KerasH5Layer> inner;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < stored.weightNames.size(); ++i) {
    const std::string layer = innerLayerOf(stored.weightNames[i]);
    if (layer.empty()) return {stored};  // not a nested model's layout after all
    auto [it, added] = index.emplace(layer, inner.size());
    if (added) inner.push_back({layer, {}, {}});
    inner[it->second].weightNames.push_back(stored.weightNames[i]);
    inner[it->second].datasets.push_back(stored.datasets[i]);
  }
  return inner;
}

}  // namespace

std::vector<KerasH5Layer> KerasH5Reader::layersFor(
    const Graph& graph, const std::function<bool(const Node&)>& hasWeights,
    const std::vector<LeftOutModel>& leftOut) const {
  if (layout_ == KerasWeightLayout::Keras3) return keras3LayersFor(graph, hasWeights, leftOut);
  std::set<std::string> nestedModels;
  for (const auto& g : graph.groups()) nestedModels.insert(g.name());
  std::vector<KerasH5Layer> result;
  for (const auto& stored : layers_) {
    if (!graph.find(stored.name) && nestedModels.count(stored.name)) {
      for (auto& layer : splitNestedModel(stored)) result.push_back(std::move(layer));
    } else {
      result.push_back(stored);
    }
  }
  return result;
}

std::vector<KerasH5Layer> KerasH5Reader::keras3LayersFor(
    const Graph& graph, const std::function<bool(const Node&)>& hasWeights,
    const std::vector<LeftOutModel>& leftOut) const {
  // tf.keras 2.12-2.14 walked `_layer_checkpoint_dependencies` instead of `layers`; Windows
  // builds of tf.keras wrote backslashes into single group names.
  Keras3Naming naming;
  bool backslashes = true;
  for (const auto& member : memberNames("/")) {
    if (member == "layers" || member == "_layer_checkpoint_dependencies") backslashes = false;
    if (member == "_layer_checkpoint_dependencies" ||
        member.rfind("_layer_checkpoint_dependencies\\", 0) == 0)
      naming.container = "_layer_checkpoint_dependencies";
  }
  if (backslashes) naming.separator = "\\";
  naming.twoNamesPerWeightedLayer =
      naming.container != "layers" &&
      (kerasVersion_.rfind("2.12", 0) == 0 || kerasVersion_.rfind("2.13", 0) == 0);
  std::vector<KerasH5Layer> result;
  const std::vector<Keras3Entry> entries = keras3Layout(graph, hasWeights, naming, leftOut);
  for (const auto& entry : entries) {
    if (!entry.node) continue;
    KerasH5Layer layer{entry.node->name, {}, {}, entry.path};
    const std::string vars = "/" + entry.path + "/vars";
    for (const auto& member : memberNames(vars))
      if (!member.empty() && member.size() <= 6 &&
          member.find_first_not_of("0123456789") == std::string::npos)
        layer.weightNames.push_back(member);
    std::sort(
        layer.weightNames.begin(), layer.weightNames.end(),
        [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
    for (const auto& w : layer.weightNames) layer.datasets.push_back(vars + "/" + w);
    result.push_back(std::move(layer));
  }
  return result;
}

std::vector<std::string> KerasH5Reader::keras3NestedModelGroups() const {
  std::vector<std::string> nested;
  if (layout_ != KerasWeightLayout::Keras3) return nested;
  for (const auto& group : memberNames("/layers")) {
    const auto members = memberNames("/layers/" + group);
    if (std::find(members.begin(), members.end(), "layers") != members.end())
      nested.push_back(group);
  }
  return nested;
}

std::vector<std::string> KerasH5Reader::keras3LayerGroups() const {
  std::vector<std::string> groups;
  if (layout_ != KerasWeightLayout::Keras3) return groups;
  const auto root = memberNames("/");
  if (std::find(root.begin(), root.end(), "layers") == root.end()) return groups;
  const auto isIndex = [](const std::string& name) {
    return !name.empty() && name.size() <= 6 &&
           name.find_first_not_of("0123456789") == std::string::npos;
  };
  // Keras nests a model's layers under its own `layers/`; the depth bound keeps a crafted file
  // from recursing without end.
  std::function<void(const std::string&, int)> walk = [&](const std::string& container, int depth) {
    if (depth > 16) return;
    for (const auto& member : memberNames("/" + container)) {
      const std::string group = container + "/" + member;
      const auto vars = memberNames("/" + group + "/vars");
      if (std::any_of(vars.begin(), vars.end(), isIndex)) groups.push_back(group);
      walk(group + "/layers", depth + 1);
    }
  };
  walk("layers", 0);
  return groups;
}

Shape KerasH5Reader::shape(const KerasH5Layer& layer, size_t weight) const {
  return fileHolding(layer.datasets.at(weight)).datasetShape(layer.datasets.at(weight));
}

WeightTensor KerasH5Reader::read(const KerasH5Layer& layer, size_t weight,
                                 const Shape& expected) const {
  const Shape actual = shape(layer, weight);
  if (actual != expected)
    // Keras 3 names variables by position ("0"): its dataset path says which layer group.
    throw Error(Diagnostic{layer.name,
                           "weight '" +
                               (layout_ == KerasWeightLayout::Keras3 ? layer.datasets.at(weight)
                                                                     : layer.weightNames[weight]) +
                               "' in " + path() + " has shape " + shapeToString(actual) +
                               ", the model expects " + shapeToString(expected)});
  auto values = std::make_shared<std::vector<float>>(static_cast<size_t>(elementCount(expected)));
  fileHolding(layer.datasets.at(weight))
      .readFloats(layer.datasets.at(weight), values->data(), values->size());
  return {expected, std::move(values)};
}

std::string weightBaseName(const std::string& storedName, const std::string& layerName) {
  std::string base = storedName.substr(storedName.rfind('/') + 1);
  if (auto colon = base.rfind(':'); colon != std::string::npos) base = base.substr(0, colon);
  if (base.rfind(layerName + "_", 0) == 0) base = base.substr(layerName.size() + 1);
  // Keras 1 suffixes a counter when names clash: W_1, b_1.
  if (auto underscore = base.rfind('_');
      underscore != std::string::npos && underscore + 1 < base.size() &&
      base.find_first_not_of("0123456789", underscore + 1) == std::string::npos)
    base = base.substr(0, underscore);
  return base;
}

}  // namespace graft

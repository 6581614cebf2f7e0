#include "io/model_source.h"

#include <filesystem>
#include <fstream>

#include "graph/keras_json.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/project_file.h"
#include "io/recognize.h"

namespace graft {
namespace fs = std::filesystem;

std::string kerasCacheDir(const char* kerasHome, const char* home) {
  if (kerasHome && *kerasHome) return (fs::path(kerasHome) / "models").string();
  return (fs::path(home && *home ? home : ".") / ".keras" / "models").string();
}

std::vector<std::string> readLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read the labels file");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  if (labels.empty()) throw Error(path + ": the labels file is empty (one class name per line)");
  return labels;
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void applyOverrides(const ModelSpec& spec, zoo::ZooOptions& options) {
  if (spec.alpha) options.alpha = *spec.alpha;
  if (spec.inputSize) options.inputSize = *spec.inputSize;
  if (spec.includeTop) options.includeTop = *spec.includeTop;
  if (spec.classes) options.classes = *spec.classes;
  if (!spec.pooling.empty()) options.pooling = spec.pooling;
}

std::vector<std::string> layersWithWeights(const GraphAnalysis& analysis) {
  std::vector<std::string> names;
  for (const auto& [name, info] : analysis.nodes)
    if (!info.weights.empty()) names.push_back(name);
  return names;
}

// Loads what the file has into `model`; layers it lacks get fresh weights and a note.
void fillWeightsFrom(const KerasH5Reader& file, Model& model, const GraphAnalysis& analysis,
                     bool allowMissing, const ModelSpec& spec, std::vector<std::string>& notes,
                     std::vector<std::string>& freshLayers) {
  WeightLoadReport report =
      loadKerasWeights(file, model.graph, analysis, model.weights, {allowMissing});
  notes.push_back(file.path() + ": " + report.describe());
  if (!report.missing.empty()) {
    std::string list;
    for (const auto& m : report.missing) list += (list.empty() ? "" : ", ") + m;
    notes.push_back("freshly initialised (not in " + file.path() + "): " + list);
    initializeWeights(model.graph, analysis, model.weights, spec.seed, report.missing);
    freshLayers = report.missing;
  }
  model.weightsSource = file.path();
}

LoadedModel fromZoo(zoo::ZooOptions options, const ModelSpec& spec, const std::string& weightsFile,
                    bool allowMissing) {
  LoadedModel result;
  Model& model = result.model;
  model.graph = zoo::buildGraph(options);
  model.preprocessing = zoo::preprocessingFor(options.architecture);
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  std::string file = weightsFile;
  if (file.empty()) {
    const std::string standard = zoo::standardWeightsFileName(options);
    if (!standard.empty() && !spec.kerasCacheDir.empty() &&
        fs::exists(fs::path(spec.kerasCacheDir) / standard))
      file = (fs::path(spec.kerasCacheDir) / standard).string();
    else
      result.notes.push_back(
          "no weights file" + (standard.empty() ? std::string() : " " + standard) + " in " +
          (spec.kerasCacheDir.empty() ? std::string("the Keras cache") : spec.kerasCacheDir) +
          ": using random weights (pass --weights FILE to load trained ones)");
  }
  if (file.empty()) {
    initializeWeights(model.graph, analysis, model.weights, spec.seed);
    model.weightsSource = "random initialization (seed " + std::to_string(spec.seed) + ")";
    result.freshLayers = layersWithWeights(analysis);
  } else {
    KerasH5Reader reader(file);
    fillWeightsFrom(reader, model, analysis, allowMissing, spec, result.notes, result.freshLayers);
  }
  return result;
}

LoadedModel fromKerasH5(const ModelSpec& spec) {
  KerasH5Reader reader(spec.source);
  if (reader.modelConfig()) {
    LoadedModel result;
    try {
      result.model.graph = graphFromKerasJsonText(*reader.modelConfig());
    } catch (const Error& e) {
      throw Error(spec.source + ": model_config: " + e.what());
    }
    const GraphAnalysis analysis = analyze(result.model.graph);
    if (!analysis.ok())
      throw Error(spec.source + ": the model in this file is not valid:\n" +
                  joinDiagnostics(analysis.diagnostics));
    fillWeightsFrom(reader, result.model, analysis, false, spec, result.notes, result.freshLayers);
    return result;
  }
  auto recognized = recognizeZooWeights(reader);
  if (!recognized)
    throw Error(spec.source +
                ": a weights-only Keras file that Graft does not recognise as a Keras "
                "Applications model; name the architecture and pass the file as weights, e.g. "
                "`graft-cli summary vgg16 --no-top --weights " +
                spec.source + "` (with --alpha, --classes, --input-size as the file needs)");
  zoo::ZooOptions options = recognized->options;
  applyOverrides(spec, options);
  const bool sameTop = options.includeTop == recognized->options.includeTop &&
                       options.classes == recognized->options.classes;
  LoadedModel result = fromZoo(options, spec, spec.source, !sameTop);
  result.notes.insert(
      result.notes.begin(),
      spec.source + ": recognised as " + options.architecture + " (" + recognized->evidence + ")");
  return result;
}

LoadedModel fromKerasJson(const ModelSpec& spec) {
  std::ifstream in(spec.source);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LoadedModel result;
  try {
    result.model.graph = graphFromKerasJsonText(text);
  } catch (const Error& e) {
    throw Error(spec.source + ": " + e.what());
  }
  const GraphAnalysis analysis = analyze(result.model.graph);
  if (!analysis.ok())
    throw Error(spec.source + ": the model is not valid:\n" +
                joinDiagnostics(analysis.diagnostics));
  if (!spec.weightsFile.empty()) {
    KerasH5Reader reader(spec.weightsFile);
    fillWeightsFrom(reader, result.model, analysis, true, spec, result.notes, result.freshLayers);
  } else {
    initializeWeights(result.model.graph, analysis, result.model.weights, spec.seed);
    result.freshLayers = layersWithWeights(analysis);
    result.model.weightsSource = "random initialization (seed " + std::to_string(spec.seed) + ")";
    result.notes.push_back(spec.source + ": topology only, using random weights");
  }
  return result;
}

LoadedModel fromProject(const ModelSpec& spec) {
  if (!spec.weightsFile.empty())
    throw Error(spec.source +
                ": --weights does not apply to a .graft project (it carries its own "
                "weights)");
  LoadedModel result;
  result.model = loadProject(spec.source);
  return result;
}

}  // namespace

std::optional<zoo::ZooOptions> zooOptionsOf(const ModelSpec& spec) {
  if (!zoo::isArchitecture(lower(spec.source)) || fs::exists(spec.source)) return std::nullopt;
  zoo::ZooOptions options;
  options.architecture = lower(spec.source);
  applyOverrides(spec, options);
  return options;
}

LoadedModel loadModel(const ModelSpec& spec) {
  LoadedModel result;
  const std::string ext = lower(fs::path(spec.source).extension().string());
  if (fs::exists(spec.source)) {
    if (fs::is_directory(spec.source))
      throw Error(spec.source +
                  ": is a folder; expected a Keras .h5, a .json model_config or a "
                  ".graft project");
    if (ext == ".json")
      result = fromKerasJson(spec);
    else if (ext == ".graft")
      result = fromProject(spec);
    else
      result = fromKerasH5(spec);  // any other extension: try it as Keras HDF5
  } else if (const auto options = zooOptionsOf(spec)) {
    result = fromZoo(*options, spec, spec.weightsFile, true);
  } else {
    std::string names;
    for (const auto& a : zoo::architectures()) names += (names.empty() ? "" : ", ") + a;
    throw Error(spec.source + ": no such file, and not a zoo architecture (" + names + ")");
  }
  if (spec.preprocessing) result.model.preprocessing = preprocessingFromName(*spec.preprocessing);
  if (!spec.labelsFile.empty()) result.model.labels = readLabels(spec.labelsFile);
  return result;
}

}  // namespace graft

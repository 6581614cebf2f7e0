#include "io/project_file.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "graph/keras_json.h"
#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/recipe.h"

namespace graft {
namespace fs = std::filesystem;
namespace {

constexpr const char* kJsonDataset = "/graft_project";
constexpr const char* kVersionAttribute = "graft_format_version";
constexpr const char* kWeightsGroup = "/model_weights";

Json projectJson(const Model& model, const GraphAnalysis& analysis) {
  Json inputs = Json::object();
  for (const auto& name : model.graph.inputs())
    inputs[name] = model.graph.at(name).config.at("batch_input_shape");
  Json frozen = Json::array();
  for (const auto& n : model.graph.nodes())
    if (!n.trainable) frozen.push_back(n.name);
  Json labels = Json::array();
  for (const auto& l : model.labels) labels.push_back(l);
  Json untrained = Json::array();
  for (const auto& l : model.untrainedLayers) untrained.push_back(l);
  Json project = {{"format", "graft-project"},
                  {"format_version", kProjectFormatVersion},
                  {"written_by", std::string("graft ") + GRAFT_VERSION},
                  {"model_config", graphToKerasJson(model.graph)},
                  {"preprocessing", preprocessingName(model.preprocessing)},
                  {"labels", labels},
                  {"weights_source", model.weightsSource},
                  {"recipe", recipeDocument(model.recipe)},
                  {"untrained_layers", untrained},
                  {"trained_input_size", model.trainedInputSize},
                  {"view", {{"collapsed_groups", model.collapsedGroups}}},
                  {"summary",
                   {{"inputs", inputs},
                    {"frozen", frozen},
                    {"total_params", analysis.totalParams},
                    {"trainable_params", analysis.trainableParams}}}};
  // Written since session 28, where the Keras file had any.
  if (!model.kerasLeftOut.empty()) {
    Json leftOut = Json::array();
    for (const auto& m : model.kerasLeftOut)
      leftOut.push_back(
          {{"container", m.container}, {"class_name", m.className}, {"before", m.before}});
    project["keras_left_out"] = leftOut;
  }
  return project;
}

void writeWeights(const h5::File& file, const Model& model, const GraphAnalysis& analysis) {
  h5::Handle root = file.createGroup(kWeightsGroup);
  std::vector<std::string> layerNames;
  for (const auto& n : model.graph.nodes()) layerNames.push_back(n.name);
  file.writeStringList(root.get(), "layer_names", layerNames);
  // Declares the layout (Keras 2 save(), TensorFlow kernel order), which is what Keras's own
  // loaders look at; the weights themselves are Graft's.
  file.writeString(root.get(), "backend", "tensorflow");
  file.writeString(root.get(), "keras_version", "2.15.0");
  for (const auto& n : model.graph.nodes()) {
    const std::string group = std::string(kWeightsGroup) + "/" + n.name;
    h5::Handle g = file.createGroup(group);
    const NodeInfo* info = analysis.find(n.name);
    std::vector<std::string> names;
    const auto* tensors = model.weights.find(n.name);
    if (info)
      for (const auto& spec : info->weights) names.push_back(n.name + "/" + spec.name + ":0");
    file.writeStringList(g.get(), "weight_names", names);
    for (size_t i = 0; i < names.size(); ++i) {
      const WeightTensor& t = (*tensors)[i];
      if (t.numel() != elementCount(t.shape))
        throw Error(Diagnostic{n.name, "weight '" + info->weights[i].name + "' of shape " +
                                           shapeToString(t.shape) + " holds " +
                                           std::to_string(t.numel()) + " values"});
      file.writeFloatsChecksummed(group + "/" + names[i], t.shape, t.values());
    }
  }
}

}  // namespace

void saveProject(const Model& model, const std::string& path) {
  const GraphAnalysis analysis = analyze(model.graph);
  if (!analysis.ok())
    throw Error(path + ": not saved, the model is not valid:\n" +
                joinDiagnostics(analysis.diagnostics));
  const Diagnostics misfits = checkWeights(model.graph, analysis, model.weights);
  if (!misfits.empty())
    throw Error(path + ": not saved, weights do not fit the model:\n" + joinDiagnostics(misfits));

  // Through writeAtomically, whose temporary files carry the mark an interrupted graft-cli
  // removes (cli/interrupt.h) and take the user's umask.
  writeAtomically(path, [&](const std::string& temp) {
    h5::File file = h5::File::createInMemory(temp);
    {
      h5::Handle root = file.openGroup("/");
      file.writeString(root.get(), kVersionAttribute, std::to_string(kProjectFormatVersion));
      file.writeText(kJsonDataset, projectJson(model, analysis).dump());
      writeWeights(file, model, analysis);
    }
    file.close();  // written to disk here
  });
}

Model loadProject(const std::string& path) {
  h5::File file = h5::File::openReadOnly(path);
  h5::Handle root = file.openGroup("/");
  auto version = file.string(root.get(), kVersionAttribute);
  if (!version)
    throw Error(path + ": not a Graft project (no '" + std::string(kVersionAttribute) +
                "' attribute)");
  const int number = std::atoi(version->c_str());
  if (number < 1)
    throw Error(path + ": the project format version '" + *version + "' is not a number");
  // Checked before anything else is read: a newer version may store the rest differently.
  if (number > kProjectFormatVersion)
    throw Error(path + ": written by a newer Graft (project format version " + *version +
                "); this build reads versions up to " + std::to_string(kProjectFormatVersion) +
                ", so update Graft to open it");
  if (!file.exists(kJsonDataset))
    throw Error(path + ": not a Graft project (no '" + kJsonDataset + "' dataset)");

  Json project;
  try {
    project = Json::parse(file.text(kJsonDataset, "the project description"),
                          jsonInputGuard(path + ": the project description"));
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e999
    throw Error(path + ": the project description is not valid JSON (damaged file?): " + e.what());
  }
  auto field = [&](const char* key) -> const Json& {
    if (!project.contains(key)) throw Error(path + ": project field '" + key + "' is missing");
    return project.at(key);
  };
  // The attribute said which version to read; the description must agree (a file whose
  // attribute and JSON disagree was put together by something else).
  const auto format = project.find("format");
  const auto formatVersion = project.find("format_version");
  if (format == project.end() || *format != "graft-project")
    throw Error(path + ": the project description's 'format' is not \"graft-project\"");
  if (formatVersion == project.end() || !formatVersion->is_number_integer() ||
      *formatVersion != number)
    throw Error(path + ": the project description's 'format_version' (" +
                (formatVersion == project.end() ? std::string("missing") : formatVersion->dump()) +
                ") differs from the file's " + kVersionAttribute + " (" + *version + ")");
  Model model;
  try {
    model.graph = graphFromKerasJson(field("model_config"));
    model.preprocessing = preprocessingFromName(field("preprocessing").get<std::string>());
    for (const auto& l : field("labels")) model.labels.push_back(l.get<std::string>());
    model.weightsSource = field("weights_source").get<std::string>();
    model.recipe = recipeOperations(field("recipe"), "recipe");
    if (project.contains("untrained_layers"))
      for (const auto& l : project.at("untrained_layers"))
        model.untrainedLayers.push_back(l.get<std::string>());
    else
      model.untrainedLayers = layersAddedByRecipe(model.recipe);
    // Written since session 24; older projects have none (0: never trained at a free size).
    if (project.contains("trained_input_size")) {
      model.trainedInputSize = project.at("trained_input_size").get<int64_t>();
      if (model.trainedInputSize < 0 || model.trainedInputSize > 16384)
        throw Error("'trained_input_size' must be a side from 0 to 16384 pixels, got " +
                    std::to_string(model.trainedInputSize));
    }
    // Written since session 27. Only what the GUI shows: a group the model no longer has is
    // left out rather than refused.
    if (project.contains("keras_left_out"))
      for (const auto& m : project.at("keras_left_out"))
        model.kerasLeftOut.push_back({m.at("container").get<std::string>(),
                                      m.at("class_name").get<std::string>(),
                                      m.at("before").get<std::string>()});
    if (project.contains("view") && project.at("view").contains("collapsed_groups"))
      for (const auto& g : project.at("view").at("collapsed_groups"))
        if (model.graph.findGroup(g.get<std::string>()))
          model.collapsedGroups.push_back(g.get<std::string>());
  } catch (const Json::exception& e) {
    throw Error(path + ": a project field has the wrong type: " + e.what());
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(path, 0) == 0) throw;
    throw Error(path + ": " + e.what());
  }
  const GraphAnalysis analysis = analyze(model.graph);
  if (!analysis.ok())
    throw Error(path + ": the model in this project is not valid:\n" +
                joinDiagnostics(analysis.diagnostics));
  WeightLoadReport report;
  try {
    KerasH5Reader reader(path);
    report = loadKerasWeights(reader, model.graph, analysis, model.weights);
  } catch (const Error& e) {
    throw Error(path + ": cannot read the weights: " + e.what());
  }
  if (report.rule == MatchRule::ByOrder)
    throw Error(path +
                ": the stored weights do not match the project's layer names (damaged "
                "file?)");
  return model;
}

}  // namespace graft

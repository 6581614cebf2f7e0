#include "io/model_source.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <pwd.h>
#include <unistd.h>

#include "graph/analysis.h"
#include "graph/image_resize.h"
#include "graph/keras_json.h"
#include "graph/keras_op_layers.h"
#include "graph/layer_registry.h"
#include "io/file_format.h"
#include "io/graft_metadata.h"
#include "io/keras_archive.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/labels_file.h"
#include "io/project_file.h"
#include "io/recognize.h"
#include "io/zoo/layer_family.h"
#include "io/zoo_option_error.h"

namespace graft {
namespace fs = std::filesystem;

std::string kerasCacheDir(const char* kerasHome, const char* home) {
  if (kerasHome && *kerasHome) return (fs::path(kerasHome) / "models").string();
  if (home && *home) return (fs::path(home) / ".keras" / "models").string();
  // HOME unset (a CI container): the user's home from the password database, as Python's
  // expanduser("~") finds it; "./.keras" put downloads in the checkout.
  if (const passwd* user = ::getpwuid(::getuid()); user && user->pw_dir && *user->pw_dir)
    return (fs::path(user->pw_dir) / ".keras" / "models").string();
  return (fs::path(".") / ".keras" / "models").string();
}

std::vector<std::string> readLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read the labels file");
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::string> labels = parseLabels(text.str());
  if (labels.empty()) throw Error(path + ": the labels file is empty (one class name per line)");
  return labels;
}

namespace {

// The length of the model's one output when it is a vector per image (N, classes): what a
// labels file must name.
std::optional<int64_t> classVectorSize(const Graph& graph) {
  if (graph.outputs().size() != 1) return std::nullopt;
  const GraphAnalysis analysis = analyze(graph);
  const NodeInfo* out = analysis.find(graph.outputs().front());
  if (!out || out->outputShape.size() != 2) return std::nullopt;
  return out->outputShape.back();
}

// Class names from a labels file next to the model (Teachable Machine's labels.txt ...), used
// when their count matches the model's output; said either way.
void labelsFromBeside(const std::string& modelPath, LoadedModel& loaded) {
  const auto path = findLabelsBeside(modelPath);
  if (!path) return;
  std::vector<std::string> labels;
  try {
    labels = readLabels(*path);
  } catch (const Error&) {
    return;  // an unreadable or empty file beside the model is not the model's problem
  }
  const std::string name = fs::path(*path).filename().string();
  const std::optional<int64_t> classes = classVectorSize(loaded.model.graph);
  if (!classes) return;  // no class vector to name
  if (*classes != static_cast<int64_t>(labels.size())) {
    loaded.notes.push_back(name + " beside the model was not used: it names " +
                           classesCount(static_cast<int64_t>(labels.size())) + ", the model has " +
                           std::to_string(*classes));
    return;
  }
  loaded.model.labels = std::move(labels);
  loaded.notes.push_back(kClassNamesNote + name + " beside the model");
}

// NaN or infinite weights (a diverged training run saved anyway) make every output NaN: said
// when the model opens, naming the layers, instead of predictions printed as -nan.
void noteNonFiniteWeights(LoadedModel& loaded) {
  std::vector<std::string> layers;
  for (const auto& node : loaded.model.graph.nodes()) {
    const auto* tensors = loaded.model.weights.find(node.name);
    if (!tensors) continue;
    for (const auto& tensor : *tensors) {
      const float* v = tensor.values();
      if (v && !std::all_of(v, v + tensor.numel(), [](float x) { return std::isfinite(x); })) {
        layers.push_back(node.name);
        break;
      }
    }
  }
  // A variance below -epsilon is the square root of a negative number in every output.
  std::vector<std::string> negativeVariance;
  for (const auto& node : loaded.model.graph.nodes()) {
    const auto* tensors = loaded.model.weights.find(node.name);
    if (node.className != "BatchNormalization" || !tensors || tensors->empty()) continue;
    const WeightTensor& variance = tensors->back();  // moving_variance is always last
    const float epsilon = node.config.value("epsilon", 1e-3f);
    const float* v = variance.values();
    if (v && std::any_of(v, v + variance.numel(), [&](float x) { return x + epsilon < 0; }))
      negativeVariance.push_back(node.name);
  }
  const auto few = [](const std::vector<std::string>& names) {
    std::string list;
    for (size_t i = 0; i < names.size() && i < 6; ++i) list += (i ? ", " : "") + names[i];
    return names.size() > 6 ? list + ", ..." : list;
  };
  if (!layers.empty())
    loaded.notes.push_back("warning: " + std::to_string(layers.size()) +
                           " layers hold NaN or infinite weights (" + few(layers) +
                           "): the model's outputs will not be numbers; was it saved from a run "
                           "that diverged?");
  if (!negativeVariance.empty())
    loaded.notes.push_back("warning: BatchNormalization with a negative moving_variance (" +
                           few(negativeVariance) +
                           "): its outputs will be NaN; a variance is never negative, so the "
                           "file's weights are damaged");
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void applyOverrides(const ModelSpec& spec, zoo::ZooOptions& options) {
  // Options the architecture does not have are refused, as below: `summary vgg16 --alpha 0.5`
  // used to print the plain VGG16 as if it were what was asked for.
  if (spec.alpha && !zoo::hasAlpha(options.architecture))
    throw ZooOptionRefused("alpha", options.architecture +
                                        ": alpha (the width multiplier) is an option of "
                                        "MobileNet, MobileNetV2 and MobileNetV3 only");
  if (spec.alpha) options.alpha = *spec.alpha;
  if (spec.inputSize) options.inputSize = *spec.inputSize;
  if (spec.includeTop) options.includeTop = *spec.includeTop;
  if (spec.classes) options.classes = *spec.classes;
  if (spec.classes && !options.includeTop)
    throw ZooOptionRefused(
        "classes",
        options.architecture +
            ": classes sizes the classification top, and this model is asked without one "
            "(no top): keep the top, or leave classes out and stack your own head");
  if (!spec.pooling.empty()) options.pooling = spec.pooling;
  // Refused rather than ignored: a user who asks for a minimalistic ResNet would otherwise get
  // the full one without a word.
  const bool v3 = zoo::familyOf(options.architecture) == "MobileNetV3";
  auto refuse = [&](const char* option) {
    throw ZooOptionRefused(option, options.architecture + ": " + option +
                                       " is an option of MobileNetV3Small and MobileNetV3Large "
                                       "only");
  };
  if (spec.minimalistic) {
    if (!v3) refuse("minimalistic");
    options.minimalistic = *spec.minimalistic;
  }
  if (spec.includePreprocessing) {
    if (!zoo::hasPreprocessingOption(options.architecture))
      throw ZooOptionRefused("include_preprocessing",
                             options.architecture +
                                 ": include_preprocessing is an option of MobileNetV3, "
                                 "EfficientNetV2 and ConvNeXt only");
    options.includePreprocessing = *spec.includePreprocessing;
  }
  if (spec.dropoutRate) {
    if (!v3) refuse("dropout_rate");
    options.dropoutRate = *spec.dropoutRate;
  }
}

std::vector<std::string> layersWithWeights(const GraphAnalysis& analysis) {
  std::vector<std::string> names;
  for (const auto& [name, info] : analysis.nodes)
    if (!info.weights.empty()) names.push_back(name);
  return names;
}

// Loads what the file has into `model`; layers it lacks get fresh weights and a note.
// Where the layers a weights file lacks get theirs: Keras's initialisers (no `path`), or the
// model file's own weights: --weights over a model file that has weights keeps the model's for
// the layers it lacks, as Keras's load_weights(by_name=True) does. Read only when some lack.
struct WeightsForTheRest {
  std::string path;  // the model file
  // Reads these layers' weights from it (only these: the others come from --weights).
  std::function<WeightStore(const std::set<std::string>& layers)> read;
};

// Returns the layers the file gave.
std::vector<std::string> fillWeightsFrom(const KerasH5Reader& file, Model& model,
                                         const GraphAnalysis& analysis, bool allowMissing,
                                         uint64_t freshSeed, std::vector<std::string>& notes,
                                         std::vector<std::string>& freshLayers,
                                         std::map<std::string, std::string> fileNames = {},
                                         const WeightsForTheRest& rest = {}) {
  WeightLoadReport report =
      loadKerasWeights(file, model.graph, analysis, model.weights,
                       {allowMissing, std::move(fileNames), {}, model.kerasLeftOut});
  notes.push_back(file.path() + ": " + report.describe());
  // Nothing matched: the file belongs to another architecture, and going on would give the user
  // a randomly initialised network under the file's name.
  if (report.loaded.empty() && !report.missing.empty()) {
    const auto few = [](const std::vector<std::string>& names) {
      std::string list;
      for (size_t i = 0; i < names.size() && i < 4; ++i)
        list += (list.empty() ? "" : ", ") + names[i];
      return list + (names.size() > 4 ? ", ..." : "");
    };
    std::string fileSide =
        report.unused.empty()
            ? "the file has no layer with weights"
            : "the file's " + std::to_string(report.unused.size()) + ": " + few(report.unused);
    // Keras 3 names weights by the model's own layer tree: a file saved from a nested model
    // (a Teachable Machine export, or Graft's keras-weights export of one) has its layers
    // under the nested model's group, which a flat model of the same layers does not walk.
    const std::vector<std::string> nested = file.keras3NestedModelGroups();
    std::string question = "are these the weights of another architecture or size?";
    // (Keras 3's file lists its groups as unused then: every one is the nested model's.)
    if ((report.unused.empty() || file.layout() == KerasWeightLayout::Keras3) && !nested.empty() &&
        model.graph.groups().empty()) {
      fileSide = "the file keeps its weights grouped by nested model, under layers/" +
                 nested.front() + "/layers/, and this model is flat";
      question =
          "load them onto the nested model they were saved from (a .keras export of a nested "
          "model is written flat; its keras-weights export keeps the nesting)";
    }
    throw Error(file.path() + ": none of its layers fits the model (" +
                std::to_string(report.missing.size()) + " layers with weights: " +
                few(report.missing) + "; " + fileSide + "): " + question);
  }
  model.weightsSource = file.path();
  if (report.missing.empty()) return report.loaded;
  const auto commaList = [](const std::vector<std::string>& names) {
    std::string list;
    for (size_t i = 0; i < names.size() && i < 12; ++i) list += (i ? ", " : "") + names[i];
    if (names.size() > 12) list += ", ... (" + std::to_string(names.size()) + " layers)";
    return list;
  };
  std::vector<std::string> fresh = report.missing;
  if (!rest.path.empty()) {
    WeightStore own;
    try {
      own = rest.read(std::set<std::string>(report.missing.begin(), report.missing.end()));
    } catch (const Error& e) {
      // The model file's own weights do not fit (damaged, another size): the layers --weights
      // lacks start fresh, as they did before a model file could give them.
      notes.push_back("the weights of " + rest.path + " could not be used for the layers " +
                      file.path() + " lacks (" + e.what() + ")");
    }
    std::vector<std::string> kept;
    fresh.clear();
    for (const std::string& layer : report.missing) {
      if (const auto* weights = own.find(layer)) {
        model.weights.set(layer, *weights);
        kept.push_back(layer);
      } else {
        fresh.push_back(layer);
      }
    }
    if (!kept.empty()) {
      notes.push_back("kept from " + rest.path + " (not in " + file.path() +
                      "): " + commaList(kept));
      model.weightsSource = file.path() + ", the other layers' from " + rest.path;
    }
  }
  if (fresh.empty()) return report.loaded;
  notes.push_back("freshly initialised (not in " + file.path() +
                  (rest.path.empty() ? std::string() : " nor " + rest.path) +
                  "): " + commaList(fresh));
  for (auto& note : initializeWeights(model.graph, analysis, model.weights, freshSeed, fresh))
    notes.push_back(std::move(note));
  freshLayers = fresh;
  return report.loaded;
}

// The weights a model file holds for `graph`, as WeightsForTheRest reads them (by name, or by
// order as Keras does for a file of the same architecture).
WeightsForTheRest weightsOf(const KerasH5Reader& file, Graph graph, GraphAnalysis analysis,
                            std::map<std::string, std::string> fileNames = {}) {
  return {file.path(), [&file, graph = std::move(graph), analysis = std::move(analysis),
                        fileNames = std::move(fileNames)](const std::set<std::string>& layers) {
            WeightStore store;
            loadKerasWeights(file, graph, analysis, store, {true, fileNames, layers});
            return store;
          }};
}

// Keras 3's sharded save (save_weights("x.weights.json", max_shard_size=...)): a JSON index
// naming the shards.
// `text` is the file's: parsed only when it mentions a weight_map (a model's config can be large).
bool isShardIndex(const std::string& text) {
  if (text.find("\"weight_map\"") == std::string::npos) return false;
  const Json index = Json::parse(text, nullptr, false);
  return index.is_object() && index.contains("weight_map");
}

std::string textOf(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A weights file as the user gives it: a Keras .h5 / .weights.h5, or a .keras archive (its
// model.weights.h5), whatever its name says.
KerasH5Reader openWeights(const std::string& path) {
  const FileFormat format = detectFileFormat(path);
  if (format == FileFormat::Zip) return readKerasArchive(path).weightsReader();
  if (format == FileFormat::JsonText && isShardIndex(textOf(path)))
    return KerasH5Reader::fromShardIndex(path);
  if (format != FileFormat::Hdf5)
    throw Error(path +
                ": not a Keras weights file (expected HDF5 or a .keras archive; the file is " +
                describeFileFormat(format) + ")");
  return KerasH5Reader(path);
}

// A Keras file records no preprocessing. A model that scales its own input (Rescaling,
// Normalization first) takes raw pixels; a Keras Applications base inside a user's model (a
// Teachable Machine export holds MobileNetV2) takes that family's; otherwise raw pixels. The
// choice is said, with the flag that changes it.
// Arithmetic with a constant on the pixels: how a `preprocess_input(inputs)` (or `x / 255.0`)
// inside a model is saved, as tf.keras's TFOpLambda (tf.math.truediv ...) and Keras 3's
// operations (Divide ...) both read.
bool scalesByAConstant(const Node& node) {
  if (node.className != "TFOpLambda") return false;
  const OpFunction* function = findOpFunction(node.config.value("function", std::string()));
  if (!function || function->arity != 2 || function->operation == "maximum" ||
      function->operation == "minimum")
    return false;
  const Json operands = node.config.value("operands", Json::array());
  return std::any_of(operands.begin(), operands.end(),
                     [](const Json& operand) { return !operand.is_null(); });
}

// The layer through which the model scales its own pixels, when its input reaches one before
// anything else: Rescaling, Normalization or constant arithmetic, past layers that are the
// identity at inference (noise, dropout: a GaussianNoise before Rescaling is common).
const Node* ownPixelScaling(const Graph& graph) {
  const LayerRegistry& registry = LayerRegistry::standard();
  const auto scales = [](const Node& node) {
    return node.className == "Rescaling" || node.className == "Normalization" ||
           scalesByAConstant(node);
  };
  for (const auto& input : graph.inputs()) {
    // Any consumer of the input itself (it may also feed another branch), then a chain of
    // single consumers through layers that leave the pixel values as they are.
    for (const auto& consumer : graph.consumers(input))
      if (scales(graph.at(consumer))) return &graph.at(consumer);
    std::vector<std::string> reached = graph.consumers(input);
    for (size_t hops = 0; hops < graph.size() && reached.size() == 1; ++hops) {
      const Node& node = graph.at(reached.front());
      if (scales(node)) return &node;
      // Dropout and noise (identities at inference), and a resize or crop: the pixels stay
      // what they were (Cropping2D too: Keras 3.6/3.7's RandomCrop is read as one, and the
      // model's Rescaling after it was missed, so the images were scaled twice).
      const LayerType* type = registry.find(node.className);
      const bool keepsPixelValues =
          type && (type->category == LayerCategory::Regularization ||
                   node.className == "Resizing" || node.className == "CenterCrop" ||
                   node.className == "RandomCrop" || node.className == "Cropping2D");
      if (!keepsPixelValues) break;
      reached = graph.consumers(node.name);
    }
  }
  return nullptr;
}

void choosePreprocessing(const ModelSpec& spec, LoadedModel& result) {
  const Graph& graph = result.model.graph;
  if (spec.preprocessing) {
    // Graft's own advice elsewhere is to give --preprocessing unit: here it scales twice.
    if (const Node* own = ownPixelScaling(graph); own && *spec.preprocessing != "none")
      result.notes.push_back(
          "warning: preprocessing '" + *spec.preprocessing + "' as asked, but the model's own " +
          (own->className == "TFOpLambda" ? std::string("arithmetic") : own->className + " layer") +
          " '" + own->name +
          "' scales the pixels too: they are scaled twice (--preprocessing "
          "none lets the model do it)");
    return;
  }
  if (const Node* own = ownPixelScaling(graph)) {
    result.model.preprocessing = Preprocessing::None;
    const std::string what =
        own->className == "TFOpLambda" ? "arithmetic" : own->className + " layer";
    result.notes.push_back("preprocessing: none, the model's own " + what + " '" + own->name +
                           "' scales the pixels (0..255)");
    return;
  }
  if (const auto family = zoo::familyOfLayers(graph)) {
    result.model.preprocessing = family->preprocessing;
    result.notes.push_back(
        "preprocessing: '" + preprocessingName(family->preprocessing) + "', as Keras's " +
        family->family +
        " (whose layers this model contains) expects; the file does not "
        "record it; --preprocessing (in Graft: Model > Input Preprocessing) changes it");
    return;
  }
  result.model.preprocessing = Preprocessing::None;
  result.notes.push_back(
      "preprocessing: the file does not record it; assuming none (pixels 0..255 as they are). "
      "If the model was trained on scaled pixels, give --preprocessing unit (x/255), tf "
      "(x/127.5 - 1), caffe or torch (in Graft: Model > Input Preprocessing)");
}

bool isProjectFile(const std::string& path) {
  try {
    return h5::File::openReadOnly(path).exists("graft_project");
  } catch (const Error&) {
    return false;
  }
}

// A Keras file's topology into a model, checked. `kerasVersion`: the Keras the file says wrote it
// ("" when it does not), which decides what some names mean (graph/keras_json.h).
// A model file carries its own architecture: the zoo's options (--alpha, --include-top ...) would
// be ignored, so naming one is refused; --input-size only where it picks the size of a free
// input (None x None) or names the size the file has.
void checkArchitectureOptions(const ModelSpec& spec, const Graph& graph) {
  const auto refuse = [&](const std::string& option) {
    throw Error(Diagnostic{option, spec.source + " holds its own architecture, so " + option +
                                       " (an option of zoo architectures and of weights-only "
                                       "files Graft recognises) does not apply; change the model "
                                       "with graft-cli edit or in the workbench"});
  };
  if (spec.alpha) refuse("--alpha");
  if (spec.includeTop) refuse(*spec.includeTop ? "--include-top" : "--no-top");
  if (spec.classes) refuse("--classes");
  if (!spec.pooling.empty()) refuse("--pooling");
  if (spec.minimalistic) refuse("--minimalistic");
  if (spec.includePreprocessing) refuse("--include-preprocessing");
  if (spec.dropoutRate) refuse("--dropout-rate");
  if (spec.inputSize && *spec.inputSize <= 0)
    throw Error(Diagnostic{"--input-size", std::to_string(*spec.inputSize) +
                                               ": expected a positive number of pixels (the "
                                               "height and width of " +
                                               spec.source + "'s free input)"});
  if (!spec.inputSize || graph.inputs().size() != 1) return;
  const GraphAnalysis analysis = analyze(graph);
  const NodeInfo* input = analysis.find(graph.inputs().front());
  if (!input || input->outputShape.size() != 4) return;
  const int64_t height = input->outputShape[1], width = input->outputShape[2];
  if ((height == kUnknown || height == *spec.inputSize) &&
      (width == kUnknown || width == *spec.inputSize))
    return;
  throw Error(
      Diagnostic{"--input-size", std::to_string(*spec.inputSize) + ": " + spec.source +
                                     " takes inputs of " + shapeToString(input->outputShape) +
                                     "; change its input size with a recipe's set_input_shape "
                                     "(graft-cli edit) or in the workbench"});
}

LoadedModel fromTopology(const std::string& source, const std::string& topologyText,
                         const std::string& kerasVersion, const std::string& what) {
  LoadedModel result;
  try {
    const Json config = parseBoundedJson(topologyText, what);
    result.model.graph = graphFromKerasJson(config, LayerRegistry::standard(), kerasVersion);
    result.model.kerasLeftOut = nestedModelsLeftOut(config);
    if (const std::string policy = mixedPrecisionPolicyOf(config); !policy.empty())
      result.notes.push_back(
          "the model was built with Keras's " + policy +
          " policy (its layers computed in 16 bits): Graft computes in float32, so outputs "
          "differ from Keras's in about the third decimal");
    if (const ChannelsFirstCount cf = channelsFirstLayersOf(config); cf.layers > 0) {
      size_t permutes = 0;
      for (const auto& node : result.model.graph.nodes()) permutes += node.className == "Permute";
      const size_t added = permutes - std::min(permutes, cf.permutes);
      result.notes.push_back(
          "the model is channels_first (" + std::to_string(cf.layers) +
          " layers say data_format \"channels_first\"): Graft reads it as channels_last with the "
          "same weights, so images go in as height x width x channels and the Keras files it "
          "exports are channels_last" +
          (added == 0 ? std::string()
           : added == 1
               ? std::string("; a Permute layer gives a layer that works on Keras's axis order "
                             "(Flatten, Dense on images, Reshape, ...) that order")
               : "; " + std::to_string(added) +
                     " Permute layers give the layers that work on Keras's axis order (Flatten, "
                     "Dense on images, Reshape, ...) that order"));
    }
    if (const std::string named = namedInputsAndOutputsOf(config); !named.empty())
      result.notes.push_back(
          "the model names its " + named +
          ": Graft keeps the layers, not the names, so a Keras file it exports takes and "
          "returns plain tensors (model(x), not model({...})[name])");
    for (const auto& note : randomCropsReadByVersion(config, result.model.graph, kerasVersion))
      result.notes.push_back(note);
    const std::vector<std::string> augmentation = augmentationLayersLeftOut(config);
    if (!augmentation.empty()) {
      std::string list;
      for (const auto& layer : augmentation) list += (list.empty() ? "" : ", ") + layer;
      result.notes.push_back(
          "left out " + list +
          ": Keras's augmentation layers pass images unchanged outside training; to augment "
          "while training, use --augment or the training panel's Augmentation");
    }
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  // Keras itself builds such a model ([] or "layers": []), but it computes nothing: opening it
  // would print an empty summary and fail later, somewhere less clear.
  if (result.model.graph.size() == 0) throw Error(source + ": the model has no layers");
  const GraphAnalysis analysis = analyze(result.model.graph);
  if (!analysis.ok())
    throw Error(source + ": the model in this file is not valid:\n" +
                joinDiagnostics(analysis.diagnostics));
  return result;
}

// The zoo model `options` describe, built as `graph` (zoo::buildGraph(options): a caller that
// looked at it already passes it on rather than build it twice).
LoadedModel fromZooGraph(Graph graph, const zoo::ZooOptions& options, const ModelSpec& spec,
                         const std::string& weightsFile, bool allowMissing,
                         const WeightsForTheRest& rest = {}) {
  LoadedModel result;
  Model& model = result.model;
  model.graph = std::move(graph);
  model.preprocessing = zoo::preprocessingFor(options);
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  std::string file = weightsFile;
  if (file.empty()) {
    const std::string standard = zoo::standardWeightsFileName(options);
    if (!standard.empty() && !spec.kerasCacheDir.empty() &&
        fs::exists(fs::path(spec.kerasCacheDir) / standard))
      file = (fs::path(spec.kerasCacheDir) / standard).string();
    else if (standard.empty())
      result.notes.push_back(options.architecture +
                             ": Keras publishes no weights for these options: using random "
                             "weights (pass --weights FILE to load trained ones; in Graft, open "
                             "the weights file itself)");
    else
      result.notes.push_back(
          "no weights file " + standard + " in " +
          (spec.kerasCacheDir.empty() ? std::string("the Keras cache") : spec.kerasCacheDir) +
          ": using random weights (pass --weights FILE to load trained ones; in Graft, open "
          "the weights file itself or download Keras's)");
  }
  if (file.empty()) {
    for (auto& note : initializeWeights(model.graph, analysis, model.weights, spec.seed))
      result.notes.push_back(std::move(note));
    model.weightsSource =
        std::string(kRandomWeightsSource) + " (seed " + std::to_string(spec.seed) + ")";
    result.freshLayers = layersWithWeights(analysis);
  } else {
    KerasH5Reader reader = openWeights(file);
    fillWeightsFrom(reader, model, analysis, allowMissing, spec.seed, result.notes,
                    result.freshLayers, zoo::publishedFileNames(options.architecture), rest);
  }
  return result;
}

LoadedModel fromZoo(const zoo::ZooOptions& options, const ModelSpec& spec,
                    const std::string& weightsFile, bool allowMissing) {
  return fromZooGraph(zoo::buildGraph(options), options, spec, weightsFile, allowMissing);
}

// Weighted layers of the zoo graph (analysed as `zooAnalysis`) that the weights file lacks, when
// more are missing than matching by order could make up for: an edit took them away (a fuse, a
// removal) and the plain architecture cannot take the file. Empty when the file fits.
std::vector<std::string> layersAnEditTookAway(const KerasH5Reader& reader,
                                              const std::string& architecture,
                                              const GraphAnalysis& zooAnalysis) {
  const std::map<std::string, std::string> fileNames = zoo::publishedFileNames(architecture);
  std::set<std::string> inFile;
  size_t storedWithWeights = 0;
  for (const KerasH5Layer& layer : reader.layers())
    if (!layer.weightNames.empty()) {
      inFile.insert(layer.name);
      ++storedWithWeights;
    }
  std::vector<std::string> lacking;
  size_t weighted = 0;
  for (const auto& [name, info] : zooAnalysis.nodes) {
    if (info.weights.empty()) continue;
    ++weighted;
    const auto published = fileNames.find(name);
    if (!inFile.count(published == fileNames.end() ? name : published->second))
      lacking.push_back(name);
  }
  if (storedWithWeights == weighted) lacking.clear();
  return lacking;
}

// What Graft recorded in its own file (io/graft_metadata.h), `where` its place in messages: the
// preprocessing (unless the user gives one) and the class names (when they fit the output;
// --labels still wins later). Returns whether the preprocessing was settled. A value Graft
// cannot read is noted and left out.
bool graftMetadataOf(const Json& graft, const std::string& where, const ModelSpec& spec,
                     LoadedModel& result) {
  if (!graft.is_object()) {
    if (!graft.is_null()) result.notes.push_back(where + ": not used (not a JSON object)");
    return false;
  }
  if (graft.contains("labels")) {
    const Json& labels = graft.at("labels");
    const std::optional<int64_t> classes = classVectorSize(result.model.graph);
    const bool names =
        labels.is_array() &&
        std::all_of(labels.begin(), labels.end(), [](const Json& l) { return l.is_string(); });
    if (names && classes && *classes == static_cast<int64_t>(labels.size())) {
      result.model.labels = labels.get<std::vector<std::string>>();
      result.notes.push_back(kClassNamesNote + spec.source + " (recorded by Graft)");
    } else {
      result.notes.push_back(where + ": labels: not used (not " +
                             (names ? "one name per output class" : "a list of names") + ")");
    }
  }
  if (graft.contains("trained_input_size")) {
    const Json& size = graft.at("trained_input_size");
    // A side as a project's (project_file.cpp), of a model whose input is free.
    if (size.is_number_integer() && size.get<int64_t>() > 0 && size.get<int64_t>() <= 16384 &&
        layers::hasFreeImageSide(result.model.graph))
      result.model.trainedInputSize = size.get<int64_t>();
    else
      result.notes.push_back(where +
                             ": trained_input_size: not used (not a side from 1 to "
                             "16384 pixels of a free input)");
  }
  if (spec.preprocessing || !graft.contains("preprocessing")) return false;
  try {
    const Json& name = graft.at("preprocessing");
    if (!name.is_string()) throw Error("expected a name, found " + name.dump());
    result.model.preprocessing = preprocessingFromName(name.get<std::string>());
  } catch (const Error& e) {
    result.notes.push_back(where + ": preprocessing: not used (" + e.what() + ")");
    return false;
  }
  result.notes.push_back("preprocessing: '" + preprocessingName(result.model.preprocessing) +
                         "', as recorded by Graft in the file");
  return true;
}

LoadedModel fromKerasH5(const ModelSpec& spec) {
  KerasH5Reader reader(spec.source);
  // A weights-only file Graft wrote names its model: opened as that model, not as the plain
  // architecture its layer names match (an edited input size or a layer without weights was
  // lost without a word).
  // Given zoo options (--no-top, --classes, --alpha, ...), the file is read as the
  // architecture they describe, as before Graft recorded its model. --input-size is not one of
  // them here: it is the size predict or eval gives the recorded model, as for a .keras (it
  // sent Graft's own file to the zoo reader, which refused it as an edited model).
  const bool zooOptions = spec.alpha || spec.includeTop || spec.classes || !spec.pooling.empty() ||
                          spec.minimalistic || spec.includePreprocessing || spec.dropoutRate;
  const std::optional<std::string>& config = reader.modelConfig() ? reader.modelConfig()
                                             : zooOptions         ? std::nullopt
                                                                  : reader.graftModelConfig();
  if (config) {
    LoadedModel result = fromTopology(
        spec.source, *config, reader.kerasVersion(),
        reader.modelConfig() ? "the model_config attribute" : "the model Graft recorded");
    if (!reader.modelConfig())
      result.notes.push_back(spec.source +
                             ": Keras weights Graft saved, opened as the model they were saved "
                             "from (Graft recorded it; Keras's load_weights needs that model)");
    checkArchitectureOptions(spec, result.model.graph);
    const GraphAnalysis analysis = analyze(result.model.graph);
    if (!spec.weightsFile.empty()) {
      KerasH5Reader weights = openWeights(spec.weightsFile);
      fillWeightsFrom(weights, result.model, analysis, true, spec.seed, result.notes,
                      result.freshLayers, {}, weightsOf(reader, result.model.graph, analysis));
    } else {
      fillWeightsFrom(reader, result.model, analysis, false, spec.seed, result.notes,
                      result.freshLayers);
    }
    const bool recorded =
        !reader.modelConfig() &&
        graftMetadataOf(readGraftH5Metadata(spec.source),
                        spec.source + "'s " + kGraftMetadataDataset, spec, result);
    if (!recorded) choosePreprocessing(spec, result);
    return result;
  }
  if (reader.layout() == KerasWeightLayout::Keras3)
    throw Error(spec.source +
                ": a Keras 3 weights file (.weights.h5) holds no architecture, and Keras 3 names "
                "its weights by position in the model that saved them; give that model and "
                "pass this file as weights, e.g. `graft-cli summary model.keras --weights " +
                spec.source +
                "` (or a model_config .json, or a zoo name); in Graft, open that model and "
                "use File > Load Weights");
  auto recognized = recognizeZooWeights(reader);
  if (!recognized)
    throw Error(spec.source +
                ": a weights-only Keras file that Graft does not recognise as a Keras "
                "Applications model: open the model it was saved from and pass the file as "
                "weights (in Graft, File > Load Weights; on the command line --weights, e.g. "
                "`graft-cli summary model.graft --weights " +
                spec.source +
                "`), or name the architecture it is, e.g. `graft-cli summary vgg16 --no-top "
                "--weights " +
                spec.source + "` (with --alpha, --classes, --input-size as the file needs)");
  zoo::ZooOptions options = recognized->options;
  applyOverrides(spec, options);
  const bool sameTop = options.includeTop == recognized->options.includeTop &&
                       options.classes == recognized->options.classes;
  const std::string openTheEditedModel =
      "Open that model with this file as weights, e.g. `graft-cli predict PROJECT.graft "
      "--weights " +
      spec.source + "` (save trained models as .graft to keep the whole model)";
  Graph zooGraph = zoo::buildGraph(options);
  if (sameTop) {
    const std::vector<std::string> lacking =
        layersAnEditTookAway(reader, options.architecture, analyzeOrThrow(zooGraph));
    if (!lacking.empty()) {
      std::string list;
      for (size_t i = 0; i < lacking.size() && i < 4; ++i) list += (i ? ", " : "") + lacking[i];
      if (lacking.size() > 4) list += ", ...";
      throw Error(spec.source + ": a weights-only file; its layers are mostly " +
                  options.architecture + "'s (" + recognized->evidence + "), but it lacks " + list +
                  ": it was saved from an edited model (a fuse or a removal takes layers "
                  "away). " +
                  openTheEditedModel);
    }
  }
  // --weights: the file recognised gives the architecture and the weights --weights lacks.
  const WeightsForTheRest rest = spec.weightsFile.empty()
                                     ? WeightsForTheRest{}
                                     : weightsOf(reader, zooGraph, analyzeOrThrow(zooGraph),
                                                 zoo::publishedFileNames(options.architecture));
  LoadedModel result = fromZooGraph(std::move(zooGraph), options, spec,
                                    spec.weightsFile.empty() ? spec.source : spec.weightsFile,
                                    !sameTop || !spec.weightsFile.empty(), rest);
  // Layers the recognised architecture lacks: the file was saved from an edited model (a new
  // head, `graft-cli train -o FILE.h5`), and opening it as the plain architecture would drop
  // them without a word. Only the model it came from can hold them.
  if (sameTop) {
    std::set<std::string> known;
    for (const auto& node : result.model.graph.nodes()) known.insert(node.name);
    for (const auto& [layer, fileName] : zoo::publishedFileNames(options.architecture))
      known.insert(fileName);
    std::string extra;
    for (const KerasH5Layer& layer : reader.layers())
      if (!layer.weightNames.empty() && !known.count(layer.name))
        extra += (extra.empty() ? "" : ", ") + layer.name;
    if (!extra.empty())
      throw Error(spec.source + ": a weights-only file; its layers are " + options.architecture +
                  "'s (" + recognized->evidence + ") and also " + extra + ", which " +
                  options.architecture + " lacks: it was saved from an edited model. " +
                  openTheEditedModel);
  }
  result.notes.insert(
      result.notes.begin(),
      spec.source + ": recognised as " + options.architecture + " (" + recognized->evidence + ")");
  return result;
}

// Keras-default weights for every layer, said in `note`.
void useRandomWeights(const GraphAnalysis& analysis, const ModelSpec& spec, const std::string& note,
                      LoadedModel& result) {
  for (auto& drawn :
       initializeWeights(result.model.graph, analysis, result.model.weights, spec.seed))
    result.notes.push_back(std::move(drawn));
  result.freshLayers = layersWithWeights(analysis);
  result.model.weightsSource =
      std::string(kRandomWeightsSource) + " (seed " + std::to_string(spec.seed) + ")";
  result.notes.push_back(note);
}

LoadedModel fromKerasJson(const ModelSpec& spec) {
  const std::string text = textOf(spec.source);
  if (isShardIndex(text))
    throw Error(spec.source +
                ": a sharded weights index (Keras's save_weights with max_shard_size), not a "
                "model: open the model (its .keras, .h5 or model_config .json) with this file "
                "as its weights (--weights)");
  LoadedModel result = fromTopology(spec.source, text, "", "the model JSON");
  checkArchitectureOptions(spec, result.model.graph);
  const GraphAnalysis analysis = analyze(result.model.graph);
  if (!spec.weightsFile.empty()) {
    KerasH5Reader reader = openWeights(spec.weightsFile);
    fillWeightsFrom(reader, result.model, analysis, true, spec.seed, result.notes,
                    result.freshLayers);
  } else {
    useRandomWeights(analysis, spec, spec.source + ": topology only, using random weights", result);
  }
  choosePreprocessing(spec, result);
  return result;
}

// A Keras 3 .keras archive: config.json, its weights (or --weights), the Keras version noted.
// The weights member is read only once the model says how large it can be (a compressed member
// that would inflate to more is refused before inflating), and not at all with --weights.
LoadedModel fromKerasArchive(const ModelSpec& spec) {
  KerasArchive archive = readKerasArchiveTopology(spec.source);
  LoadedModel result =
      fromTopology(spec.source, archive.config, archive.kerasVersion, "config.json");
  checkArchitectureOptions(spec, result.model.graph);
  // Graft's own exports carry metadata.json's "graft" object: written by Graft in the layout of
  // the Keras version named (it read "saved by Keras 3.13.2", which no Keras had done).
  if (!archive.kerasVersion.empty())
    result.notes.push_back(
        spec.source + (archive.graft.is_object()
                           ? ": written by Graft as Keras " + archive.kerasVersion + " writes it"
                           : ": saved by Keras " + archive.kerasVersion));
  const GraphAnalysis analysis = analyze(result.model.graph);
  const auto readOwnWeights = [&] {
    readKerasArchiveWeights(archive,
                            weightsMemberBytesFor(analysis.totalParams, result.model.graph.size()),
                            "the model's " + std::to_string(analysis.totalParams) + " parameters");
  };
  if (!spec.weightsFile.empty()) {
    KerasH5Reader reader = openWeights(spec.weightsFile);
    WeightsForTheRest rest;
    if (archive.hasWeights)
      rest = {spec.source, [&](const std::set<std::string>& layers) {
                readOwnWeights();
                WeightStore store;
                loadKerasWeights(archive.weightsReader(), result.model.graph, analysis, store,
                                 {true, {}, layers, result.model.kerasLeftOut});
                return store;
              }};
    fillWeightsFrom(reader, result.model, analysis, true, spec.seed, result.notes,
                    result.freshLayers, {}, rest);
  } else if (archive.hasWeights) {
    readOwnWeights();
    KerasH5Reader reader = archive.weightsReader();
    fillWeightsFrom(reader, result.model, analysis, false, spec.seed, result.notes,
                    result.freshLayers);
  } else if (analysis.totalParams > 0) {
    // Keras's load_model refuses it too: random weights under the file's name would pass for
    // the trained model.
    throw Error(spec.source + ": the archive has no model.weights.h5, so its " +
                std::to_string(analysis.totalParams) +
                " parameters have no values; give the weights with --weights FILE (a .keras, "
                ".weights.h5 or .h5 of this model)");
  }
  if (!graftMetadataOf(archive.graft, spec.source + "/metadata.json's graft object", spec, result))
    choosePreprocessing(spec, result);
  return result;
}

LoadedModel fromProject(const ModelSpec& spec) {
  LoadedModel result;
  result.model = loadProject(spec.source);
  checkArchitectureOptions(spec, result.model.graph);
  // The project's model with the weights of a file saved from it (train -o model.h5 writes
  // Keras-layout weights only): every layer must find its weights there.
  if (!spec.weightsFile.empty()) {
    const GraphAnalysis analysis = analyze(result.model.graph);
    KerasH5Reader reader = openWeights(spec.weightsFile);
    fillWeightsFrom(reader, result.model, analysis, false, spec.seed, result.notes,
                    result.freshLayers);
    result.model.untrainedLayers.clear();  // every layer's weights come from the file
  } else if (startedFromRandomWeights(result.model)) {
    result.freshLayers = layersWithWeights(analyze(result.model.graph));
    result.notes.push_back(spec.source + ": its weights started from " +
                           result.model.weightsSource +
                           ", so every layer counts as new (none is frozen as pretrained)");
  }
  return result;
}

}  // namespace

Model withWeightsFrom(const Model& model, const std::string& weightsFile,
                      std::vector<std::string>& notes) {
  Model result = model;
  const GraphAnalysis analysis = analyzeOrThrow(result.graph);
  const KerasH5Reader reader = openWeights(weightsFile);
  // The layers the file lacks keep what they had: named by where that came from.
  const std::string before =
      model.weightsSource.empty() ? std::string("the open model") : model.weightsSource;
  const WeightsForTheRest own{before, [&model](const std::set<std::string>& layers) {
                                WeightStore store;
                                for (const std::string& layer : layers)
                                  if (const auto* weights = model.weights.find(layer))
                                    store.set(layer, *weights);
                                return store;
                              }};
  // No layer starts fresh (the open model has weights for every layer), so no seed is drawn.
  std::vector<std::string> fresh;
  const std::vector<std::string> loaded = fillWeightsFrom(
      reader, result, analysis, /*allowMissing=*/true, /*freshSeed=*/0, notes, fresh, {}, own);
  // What the file gave is trained: no longer the random start a layer may have had.
  auto& untrained = result.untrainedLayers;
  for (const std::string& layer : loaded)
    untrained.erase(std::remove(untrained.begin(), untrained.end(), layer), untrained.end());
  return result;
}

std::optional<zoo::ZooOptions> zooOptionsOf(const ModelSpec& spec) {
  if (!zoo::isArchitecture(lower(spec.source)) || fs::exists(spec.source)) return std::nullopt;
  zoo::ZooOptions options;
  options.architecture = zoo::canonicalArchitecture(lower(spec.source));
  applyOverrides(spec, options);
  return options;
}

LoadedModel loadModel(const ModelSpec& spec) {
  LoadedModel result;
  const std::string ext = lower(fs::path(spec.source).extension().string());
  if (fs::exists(spec.source)) {
    if (fs::is_directory(spec.source))
      throw Error(spec.source +
                  ": is a folder; expected a Keras .h5 or .weights.h5, a Keras 3 .keras "
                  "archive, a .json model_config or a .graft project");
    // The content decides, not the name: Keras 2 files named .keras and archives named .h5 exist.
    const FileFormat format = detectFileFormat(spec.source);
    if (format == FileFormat::Zip)
      result = fromKerasArchive(spec);
    else if (format == FileFormat::JsonText)
      result = fromKerasJson(spec);
    else if (format == FileFormat::Hdf5 && (ext == ".graft" || isProjectFile(spec.source)))
      result = fromProject(spec);
    else if (format == FileFormat::Hdf5)
      result = fromKerasH5(spec);
    else if (ext == ".json")
      result = fromKerasJson(spec);  // its parser says what is wrong with the text
    else if (ext == ".onnx" || looksLikeOnnx(spec.source))
      throw Error(spec.source +
                  ": an ONNX model, not a Keras model; Graft exports ONNX but does not read it, "
                  "so open the model this was exported from (its .graft, .keras or .h5)");
    else
      throw Error(spec.source + ": " +
                  (ext == ".h5" || ext == ".hdf5" ? "not an HDF5 file, so " : std::string()) +
                  "not a model file Graft reads (expected a Keras .h5 or .weights.h5 (HDF5), "
                  "a Keras 3 .keras archive (ZIP), a model_config .json or a .graft project; "
                  "the file is " +
                  (fs::file_size(spec.source) == 0 ? std::string("empty: 0 bytes")
                                                   : describeFileFormat(format)) +
                  ")");
  } else if (const auto options = zooOptionsOf(spec)) {
    result = fromZoo(*options, spec, spec.weightsFile, true);
  } else if (spec.source.find('/') != std::string::npos || fs::path(spec.source).has_extension()) {
    // A path (a moved or mistyped file): the list of zoo names would bury the point.
    const fs::path folder = fs::path(spec.source).parent_path();
    throw Error(spec.source + ": no such file" +
                (!folder.empty() && !fs::is_directory(folder)
                     ? " (the folder " + folder.string() + " does not exist either)"
                     : std::string()));
  } else {
    std::string names;
    for (const auto& a : zoo::architectures()) names += (names.empty() ? "" : ", ") + a;
    throw Error(spec.source + ": no such file, and not a zoo architecture (" + names + ")");
  }
  if (spec.preprocessing) result.model.preprocessing = preprocessingFromName(*spec.preprocessing);
  if (!spec.labelsFile.empty()) {
    // Checked where they are used (predict, exports): a recipe may still give the model the
    // output they name.
    result.model.labels = readLabels(spec.labelsFile);
  } else if (result.model.labels.empty() && fs::is_regular_file(spec.source)) {
    labelsFromBeside(spec.source, result);
  }
  noteNonFiniteWeights(result);
  // The loader's fresh layers join the project's own untrained ones, in model order.
  const std::set<std::string> untrained(result.model.untrainedLayers.begin(),
                                        result.model.untrainedLayers.end());
  const std::set<std::string> fresh(result.freshLayers.begin(), result.freshLayers.end());
  result.model.untrainedLayers.clear();
  for (const auto& node : result.model.graph.nodes())
    if (untrained.count(node.name) || fresh.count(node.name))
      result.model.untrainedLayers.push_back(node.name);
  return result;
}

}  // namespace graft

#pragma once
// Turns what a user names on the command line or in the open dialog into a Model: a Keras .h5
// (full model or weights-only, recognised), a Keras model_config .json, or a zoo architecture
// with weights from a file, the Keras cache, or fresh random ones.
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"
#include "io/zoo/zoo.h"

namespace graft {

struct ModelSpec {
  std::string source;  // file path or zoo name
  std::optional<double> alpha;
  std::optional<int64_t> inputSize;
  std::optional<bool> includeTop;
  std::optional<int64_t> classes;
  std::string pooling;
  // Zoo builders' own options: MobileNetV3's minimalistic and dropout_rate, include_preprocessing
  // (MobileNetV3, EfficientNetV2, ConvNeXt); unset: Keras's defaults. Naming one for another
  // architecture is an error.
  std::optional<bool> minimalistic;
  std::optional<bool> includePreprocessing;
  std::optional<double> dropoutRate;
  std::string weightsFile;  // --weights
  std::optional<std::string> preprocessing;
  std::string labelsFile;     // one class name per line
  std::string kerasCacheDir;  // where Keras keeps downloaded weights
  uint64_t seed = 0;          // for freshly initialised weights
};

// How a note about where the class names came from begins (the GUI drops such notes once an
// edit changed the class names).
inline constexpr char kClassNamesNote[] = "class names from ";

struct LoadedModel {
  Model model;
  std::vector<std::string> notes;  // things the user should know (stderr in the CLI)
  // Layers with weights that got fresh (random) weights rather than trained ones from a file:
  // a new top over no-top weights, or every layer when no weights file was found. The training
  // advisor tells new layers from pretrained ones with this.
  std::vector<std::string> freshLayers;
};

// $KERAS_HOME/models, else ~/.keras/models (from the given environment values; without HOME,
// the home folder the password database gives the user).
std::string kerasCacheDir(const char* kerasHome, const char* home);

// The zoo options a spec names (its source is an architecture, not a file); nullopt otherwise.
std::optional<zoo::ZooOptions> zooOptionsOf(const ModelSpec& spec);

// Throws graft::Error naming the file, layer or option that is wrong.
LoadedModel loadModel(const ModelSpec& spec);

// `model` with the weights of `weightsFile` (a Keras .h5, .weights.h5 or .keras archive) by
// layer name, as Keras's load_weights(by_name=True): the layers the file has are replaced, the
// others keep the model's own; `notes` says which. What the GUI's File > Load Weights does to
// the open model (a weights-only export of it could not be opened on its own). Throws
// graft::Error naming the file when none of its layers fits, or a shape that does not.
Model withWeightsFrom(const Model& model, const std::string& weightsFile,
                      std::vector<std::string>& notes);

// One class name per line; blank lines at the end are ignored.
std::vector<std::string> readLabels(const std::string& path);

}  // namespace graft

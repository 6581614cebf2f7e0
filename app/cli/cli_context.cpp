#include "cli/cli_context.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "cli/spec_options.h"
#include "graph/diagnostic.h"

namespace graft::cli {

void ModelArguments::addTo(CLI::App& command, bool withLabels) {
  command
      .add_option("MODEL", source,
                  "a Keras .h5 or .keras (full model or weights-only), a model_config .json, a "
                  ".graft project, or a zoo name (graft-cli zoo lists them)")
      ->required();
  command.add_option("--alpha", alpha,
                     "width multiplier of MobileNet (0.25 .. 1.0), MobileNetV2 (0.35 .. 1.4) "
                     "and MobileNetV3 (0.75, 1.0)");
  // 0 or less is a usage error (exit 2) like --top 0; a size the model cannot take (below
  // MobileNet's 32) is the model's to refuse (exit 1, naming it).
  const SpecRange atLeastOne{1.0, std::nullopt, false, false};
  command.add_option("--input-size", inputSize, "square input size in pixels, e.g. 160")
      ->check(specRangeValidator(atLeastOne));
  auto* top = command.add_flag("--include-top", includeTop, "keep the classifier on top");
  auto* noTopFlag = command.add_flag("--no-top", noTop, "drop the classifier (feature extractor)");
  top->excludes(noTopFlag);
  command.add_option("--classes", classes, "number of classes of the top")
      ->check(specRangeValidator(atLeastOne));
  command.add_option("--pooling", pooling, "pooling for --no-top models: avg or max")
      ->check(CLI::IsMember({"avg", "max"}));
  command.add_flag("--minimalistic", minimalistic,
                   "MobileNetV3: ReLU and 3x3 kernels without squeeze-and-excitation");
  command.add_option("--include-preprocessing", includePreprocessing,
                     "MobileNetV3, EfficientNetV2, ConvNeXt: true (default) puts Keras's "
                     "preprocessing layers in, the model reads pixels 0..255; false: it reads "
                     "what they give (-1..1 for MobileNetV3)");
  command
      .add_option("--dropout-rate", dropoutRate,
                  "MobileNetV3: rate of the top's Dropout (default 0.2; 0: none)")
      ->check(CLI::Range(0.0, 0.999999));
  command.add_option("--weights", weights,
                     "Keras weights to load into the model (.h5, .weights.h5 or .keras)");
  command
      .add_option("--preprocessing", preprocessing,
                  "input preprocessing: caffe, tf, torch, unit (x/255) or none")
      ->check(CLI::IsMember({"caffe", "tf", "torch", "unit", "none"}));
  if (withLabels)
    // No ExistingFile check: a missing labels file is bad input (exit 1, named), not a usage error.
    command.add_option("--labels", labels, "class names, one per line");
  command.add_option("--seed", seed, "seed for freshly initialised weights");
  command.add_flag("-q,--quiet", quiet, "no progress or notes on stderr (errors still are)");
}

ModelSpec ModelArguments::spec(const CLI::App& command) const {
  ModelSpec s;
  s.source = source;
  if (command.count("--alpha")) s.alpha = alpha;
  if (command.count("--input-size")) s.inputSize = inputSize;
  if (includeTop) s.includeTop = true;
  if (noTop) s.includeTop = false;
  if (command.count("--classes")) s.classes = classes;
  s.pooling = pooling;
  if (command.count("--minimalistic")) s.minimalistic = minimalistic;
  if (command.count("--include-preprocessing")) s.includePreprocessing = includePreprocessing;
  if (command.count("--dropout-rate")) s.dropoutRate = dropoutRate;
  s.weightsFile = weights;
  if (!preprocessing.empty()) s.preprocessing = preprocessing;
  s.labelsFile = labels;
  s.seed = seed;
  s.kerasCacheDir = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
  zooOptionsOf(s);  // refuses the options a zoo name's architecture lacks; a file is checked later
  return s;
}

LoadedModel loadModelReporting(const ModelSpec& spec, bool quiet) {
  LoadedModel loaded = loadModel(spec);
  if (!quiet)
    for (const auto& note : loaded.notes) std::cerr << "graft-cli: " << note << "\n";
  return loaded;
}

void requireProjectName(const std::string& path, const std::string& why) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // A usage error (exit 2), as export's check of a name against its format: no file is read.
  if (extension != ".graft") throw CLI::ValidationError("-o/--output: " + path + ": " + why);
}

}  // namespace graft::cli

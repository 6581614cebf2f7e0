#include "runtime/training/trainer_checkpoint.h"

#include <algorithm>
#include <filesystem>

#include "graph/analysis.h"
#include "io/atomic_file.h"
#include "io/keras_h5_writer.h"
#include "io/project_file.h"
#include "run/export_spec.h"
#include "runtime/distributed/data_parallel.h"

namespace graft {

namespace fs = std::filesystem;

namespace {

std::string extensionOf(const std::string& path) {
  return fs::path(path).extension().string();
}

}  // namespace

Model withSavedTrainable(Model model, const std::map<std::string, bool>& trainable,
                         const std::optional<Json>& recipe) {
  if (recipe) {
    model.recipe = *recipe;
    std::vector<std::string> untrained;
    for (const auto& layer : model.untrainedLayers)
      if (const auto flag = trainable.find(layer); flag != trainable.end() && !flag->second)
        untrained.push_back(layer);
    model.untrainedLayers = std::move(untrained);
  }
  const auto differs = [&](const Node& node) {
    const auto flag = trainable.find(node.name);
    return flag != trainable.end() && flag->second != node.trainable;
  };
  const auto& current = model.graph.nodes();
  if (std::none_of(current.begin(), current.end(), differs)) return model;
  std::vector<Node> nodes = current;
  for (Node& node : nodes) {
    const auto flag = trainable.find(node.name);
    if (flag != trainable.end()) node.trainable = flag->second;
  }
  model.graph =
      Graph(model.graph.name(), std::move(nodes), model.graph.outputs(), model.graph.groups());
  return model;
}

void checkCheckpointPath(const std::string& path) {
  const std::string ext = extensionOf(path);
  if (ext != ".graft" && ext != ".h5")
    throw Error(Diagnostic{path,
                           "name the trained model *.graft (a Graft project: graph, "
                           "weights, labels, preprocessing) or *.h5 (Keras-layout weights "
                           "only)"});
  // An .h5 checkpoint has Keras 2's save_weights layout: named *.weights.h5, Keras 3 would open
  // it as its own layout and fail.
  if (ext == ".h5" && !exportFileNameProblem("keras-h5", path).empty())
    throw Error(Diagnostic{path,
                           "an .h5 checkpoint holds Keras 2's save_weights layout, which Keras 3 "
                           "reads under any name but *.weights.h5 (its own layout): name it "
                           "without .weights, or *.graft"});
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(Diagnostic{path, "is a folder, not a file name"});
  if (const std::string why = cannotWriteIn(folderSavedIn(path)); !why.empty())
    throw Error(Diagnostic{path, why});
  if (const std::string why = nameTooLong(path); !why.empty()) throw Error(Diagnostic{path, why});
  if (const std::string why = cannotReplace(path); !why.empty()) throw Error(Diagnostic{path, why});
}

void saveTrainedModel(const Model& model, const std::string& path) {
  checkCheckpointPath(path);
  if (extensionOf(path) == ".graft")
    saveProject(model, path);
  else
    saveKerasWeights(model, path);
}

std::string whatAnH5CheckpointLeavesOut(const Model& model, const std::string& path) {
  if (extensionOf(path) != ".h5") return "";
  std::vector<std::string> left;
  std::string flags;
  const GraphAnalysis analysis = analyze(model.graph);
  const std::vector<std::string> inputs = model.graph.inputs();
  if (inputs.size() == 1)
    if (const NodeInfo* input = analysis.find(inputs.front());
        input && input->outputShape.size() == 4 && input->outputShape[1] > 0) {
      const Shape& shape = input->outputShape;
      left.push_back("its input size (" + std::to_string(shape[1]) + " x " +
                     std::to_string(shape[2]) + ")");
      // --input-size is square; a model of another shape keeps it in its own architecture.
      if (shape[1] == shape[2]) flags += " --input-size " + std::to_string(shape[1]);
    }
  if (model.preprocessing != Preprocessing::None) {
    left.push_back("its preprocessing (" + preprocessingName(model.preprocessing) + ")");
    flags += " --preprocessing " + preprocessingName(model.preprocessing);
  }
  if (!model.labels.empty()) {
    left.push_back("its " + classNamesCount(model.labels.size()));
    flags += " --labels NAMES.txt";
  }
  if (left.empty()) return "";
  std::string list;
  for (size_t i = 0; i < left.size(); ++i)
    list += (i == 0 ? "" : i + 1 == left.size() ? " and " : ", ") + left[i];
  return path + " holds the weights only, not " + list +
         ": open it as the weights of the model it came from (MODEL --weights " + path + flags +
         "), or save the trained model as a .graft project to keep them";
}

CheckpointWriter::CheckpointWriter(const TrainOptions& options)
    : options_(options),
      group_(options.dataParallel.get()),
      bestMonitored_(std::numeric_limits<double>::infinity()) {}

bool CheckpointWriter::beatsEarlierStages(const EpochEvent& event) const {
  return !options_.checkpointBestSoFar || unpenalizedLoss(event) < *options_.checkpointBestSoFar;
}

std::optional<std::string> CheckpointWriter::afterEpoch(const Model& model, EpochEvent& event) {
  const double monitored = monitoredLoss(event);
  if (options_.checkpointPath.empty()) return std::nullopt;
  if (options_.checkpointMode == CheckpointMode::Best &&
      (!(monitored < bestMonitored_) || !beatsEarlierStages(event)))
    return std::nullopt;
  std::optional<std::string> failed;
  if (!group_ || group_->isRankZero()) {
    try {
      const Model saved = withSavedTrainable(model, options_.savedTrainable, options_.savedRecipe);
      if (options_.saveModel)
        options_.saveModel(saved, options_.checkpointPath);
      else
        saveTrainedModel(saved, options_.checkpointPath);
      savedEpoch_ = event.epoch;
    } catch (const std::exception& e) {
      failed = std::string("could not save the checkpoint: ") + e.what();
    }
  }
  if (group_) {
    try {
      const bool anyFailed =
          group_->sumOverRanks({failed ? 1.0 : 0.0}, "confirming the checkpoint")[0] > 0;
      if (anyFailed && !failed) failed = "rank 0 could not save the checkpoint";
      if (!anyFailed) savedEpoch_ = event.epoch;
    } catch (const std::exception& e) {
      if (!failed) failed = e.what();
    }
  }
  if (failed) return failed;
  bestMonitored_ = monitored;
  event.checkpointSaved = true;
  return std::nullopt;
}

std::optional<std::string> CheckpointWriter::holdEpoch(const Model& model, EpochEvent event) {
  if (options_.checkpointPath.empty() || savedEpoch_ == event.epoch) return std::nullopt;
  // Best over a plan: an earlier stage's better epoch stays in the file.
  if (options_.checkpointMode == CheckpointMode::Best && !beatsEarlierStages(event))
    return std::nullopt;
  bestMonitored_ = std::numeric_limits<double>::infinity();
  return afterEpoch(model, event);
}

std::string CheckpointWriter::whatTheFileHolds(int epochsCompleted) const {
  if (options_.checkpointPath.empty()) return "";
  if (savedEpoch_) {
    const int overTheRun = *savedEpoch_ + options_.epochsBeforeThisStage;
    return "; " + options_.checkpointPath + " holds epoch " + std::to_string(overTheRun) +
           (options_.epochsBeforeThisStage > 0
                ? " (epoch " + std::to_string(*savedEpoch_) + " of this stage)"
                : std::string());
  }
  if (!options_.checkpointHeld.empty())
    return "; " + options_.checkpointPath + " holds " + options_.checkpointHeld;
  // An epoch may have completed and its save failed (a full disk): say only what is true.
  return (epochsCompleted == 0 ? "; no epoch completed, nothing was written to "
                               : "; nothing was written to ") +
         options_.checkpointPath;
}

}  // namespace graft

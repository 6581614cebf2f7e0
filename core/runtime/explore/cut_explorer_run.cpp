#include "runtime/explore/cut_explorer_run.h"

#include "graph/diagnostic.h"
#include "runtime/explore/cut_explorer.h"

namespace graft {

CutExplorerOutcome runCutExplorer(const Model& model, const CutExplorerRequest& request,
                                  const CutExplorerObserver& observer,
                                  const std::atomic<bool>* cancel) {
  if (request.batchSize < 1) throw Error("batch size must be at least 1");
  if (request.epochs < 1) throw Error("epochs must be at least 1");
  const auto device = parseDeviceChoice(request.device);
  if (!device) throw Error("device: " + deviceChoiceProblem(request.device));
  const std::vector<std::string> layers = explorerLayers(model.graph, request.layers);
  const TrainingSet data =
      prepareTrainingSet(request.dataDir, std::string(), request.validationSplit, request.seed);
  CutExplorerOptions options;
  options.batchSize = request.batchSize;
  options.epochs = request.epochs;
  options.seed = request.seed;
  options.device = *device;
  CutExplorerOutcome outcome;
  outcome.classes = data.classes;
  outcome.dataDir = request.dataDir;
  outcome.report = exploreCutPoints(model, data, layers, options, observer, cancel);
  return outcome;
}

std::vector<std::string> parseLayerList(const std::string& text, const std::string& field) {
  std::vector<std::string> names;
  const auto notSpace = [](const std::string& s) { return s.find_first_not_of(' '); };
  if (notSpace(text) == std::string::npos || text == "auto") return names;
  std::string current;
  for (char c : text + ",") {
    if (c != ',') {
      current += c;
      continue;
    }
    const auto first = current.find_first_not_of(' ');
    const auto last = current.find_last_not_of(' ');
    if (first == std::string::npos)
      throw Error(field + ": an empty name in \"" + text + "\" (auto, or names separated by ,)");
    names.push_back(current.substr(first, last - first + 1));
    current.clear();
  }
  return names;
}

}  // namespace graft

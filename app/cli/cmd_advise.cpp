// graft-cli advise MODEL --data DIR [--json]: a fine-tuning plan proposed from the model and the
// data (runtime/training/training_advisor.h), with its reasons and warnings. --json prints it in
// the --plan format, so `advise --json > plan.json` then `train --plan plan.json` works.
// --probe PROBE.json (`probe --json`'s output) adds where the measurements say to cut.
#include <string>

#include "cli/cli_context.h"
#include "io/json_file.h"
#include "run/counted.h"
#include "runtime/explore/cut_explorer_advice.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/training_advisor.h"

namespace graft::cli {

namespace {

void printPlan(const TrainingPlan& plan, const ModelFacts& model, const DataFacts& data) {
  std::cout << data.images << " images in " << data.classes.size() << " classes (about "
            << static_cast<int64_t>(data.meanPerClass() + 0.5) << " per class)";
  if (data.medianSide > 0) std::cout << ", about " << data.medianSide << " px";
  std::cout << "; the model has " << model.newLayers.size() << " new, ";
  // Layers a recipe added and a run trained since: neither new nor the file's pretrained ones.
  if (!model.ownLayers.empty()) std::cout << model.ownLayers.size() << " of your own trained, ";
  std::cout << counted(static_cast<int64_t>(model.pretrainedLayers.size()),
                       "pretrained layer with weights", "pretrained layers with weights");
  if (model.inputSide > 0) std::cout << ", input " << model.inputSide << " px";
  std::cout << "\n";
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const TrainingStage& s = plan.stages[i];
    std::cout << "stage " << i + 1 << " (" << s.name << "): " << s.describeScope() << ", "
              << s.optimizer.describe();
    if (s.pretrainedRateScale != 1.0)
      std::cout << ", pretrained layers at x" << s.pretrainedRateScale;
    std::cout << ", " << counted(s.epochs, "epoch", "epochs")
              << (s.freezeBatchNorm ? ", BatchNormalization frozen" : "") << "\n";
    for (const auto& why : s.why) std::cout << "  - " << why << "\n";
  }
  for (const auto& reason : plan.reasons) std::cout << "note: " << reason << "\n";
  for (const auto& warning : plan.warnings) std::cout << "warning: " << warning << "\n";
}

// The plan with what the text's first line says (the plan reader takes and ignores "facts").
Json withFacts(Json plan, const ModelFacts& model, const DataFacts& data) {
  Json facts = {{"images", data.images},
                {"classes", data.classes},
                {"images_per_class", data.imagesPerClass},
                {"new_layers", model.newLayers.size()},
                {"own_layers", model.ownLayers.size()},
                {"pretrained_layers", model.pretrainedLayers.size()}};
  if (data.medianSide > 0) facts["median_image_side"] = data.medianSide;
  if (data.notImages > 0) facts["not_images"] = data.notImages;
  if (model.inputSide > 0) facts["input_side"] = model.inputSide;
  plan["facts"] = facts;
  return plan;
}

}  // namespace

void registerAdviseCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "advise", "propose a fine-tuning plan for the model and an image folder, with reasons");
  auto args = std::make_shared<ModelArguments>();
  auto data = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto probe = std::make_shared<std::string>();
  args->addTo(*cmd);
  cmd->add_option("--data", *data, "image folder: one subfolder of images per class")->required();
  cmd->add_flag("--json", *json, "print the plan in train --plan's format, reasons included");
  cmd->add_option("--probe", *probe,
                  "graft-cli probe --json's output for this model: advice on where to cut");
  cmd->callback([cmd, args, data, json, probe] {
    const ModelSpec spec = args->spec(*cmd);  // usage errors first
    // Read first: a bad report is found before the folder is scanned.
    CutExplorerReport measured;
    if (!probe->empty())
      measured = cutExplorerReportFromJson(readJsonFile(*probe, "probe report"), *probe);
    const ImageFolder folder = scanImageFolder(*data);
    if (auto other = measuredOnOtherClasses(measured, folder.classes))
      throw Error(*probe + ": " + *other);
    const LoadedModel loaded = loadModelReporting(spec, args->quiet);
    const ModelFacts modelFacts =
        describeModel(loaded.model, newLayersOf(loaded.model, loaded.freshLayers));
    const DataFacts dataFacts = describeData(folder);
    TrainingPlan plan = advisePlan(loaded.model, modelFacts, dataFacts);
    for (auto& sentence : cutAdvice(measured, loaded.model.graph))
      plan.reasons.push_back(std::move(sentence));
    // A model not ready for these classes (no top yet, ImageNet's 1000) still gets its advice
    // (where to cut: --probe), led by train's refusal, so the plan is not taken for one train
    // runs as the model stands.
    try {
      checkClassCount(trainHead(loaded.model.graph), folder.classes);
    } catch (const Error& e) {
      plan.warnings.insert(plan.warnings.begin(),
                           "train refuses this model as it stands: " + std::string(e.what()) +
                               "; the plan is for the model once it has that top");
    }
    if (*json)
      std::cout << jsonText(withFacts(planToJson(plan), modelFacts, dataFacts)) << "\n";
    else
      printPlan(plan, modelFacts, dataFacts);
  });
}

}  // namespace graft::cli

// graft-cli probe MODEL --data DIR [--layers auto|L1,L2,...] [--json] [--cut LAYER|best -o
// OUT.graft]: the cut-point explorer (runtime/explore/cut_explorer.h). For each candidate layer,
// how well a linear classifier on its features separates the folder's classes, with the feature
// size, the parameters a model cut there keeps and its forward time per image.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "cli/spec_options.h"
#include "cli/terminal_progress.h"
#include "io/json_file.h"
#include "io/project_file.h"
#include "pipeline/pipeline_outputs.h"
#include "runtime/data/free_input_size.h"
#include "runtime/explore/cut_explorer.h"
#include "runtime/explore/cut_explorer_advice.h"
#include "runtime/explore/cut_explorer_run.h"
#include "runtime/explore/cut_with_head.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/validation_checks.h"

namespace graft::cli {

namespace {

struct ProbeArguments {
  std::string data;
  std::string validationDir;
  double validationSplit = 0.2;
  std::string layers = "auto";
  bool json = false;
  int64_t batchSize = 32;
  int epochs = 30;
  std::string device = "auto";
  double maxUnreadable = 0.1;
  std::string cut;     // a layer, or "best"; empty: only measure
  std::string output;  // where --cut writes the cut model
};

// --cut and -o, checked before anything is read: a mistake must not wait for the measurement.
void checkCutOptions(const ProbeArguments& probe) {
  if (probe.cut.empty() != probe.output.empty())  // a usage error (exit 2), as CLI11's needs()
    throw CLI::ValidationError(
        probe.cut.empty()
            ? "-o " + probe.output + ": probe writes a model only with --cut LAYER|best"
            : "--cut " + probe.cut + ": give -o OUT.graft for the cut model");
  if (probe.output.empty()) return;
  requireProjectName(probe.output, "probe --cut writes a Graft project: name it *.graft");
}

// The measured candidate --cut names.
const CutCandidateResult& candidateToCut(const CutExplorerReport& report, const std::string& cut) {
  if (cut == "best") {
    if (const CutCandidateResult* best = bestCutCandidate(report)) return *best;
    throw Error("--cut best: nothing was measured");
  }
  for (const auto& candidate : report.candidates)
    if (candidate.layer == cut) return candidate;
  throw Error("--cut " + cut + ": not among the measured layers");
}

// The explorer's choice made real, as the window's "Cut Here with a New Head" does. What was
// written, for --json.
Json writeCut(const Model& model, const CutExplorerReport& report,
              const std::vector<std::string>& classes, const ProbeArguments& probe, bool quiet) {
  const CutCandidateResult& candidate = candidateToCut(report, probe.cut);
  Expected<HeadCut> cut = cutWithFittedHead(model, candidate, classes);
  if (!cut)
    throw Error("--cut " + candidate.layer + ": nothing was written:\n" +
                joinDiagnostics(cut.diagnostics()));
  {
    const TemporaryFileSweep sweep({probe.output});  // Ctrl-C mid-save leaves no temporary file
    saveProject(cut->model, probe.output);
  }
  const Json written = {{"layer", candidate.layer},
                        {"file", probe.output},
                        {"head_from_fit", cut->fromFit},
                        {"val_accuracy", candidate.valAccuracy}};
  if (quiet) return written;
  std::ostringstream accuracy;
  accuracy << std::fixed << std::setprecision(3) << candidate.valAccuracy;
  std::cerr << "graft-cli: wrote " << probe.output << ": cut at " << candidate.layer
            << " with a new head for the " << classes.size() << " classes"
            << (cut->fromFit ? ", starting from the classifier fitted there (validation accuracy " +
                                   accuracy.str() + "); train it further with graft-cli train"
                             : "; train it with graft-cli train")
            << "\n";
  return written;
}

void printTable(const CutExplorerReport& report) {
  size_t width = 5;
  for (const auto& c : report.candidates) width = std::max(width, c.layer.size());
  std::cout << report.trainImages << " training and " << report.validationImages
            << " validation images; " << std::fixed << std::setprecision(1) << report.featureSeconds
            << " s through the network, " << report.fitSeconds << " s fitting, on " << report.device
            << "\n\n";
  std::cout << std::left << std::setw(static_cast<int>(width)) << "layer" << std::right
            << std::setw(14) << "val_accuracy" << std::setw(14) << "feature_size" << std::setw(15)
            << "prefix_params" << std::setw(14) << "ms_per_image"
            << "\n";
  double best = -1.0;
  for (const auto& c : report.candidates) best = std::max(best, c.valAccuracy);
  for (const auto& c : report.candidates)
    std::cout << std::left << std::setw(static_cast<int>(width)) << c.layer << std::right
              << std::setw(14) << std::setprecision(4) << c.valAccuracy << std::setw(14)
              << c.featureSize << std::setw(15) << c.prefixParams << std::setw(14)
              << std::setprecision(2) << c.msPerImage << (c.valAccuracy == best ? "  *" : "")
              << "\n";
}

}  // namespace

void registerProbeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "probe", "measure where to cut: a linear classifier on each candidate layer's features");
  auto args = std::make_shared<ModelArguments>();
  auto probe = std::make_shared<ProbeArguments>();
  args->addTo(*cmd);
  cmd->add_option("--data", probe->data, "image folder: one subfolder of images per class")
      ->required();
  cmd->add_option("--layers", probe->layers,
                  "auto (the ends of blocks, from the graph's structure, at most 16) or layer "
                  "names separated by commas (default auto)");
  cmd->add_option("--val-split", probe->validationSplit,
                  "share of each class held out to score the candidates (default 0.2)");
  cmd->add_option("--val-dir", probe->validationDir,
                  "validation images in their own folder (instead of --val-split)");
  // Checked while parsing, as train's options are: a bad value is a usage error (exit 2).
  const SpecRange atLeastOne{1.0, std::nullopt};
  cmd->add_option("--batch-size", probe->batchSize, "images per forward pass (default 32)")
      ->check(specRangeValidator(atLeastOne));
  cmd->add_option("--epochs", probe->epochs,
                  "passes of each linear fit over the features (default 30, at least 200 updates)")
      ->check(specRangeValidator(atLeastOne));
  cmd->add_option("--max-unreadable", probe->maxUnreadable,
                  "refuse to measure when more than this share of the images cannot be read; "
                  "fewer are skipped (default 0.1, as train)")
      ->check(specRangeValidator(SpecRange{0.0, 1.0}));
  addDeviceOption(*cmd, probe->device);
  cmd->add_flag("--json", probe->json,
                "print one JSON object (README, Training) instead of the table");
  cmd->add_option("--cut", probe->cut,
                  "then cut at LAYER (or best: the best candidate, the shallowest of equals) "
                  "with a new head for the folder's classes that starts as the classifier "
                  "fitted there, and write it to -o (what the window's Cut Here does)");
  cmd->add_option("-o,--output", probe->output, "the .graft project --cut writes");
  cmd->footer(
      "One pass of the images through the network gives every candidate's output; each is "
      "pooled (global average, plus the whole map when it has at most 2048 values) and a "
      "softmax regression is fitted on the training split. The star marks the best validation "
      "accuracy. Ctrl-C stops at the next batch.");
  cmd->callback([cmd, args, probe] {
    const ModelSpec spec = args->spec(*cmd);  // usage errors first
    checkCutOptions(*probe);
    if (!probe->output.empty()) {
      checkCheckpointPath(probe->output);  // its folder exists
      if (namesTheSameFile(probe->output, spec.source))
        throw Error(Diagnostic{probe->output, "is the model probe reads; name another file"});
    }
    const auto requested = parseLayerList(probe->layers, "--layers");
    const LoadedModel loaded = loadModelReporting(spec, args->quiet);
    if (args->inputSize <= 0 && !args->quiet)
      if (const std::string note = freeInputSizeNote(loaded.model); !note.empty())
        std::cerr << "graft-cli: " << note << "\n";
    // A cut the model cannot take (through a branch) is refused before the measurement.
    if (!probe->cut.empty() && probe->cut != "best") {
      CutCandidateResult trial;
      trial.layer = probe->cut;
      if (const auto cut = cutWithFittedHead(loaded.model, trial, {"a", "b"}); !cut)
        throw Error("--cut " + probe->cut + ": " + joinDiagnostics(cut.diagnostics()));
    }
    auto layers = explorerLayers(loaded.model.graph, requested);
    // The layer --cut names is measured too (its classifier is the new head's start).
    if (!probe->cut.empty() && probe->cut != "best" &&
        std::find(layers.begin(), layers.end(), probe->cut) == layers.end()) {
      layers.push_back(probe->cut);
      layers = explorerLayers(loaded.model.graph, layers);
    }
    const TrainingSet data =
        prepareTrainingSet(probe->data, probe->validationDir, probe->validationSplit, args->seed);
    if (!args->quiet)
      for (const auto& w :
           checkValidation(data, probe->data, probe->validationDir, probe->validationSplit))
        std::cerr << "graft-cli: warning: " << w.message << "\n";
    CutExplorerOptions options;
    options.batchSize = probe->batchSize;
    options.epochs = probe->epochs;
    options.maxUnreadableFraction = probe->maxUnreadable;
    options.seed = args->seed;
    options.device = *parseDeviceChoice(probe->device);
    options.freeInputSize = static_cast<int>(args->inputSize);
    TerminalBar bar;
    const bool showBar = !args->quiet && stderrIsTerminal();
    const CutExplorerObserver observer = [&](const CutExplorerProgress& p) {
      if (!showBar) return;
      bar.show(p.phase + " " + progressBar(static_cast<double>(p.done) / p.total) + " " +
               std::to_string(p.done) + "/" + std::to_string(p.total) + "  ETA " +
               formatDuration(p.etaSeconds));
    };
    const InterruptScope interrupt;
    const CutExplorerReport report =
        exploreCutPoints(loaded.model, data, layers, options, observer, interrupt.flag());
    bar.clear();
    if (report.cancelled) throw Error("probe interrupted: nothing measured");
    if (!args->quiet)
      for (const auto& [path, reason] : report.skippedFiles)
        std::cerr << "graft-cli: skipped unreadable file: " << reason << "\n";
    if (!probe->json) printTable(report);
    Json summary = cutExplorerReportJson(report);
    try {
      if (!probe->cut.empty())
        summary["cut"] = writeCut(loaded.model, report, data.classes, *probe, args->quiet);
    } catch (const std::exception&) {
      // The measurement is not lost with the cut.
      if (probe->json) std::cout << jsonText(summary) << "\n";
      throw;
    }
    if (probe->json) std::cout << jsonText(summary) << "\n";
  });
}

}  // namespace graft::cli

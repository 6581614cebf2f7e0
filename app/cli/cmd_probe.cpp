// graft-cli probe MODEL --data DIR [--layers auto|L1,L2,...] [--json]: the cut-point explorer
// (runtime/explore/cut_explorer.h). For each candidate layer, how well a linear classifier on its
// features separates the folder's classes, with the feature size, the parameters a model cut
// there keeps and its forward time per image.
#include <iomanip>

#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "cli/spec_options.h"
#include "cli/terminal_progress.h"
#include "io/json_file.h"
#include "runtime/explore/cut_explorer.h"
#include "runtime/explore/cut_explorer_run.h"

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
};

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
  addDeviceOption(*cmd, probe->device);
  cmd->add_flag("--json", probe->json, "print one JSON object (DESIGN.md) instead of the table");
  cmd->footer(
      "One pass of the images through the network gives every candidate's output; each is "
      "pooled (global average, plus the whole map when it has at most 2048 values) and a "
      "softmax regression is fitted on the training split. The star marks the best validation "
      "accuracy. Ctrl-C stops at the next batch.");
  cmd->callback([cmd, args, probe] {
    const auto requested = parseLayerList(probe->layers, "--layers");
    const LoadedModel loaded = loadModelReporting(args->spec(*cmd), args->quiet);
    const auto layers = explorerLayers(loaded.model.graph, requested);
    const TrainingSet data =
        prepareTrainingSet(probe->data, probe->validationDir, probe->validationSplit, args->seed);
    CutExplorerOptions options;
    options.batchSize = probe->batchSize;
    options.epochs = probe->epochs;
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
    if (probe->json)
      std::cout << jsonText(cutExplorerReportJson(report)) << "\n";
    else
      printTable(report);
  });
}

}  // namespace graft::cli

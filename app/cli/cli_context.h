#pragma once
// What every graft-cli subcommand shares: model options, output mode, and how to report.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "io/model_source.h"

namespace graft::cli {

// The MODEL argument and the options that shape it (DESIGN.md "Command line").
struct ModelArguments {
  std::string source;
  double alpha = 1.0;
  int64_t inputSize = 0;
  bool includeTop = false;
  bool noTop = false;
  int64_t classes = 0;
  std::string pooling;
  bool minimalistic = false;
  bool includePreprocessing = true;
  double dropoutRate = 0.2;
  std::string weights;
  std::string preprocessing;
  std::string labels;
  uint64_t seed = 0;
  bool quiet = false;  // -q: no notes or progress on stderr (errors still are)

  void addTo(CLI::App& command, bool withLabels = true);
  // Fills a ModelSpec from what was given; the Keras cache comes from KERAS_HOME / HOME.
  // Throws ZooOptionRefused (a usage error, exit 2) for an option the zoo architecture does not
  // take, so each command calls it before it reads any file or folder: `train vgg16 --alpha 0.5`
  // scanned --data first and answered about the folder.
  ModelSpec spec(const CLI::App& command) const;
};

// Loads the model and prints the loader's notes to stderr.
LoadedModel loadModelReporting(const ModelSpec& spec, bool quiet);

// Refuses an output that a command writes as a Graft project unless it is named *.graft (any
// case): a project under another name would look like a file it is not. A usage error (exit 2),
// as export's suffix check; `why` follows the path in the message ("edit writes a Graft
// project: name it *.graft").
void requireProjectName(const std::string& path, const std::string& why);

void registerSummaryCommand(CLI::App& app);
void registerZooCommand(CLI::App& app);
void registerPredictCommand(CLI::App& app);
void registerEditCommand(CLI::App& app);
void registerTrainCommand(CLI::App& app);
void registerEvalCommand(CLI::App& app);
void registerSampleDataCommand(CLI::App& app);
void registerExportCommand(CLI::App& app);
void registerFetchWeightsCommand(CLI::App& app);
void registerRunCommand(CLI::App& app);
void registerAdviseCommand(CLI::App& app);
void registerProbeCommand(CLI::App& app);

}  // namespace graft::cli

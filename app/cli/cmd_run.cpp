// graft-cli run PIPELINE.json [--junit FILE] [--json] [-q]: rebuild and check a fine-tuned model
// as a pipeline file describes it (docs/pipelines.md). The running is core's runPipeline(); this
// file prints the progress and the result and writes the JUnit report.
#include <filesystem>
#include <iomanip>

#include "cli/cmd_train_progress.h"
#include "cli/command_pipeline.h"
#include "cli/interrupt.h"
#include "cli/junit_report.h"
#include "cli/terminal_progress.h"
#include "io/json_file.h"
#include "pipeline/pipeline_outputs.h"
#include "pipeline/pipeline_runner.h"
#include "runtime/training/train_run.h"

namespace graft::cli {

namespace {

const char* statusWord(const StepResult& s) {
  switch (s.status) {
    case StepStatus::Passed:
      return s.isCheck ? "PASS " : "ok   ";
    case StepStatus::Failed:
      return "FAIL ";
    case StepStatus::Error:
      return "ERROR";
    case StepStatus::Skipped:
      return "SKIP ";
  }
  return "?";
}

// One line per step and check on stdout (unless --json), notes and training progress on
// stderr (unless --quiet), failures on stderr always: that is where a CI log is read.
class RunPrinter : public CliObserver {
 public:
  RunPrinter(const Pipeline& pipeline, bool quiet, bool json)
      : CliObserver(quiet), json_(json), terminal_(stderrIsTerminal()) {
    if (pipeline.train) training_ = std::make_unique<TrainProgress>(pipeline.train->log, quiet);
  }

  void onStepStart(const std::string& name, bool isCheck) override {
    // Only a terminal gets the "running" line: a CI log would show every step twice.
    if (!quiet_ && terminal_ && !isCheck) std::cerr << "graft-cli: running " << name << "\n";
  }
  void onStepEnd(const StepResult& s) override {
    if (!json_)
      std::cout << statusWord(s) << " " << s.name << " (" << std::fixed << std::setprecision(1)
                << s.seconds << " s)" << std::defaultfloat
                << (s.message.empty() ? "" : ": " + s.message) << std::endl;
    if (s.status == StepStatus::Failed)
      std::cerr << "graft-cli: check failed: " << s.name << ": " << s.message << "\n";
    if (s.status == StepStatus::Error)
      std::cerr << "graft-cli: error: " << s.name << ": " << s.message << "\n";
  }
  // The options were given as the pipeline's "train" keys: the doctor names those.
  void prepareTraining(TrainRun& run) override {
    run.options().optionWords = OptionWords::Pipeline;
  }
  TrainObserver* trainObserver() override { return training_.get(); }
  void onTrainEnd(const TrainResult& result, const std::string& checkpoint) override {
    if (training_) training_->finish(result, checkpoint);
  }

 private:
  bool json_;
  bool terminal_;
  std::unique_ptr<TrainProgress> training_;
};

std::string suiteNameOf(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

// A pipeline file that cannot be read still gives CI a report: one errored test case, in the
// JUnit file and on stdout with --json. A --junit path that is itself the problem gets none.
void reportBadPipeline(const std::string& path, const std::string& junit, bool json,
                       const std::string& message) {
  PipelineResult result;
  result.steps.push_back({false, "read pipeline " + path, StepStatus::Error, message, 0.0});
  if (json) std::cout << jsonText(result.toJson()) << "\n";
  if (junit.empty()) return;
  // Never over the pipeline file itself (the report's own check needs a readable pipeline).
  std::error_code ec;
  if (std::filesystem::equivalent(junit, path, ec)) return;
  try {
    writeJunitReport(result, suiteNameOf(path), junit);
  } catch (const Error&) {
    // The error in hand says what is wrong; a report that cannot be written adds nothing.
  }
}

}  // namespace

void registerRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run",
      "run a pipeline file: model, recipe, training, exports and checks; exit 1 when a step or "
      "check fails");
  // The metrics come from the parser's own list, so --help and the man page cannot drift.
  std::string metrics;
  for (const auto& m : pipelineMetrics())
    metrics += (metrics.empty() ? "" : ", ") + std::string(m.name);
  cmd->footer(
      "Pipeline format: docs/pipelines.md. Relative paths in the file are taken from the "
      "pipeline file's folder. Checks: \"METRIC OP NUMBER\" (OP: < <= > >= ==) or "
      "\"prediction of FILE is LABEL\"; metrics: " +
      metrics + ".");
  auto pipelinePath = std::make_shared<std::string>();
  auto junit = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("PIPELINE", *pipelinePath, "the pipeline JSON: {\"graft_pipeline\": 1, ...}")
      ->required();
  cmd->add_option("--junit", *junit, "write a JUnit XML report of the steps and checks here");
  cmd->add_flag("--json", *json, "print the result as one JSON object instead of lines");
  cmd->add_flag("-q,--quiet", *quiet, "no progress or notes on stderr (failures still are)");
  cmd->callback([pipelinePath, junit, json, quiet] {
    Pipeline pipeline;
    try {
      pipeline = readPipelineFile(*pipelinePath);
      checkPipelineInputs(pipeline);
    } catch (const Error& e) {
      reportBadPipeline(*pipelinePath, *junit, *json, e.what());
      throw;
    }
    // The report is an output like the pipeline's own, checked before the first step; when it
    // is the problem, no report is written.
    try {
      if (!junit->empty()) checkPipelineOutputs(pipeline, {{*junit, "--junit"}});
    } catch (const Error& e) {
      reportBadPipeline(*pipelinePath, "", *json, e.what());
      throw;
    }
    RunPrinter printer(pipeline, *quiet, *json);
    PipelineResult result;
    {
      std::vector<std::string> outputs = pipelineOutputFiles(pipeline);
      if (!junit->empty()) outputs.push_back(*junit);
      const TemporaryFileSweep sweep(outputs);  // a second Ctrl-C leaves no temporary file
      const InterruptScope interrupt;
      result = runPipeline(pipeline, &printer, interrupt.flag());
    }
    // The one object --json promises comes first: a report that cannot be written is an error
    // of its own (on stderr), not a reason to leave a script without the results.
    if (*json) std::cout << jsonText(result.toJson()) << "\n" << std::flush;
    if (!junit->empty()) writeJunitReport(result, suiteNameOf(*pipelinePath), *junit);
    if (!result.passed())
      throw Error(*pipelinePath + ": pipeline failed: " +
                  std::to_string(result.count(StepStatus::Failed)) + " check(s) failed, " +
                  std::to_string(result.count(StepStatus::Error)) + " step(s) in error");
    if (!*json) std::cout << "pipeline passed: " << result.steps.size() << " steps and checks\n";
  });
}

}  // namespace graft::cli

#pragma once
// What `graft-cli train` shows and records while a run goes: a progress bar on stderr when it
// is a terminal, one line per epoch, and with --log one JSON object per event (DESIGN.md).
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "cli/terminal_progress.h"
#include "runtime/training/trainer.h"

namespace graft::cli {

class TrainProgress : public TrainObserver {
 public:
  // logPath empty: no log. Throws graft::Error naming the log file when it cannot be created.
  TrainProgress(const std::string& logPath, bool quiet);

  void onStage(const StageEvent& e) override;
  void onStart(const TrainStartEvent& e) override;
  void onBatch(const BatchEvent& e) override;
  void onEpoch(const EpochEvent& e) override;
  void onNote(const std::string& text) override;
  void onSkippedFile(const std::string& path, const std::string& reason) override;
  // Every finding goes to the log; stderr warns once per code.
  void onDiagnosis(const Diagnosis& d) override;

  // The run's end: status, message, checkpoint (a final "end" log line).
  void finish(const TrainResult& result, const std::string& output);

 private:
  void log(const Json& event);
  void clearBar();

  std::unique_ptr<std::ofstream> log_;
  std::string logPath_;
  // A write failed and was thrown once (into the run, which ends saying what -o holds): the
  // end event is not tried again, or its error would replace the run's message.
  bool logFailed_ = false;
  bool quiet_ = false;
  bool terminal_ = false;
  TerminalBar bar_;
  std::set<std::string> warned_;  // diagnosis codes already on stderr
};

}  // namespace graft::cli

#pragma once
// The trainer's calls into its TrainObserver, shared by the parts of a run (trainer.cpp,
// trainer_batches.h): the observer may be null, and each unreadable file is reported once
// however often the parts pass the list on.
#include <set>
#include <string>

#include "runtime/training/trainer.h"

namespace graft {

class SkippedFiles;  // runtime/data/data_pipeline.h

class TrainEvents {
 public:
  explicit TrainEvents(TrainObserver* observer) : observer_(observer) {}
  void start(const TrainStartEvent& e) {
    if (observer_) observer_->onStart(e);
  }
  void batch(const BatchEvent& e) {
    if (observer_) observer_->onBatch(e);
  }
  void epoch(const EpochEvent& e) {
    if (observer_) observer_->onEpoch(e);
  }
  void note(const std::string& text) {
    if (observer_) observer_->onNote(text);
  }
  void diagnosis(const Diagnosis& d) {
    if (observer_) observer_->onDiagnosis(d);
  }
  // The files of `files` not reported yet, in the list's order.
  void skipped(const SkippedFiles& files);

 private:
  TrainObserver* observer_;
  std::set<std::string> reported_;
};

}  // namespace graft

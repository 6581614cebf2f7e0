#include "runtime/training/trainer_events.h"

#include "runtime/data/data_pipeline.h"

namespace graft {

void TrainEvents::skipped(const SkippedFiles& files) {
  if (files.count() == reported_.size()) return;
  for (const auto& [path, reason] : files.list())
    if (reported_.insert(path).second && observer_) observer_->onSkippedFile(path, reason);
}

}  // namespace graft

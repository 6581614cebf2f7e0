#include "cli/cmd_train_progress.h"
#include "run/counted.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/terminal_progress.h"
#include "io/json_file.h"

namespace graft::cli {

namespace {

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

const char* statusName(TrainStatus status) {
  switch (status) {
    case TrainStatus::Completed:
      return "completed";
    case TrainStatus::Cancelled:
      return "cancelled";
    case TrainStatus::Failed:
      return "failed";
  }
  return "?";
}

}  // namespace

TrainProgress::TrainProgress(const std::string& logPath, bool quiet)
    : logPath_(logPath), quiet_(quiet), terminal_(stderrIsTerminal()) {
  if (!logPath.empty()) {
    log_ = std::make_unique<std::ofstream>(logPath, std::ios::trunc);
    if (!*log_)
      throw Error(
          Diagnostic{logPath, std::string("cannot create the log file: ") + std::strerror(errno)});
  }
}

void TrainProgress::log(const Json& event) {
  if (!log_ || logFailed_) return;
  // One whole line per event, flushed: a reader tailing the file never sees half an object.
  *log_ << jsonText(event) << "\n" << std::flush;
  if (*log_) return;
  logFailed_ = true;
  throw Error(Diagnostic{logPath_, "cannot write the log file (is the disk full?)"});
}

void TrainProgress::clearBar() {
  bar_.clear();
}

void TrainProgress::onStage(const StageEvent& e) {
  log({{"event", "stage"},
       {"stage", e.stage},
       {"stages", e.stages},
       {"name", e.name},
       {"trains", e.scope},
       {"optimizer", e.optimizer},
       {"epochs", e.epochs},
       {"pretrained_lr_scale", e.pretrainedRateScale},
       {"batch_norm", e.freezeBatchNorm ? "frozen" : "train"},
       {"trainable_layers", e.trainableLayers}});
  if (quiet_) return;
  clearBar();
  std::cerr << "graft-cli: stage " << e.stage << "/" << e.stages << " (" << e.name
            << "): " << e.scope << " ("
            << counted(static_cast<int64_t>(e.trainableLayers.size()), "layer with weights",
                       "layers with weights")
            << "), " << e.optimizer;
  if (e.pretrainedRateScale != 1.0)
    std::cerr << ", pretrained layers at x" << e.pretrainedRateScale;
  std::cerr << ", " << counted(e.epochs, "epoch", "epochs")
            << (e.freezeBatchNorm ? ", BatchNormalization frozen" : "") << "\n";
}

void TrainProgress::onStart(const TrainStartEvent& e) {
  Json event = {{"event", "start"},
                {"epochs", e.epochs},
                {"batches_per_epoch", e.batchesPerEpoch},
                {"train_images", e.trainImages},
                {"validation_images", e.validationImages},
                {"classes", e.classes},
                {"trainable_params", e.trainableParams},
                {"frozen_params", e.frozenParams},
                {"optimizer", e.optimizer},
                {"device", e.device},
                {"precision", e.precision},
                {"channels_last", e.channelsLast}};
  if (!e.cachedPrefix.empty()) event["cached_prefix"] = e.cachedPrefix;
  if (!e.classWeights.empty()) event["class_weights"] = e.classWeights;
  log(event);
  if (quiet_) return;
  std::cerr << "graft-cli: training on " << e.trainImages << " images, validating on "
            << e.validationImages << "; " << e.classes.size() << " classes; " << e.trainableParams
            << " trainable and " << e.frozenParams << " frozen parameters; " << e.optimizer << "\n";
  std::cerr << "graft-cli: computing on " << computesOn(e) << "\n";
  if (!e.cachedPrefix.empty())
    std::cerr << "graft-cli: caching the outputs of the frozen layers up to " << e.cachedPrefix
              << "\n";
}

void TrainProgress::onBatch(const BatchEvent& e) {
  log({{"event", "batch"},
       {"epoch", e.epoch},
       {"batch", e.batch},
       {"batches", e.batches},
       {"size", e.size},
       {"loss", e.loss},
       {"accuracy", e.accuracy},
       {"lr", e.learningRate},
       {"eta_seconds", e.etaSeconds}});
  if (quiet_ || !terminal_) return;
  const double fraction =
      static_cast<double>(e.batch) / static_cast<double>(std::max<int64_t>(e.batches, 1));
  bar_.show("epoch " + std::to_string(e.epoch) + " " + progressBar(fraction) + " " +
            std::to_string(e.batch) + "/" + std::to_string(e.batches) + " loss " +
            fixed(e.loss, 4) + " acc " + fixed(e.accuracy, 3) + " eta " +
            formatDuration(e.etaSeconds));
}

void TrainProgress::onEpoch(const EpochEvent& e) {
  Json event = {{"event", "epoch"},
                {"epoch", e.epoch},
                {"epochs", e.epochs},
                {"loss", e.loss},
                {"accuracy", e.accuracy},
                {"val_loss", e.valLoss ? Json(*e.valLoss) : Json(nullptr)},
                {"val_accuracy", e.valAccuracy ? Json(*e.valAccuracy) : Json(nullptr)},
                {"images_per_second", e.imagesPerSecond},
                {"seconds", e.seconds},
                {"data_wait_fraction", e.dataWaitFraction},
                {"lr", e.learningRate},
                {"checkpoint_saved", e.checkpointSaved}};
  if (!e.valConfusion.empty()) {
    // A class without validation images has no accuracy: null, not a 0 that reads as failure.
    Json perClass = Json::array();
    for (size_t c = 0; c < e.valClassAccuracy.size(); ++c) {
      const auto& row = e.valConfusion.at(c);
      const bool seen = std::any_of(row.begin(), row.end(), [](int64_t n) { return n > 0; });
      perClass.push_back(seen ? Json(e.valClassAccuracy[c]) : Json(nullptr));
    }
    event["val_class_accuracy"] = perClass;
    event["val_confusion_matrix"] = e.valConfusion;
  }
  log(event);
  if (quiet_) return;
  clearBar();
  std::cerr << "epoch " << e.epoch << "/" << e.epochs << ": loss " << fixed(e.loss, 4)
            << " accuracy " << fixed(e.accuracy, 3);
  if (e.valLoss)
    std::cerr << " val_loss " << fixed(*e.valLoss, 4) << " val_accuracy "
              << fixed(*e.valAccuracy, 3);
  std::cerr << " | " << fixed(e.imagesPerSecond, 1) << " img/s, " << fixed(e.seconds, 1)
            << " s, waited for data " << fixed(100.0 * e.dataWaitFraction, 0) << "%"
            << (e.checkpointSaved ? ", saved" : "") << "\n";
}

void TrainProgress::onNote(const std::string& text) {
  log({{"event", "note"}, {"message", text}});
  if (quiet_) return;
  clearBar();
  std::cerr << "graft-cli: " << text << "\n";
}

void TrainProgress::onSkippedFile(const std::string& path, const std::string& reason) {
  log({{"event", "skipped"}, {"file", path}, {"reason", reason}});
  if (quiet_) return;
  clearBar();
  std::cerr << "graft-cli: skipped unreadable file: " << reason << "\n";
}

void TrainProgress::onDiagnosis(const Diagnosis& d) {
  log({{"event", "diagnosis"},
       {"epoch", d.epoch},
       {"code", d.code},
       {"message", d.message},
       {"fix", d.fix}});
  if (quiet_ || !warned_.insert(d.code).second) return;
  clearBar();
  std::cerr << "graft-cli: warning: " << d.message << " [" << d.code << "]; fix: " << d.fix << "\n";
}

void TrainProgress::finish(const TrainResult& result, const std::string& output) {
  Json event = {{"event", "end"},
                {"status", statusName(result.status)},
                {"epochs_completed", result.epochsCompleted},
                {"stopped_early", result.stoppedEarly},
                {"skipped_files", result.skippedFiles.size()}};
  if (!result.message.empty()) event["message"] = result.message;
  if (result.checkpointEpoch) {
    event["checkpoint"] = output;
    event["checkpoint_epoch"] = *result.checkpointEpoch;
  }
  log(event);
  if (!quiet_) clearBar();
  if (!result.skippedFiles.empty() && !quiet_)
    std::cerr << "graft-cli: " << result.skippedFiles.size()
              << " file(s) could not be read and were skipped\n";
}

}  // namespace graft::cli

#include "runtime/training/training_doctor.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace graft {

namespace {

// The thresholds the header documents.
constexpr double kChanceMargin = 0.1;
constexpr double kTrainAboveChance = 0.25;
constexpr double kTrainAboveValidation = 0.2;
constexpr double kCollapsedShare = 0.9;
constexpr double kCollapsedTrueShareAtMost = 0.6;
constexpr int64_t kCollapsedMinImages = 10;
constexpr int kOverfittingEpochs = 2;
constexpr double kOverfittingRise = 0.02;
constexpr int kFlatEpochs = 3;
constexpr double kFlatChange = 0.01;
constexpr double kBatchNormDistance = 0.25;
constexpr double kBatchNormChanged = 0.25;
constexpr double kPretrainedChange = 0.05;

// How advice for a network with no pretrained layers begins.
const char* const kFromRandomWeights = "the network trains from random weights";

std::string number(double value, int digits = 3) {
  std::ostringstream out;
  out.precision(digits);
  out << value;
  return out.str();
}

std::string percent(double share) {
  return std::to_string(static_cast<int>(std::lround(share * 100.0))) + " %";
}

std::string className(const std::vector<std::string>& classes, size_t index) {
  return index < classes.size() ? "'" + classes[index] + "'" : "class " + std::to_string(index);
}

int64_t total(const std::vector<int64_t>& counts) {
  return std::accumulate(counts.begin(), counts.end(), int64_t{0});
}

std::vector<int64_t> trueCounts(const std::vector<std::vector<int64_t>>& confusion) {
  std::vector<int64_t> counts;
  for (const auto& row : confusion) counts.push_back(total(row));
  return counts;
}

std::vector<int64_t> predictedCounts(const std::vector<std::vector<int64_t>>& confusion) {
  std::vector<int64_t> counts(confusion.size(), 0);
  for (const auto& row : confusion)
    for (size_t j = 0; j < row.size() && j < counts.size(); ++j) counts[j] += row[j];
  return counts;
}

// An option of the training run as the user gives it (option_words.h).
std::string option(const EpochCheckup& at, const std::string& key, const std::string& value = "") {
  return optionInWords(at.words, key, value);
}

// Where pretrained weights come from, in the same words.
std::string pretrainedWeightsFrom(const EpochCheckup& at) {
  return "graft-cli fetch-weights, or " + std::string(at.words == OptionWords::Pipeline
                                                          ? "the model's \"weights\""
                                                          : "--weights FILE");
}

Diagnosis finding(const EpochCheckup& at, std::string code, std::string message, std::string fix) {
  return Diagnosis{std::move(code), std::move(message), std::move(fix), at.epoch};
}

}  // namespace

double pretrainedRateLimit(const std::string& optimizer) {
  return 3.0 * (optimizer == "sgd" ? 1e-3 : 1e-4);
}

std::optional<Diagnosis> checkChanceLevel(const std::vector<EpochCheckup>& history,
                                          const std::vector<std::string>& classes) {
  if (history.size() < 2) return std::nullopt;
  const EpochCheckup& now = history.back();
  if (!now.valAccuracy || now.valConfusion.size() < 2) return std::nullopt;
  const std::vector<int64_t> counts = trueCounts(now.valConfusion);
  const int64_t images = total(counts);
  if (images == 0) return std::nullopt;
  const auto largest = std::max_element(counts.begin(), counts.end());
  const double chance = static_cast<double>(*largest) / static_cast<double>(images);
  const double val = *now.valAccuracy;
  if (val > chance + kChanceMargin || now.accuracy < chance + kTrainAboveChance ||
      now.accuracy < val + kTrainAboveValidation)
    return std::nullopt;
  return finding(
      now, "chance_level",
      "validation accuracy " + number(val) + " is at chance level (" + number(chance) +
          ": always answering " +
          className(classes, static_cast<size_t>(largest - counts.begin())) +
          ") while training accuracy is " + number(now.accuracy) +
          ": what the network learns does not carry over to images it has not seen",
      now.fromRandomWeights
          ? kFromRandomWeights +
                std::string(": with few images it learns them by heart; start "
                            "from pretrained weights (") +
                pretrainedWeightsFrom(now) + "), or add images or augmentation (" +
                option(now, "augment") + ")"
      : now.newLayersFirst
          ? "the new layers already train on frozen pretrained ones with BatchNormalization "
            "frozen: check that the validation images look like the training images (same "
            "classes, same kind of picture), add training images or augmentation (" +
                option(now, "augment") + "), or measure where to cut (graft-cli probe)"
          // Said only where the run does not already keep BatchNormalization frozen (it printed
          // that it does).
          : std::string(now.batchNormFrozen ? "" : "keep BatchNormalization frozen and ") +
                "train the new layers first on the frozen pretrained ones (the advisor's plan, " +
                "the default without " +
                (now.words == OptionWords::Pipeline ? "epochs, lr, optimizer or a plan in \"train\""
                                                    : "training options") +
                "); check that the validation images look like the training images");
}

std::optional<Diagnosis> checkCollapsedPredictions(const std::vector<EpochCheckup>& history,
                                                   const std::vector<std::string>& classes) {
  if (history.empty()) return std::nullopt;
  const EpochCheckup& now = history.back();
  if (now.valConfusion.size() < 2) return std::nullopt;
  const std::vector<int64_t> predicted = predictedCounts(now.valConfusion);
  const std::vector<int64_t> actual = trueCounts(now.valConfusion);
  const int64_t images = total(actual);
  if (images < kCollapsedMinImages) return std::nullopt;
  const auto top = std::max_element(predicted.begin(), predicted.end());
  const auto index = static_cast<size_t>(top - predicted.begin());
  const double share = static_cast<double>(*top) / static_cast<double>(images);
  const double trueShare = static_cast<double>(actual[index]) / static_cast<double>(images);
  if (share < kCollapsedShare || trueShare > kCollapsedTrueShareAtMost) return std::nullopt;
  return finding(
      now, "collapsed_predictions",
      percent(share) + " of the validation images are predicted as " + className(classes, index) +
          ", which holds " + percent(trueShare) +
          " of them: the predictions have collapsed onto one class",
      now.fromRandomWeights
          ? kFromRandomWeights +
                std::string(": it may need more epochs (BatchNormalization's moving "
                            "statistics follow the batches slowly), a lower learning "
                            "rate, or pretrained weights to start from (") +
                pretrainedWeightsFrom(now) + "); with imbalanced classes, weight them (" +
                option(now, "class_weights", now.words == OptionWords::Pipeline ? "true" : "") + ")"
          : std::string(now.batchNormFrozen || !now.newBatchNorms.empty()
                            ? "usually "
                            : "usually BatchNormalization statistics that no longer "
                              "fit (keep BatchNormalization frozen) or ") +
                "a learning rate that wrecked the pretrained features (lower it, or "
                "train the new layers first); with imbalanced classes, weight them (" +
                option(now, "class_weights", now.words == OptionWords::Pipeline ? "true" : "") +
                ")");
}

std::optional<Diagnosis> checkOverfitting(const std::vector<EpochCheckup>& history) {
  int streak = 0;
  for (size_t i = history.size(); i-- > 1;) {
    const EpochCheckup& now = history[i];
    const EpochCheckup& before = history[i - 1];
    if (!now.valLoss || !before.valLoss || !(*now.valLoss > *before.valLoss) ||
        !(now.loss < before.loss))
      break;
    ++streak;
  }
  if (streak < kOverfittingEpochs) return std::nullopt;
  const EpochCheckup& now = history.back();
  const EpochCheckup& start = history[history.size() - 1 - static_cast<size_t>(streak)];
  // 0.300 to 0.302 is the noise of a few validation images, not memorising.
  if (*now.valLoss - *start.valLoss < kOverfittingRise * *start.valLoss) return std::nullopt;
  return finding(
      now, "overfitting",
      "validation loss rose for " + std::to_string(streak) + " epochs in a row (" +
          number(*start.valLoss) + " to " + number(*now.valLoss) + ") while training loss fell (" +
          number(start.loss) + " to " + number(now.loss) +
          "): the network is memorising the training images",
      // Only --checkpoint best keeps an earlier epoch's file: name what any run can do.
      "stop earlier (" +
          (now.words == OptionWords::Pipeline
               ? option(now, "early_stopping", "3") + " with " + option(now, "restore_best", "true")
               : option(now, "early_stopping", "3") + " " + option(now, "restore_best")) +
          ", " +
          option(now, "checkpoint", now.words == OptionWords::Pipeline ? "\"best\"" : "best") +
          ", or " + option(now, "epochs", std::to_string(start.epoch)) +
          ", before the rise), add augmentation, train fewer layers, or gather more "
          "images");
}

std::optional<Diagnosis> checkFlatLoss(const std::vector<EpochCheckup>& history,
                                       const std::vector<std::string>& classes) {
  if (history.size() < static_cast<size_t>(kFlatEpochs) || classes.size() < 2) return std::nullopt;
  const double first = history.front().loss;
  const double uniform = std::log(static_cast<double>(classes.size()));
  if (!(first >= 0.5 * uniform)) return std::nullopt;
  for (const auto& epoch : history)
    if (!(std::abs(epoch.loss - first) <= kFlatChange * first)) return std::nullopt;
  const EpochCheckup& now = history.back();
  return finding(
      now, "flat_loss",
      "the training loss has stayed at " + number(now.loss, 4) + " for " +
          std::to_string(history.size()) + " epochs (a uniform guess over " +
          std::to_string(classes.size()) + " classes scores " + number(uniform, 4) +
          "): nothing is being learned",
      "raise the learning rate (this run: " + number(now.learningRate) +
          "), check that the layers that should learn are not frozen, and that each class "
          "folder holds its own images");
}

std::optional<Diagnosis> checkBatchNormStatistics(const std::vector<EpochCheckup>& history) {
  if (history.empty()) return std::nullopt;
  const EpochCheckup& now = history.back();
  if (!now.batchNormDistance || !now.batchNormChanged) return std::nullopt;
  if (*now.batchNormDistance < kBatchNormDistance && *now.batchNormChanged < kBatchNormChanged)
    return std::nullopt;
  const std::string message =
      "BatchNormalization layers compute differently in training and in prediction: on a "
      "validation batch, " +
      percent(*now.batchNormChanged) +
      " of the predicted classes change between the moving statistics (prediction) and the "
      "batch's own statistics (training), a mean probability difference of " +
      number(*now.batchNormDistance, 2);
  // From random weights BatchNormalization has to learn its statistics: freezing them would
  // keep random ones, so the advice is the opposite of the pretrained case's.
  const std::string settles =
      ": its moving averages settle over more steps (more epochs or images) and with larger "
      "batches (" +
      option(now, "batch_size") + ")";
  if (now.fromRandomWeights)
    return finding(now, "batch_norm_not_settled", message,
                   kFromRandomWeights +
                       std::string(", so BatchNormalization must learn its statistics (frozen, "
                                   "it would keep random ones)") +
                       settles + "; pretrained weights avoid it (" + pretrainedWeightsFrom(now) +
                       ")");
  // Layers the user just inserted have no pretrained statistics to keep or restart from.
  if (!now.newBatchNorms.empty()) {
    const size_t n = now.newBatchNorms.size();
    std::string names;
    for (const auto& name : now.newBatchNorms) names += (names.empty() ? "" : ", ") + name;
    return finding(now, "batch_norm_not_settled", message,
                   std::string(n == 1 ? "the BatchNormalization layer that trains is new ("
                                      : "the BatchNormalization layers that train are new (") +
                       names + "), so " + (n == 1 ? "it has" : "they have") +
                       " no pretrained statistics and must learn them (frozen, " +
                       (n == 1 ? "it" : "they") + " would keep random ones)" + settles);
  }
  return finding(now, "batch_norm_statistics", message,
                 "keep BatchNormalization frozen in inference mode (the default: leave out " +
                     option(now, "train_batch_norm") +
                     ", or \"batch_norm\": \"frozen\" in a plan) and restart from the "
                     "pretrained weights");
}

std::optional<Diagnosis> checkPretrainedRate(const std::vector<EpochCheckup>& history) {
  if (history.empty()) return std::nullopt;
  const EpochCheckup& now = history.back();
  const double limit = pretrainedRateLimit(now.optimizer);
  if (!(now.pretrainedRate > limit) || !now.pretrainedChange ||
      *now.pretrainedChange < kPretrainedChange)
    return std::nullopt;
  return finding(now, "pretrained_rate_too_high",
                 "pretrained layers train at a learning rate of " + number(now.pretrainedRate) +
                     " (above " + number(limit) + " for " + now.optimizer +
                     ") and their weights have moved by " + percent(*now.pretrainedChange) +
                     " by epoch " + std::to_string(now.epoch) +
                     ": the pretrained features are being overwritten",
                 "lower the learning rate (e.g. " + number(limit / 3.0) +
                     "), give pretrained layers a pretrained_lr_scale of 0.1 in a plan, or "
                     "train the new layers first");
}

std::vector<Diagnosis> examineEpoch(const std::vector<EpochCheckup>& history,
                                    const std::vector<std::string>& classes) {
  std::vector<Diagnosis> findings;
  for (auto found :
       {checkChanceLevel(history, classes), checkCollapsedPredictions(history, classes),
        checkOverfitting(history), checkFlatLoss(history, classes),
        checkBatchNormStatistics(history), checkPretrainedRate(history)})
    if (found) findings.push_back(std::move(*found));
  return findings;
}

Diagnosis nonFiniteLoss(int epoch, int64_t batch, bool notANumber, double learningRate) {
  const std::string where =
      batch > 0 ? "in epoch " + std::to_string(epoch) + ", batch " + std::to_string(batch)
                : "while validating epoch " + std::to_string(epoch);
  return Diagnosis{"loss_not_finite",
                   std::string("the loss became ") + (notANumber ? "NaN" : "infinite") + " " +
                       where + " at a learning rate of " + number(learningRate),
                   "lower the learning rate (try a tenth), check the weights file for NaN "
                   "values, and restart from the last good checkpoint",
                   epoch};
}

}  // namespace graft

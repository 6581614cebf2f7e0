#pragma once
// The training doctor: after every epoch it looks at the run so far and names what is going
// wrong, with a fix. The trainer measures (EpochCheckup), the doctor judges: the rules are pure
// functions over per-epoch numbers, so each is testable without training. The CLI (log event
// and a warning), pipelines and the training panel (a banner) all get the findings through
// TrainObserver::onDiagnosis. No LibTorch here.
//
// The findings (Diagnosis::code):
//  - chance_level: validation accuracy within 0.1 of chance (the largest class's share of the
//    validation images) from epoch 2 on, while training accuracy is at least 0.25 above chance
//    and 0.2 above validation;
//  - collapsed_predictions: at least 90 % of the validation images (10 or more) predicted as one
//    class that holds at most 60 % of them;
//  - overfitting: validation loss rose while training loss fell, 2 or more epochs in a row, by
//    2 % or more of where it began to rise (the message says how many epochs);
//  - loss_not_finite: the training or validation loss became NaN or infinite (the run stops);
//  - flat_loss: after 3 or more epochs the training loss is within 1 % of the first epoch's and
//    still at least half the loss of a uniform guess (ln of the class count);
//  - batch_norm_statistics: on a validation batch, BatchNormalization layers that train give
//    predictions that differ between inference mode (moving statistics) and training mode
//    (the batch's statistics): a mean total-variation distance of 0.25 or more, or 25 % of the
//    predicted classes changed; batch_norm_not_settled for the same measurement when the
//    network trains from random weights, or when every BatchNormalization layer that trains is
//    new (freezing the statistics would keep random ones);
//  - pretrained_rate_too_high: pretrained layers step at a rate above pretrainedRateLimit() and
//    their weights have moved by 5 % or more (median over the weight tensors of the relative L2
//    change) since the first epoch at such a rate began.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/training/option_words.h"

namespace graft {

struct Diagnosis {
  std::string code;     // one of the codes above
  std::string message;  // what is wrong, with the numbers that show it
  std::string fix;      // what to do about it
  int epoch = 0;        // 1-based, within the run (a plan's stage counts its own)
};

// What the trainer measured for the doctor after one epoch.
struct EpochCheckup {
  int epoch = 0;  // 1-based
  double loss = 0.0;
  double accuracy = 0.0;
  std::optional<double> valLoss;
  std::optional<double> valAccuracy;
  std::vector<std::vector<int64_t>> valConfusion;  // [true][predicted]; empty without validation
  double learningRate = 0.0;                       // of the epoch's last step
  // BatchNormalization probe; absent when no BatchNormalization layer trains (or no validation
  // batch of 2 or more images): between the inference-mode and training-mode predictions of
  // one validation batch, the mean total-variation distance of the class probabilities (0..1)
  // and the share of images whose predicted class differs.
  std::optional<double> batchNormDistance;
  std::optional<double> batchNormChanged;
  // Pretrained layers: the highest rate one of them stepped with (0: none trains), the
  // optimizer's name ("adam", "sgd", ...) and, when measured, how far their weights have moved
  // since the first epoch at a rate above the limit began (median over their weight tensors of
  // |W - W_start| / |W_start|).
  double pretrainedRate = 0.0;
  std::string optimizer;
  std::optional<double> pretrainedChange;
  // The new layers train (or trained, in an earlier stage) on frozen pretrained layers, with
  // BatchNormalization frozen: the advisor's remedy for chance-level validation is in use.
  bool newLayersFirst = false;
  // No layer holds pretrained weights: every one started random (TrainOptions::fromRandomWeights).
  bool fromRandomWeights = false;
  // No BatchNormalization layer trains (none does, or the network has none): advice to keep
  // them frozen would be no advice.
  bool batchNormFrozen = false;
  // The BatchNormalization layers that train, when every one of them is new (inserted by the
  // recipe, no pretrained statistics) while other layers are pretrained: advice to keep them
  // frozen in inference mode would keep random statistics. Empty otherwise.
  std::vector<std::string> newBatchNorms;
  // How the fixes name options (TrainOptions::optionWords).
  OptionWords words = OptionWords::CommandLine;
};

// Pretrained layers are at risk above this rate: three times the top of the usual range for
// fine-tuning them (1e-3 for sgd, 1e-4 for adam, adamw and rmsprop). The advisor's guard rail
// (high_learning_rate) uses the same limit.
double pretrainedRateLimit(const std::string& optimizer);

// Each rule on the run so far (history.back() is the epoch just finished; `classes` are the
// class names, index = label); nullopt when it finds nothing.
std::optional<Diagnosis> checkChanceLevel(const std::vector<EpochCheckup>& history,
                                          const std::vector<std::string>& classes);
std::optional<Diagnosis> checkCollapsedPredictions(const std::vector<EpochCheckup>& history,
                                                   const std::vector<std::string>& classes);
std::optional<Diagnosis> checkOverfitting(const std::vector<EpochCheckup>& history);
std::optional<Diagnosis> checkFlatLoss(const std::vector<EpochCheckup>& history,
                                       const std::vector<std::string>& classes);
std::optional<Diagnosis> checkBatchNormStatistics(const std::vector<EpochCheckup>& history);
std::optional<Diagnosis> checkPretrainedRate(const std::vector<EpochCheckup>& history);

// Every rule above, in that order.
std::vector<Diagnosis> examineEpoch(const std::vector<EpochCheckup>& history,
                                    const std::vector<std::string>& classes);

// The loss became NaN or infinite at `epoch` (in `batch` of the training pass, or while
// validating when `batch` is 0), training at `learningRate`.
Diagnosis nonFiniteLoss(int epoch, int64_t batch, bool notANumber, double learningRate);

}  // namespace graft

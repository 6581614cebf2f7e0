#include "run/train_spec.h"

#include "graph/diagnostic.h"
#include "run/compute_choice.h"

namespace graft {

namespace {

SpecRange atLeast(double min) {
  return {min, std::nullopt, false, false};
}

SpecRange above(double min) {
  return {min, std::nullopt, true, false};
}

SpecRange between(double min, double max, bool maxExclusive) {
  return {min, max, false, maxExclusive};
}

}  // namespace

const std::vector<SpecField>& trainSpecFields() {
  using K = SpecKind;
  using S = TrainSpec;
  // The help texts are `graft-cli train --help`'s; the order is its order.
  static const std::vector<SpecField> fields = {
      imageFolderField(&S::data),
      {"val_dir", K::Path, &S::validationDir,
       "validation images in their own folder (same class subfolders) instead of a split of "
       "--data"},
      {"epochs",
       K::Integer,
       &S::epochs,
       "passes over the training images (default 10)",
       {},
       atLeast(1),
       true},
      {"batch_size", K::Integer, &S::batchSize, "images per step (default 32)", {}, atLeast(1)},
      {"lr",
       K::Real,
       &S::lr,
       "learning rate (default Keras's: sgd 0.01, others 0.001)",
       {},
       above(0),
       true},
      {"optimizer",
       K::Choice,
       &S::optimizer,
       "sgd, rmsprop, adam or adamw (default adam)",
       {"sgd", "rmsprop", "adam", "adamw"},
       {},
       true},
      {"momentum",
       K::Real,
       &S::momentum,
       "momentum (default 0.9 for sgd, 0 for rmsprop)",
       {},
       between(0, 1, false),
       true},
      {"nesterov", K::Flag, &S::nesterov, "Nesterov momentum (sgd)", {}, {}, true},
      {"weight_decay",
       K::Real,
       &S::weightDecay,
       "decoupled weight decay (default 0.004 for adamw, as Keras; 0 otherwise)",
       {},
       atLeast(0),
       true},
      {"label_smoothing",
       K::Real,
       &S::labelSmoothing,
       "Keras's label_smoothing (default 0)",
       {},
       between(0, 1, true)},
      {"schedule",
       K::Choice,
       &S::schedule,
       "learning rate: constant, step (x --lr-factor every --step-epochs), cosine (to --min-lr "
       "over the run) or plateau (x --lr-factor after --lr-patience epochs without improvement)",
       {"constant", "step", "cosine", "plateau"}},
      {"step_epochs",
       K::Integer,
       &S::stepEpochs,
       "epochs per step of the step schedule (10)",
       {},
       atLeast(1)},
      {"lr_factor",
       K::Real,
       &S::lrFactor,
       "step and plateau factor (default 0.1)",
       {},
       SpecRange{0.0, 1.0, true, true}},
      {"lr_patience",
       K::Integer,
       &S::lrPatience,
       "plateau patience in epochs (default 10)",
       {},
       atLeast(0)},
      {"min_lr",
       K::Real,
       &S::minLr,
       "floor of the plateau and cosine schedules (default 0)",
       {},
       atLeast(0)},
      {"early_stopping",
       K::Integer,
       &S::earlyStopping,
       "stop after this many epochs without improvement of the validation loss (default 0: "
       "never)",
       {},
       atLeast(0)},
      {"restore_best", K::Flag, &S::restoreBest,
       "end with (and save) the weights of the epoch with the best validation loss, over all "
       "of a plan's stages (with --early-stopping: of the run that stopped)"},
      {"val_split",
       K::Real,
       &S::validationSplit,
       "share of each class held out for validation (default 0.2; 0: none; not with --val-dir)",
       {},
       between(0, 1, true),
       false,
       false,
       nullptr,
       false,
       "val_dir"},
      {"augment", K::List, &S::augment,
       "comma-separated: crop, flip, rotate, shift, brightness, contrast; all, or none "
       "(default)"},
      {"class_weights", K::Flag, &S::classWeights,
       "weight classes by inverse frequency (for imbalanced folders)"},
      {"freeze_upto",
       K::Text,
       &S::freezeUpto,
       "freeze every layer up to and including this one (topological order)",
       {},
       {},
       true},
      {"plan", K::Plan, &S::plan,
       "train in stages from a JSON plan (README, `graft-cli advise --json`); each stage sets its "
       "own layers, optimizer, learning rate and epochs"},
      {"train_batch_norm", K::Flag, &S::trainBatchNorm,
       "let BatchNormalization layers with pretrained statistics train (training mode, batch "
       "statistics); by default they stay frozen in inference mode"},
      {"cache_frozen", K::Flag, &S::cacheFrozen,
       "compute the frozen layers once per image and train the rest on their outputs (without "
       "--augment)"},
      {"checkpoint",
       K::Choice,
       &S::checkpoint,
       "write OUT after every epoch (last) or when the validation loss improves (best); default "
       "last",
       {"last", "best"}},
      {"output",
       K::Path,
       &S::output,
       "the trained model: .graft project (graph, weights, labels, preprocessing) or .h5 "
       "(Keras-layout weights only)",
       {},
       {},
       false,
       false,
       "-o,--output"},
      {"log", K::Path, &S::log, "write one JSON object per event to this file (JSON lines)"},
      {"workers",
       K::Integer,
       &S::workers,
       "image loading threads, 0 to 256 (default 0: one per core)",
       {},
       SpecRange{0.0, 256.0}},  // 100000 started 32000 threads before failing
      deviceField(&S::device),
      {"precision", K::Choice, &S::precision,
       "arithmetic of the forward pass: fp32, bf16 (autocast to bfloat16; CPU or CUDA) or fp16 "
       "(autocast to float16 with dynamic loss scaling; CUDA only); weights stay float32 "
       "(default fp32)",
       precisionNames()},
      {"channels_last", K::Choice, &S::channelsLast,
       "images and feature maps in channels-last memory order, the same results in another "
       "time: auto (on for networks with BatchNormalization on the CPU, and for bf16 or fp16 on "
       "CUDA), on or off (default auto)",
       channelsLastNames()},
      {"max_unreadable",
       K::Real,
       &S::maxUnreadable,
       "stop the run once more than this share of the images cannot be read (deleted, damaged "
       "or locked during the run); fewer are skipped (default 0.1)",
       {},
       between(0, 1, false)},
      {"seed",
       K::Integer,
       &S::seed,
       "seed for shuffling, augmentation and dropout (default: the model's seed)",
       {},
       {},
       false,
       false,
       "--seed",
       true},
      {"free_input_size",
       K::Integer,
       &S::freeInputSize,
       "input size for a model whose input size is not fixed",
       {},
       {},
       false,
       false,
       "--input-size",
       true},
  };
  return fields;
}

const SpecField& trainSpecField(const std::string& key) {
  return specFieldOf(trainSpecFields(), key, "training");
}

std::optional<SpecProblem> validateTrainSpec(const TrainSpec& spec) {
  if (auto problem = tableProblem(trainSpecFields(), spec)) return problem;
  if (!spec.plan.is_null() && spec.trainBatchNorm)
    return SpecProblem{"train_batch_norm",
                       "a plan says per stage whether BatchNormalization trains "
                       "(\"batch_norm\": \"train\")"};
  return std::nullopt;
}

}  // namespace graft

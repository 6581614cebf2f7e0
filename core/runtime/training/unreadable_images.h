#pragma once
// What the images that could not be read do to a run over a TrainingSet: too many of them end
// it (a folder deleted or unmounted mid-run must not leave it going on the rest), and a class
// none of whose images could be read makes its figures meaningless (a model would learn a class
// it never sees; the explorer scored such a folder as one class, 100 %). Training and the
// cut-point explorer ask the same questions.
#include <optional>
#include <string>

#include "runtime/data/data_pipeline.h"
#include "runtime/training/trainer.h"

namespace graft {

// Why more than `maxFraction` of `data`'s images (training and validation) being in `skipped`
// is too many, naming the first files; nothing when it is not.
std::optional<std::string> tooManyUnreadable(const TrainingSet& data, const SkippedFiles& skipped,
                                             double maxFraction);

// The first class of `data` whose every image is in `skipped`, said with why and `consequence`;
// nothing when each class has one that could be read.
std::optional<std::string> classWithoutReadableImages(
    const TrainingSet& data, const SkippedFiles& skipped,
    const std::string& consequence = "the model would learn a class it never sees");

// The first class with images none of which in data.train could be read (its readable ones all
// in validation: a model would learn it from nothing, and the explorer scored it as one it
// never saw), said with why; nothing otherwise or when classWithoutReadableImages says more.
std::optional<std::string> classWithoutReadableTrainingImages(const TrainingSet& data,
                                                              const SkippedFiles& skipped);

}  // namespace graft

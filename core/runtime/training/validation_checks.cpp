#include "runtime/training/validation_checks.h"

#include <cmath>
#include <filesystem>

namespace graft {

namespace {

bool sameFolder(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

std::string wholePercent(double share) {
  return std::to_string(static_cast<int>(std::lround(share * 100.0))) + " %";
}

}  // namespace

std::vector<PlanWarning> checkValidation(const TrainingSet& data, const std::string& dataDir,
                                         const std::string& validationDir, double validationSplit) {
  std::vector<PlanWarning> warnings;
  if (!validationDir.empty() && sameFolder(dataDir, validationDir))
    warnings.push_back({"validation_is_training",
                        "the validation folder is the training folder: the validation figures "
                        "measure the images the model learns, not how it does on images it has "
                        "not seen"});
  if (data.validation.empty()) return warnings;
  std::vector<size_t> perClass(data.classes.size(), 0);
  for (const ImageSample& sample : data.validation)
    if (sample.label >= 0 && static_cast<size_t>(sample.label) < perClass.size())
      ++perClass[static_cast<size_t>(sample.label)];
  std::vector<std::string> missing;
  for (size_t c = 0; c < perClass.size(); ++c)
    if (perClass[c] == 0) missing.push_back(data.classes[c]);
  if (!missing.empty()) {
    std::string names;
    for (size_t i = 0; i < missing.size() && i < 5; ++i)
      names += (i == 0 ? "'" : ", '") + missing[i] + "'";
    if (missing.size() > 5) names += ", ...";
    warnings.push_back({"validation_missing_classes",
                        "the validation images have none of " + std::to_string(missing.size()) +
                            " of the " + std::to_string(data.classes.size()) + " classes (" +
                            names + "): the validation figures say nothing about " +
                            (missing.size() == 1 ? "it" : "them") +
                            ", and a model that never predicts " +
                            (missing.size() == 1 ? "it" : "them") + " loses nothing there"});
  }
  if (validationDir.empty() && validationSplit > 0) {
    const double held = static_cast<double>(data.validation.size());
    const double share = held / (held + static_cast<double>(data.train.size()));
    if (share > validationSplit * 1.5 && share - validationSplit > 0.05)
      warnings.push_back(
          {"validation_share",
           "holding out " + std::to_string(data.validation.size()) + " of " +
               std::to_string(data.validation.size() + data.train.size()) +
               " images for validation (" + wholePercent(share) + ", where " +
               wholePercent(validationSplit) +
               " was asked): every class of two or more images gives at least one, so small "
               "classes give far more than the share; more images per class, or a validation "
               "folder, keep more to train on"});
  }
  return warnings;
}

}  // namespace graft

#include "runtime/training/unreadable_images.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

namespace graft {

std::optional<std::string> tooManyUnreadable(const TrainingSet& data, const SkippedFiles& skipped,
                                             double maxFraction) {
  const size_t total = data.train.size() + data.validation.size();
  const size_t unreadable = skipped.count();
  if (static_cast<double>(unreadable) <= maxFraction * static_cast<double>(total))
    return std::nullopt;
  std::ostringstream why;
  why << unreadable << " of " << total << " images could not be read, more than "
      << maxFraction * 100.0 << " %: ";
  const auto files = skipped.list();
  constexpr size_t kNamed = 3;
  for (size_t i = 0; i < std::min(files.size(), kNamed); ++i)
    why << (i ? "; " : "") << files[i].second;
  if (files.size() > kNamed) why << "; and " << files.size() - kNamed << " more";
  return why.str();
}

std::optional<std::string> classWithoutReadableImages(const TrainingSet& data,
                                                      const SkippedFiles& skipped,
                                                      const std::string& consequence) {
  std::vector<size_t> images(data.classes.size(), 0), unreadable(data.classes.size(), 0);
  std::vector<std::string> firstReason(data.classes.size());
  const auto list = skipped.list();
  const std::map<std::string, std::string> reasons(list.begin(), list.end());
  for (const auto* part : {&data.train, &data.validation})
    for (const ImageSample& sample : *part) {
      const auto label = static_cast<size_t>(sample.label);
      if (label >= images.size()) continue;
      ++images[label];
      const auto reason = reasons.find(sample.path);
      if (reason == reasons.end()) continue;
      ++unreadable[label];
      if (firstReason[label].empty()) firstReason[label] = reason->second;
    }
  for (size_t c = 0; c < images.size(); ++c)
    if (images[c] > 0 && unreadable[c] == images[c])
      return "class '" + data.classes[c] + "' has no image that could be read (" +
             std::to_string(images[c]) + " file" + (images[c] == 1 ? "" : "s") + ", e.g. " +
             firstReason[c] + "): " + consequence;
  return std::nullopt;
}

std::optional<std::string> classWithoutReadableTrainingImages(const TrainingSet& data,
                                                              const SkippedFiles& skipped) {
  std::vector<size_t> readable(data.classes.size(), 0), listed(data.classes.size(), 0);
  for (const ImageSample& sample : data.train) {
    const auto label = static_cast<size_t>(sample.label);
    if (label >= readable.size()) continue;
    ++listed[label];
    if (!skipped.contains(sample.path)) ++readable[label];
  }
  for (size_t c = 0; c < readable.size(); ++c)
    if (listed[c] > 0 && readable[c] == 0)
      return "class '" + data.classes[c] + "' has no training image that could be read (its " +
             std::to_string(listed[c]) + " training file" + (listed[c] == 1 ? "" : "s") +
             " could not be read; the readable ones went to validation): nothing to learn it "
             "from; add readable images of it or remove the broken ones";
  return std::nullopt;
}

}  // namespace graft

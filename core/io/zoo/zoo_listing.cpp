#include "io/zoo/zoo_listing.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "graph/analysis.h"
#include "io/zoo/zoo.h"

namespace graft::zoo {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Keras's standard file names for every published α and size, with and without the top.
std::vector<std::string> standardFiles(const std::string& architecture) {
  std::vector<std::string> files;
  for (double alpha : publishedAlphas(architecture))
    for (int64_t size : publishedSizes(architecture))
      for (bool top : {true, false})
        for (bool minimalistic : {false, true}) {  // MobileNetV3's variant; others ignore it
          ZooOptions options;
          options.minimalistic = minimalistic;
          options.architecture = architecture;
          options.alpha = alpha;
          if (size) options.inputSize = size;
          options.includeTop = top;
          const std::string name = standardWeightsFileName(options);
          if (!name.empty() && std::find(files.begin(), files.end(), name) == files.end())
            files.push_back(name);
        }
  return files;
}

}  // namespace

std::vector<ZooListingEntry> zooListing(const std::string& kerasCacheDir, ParameterCounts counts) {
  std::vector<ZooListingEntry> entries;
  for (const std::string& architecture : architectures()) {
    ZooListingEntry e;
    e.architecture = architecture;
    e.alias = aliasOf(architecture);
    e.family = familyOf(architecture);
    e.defaultInputSize = defaultInputSize(architecture);
    e.preprocessing = preprocessingFor(architecture);
    e.published = publishedFigures(architecture);
    if (counts == ParameterCounts::Published && e.published && e.published->parametersMillions) {
      e.parameters = std::llround(*e.published->parametersMillions * 1e6);
      e.parametersExact = false;
    } else {
      ZooOptions options;
      options.architecture = architecture;
      e.parameters = analyzeOrThrow(buildGraph(options)).totalParams;
    }
    for (const std::string& file : standardFiles(architecture)) {
      std::error_code error;  // an unreadable cache folder lists every file as missing
      const bool found =
          !kerasCacheDir.empty() &&
          std::filesystem::exists(std::filesystem::path(kerasCacheDir) / file, error);
      (found ? e.weightsFound : e.weightsMissing).push_back(file);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

bool matchesFilter(const ZooListingEntry& entry, const std::string& filter) {
  const std::string haystack = lower(entry.architecture + " " + entry.alias + " " + entry.family);
  std::istringstream words(lower(filter));
  std::string word;
  while (words >> word)
    if (haystack.find(word) == std::string::npos) return false;
  return true;
}

std::string readableCount(int64_t count) {
  char text[32];
  if (count >= 1000000)
    std::snprintf(text, sizeof text, "%.1f M", static_cast<double>(count) / 1e6);
  else if (count >= 1000)
    std::snprintf(text, sizeof text, "%.0f K", static_cast<double>(count) / 1e3);
  else
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(count));
  return text;
}

}  // namespace graft::zoo

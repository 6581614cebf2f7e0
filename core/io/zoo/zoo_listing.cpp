#include "io/zoo/zoo_listing.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "graph/analysis.h"
#include "io/fetch/weights_catalogue.h"
#include "io/zoo/zoo.h"

namespace graft::zoo {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::vector<ZooListingEntry> zooListing(const std::string& kerasCacheDir, ParameterCounts counts) {
  // Every file Keras publishes, as the weights catalogue enumerates them (widths, sizes, top).
  const std::vector<ZooOptions> variants = fetch::publishedVariants();
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
    std::vector<std::string> files;
    for (const ZooOptions& variant : variants) {
      if (variant.architecture != architecture) continue;
      const std::string file = standardWeightsFileName(variant);
      if (!file.empty() && std::find(files.begin(), files.end(), file) == files.end())
        files.push_back(file);
    }
    for (const std::string& file : files) {
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

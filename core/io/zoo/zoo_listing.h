#pragma once
// The zoo as a user browses it (`graft-cli zoo`, the GUI's start page): every architecture with
// its family, exact parameter count, default input, Keras's published accuracy, and which of
// Keras's standard weight files are already in the user's Keras cache. One listing, two faces.
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"
#include "io/zoo/published_figures.h"

namespace graft::zoo {

struct ZooListingEntry {
  std::string architecture;  // canonical zoo name
  std::string alias;         // snake_case alias, or empty
  std::string family;        // Keras's family ("ResNetV2")
  // Parameter count of the model with its top at the default input size: exact (as Keras's
  // model.summary() gives it for the default options) or Keras's rounded figure.
  int64_t parameters = 0;
  bool parametersExact = true;
  int64_t defaultInputSize = 224;
  Preprocessing preprocessing = Preprocessing::None;
  std::optional<PublishedFigures> published;
  // Keras's standard weight files for every published α and size, with and without the top:
  // those present in the cache folder, and the rest.
  std::vector<std::string> weightsFound;
  std::vector<std::string> weightsMissing;
};

enum class ParameterCounts {
  Exact,     // build every graph and count (tens of milliseconds for the whole zoo)
  Published  // Keras's rounded figure where it has one: a start page must open at once
};

// Every architecture in architectures() order (grouped by family).
std::vector<ZooListingEntry> zooListing(const std::string& kerasCacheDir,
                                        ParameterCounts counts = ParameterCounts::Exact);

// Case-insensitive: the filter's words each occur in the name, the alias or the family
// ("resnet v2", "mobile"). An empty filter matches everything.
bool matchesFilter(const ZooListingEntry& entry, const std::string& filter);

// "25.6 M", "138.4 M", "410 K": a parameter count as people read it.
std::string readableCount(int64_t count);

}  // namespace graft::zoo

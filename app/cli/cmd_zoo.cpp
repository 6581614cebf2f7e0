// graft-cli zoo [FILTER] [--json]: the architectures Graft builds, grouped by family, with their
// parameter count, input size, Keras's published ImageNet accuracy and which of Keras's weight
// files are in the Keras cache (io/zoo/zoo_listing.h, the same listing the start page shows).
#include <iomanip>

#include "cli/cli_context.h"
#include "io/json_file.h"
#include "io/zoo/zoo_listing.h"

namespace graft::cli {

namespace {

Json entryJson(const zoo::ZooListingEntry& e) {
  Json j{{"architecture", e.architecture},
         {"family", e.family},
         {"preprocessing", preprocessingName(e.preprocessing)},
         {"default_input_size", e.defaultInputSize},
         {"parameters", e.parameters},
         {"found", e.weightsFound},
         {"missing", e.weightsMissing}};
  if (!e.alias.empty()) j["alias"] = e.alias;
  if (e.published) {
    j["top1_accuracy"] = e.published->top1;
    if (e.published->top5) j["top5_accuracy"] = *e.published->top5;
  }
  return j;
}

std::string percent(double share) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << share * 100 << "%";
  return out.str();
}

void printTable(const std::vector<const zoo::ZooListingEntry*>& entries) {
  std::cout << "  " << std::left << std::setw(20) << "architecture" << std::right << std::setw(10)
            << "params" << std::setw(8) << "input" << std::setw(8) << "top-1" << std::setw(8)
            << "top-5"
            << "  preprocessing  weights in cache\n";
  std::string family;
  for (const auto* e : entries) {
    if (e->family != family) std::cout << (family = e->family) << "\n";
    const size_t files = e->weightsFound.size() + e->weightsMissing.size();
    std::cout << "  " << std::left << std::setw(20) << e->architecture << std::right
              << std::setw(10) << zoo::readableCount(e->parameters) << std::setw(8)
              << e->defaultInputSize << std::setw(8)
              << (e->published ? percent(e->published->top1) : "-") << std::setw(8)
              << (e->published && e->published->top5 ? percent(*e->published->top5) : "-") << "  "
              << std::left << std::setw(13) << preprocessingName(e->preprocessing) << "  "
              << e->weightsFound.size() << " of " << files << "\n";
    for (const auto& name : e->weightsFound) std::cout << "      found: " << name << "\n";
  }
}

}  // namespace

void registerZooCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "zoo",
      "list architectures (by family, with size and Keras's ImageNet accuracy) and the "
      "weight files found in the Keras cache");
  cmd->footer(
      "Accuracy: Keras's table (keras.io/api/applications), ImageNet validation, single crop, "
      "at the size Keras measured. Parameters: the model with its top at the default input.");
  auto filter = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILTER", *filter,
                  "only architectures whose name, alias or family contains every word "
                  "(resnet v2, mobile)");
  cmd->add_flag("--json", *json, "print one JSON object per architecture");
  // Every subcommand takes -q (DESIGN.md); this one prints only its result.
  cmd->add_flag("-q,--quiet", "no notes on stderr (this command prints only its result)");
  cmd->callback([filter, json] {
    const std::string cache = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
    const std::vector<zoo::ZooListingEntry> listing = zoo::zooListing(cache);
    std::string words;  // `graft-cli zoo resnet v2` and `graft-cli zoo "resnet v2"` alike
    for (const auto& word : *filter) words += (words.empty() ? "" : " ") + word;
    std::vector<const zoo::ZooListingEntry*> shown;
    for (const auto& e : listing)
      if (zoo::matchesFilter(e, words)) shown.push_back(&e);
    if (shown.empty())
      throw Error("no architecture matches '" + words + "' (graft-cli zoo lists them all)");
    if (*json) {
      for (const auto* e : shown) std::cout << jsonText(entryJson(*e)) << "\n";
      return;
    }
    std::cout << "Keras weights cache: " << cache << "\n";
    printTable(shown);
  });
}

}  // namespace graft::cli

#include "run/augment_options.h"

#include <sstream>
#include <vector>

#include "graph/diagnostic.h"

namespace graft {

std::string AugmentOptions::describe() const {
  std::vector<std::string> on;
  if (crop) on.push_back("crop");
  if (flip) on.push_back("flip");
  if (rotate) on.push_back("rotate");
  if (shift) on.push_back("shift");
  if (brightness) on.push_back("brightness");
  if (contrast) on.push_back("contrast");
  if (on.empty()) return "none";
  std::string out;
  for (const auto& s : on) out += (out.empty() ? "" : ",") + s;
  return out;
}

AugmentOptions parseAugmentList(const std::string& list) {
  AugmentOptions options;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty() || item == "none") continue;
    if (item == "all") {
      options.crop = options.flip = options.rotate = options.shift = options.brightness =
          options.contrast = true;
    } else if (item == "crop") {
      options.crop = true;
    } else if (item == "flip") {
      options.flip = true;
    } else if (item == "rotate") {
      options.rotate = true;
    } else if (item == "shift") {
      options.shift = true;
    } else if (item == "brightness") {
      options.brightness = true;
    } else if (item == "contrast") {
      options.contrast = true;
    } else {
      throw Error(Diagnostic{"--augment", "unknown augmentation '" + item +
                                              "' (choose from crop, flip, rotate, shift, "
                                              "brightness, contrast, all, none)"});
    }
  }
  return options;
}

}  // namespace graft

#include "runtime/training/option_words.h"

#include <algorithm>

namespace graft {

std::string optionInWords(OptionWords words, const std::string& key, const std::string& value) {
  if (words == OptionWords::Pipeline)
    return "\"" + key + "\"" + (value.empty() ? "" : ": " + value);
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag + (value.empty() ? "" : " " + value);
}

}  // namespace graft

#include "io/labels_file.h"

#include <filesystem>
#include <sstream>

namespace graft {
namespace fs = std::filesystem;

namespace {

// "12 name" → "name" when the line starts with exactly `index` and a space.
bool stripIndex(const std::string& line, size_t index, std::string& name) {
  const std::string prefix = std::to_string(index) + ' ';
  if (line.compare(0, prefix.size(), prefix) != 0 || line.size() == prefix.size()) return false;
  name = line.substr(prefix.size());
  return true;
}

}  // namespace

std::vector<std::string> parseLabels(const std::string& text) {
  // A UTF-8 byte-order mark (Windows Notepad writes one) is not part of the first name.
  const bool bom = text.rfind("\xEF\xBB\xBF", 0) == 0;
  std::istringstream in(bom ? text.substr(3) : text);
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  std::vector<std::string> stripped(labels.size());
  for (size_t i = 0; i < labels.size(); ++i)
    if (!stripIndex(labels[i], i, stripped[i])) return labels;
  return stripped;
}

std::optional<std::string> findLabelsBeside(const std::string& modelPath) {
  std::error_code error;
  const fs::path folder = fs::path(modelPath).parent_path();
  // The model's own file first: a folder of several models can name each one's classes
  // (cats.h5 + cats_labels.txt); the shared names are for the folder's one model.
  const std::string stem = fs::path(modelPath).stem().string();
  for (const std::string& name :
       {stem + "_labels.txt", stem + ".labels.txt", stem + "_classes.txt",
        std::string("labels.txt"), std::string("cls_classes.txt"), std::string("classes.txt")}) {
    const fs::path candidate = folder / name;
    if (fs::is_regular_file(candidate, error)) return candidate.string();
  }
  return std::nullopt;
}

}  // namespace graft

#pragma once
// Class names kept beside a model, as the tools that make models write them: Teachable Machine's
// labels.txt ("0 Class 1" — index, space, name), and plain one-name-per-line files
// (cls_classes.txt, classes.txt). Shared by the CLI (predict, eval) and the GUI.
#include <optional>
#include <string>
#include <vector>

namespace graft {

// One class name per line; trailing blank lines are ignored. When every line starts with its
// own index ("0 cat", "1 dog"), as Teachable Machine writes them, the index is dropped.
std::vector<std::string> parseLabels(const std::string& text);

// The labels file next to a model file, the first that exists in the model's folder: the
// model's own (for m.h5: m_labels.txt, m.labels.txt, m_classes.txt), then labels.txt,
// cls_classes.txt, classes.txt; or nullopt.
std::optional<std::string> findLabelsBeside(const std::string& modelPath);

}  // namespace graft

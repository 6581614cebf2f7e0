#pragma once
// Keras's names for layers created without one, in one place for surgery (new layers in
// recipes), the Keras 3 weight layout and the GUI (the name a dropped layer gets).
#include <functional>
#include <optional>
#include <string>

namespace graft {

// Keras's naming.to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" ->
// "batch_normalization", "ReLU" -> "re_lu", "GlobalAveragePooling2D" -> "global_average_pooling2d".
std::string kerasSnakeCase(const std::string& className);

// `base` when it is free, else the first free of base_1, base_2, ... (Keras's own counter).
std::string uniqueLayerName(const std::string& base,
                            const std::function<bool(const std::string&)>& taken);

// Why `name` cannot name a layer Graft saves (nullopt when it can): empty, '/' (it separates
// HDF5 groups in weight files), "." or "..", a control character (NUL ends a C string in
// HDF5), or longer than limits::kMaxLayerNameBytes.
std::optional<std::string> layerNameProblem(const std::string& name);

}  // namespace graft

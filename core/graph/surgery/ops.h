#pragma once
// Builders for the operation JSON that applyOperation() takes, so C++ callers (the GUI, tests)
// and recipe files speak the same language and every GUI edit can be recorded as a recipe step.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/shape.h"

namespace graft::ops {

// {"class_name": className, "config": config (with "name": name when given)}
Json layer(const std::string& className, const std::string& name, Json config = Json::object());
// A layer of `className` that takes over what `replaced` sets under the same config keys
// (filters, kernel_size, strides, padding, units, activation ...): replacing a 128-filter 1x1
// Conv2D with a SeparableConv2D keeps 128 filters, 1x1, as Keras's defaults (32, 3x3) never fit.
// Keys the new class does not have are left out; its other keys keep Keras's defaults.
Json layerLike(const std::string& className, const std::string& name, const Node& replaced);

Json cut(const std::string& at);
Json stack(const std::string& after, std::vector<Json> layers);
Json insertAfter(const std::string& after, Json layer);
Json insertBefore(const std::string& before, Json layer);
Json insertBetween(const std::string& from, const std::string& to, Json layer);
Json remove(std::vector<std::string> layers);
Json replace(std::vector<std::string> layers, Json with);
Json fuse(std::vector<std::string> layers);

// Selection for freeze / unfreeze: exactly the fields that are set are written.
struct Selection {
  std::vector<std::string> layers;
  std::string upto;  // inclusive, in topological order
  std::string from;  // inclusive, in topological order
  std::vector<std::string> types;
};
Selection layersNamed(std::vector<std::string> layers);
Selection upTo(const std::string& layer);
Selection fromLayer(const std::string& layer);
Json freeze(const Selection& which);
Json unfreeze(const Selection& which);

// `shape` without the batch dimension, e.g. {160, 160, 3}; kUnknown for None.
Json setInputShape(const Shape& shape);
Json rename(const std::string& layer, const std::string& to);
Json setConfig(const std::string& layer, Json config);
// Several layers changed together: {"conv_preds": {"filters": 5}, "reshape_2": {...}}.
Json setConfigs(Json changesByLayer);
// How images become the input: "caffe", "tf", "torch", "unit" (x/255) or "none".
Json setPreprocessing(const std::string& name);

}  // namespace graft::ops

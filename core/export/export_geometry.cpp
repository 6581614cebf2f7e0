#include "export/export_geometry.h"

#include <algorithm>

#include "graph/layer_helpers.h"

namespace graft::exporting {

namespace {

Pair pair(const Json& config, const std::string& key) {
  auto [h, w] = layers::intPair(config, key);
  return {h, w};
}

bool samePadding(const ExportLayer& layer) {
  const Json& p = layer.config.at("padding");
  const std::string padding = p.is_string() ? p.get<std::string>() : "";
  if (padding != "same" && padding != "valid")
    throw Error(Diagnostic{layer.name(), "padding must be 'valid' or 'same', got " + p.dump()});
  return padding == "same";
}

// TensorFlow's rule: output ceil(n / s), total = max((out - 1) * s + effective_k - n, 0),
// `total / 2` before and the rest after.
std::pair<int64_t, int64_t> sameAxis(int64_t n, int64_t k, int64_t s, int64_t d) {
  const int64_t effective = (k - 1) * d + 1;
  const int64_t out = (n + s - 1) / s;
  const int64_t total = std::max<int64_t>((out - 1) * s + effective - n, 0);
  return {total / 2, total - total / 2};
}

}  // namespace

TransposeWindow transposeWindow(const ExportLayer& layer) {
  TransposeWindow t;
  t.window = convolutionWindow(layer);
  const Window& w = t.window;
  auto [oh, ow] = layers::outputPaddingPair(layer.config);
  const std::string padding = w.same ? "same" : "valid";
  const layers::TransposeGeometry h =
      layers::transposeGeometry(w.kernel.h, w.stride.h, w.dilation.h, padding, oh);
  const layers::TransposeGeometry v =
      layers::transposeGeometry(w.kernel.w, w.stride.w, w.dilation.w, padding, ow);
  t.crop = {h.before, h.after, v.before, v.after};
  return t;
}

Window convolutionWindow(const ExportLayer& layer) {
  Window w;
  w.kernel = pair(layer.config, "kernel_size");
  w.stride = pair(layer.config, "strides");
  w.dilation = pair(layer.config, "dilation_rate");
  w.same = samePadding(layer);
  return w;
}

Window poolingWindow(const ExportLayer& layer) {
  Window w;
  w.kernel = pair(layer.config, "pool_size");
  w.stride = layer.config.at("strides").is_null() ? w.kernel : pair(layer.config, "strides");
  w.same = samePadding(layer);
  return w;
}

Pads windowPads(const Window& window, int64_t h, int64_t w) {
  if (!window.same) return {};
  auto [top, bottom] = sameAxis(h, window.kernel.h, window.stride.h, window.dilation.h);
  auto [left, right] = sameAxis(w, window.kernel.w, window.stride.w, window.dilation.w);
  return {top, bottom, left, right};
}

Pads padsFromConfig(const ExportLayer& layer, const std::string& key) {
  auto [h, w] = layers::padPairs(layer.config.at(key), key);
  return {h.first, h.second, w.first, w.second};
}

int64_t runtimeAxis(const Json& kerasAxis, size_t rank) {
  const int64_t axis = layers::resolveAxis(kerasAxis, rank);
  if (rank != 4) return axis;
  return axis == 3 ? 1 : axis + 1;  // (N, H, W, C) -> (N, C, H, W)
}

std::string activationName(const ExportLayer& layer) {
  const Json& a = layer.config.at("activation");
  if (a.is_null()) return "linear";
  if (!a.is_string()) throw Error(Diagnostic{layer.name(), "unknown activation " + a.dump()});
  return a.get<std::string>();
}

}  // namespace graft::exporting

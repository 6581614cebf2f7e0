#pragma once
// What every exporter needs from a model, computed once: the layers the output depends on in
// topological order, each with its normalized config, shapes and Keras-layout weights, and the
// metadata that travels with the file.
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::exporting {

struct ExportLayer {
  const Node* node = nullptr;
  Json config;                     // normalized: every key present with Keras's default
  std::vector<Shape> inputShapes;  // Keras layout (batch first, channels last)
  Shape outputShape;               // Keras layout
  const std::vector<WeightTensor>* weights = nullptr;  // Keras layout and order; may be empty

  const std::string& name() const { return node->name; }
  const std::string& className() const { return node->className; }
  size_t inputRank(size_t i = 0) const { return inputShapes.at(i).size(); }
  const WeightTensor& weight(size_t i) const { return weights->at(i); }
};

struct ExportPlan {
  std::vector<ExportLayer> layers;  // topological order; only what the output needs
  std::string inputName, outputName;
  Shape inputShape, outputShape;  // Keras layout
};

// Checks what GraphModule checks (shapes, weights, one input, one output) and throws
// graft::Error naming the layer when the model cannot be run at all.
ExportPlan makeExportPlan(const Model& model);

// The input as the exports take it: (N, C, H, W) for image inputs, Keras's layout otherwise.
Shape runtimeInputShape(const Shape& kerasShape);

// "NCHW", "NHWC", "NC" ... for a rank and whether it is in Keras's layout.
std::string layoutName(size_t rank, bool kerasLayout);

// {"graft_version", "model", "preprocessing", "labels", "input": {name, layout, shape},
//  "output": {name, layout, shape}}: what readers of an export need to feed and read it.
Json exportMetadata(const Model& model, const ExportPlan& plan);

// The layer refused for `format`: Diagnostic{layer, "<Class> cannot be exported to <format>: why"}.
Diagnostic refusal(const ExportLayer& layer, const std::string& formatTitle,
                   const std::string& why);

}  // namespace graft::exporting

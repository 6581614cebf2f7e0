#pragma once
// ONNX for one Keras layer at a time: each emitter adds the nodes (opset 13) and initializers
// that compute its layer as GraphModule does, in ops OpenCV's DNN module 4.6 runs too (it reads
// Clip only in its pre-opset-11 form and has no Min/Max/Where, so clamps are written with Relu).
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "export/export_plan.h"

namespace graft::exporting::onnx_export {

// Unique tensor names within one ONNX graph.
class NameTable {
 public:
  std::string unique(const std::string& wanted);

 private:
  std::set<std::string> used_;
};

class LayerNodes {
 public:
  LayerNodes(const ExportLayer& layer, std::vector<std::string> inputs, std::string output,
             onnx::GraphProto& graph, NameTable& names)
      : layer(layer), in(std::move(inputs)), out(std::move(output)), graph_(graph), names_(names) {}

  const ExportLayer& layer;
  const std::vector<std::string> in;  // tensor names of the inputs (runtime layout)
  const std::string out;              // the name the layer's result should get
  std::string result;                 // set by emit(): the tensor holding the layer's result

  // A node of type `op`; its output is named `out` when `suffix` is empty (the layer's result),
  // else "<layer>/<suffix>". Returns the node for its attributes.
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& suffix);
  // Shorthand: the node's output name.
  std::string op(const std::string& op, const std::vector<std::string>& inputs,
                 const std::string& suffix);

  // Initializers, named "<layer>/<name>".
  std::string weight(const std::string& name, const torch::Tensor& value);        // float32
  std::string scalar(const std::string& name, float value);                       // float32, rank 0
  std::string ints(const std::string& name, const std::vector<int64_t>& values);  // int64, 1-D

 private:
  onnx::GraphProto& graph_;
  NameTable& names_;
};

void attribute(onnx::NodeProto& node, const std::string& name, int64_t value);
void attribute(onnx::NodeProto& node, const std::string& name, float value);
void attribute(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& value);

struct Emitter {
  void (*emit)(LayerNodes&);
  // Why this layer cannot be written (empty when it can); nullptr: always can.
  std::string (*refuse)(const ExportLayer&) = nullptr;
};

// Keras class name -> emitter. A class missing here is refused for ONNX.
const std::map<std::string, Emitter>& emitters();

}  // namespace graft::exporting::onnx_export

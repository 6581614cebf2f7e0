#pragma once
// TorchScript for one Keras layer at a time: each emitter writes the statements of the
// generated forward() that compute its layer exactly as GraphModule's op for that class does
// (same LibTorch ops on the same NCHW tensors), and hands over the tensors it reads.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "export/export_plan.h"

namespace graft::exporting::ts {

class LayerCode {
 public:
  LayerCode(const ExportLayer& layer, std::vector<std::string> inputs, std::string output,
            std::string holder)
      : layer(layer), in(std::move(inputs)), out(std::move(output)), holder_(std::move(holder)) {}

  const ExportLayer& layer;
  const std::vector<std::string> in;  // local variables holding the inputs (runtime layout)
  const std::string out;              // local variable the layer's result goes to

  // A tensor kept on the layer's submodule; returns the expression that reads it.
  std::string parameter(const std::string& name, torch::Tensor value);
  std::string buffer(const std::string& name, torch::Tensor value);
  void line(const std::string& statement) { lines_.push_back(statement); }
  // A local variable name private to this layer ("<out>_pad").
  std::string local(const std::string& suffix) const { return out + "_" + suffix; }

  struct Tensor {
    std::string name;
    torch::Tensor value;
    bool buffer;
  };
  const std::vector<std::string>& lines() const { return lines_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  bool usesSamePadding = false;  // calls the module's same_padding() helper

 private:
  std::string holder_;
  std::vector<std::string> lines_;
  std::vector<Tensor> tensors_;
};

using Emitter = void (*)(LayerCode&);

// Keras class name -> emitter. A class missing here is refused for TorchScript.
const std::map<std::string, Emitter>& emitters();

// The helper method emitters call when a spatial size is only known at run time: Keras's
// `same` padding of x for a window, as constant_pad_nd's [left, right, top, bottom].
extern const char* const kSamePaddingMethod;

// Literals as TorchScript reads them back bit for bit.
std::string floatLiteral(double value);
std::string intList(const std::vector<int64_t>& values);

}  // namespace graft::exporting::ts

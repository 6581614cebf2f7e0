// Add, Multiply (any number of inputs) and Concatenate (Keras axis mapped to the layout).
#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

class AddOp : public LayerOp {
 public:
  explicit AddOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    torch::Tensor y = in[0] + in[1];
    for (size_t i = 2; i < in.size(); ++i) y.add_(in[i]);  // y is ours: accumulate in place
    return y;
  }
};

class MultiplyOp : public LayerOp {
 public:
  explicit MultiplyOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    torch::Tensor y = in[0] * in[1];
    for (size_t i = 2; i < in.size(); ++i) y = y * in[i];  // not in place: autograd keeps y
    return y;
  }
};

class ConcatenateOp : public LayerOp {
 public:
  explicit ConcatenateOp(const LayerContext& c) {
    const size_t rank = c.inputShapes[0].size();
    dim_ = runtimeAxis(layers::resolveAxis(c.config.at("axis"), rank), static_cast<int64_t>(rank));
  }
  torch::Tensor forward(torch::TensorList in, bool) override { return torch::cat(in, dim_); }

 private:
  int64_t dim_ = 1;
};

}  // namespace

void addMergeOps(LayerFactoryTable& table) {
  table["Add"] = makeOp<AddOp>;
  table["Multiply"] = makeOp<MultiplyOp>;
  table["Concatenate"] = makeOp<ConcatenateOp>;
}

}  // namespace graft::runtime

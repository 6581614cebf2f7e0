// Add, Multiply, Average, Maximum, Minimum (any number of inputs), Subtract (two) and
// Concatenate (Keras axis mapped to the layout).
#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

// Left to right; in place where the running sum already has the broadcast shape (it is ours).
torch::Tensor sum(torch::TensorList in) {
  torch::Tensor y = in[0] + in[1];
  for (size_t i = 2; i < in.size(); ++i) {
    if (y.sizes() == in[i].sizes())
      y.add_(in[i]);
    else
      y = y + in[i];
  }
  return y;
}

class AddOp : public LayerOp {
 public:
  explicit AddOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return sum(in); }
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

class SubtractOp : public LayerOp {
 public:
  explicit SubtractOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return in[0] - in[1]; }
};

// Keras's Average: the inputs summed left to right, then divided by their count.
class AverageOp : public LayerOp {
 public:
  explicit AverageOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    return sum(in) / static_cast<double>(in.size());
  }
};

// Maximum and Minimum: pairwise, left to right, as Keras folds ops.maximum / ops.minimum.
template <bool kMaximum>
class ExtremumOp : public LayerOp {
 public:
  explicit ExtremumOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    torch::Tensor y = pick(in[0], in[1]);
    for (size_t i = 2; i < in.size(); ++i) y = pick(y, in[i]);
    return y;
  }

 private:
  static torch::Tensor pick(const torch::Tensor& a, const torch::Tensor& b) {
    return kMaximum ? torch::maximum(a, b) : torch::minimum(a, b);
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
  table["Subtract"] = makeOp<SubtractOp>;
  table["Average"] = makeOp<AverageOp>;
  table["Maximum"] = makeOp<ExtremumOp<true>>;
  table["Minimum"] = makeOp<ExtremumOp<false>>;
  table["Concatenate"] = makeOp<ConcatenateOp>;
}

}  // namespace graft::runtime

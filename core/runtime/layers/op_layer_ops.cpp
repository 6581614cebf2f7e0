// TFOpLambda (the TensorFlow function tf.keras recorded, on input tensors and float32
// constants) and CustomScaleLayer (x + branch * scale), as graph/keras_op_layers.h reads them;
// LayerScale (ConvNeXt's x * gamma per channel), the other Keras Applications scaling class.
// Constants are buffers in the runtime layout, so they follow the module to its device.
#include "graph/keras_op_layers.h"
#include "graph/layer_helpers.h"
#include "runtime/layers/activations.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

// A constant operand of a rank-`rank` input as float32 (TensorFlow converts a Python number
// to the tensor's dtype), shaped to broadcast in the runtime layout.
torch::Tensor constantTensor(const layers::OpOperand& o) {
  const std::vector<int64_t> shape(o.shape.begin(), o.shape.end());
  return kerasToRuntime(torch::tensor(o.values, torch::kFloat64).to(torch::kFloat32).reshape(shape))
      .contiguous();
}

class TFOpLambdaOp : public LayerOp {
 public:
  explicit TFOpLambdaOp(const LayerContext& c) {
    const OpFunction* f = findOpFunction(c.config.at("function").get<std::string>());
    const auto operands = layers::opOperands(c.config, c.inputShapes.at(0).size());
    for (size_t i = 0; i < operands.size(); ++i)
      constants_.push_back(operands[i].input ? torch::Tensor()
                                             : addBuffer(c, "operand_" + std::to_string(i),
                                                         constantTensor(operands[i])));
    if (f->arity == 1)
      activation_ = activationFunction(c.node, f->activation);
    else
      operation_ = f->operation;
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    size_t next = 0;
    std::vector<torch::Tensor> x;
    for (const auto& constant : constants_) x.push_back(constant.defined() ? constant : in[next++]);
    if (x.size() == 1) return activation_ ? activation_(x[0]) : x[0];
    if (operation_ == "add") return x[0] + x[1];
    if (operation_ == "subtract") return x[0] - x[1];
    if (operation_ == "multiply") return x[0] * x[1];
    if (operation_ == "divide") return x[0] / x[1];
    if (operation_ == "maximum") return torch::maximum(x[0], x[1]);
    return torch::minimum(x[0], x[1]);
  }

 private:
  std::vector<torch::Tensor> constants_;  // per operand; undefined for an input tensor
  ActivationFn activation_ = nullptr;
  std::string operation_;
};

// Keras: inputs[0] + inputs[1] * scale, the scale a float32 constant.
class CustomScaleOp : public LayerOp {
 public:
  explicit CustomScaleOp(const LayerContext& c) {
    scale_ = addBuffer(c, "scale",
                       torch::scalar_tensor(c.config.at("scale").get<double>(), torch::kFloat32));
  }
  torch::Tensor forward(torch::TensorList in, bool) override { return in[0] + in[1] * scale_; }

 private:
  torch::Tensor scale_;
};

// Keras: x * gamma along the last axis. gamma is kept as Keras's (C,) and viewed so that it
// broadcasts over the channel dimension of the runtime layout (dimension 1 of NCHW).
class LayerScaleOp : public LayerOp {
 public:
  explicit LayerScaleOp(const LayerContext& c) : rank_(c.inputShapes.at(0).size()) {
    gamma_ = addParameter(c, "gamma", copyFromKeras(c.weights.at(0)));
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    if (rank_ == 4) return in[0] * gamma_.view({1, -1, 1, 1});
    return in[0] * gamma_;
  }
  std::vector<WeightTensor> kerasWeights() const override { return {copyToKeras(gamma_)}; }

 private:
  size_t rank_;
  torch::Tensor gamma_;
};

}  // namespace

void addOpLayerOps(LayerFactoryTable& table) {
  table["TFOpLambda"] = makeOp<TFOpLambdaOp>;
  table["CustomScaleLayer"] = makeOp<CustomScaleOp>;
  table["LayerScale"] = makeOp<LayerScaleOp>;
}

}  // namespace graft::runtime

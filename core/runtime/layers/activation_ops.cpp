// Activation, ReLU, LeakyReLU, ELU, PReLU and Softmax layers.
#include "graph/layer_helpers.h"
#include "runtime/layers/activations.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

class ActivationOp : public LayerOp {
 public:
  explicit ActivationOp(const LayerContext& c)
      : fn_(activationFunction(c.node, c.config.at("activation"))) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return fn_ ? fn_(in[0]) : in[0]; }

 private:
  ActivationFn fn_;
};

// keras.backend.relu(x, alpha=negative_slope, max_value, threshold):
//   y = x where x > threshold else 0; y = clip(y, 0, max_value) when a cap is set;
//   y -= negative_slope * relu(threshold - x).
class ReluOp : public LayerOp {
 public:
  explicit ReluOp(const LayerContext& c)
      : slope_(c.config.at("negative_slope").get<double>()),
        threshold_(c.config.at("threshold").get<double>()),
        hasMax_(!c.config.at("max_value").is_null()),
        max_(hasMax_ ? c.config.at("max_value").get<double>() : 0.0) {}

  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    if (threshold_ == 0.0) {
      // hardtanh, not clamp: the same values, a single-kernel backward (clamp's costs about
      // as much as the convolutions in a MobileNet step), and TensorFlow's Relu6 gradient
      // (zero at both ends).
      if (slope_ == 0.0 && hasMax_ && max_ > 0.0) return clipWithFlatEnds(x, 0.0, max_);
      if (slope_ == 0.0) return hasMax_ ? torch::clamp(x, 0.0, max_) : torch::relu(x);
      if (!hasMax_) return torch::leaky_relu(x, slope_);
    }
    torch::Tensor y = threshold_ == 0.0 ? torch::relu(x) : x * (x > threshold_).to(x.dtype());
    if (hasMax_) y = torch::clamp(y, 0.0, max_);
    if (slope_ != 0.0) y = y - slope_ * torch::relu(threshold_ - x);
    return y;
  }

 private:
  double slope_, threshold_;
  bool hasMax_;
  double max_;
};

class LeakyReluOp : public LayerOp {
 public:
  explicit LeakyReluOp(const LayerContext& c) : alpha_(c.config.at("alpha").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    return torch::leaky_relu(in[0], alpha_);
  }

 private:
  double alpha_;
};

// Keras: x if x > 0 else alpha * (exp(x) - 1) (tf.nn.elu, scaled by alpha where x <= 0).
class EluOp : public LayerOp {
 public:
  explicit EluOp(const LayerContext& c) : alpha_(c.config.at("alpha").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return torch::elu(in[0], alpha_); }

 private:
  double alpha_;
};

// Keras's PReLU.call: relu(x) - alpha * relu(-x). alpha is kept as the parameter in Keras's
// layout (one value per input position, 1 along shared axes); on an NCHW feature map its
// (H, W, C) is viewed as (C, H, W), which broadcasts over the batch like Keras's.
class PReluOp : public LayerOp {
 public:
  explicit PReluOp(const LayerContext& c) {
    alpha_ = addParameter(c, "alpha", copyFromKeras(c.weights.at(0)));
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    const torch::Tensor alpha = x.dim() == 4 ? alpha_.permute({2, 0, 1}) : alpha_;
    return torch::relu(x) - alpha * torch::relu(-x);
  }
  std::vector<WeightTensor> kerasWeights() const override { return {copyToKeras(alpha_)}; }

 private:
  torch::Tensor alpha_;
};

class SoftmaxOp : public LayerOp {
 public:
  explicit SoftmaxOp(const LayerContext& c) {
    const auto rank = static_cast<int64_t>(c.inputShapes[0].size());
    dim_ = runtimeAxis(layers::resolveAxis(c.config.at("axis"), c.inputShapes[0].size()), rank);
  }
  torch::Tensor forward(torch::TensorList in, bool) override { return torch::softmax(in[0], dim_); }

 private:
  int64_t dim_ = -1;
};

}  // namespace

void addActivationOps(LayerFactoryTable& table) {
  table["Activation"] = makeOp<ActivationOp>;
  table["ReLU"] = makeOp<ReluOp>;
  table["LeakyReLU"] = makeOp<LeakyReluOp>;
  table["ELU"] = makeOp<EluOp>;
  table["PReLU"] = makeOp<PReluOp>;
  table["Softmax"] = makeOp<SoftmaxOp>;
}

}  // namespace graft::runtime

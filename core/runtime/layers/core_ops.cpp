// InputLayer, Dense, Dropout, Rescaling and AutoContrast.
#include "graph/auto_contrast.h"
#include "graph/rescaling.h"
#include "runtime/layers/activations.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

// Passes the input through after checking it against the layer's batch_input_shape, so a wrong
// input is reported by the input layer's name with the shape expected in the runtime layout.
class InputOp : public LayerOp {
 public:
  explicit InputOp(const LayerContext& c) : name_(c.node.name), kerasShape_(c.info.outputShape) {
    expected_ = kerasShape_;
    if (expected_.size() == 4)
      expected_ = {kerasShape_[0], kerasShape_[3], kerasShape_[1], kerasShape_[2]};
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    bool ok =
        x.dim() == static_cast<int64_t>(expected_.size()) && x.scalar_type() == torch::kFloat32;
    for (size_t d = 1; ok && d < expected_.size(); ++d)
      ok = expected_[d] == kUnknown || expected_[d] == x.size(static_cast<int64_t>(d));
    if (!ok) {
      std::string layout = expected_.size() == 4 ? "(N, C, H, W) " : "";
      Shape got(x.sizes().begin(), x.sizes().end());
      throw Error(Diagnostic{name_, "expects a float32 input " + layout + shapeToString(expected_) +
                                        " (Keras " + shapeToString(kerasShape_) + "), got " +
                                        std::string(c10::toString(x.scalar_type())) + " " +
                                        shapeToString(got)});
    }
    return x;
  }

 private:
  std::string name_;
  Shape kerasShape_, expected_;
};

// Keras kernel (in, out) is used as stored: y = x @ kernel + bias, no transposed copy.
// On a rank-4 input Keras applies it to the channel axis (the last Keras axis).
class DenseOp : public LayerOp {
 public:
  explicit DenseOp(const LayerContext& c)
      : activation_(activationFunction(c.node, c.config.at("activation"))) {
    kernel_ = addParameter(c, "kernel", copyFromKeras(c.weights.at(0)));
    if (c.config.at("use_bias").get<bool>())
      bias_ = addParameter(c, "bias", copyFromKeras(c.weights.at(1)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    torch::Tensor y;
    if (x.dim() == 2) {
      y = bias_.defined() ? torch::addmm(bias_, x, kernel_) : torch::mm(x, kernel_);
    } else {
      y = torch::matmul(runtimeToKeras(x), kernel_);
      if (bias_.defined()) y = y + bias_;
      y = kerasToRuntime(y);
    }
    return activation_ ? activation_(y) : y;
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w{copyToKeras(kernel_)};
    if (bias_.defined()) w.push_back(copyToKeras(bias_));
    return w;
  }

 private:
  ActivationFn activation_;
  torch::Tensor kernel_, bias_;
};

// Inverted dropout as Keras does it (kept values scaled by 1 / (1 - rate)), only in training.
// noise_shape (Keras axes, None = the input's size) shares one mask value along size-1 axes.
class DropoutOp : public LayerOp {
 public:
  explicit DropoutOp(const LayerContext& c) : rate_(c.config.at("rate").get<double>()) {
    const Json& noise = c.config.at("noise_shape");
    if (noise.is_null()) return;
    if (!noise.is_array() || noise.size() != c.inputShapes[0].size())
      throw layerError(c.node, "noise_shape must list one entry per input axis (" +
                                   std::to_string(c.inputShapes[0].size()) + "), got " +
                                   noise.dump());
    for (const auto& d : noise) {
      if (!d.is_null() && !(d.is_number_integer() && d.get<int64_t>() >= 1))
        throw layerError(
            c.node, "noise_shape entries must be positive integers or null, got " + noise.dump());
      noiseShape_.push_back(d.is_null() ? kUnknown : d.get<int64_t>());
    }
  }

  torch::Tensor forward(torch::TensorList in, bool training) override {
    const torch::Tensor& x = in[0];
    if (!training || rate_ == 0.0) return x;
    if (noiseShape_.empty()) return torch::dropout(x, rate_, true);
    std::vector<int64_t> kerasShape(noiseShape_.size());
    const torch::Tensor xk = runtimeToKeras(x);
    for (size_t d = 0; d < noiseShape_.size(); ++d)
      kerasShape[d] =
          noiseShape_[d] == kUnknown ? xk.size(static_cast<int64_t>(d)) : noiseShape_[d];
    torch::Tensor keep = torch::bernoulli(torch::full(kerasShape, 1.0 - rate_, x.options()));
    return x * kerasToRuntime(keep) / (1.0 - rate_);
  }

 private:
  double rate_;
  std::vector<int64_t> noiseShape_;
};

// Per-channel factors (Keras broadcasts a list over the last axis) are float32 buffers shaped
// to broadcast in the runtime layout.
class RescalingOp : public LayerOp {
 public:
  explicit RescalingOp(const LayerContext& c) {
    const Shape& input = c.inputShapes[0];
    const layers::RescalingFactors f = layers::rescalingFactors(c.config, input);
    if (!f.perChannel()) {
      scale_ = f.scale[0];
      offset_ = f.offset[0];
      return;
    }
    std::vector<int64_t> kerasShape(input.size(), 1);
    kerasShape.back() = static_cast<int64_t>(f.scale.size());
    const auto buffer = [&](const char* name, const std::vector<double>& values) {
      return addBuffer(
          c, name,
          kerasToRuntime(
              torch::tensor(values, torch::kFloat64).to(torch::kFloat32).reshape(kerasShape))
              .contiguous());
    };
    perChannelScale_ = buffer("scale", f.scale);
    perChannelOffset_ = buffer("offset", f.offset);
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    if (perChannelScale_.defined()) return in[0] * perChannelScale_ + perChannelOffset_;
    return in[0] * scale_ + offset_;
  }

 private:
  double scale_ = 1.0, offset_ = 0.0;
  torch::Tensor perChannelScale_, perChannelOffset_;
};

// Keras 3's AutoContrast (graph/auto_contrast.h), in float32 in Keras's order of operations:
// the value range's ends and their difference are float32 numbers, as Keras casts them.
class AutoContrastOp : public LayerOp {
 public:
  explicit AutoContrastOp(const LayerContext& c) {
    const layers::AutoContrastRange r = layers::autoContrastRange(c.config);
    byteRange_ = r.isByteRange();
    low_ = static_cast<float>(r.low);
    span_ = static_cast<float>(r.high) - low_;
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    const torch::Tensor bytes = byteRange_ ? x : (x - low_) / span_ * 255.0f;
    // Runtime layout NCHW: height and width are dimensions 2 and 3.
    const torch::Tensor low = bytes.amin({2, 3}, true), high = bytes.amax({2, 3}, true);
    const torch::Tensor scale = 255.0f / (high - low);
    torch::Tensor y = torch::clamp(bytes * scale + -low * scale, 0.0f, 255.0f);
    if (!byteRange_) y = y / 255.0f * span_ + low_;
    return torch::where(torch::isnan(y), x, y);  // a channel of one value stays as it was
  }

 private:
  bool byteRange_ = true;
  float low_ = 0.0f, span_ = 255.0f;
};

}  // namespace

void addInputAndCoreOps(LayerFactoryTable& table) {
  table["InputLayer"] = makeOp<InputOp>;
  table["Dense"] = makeOp<DenseOp>;
  table["Dropout"] = makeOp<DropoutOp>;
  table["Rescaling"] = makeOp<RescalingOp>;
  table["AutoContrast"] = makeOp<AutoContrastOp>;
}

}  // namespace graft::runtime

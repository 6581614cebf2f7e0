// Normalization, LayerNormalization, and BatchNormalization with Keras's semantics:
// - inference (and any frozen layer, node.trainable == false, as TF2 Keras does): moving
//   statistics, y = (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta;
// - training: batch statistics with the biased variance (mean of squared deviations), and the
//   moving statistics updated as Keras does, moving = moving * momentum + batch * (1 - momentum)
//   with Keras's momentum (LibTorch's momentum is 1 - Keras's). Keras feeds the BIASED batch
//   variance into that update (tf.nn.moments; the fused kernel's Bessel correction is removed
//   again by Keras), unlike torch.nn.BatchNorm2d, which uses the unbiased one — so the update is
//   written out here instead of using at::batch_norm's running-statistics update.
#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

class BatchNormalizationOp : public LayerOp {
 public:
  explicit BatchNormalizationOp(const LayerContext& c)
      : epsilon_(c.config.at("epsilon").get<double>()),
        momentum_(c.config.at("momentum").get<double>()),
        frozen_(!c.node.trainable) {
    size_t i = 0;
    if (c.config.at("scale").get<bool>())
      gamma_ = addParameter(c, "gamma", copyFromKeras(c.weights.at(i++)));
    if (c.config.at("center").get<bool>())
      beta_ = addParameter(c, "beta", copyFromKeras(c.weights.at(i++)));
    movingMean_ = addBuffer(c, "moving_mean", copyFromKeras(c.weights.at(i++)));
    movingVariance_ = addBuffer(c, "moving_variance", copyFromKeras(c.weights.at(i++)));
  }

  torch::Tensor forward(torch::TensorList in, bool training) override {
    // Channels are dimension 1 for NCHW and (N, C); Keras-layout (N, ..., C) is moved there.
    const torch::Tensor& input = in[0];
    const bool channelsLast = input.dim() > 2 && input.dim() != 4;
    torch::Tensor x = channelsLast ? input.movedim(-1, 1) : input;
    torch::Tensor y = (training && !frozen_)
                          ? trainingForward(x)
                          : torch::batch_norm(x, gamma_, beta_, movingMean_, movingVariance_, false,
                                              0.0, epsilon_, false);
    return channelsLast ? y.movedim(1, -1) : y;
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w;
    if (gamma_.defined()) w.push_back(copyToKeras(gamma_));
    if (beta_.defined()) w.push_back(copyToKeras(beta_));
    w.push_back(copyToKeras(movingMean_));
    w.push_back(copyToKeras(movingVariance_));
    return w;
  }

 private:
  torch::Tensor trainingForward(const torch::Tensor& x) {
    const int64_t channels = x.size(1);
    const int64_t perChannel = x.numel() / std::max<int64_t>(channels, 1);
    if (perChannel < 2) return writtenOutTrainingForward(x);
    // LibTorch's fused kernel for the output and its gradient: the written-out ops below cost
    // about twice as much in a MobileNet training step. Its running-statistics update uses the
    // unbiased variance, so it gets scratch buffers with momentum 1 (they end up holding the
    // batch mean and unbiased variance), and Keras's update is applied from those, with the
    // variance turned back into the biased one.
    // Statistics in the moving statistics' float32 also under autocast (a bfloat16 or float16
    // input): LibTorch's mixed-precision batch norm wants every parameter in float32.
    torch::Tensor batchMean = torch::zeros({channels}, movingMean_.options());
    torch::Tensor batchVariance = torch::zeros({channels}, movingMean_.options());
    torch::Tensor y =
        torch::batch_norm(x, gamma_, beta_, batchMean, batchVariance, true, 1.0, epsilon_, false);
    {
      torch::NoGradGuard noGrad;
      const double unbias = static_cast<double>(perChannel - 1) / static_cast<double>(perChannel);
      movingMean_.mul_(momentum_).add_(batchMean, 1.0 - momentum_);
      movingVariance_.mul_(momentum_).add_(batchVariance * unbias, 1.0 - momentum_);
    }
    return y;
  }

  // One value per channel (a batch of one after pooling): the fused kernel refuses it; the
  // batch variance is 0, as in Keras.
  torch::Tensor writtenOutTrainingForward(const torch::Tensor& x) {
    std::vector<int64_t> dims{0};
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    auto [variance, mean] = torch::var_mean(x, dims, /*unbiased=*/false, /*keepdim=*/true);
    {
      torch::NoGradGuard noGrad;
      movingMean_.mul_(momentum_).add_(mean.detach().flatten(), 1.0 - momentum_);
      movingVariance_.mul_(momentum_).add_(variance.detach().flatten(), 1.0 - momentum_);
    }
    std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
    shape[1] = x.size(1);
    torch::Tensor y = (x - mean) * torch::rsqrt(variance + epsilon_);
    if (gamma_.defined()) y = y * gamma_.view(shape);
    if (beta_.defined()) y = y + beta_.view(shape);
    return y;
  }

  double epsilon_, momentum_;
  bool frozen_;
  torch::Tensor gamma_, beta_, movingMean_, movingVariance_;
};

// Keras's LayerNormalization: (x - mean) / sqrt(variance + epsilon) * gamma + beta with the
// mean and the biased variance of each sample over the normalized axes (ops.moments), the same
// in training and inference. Over one axis LibTorch's layer_norm normalizes the last dimension,
// so another runtime dimension is moved there and back. Over several axes the moments are taken
// over those runtime dimensions, in Keras 3's order of operations (ops.layer_normalization:
// inv = rsqrt(variance + epsilon) * gamma, x * inv + (beta - mean * inv)), with gamma and beta
// reshaped row-major to the input's rank (sizes on the normalized axes, 1 elsewhere) as both
// Keras 2 and 3 broadcast them.
class LayerNormalizationOp : public LayerOp {
 public:
  explicit LayerNormalizationOp(const LayerContext& c)
      : epsilon_(c.config.at("epsilon").get<double>()) {
    const Shape& input = c.inputShapes[0];
    const auto rank = static_cast<int64_t>(input.size());
    const std::vector<int64_t> axes = layers::layerNormalizationAxes(c.config.at("axis"), input);
    for (int64_t axis : axes) dims_.push_back(runtimeAxis(axis, rank));
    last_ = dims_.size() == 1 && dims_[0] == rank - 1;
    size_ = input[static_cast<size_t>(axes[0])];
    broadcast_.assign(input.size(), 1);
    for (int64_t axis : axes)
      broadcast_[static_cast<size_t>(axis)] = input[static_cast<size_t>(axis)];
    size_t i = 0;
    if (c.config.at("scale").get<bool>())
      gamma_ = addParameter(c, "gamma", copyFromKeras(c.weights.at(i++)));
    if (c.config.at("center").get<bool>())
      beta_ = addParameter(c, "beta", copyFromKeras(c.weights.at(i++)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    torch::Tensor x = in[0];
    // Under autocast the input may be bfloat16 or float16: normalise in float32, as autocast
    // does on CUDA (the CPU's autocast in LibTorch 1.13 leaves layer_norm alone).
    if (x.scalar_type() != torch::kFloat32) x = x.to(torch::kFloat32);
    if (dims_.size() > 1) return severalAxes(x);
    const int64_t dim = dims_[0];
    if (!last_) x = x.movedim(dim, -1);
    const torch::Tensor y = torch::layer_norm(x, {size_}, gamma_, beta_, epsilon_);
    return last_ ? y : y.movedim(-1, dim);
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w;
    if (gamma_.defined()) w.push_back(copyToKeras(gamma_));
    if (beta_.defined()) w.push_back(copyToKeras(beta_));
    return w;
  }

 private:
  torch::Tensor severalAxes(const torch::Tensor& x) const {
    const torch::Tensor mean = x.mean(dims_, true);
    const torch::Tensor variance = (x - mean).square().mean(dims_, true);
    torch::Tensor inv = torch::rsqrt(variance + epsilon_);
    if (gamma_.defined()) inv = inv * kerasToRuntime(gamma_.reshape(broadcast_));
    torch::Tensor shift = -mean * inv;
    if (beta_.defined()) shift = shift + kerasToRuntime(beta_.reshape(broadcast_));
    return x * inv + shift;
  }

  double epsilon_;
  std::vector<int64_t> dims_;       // runtime dimensions normalized over
  std::vector<int64_t> broadcast_;  // Keras layout: the normalized sizes, 1 elsewhere
  int64_t size_ = 0;
  bool last_ = true;
  torch::Tensor gamma_, beta_;
};

// Keras's Normalization: (x - mean) / max(sqrt(variance), epsilon), or with invert
// mean + x * max(sqrt(variance), epsilon), epsilon = keras.backend.epsilon() = 1e-7, in float32
// as Keras computes it. mean and variance (weights, or the config's constants) have the kept
// axes' shape; they are viewed with size 1 along the other axes, in the runtime layout.
class NormalizationOp : public LayerOp {
 public:
  static constexpr double kEpsilon = 1e-7;

  explicit NormalizationOp(const LayerContext& c) : invert_(c.config.at("invert").get<bool>()) {
    const Shape& input = c.inputShapes[0];
    const layers::NormalizationAxes axes = layers::normalizationAxes(c.config, input);
    for (size_t d = 0; d < input.size(); ++d) broadcast_.push_back(1);
    for (size_t i = 0; i < axes.kept.size(); ++i)
      broadcast_[static_cast<size_t>(axes.kept[i])] = axes.keptShape[i];
    if (c.weights.empty()) {
      const layers::NormalizationConstants k =
          layers::normalizationConstants(c.config, axes.keptShape);
      const std::vector<int64_t> shape(axes.keptShape.begin(), axes.keptShape.end());
      mean_ = addBuffer(c, "mean",
                        torch::tensor(k.mean, torch::kFloat64).to(torch::kFloat32).reshape(shape));
      variance_ =
          addBuffer(c, "variance",
                    torch::tensor(k.variance, torch::kFloat64).to(torch::kFloat32).reshape(shape));
    } else {
      mean_ = addBuffer(c, "mean", copyFromKeras(c.weights.at(0)));
      variance_ = addBuffer(c, "variance", copyFromKeras(c.weights.at(1)));
      count_ = addBuffer(c, "count", copyFromKeras(c.weights.at(2)));
    }
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor mean = kerasToRuntime(mean_.reshape(broadcast_));
    const torch::Tensor deviation =
        torch::clamp_min(torch::sqrt(kerasToRuntime(variance_.reshape(broadcast_))), kEpsilon);
    return invert_ ? mean + in[0] * deviation : (in[0] - mean) / deviation;
  }

  std::vector<WeightTensor> kerasWeights() const override {
    if (!count_.defined()) return {};  // the constants live in the config
    return {copyToKeras(mean_), copyToKeras(variance_), copyToKeras(count_)};
  }

 private:
  bool invert_;
  std::vector<int64_t> broadcast_;  // Keras layout: kept sizes, 1 elsewhere (batch too)
  torch::Tensor mean_, variance_, count_;
};

}  // namespace

void addNormalizationOps(LayerFactoryTable& table) {
  table["BatchNormalization"] = makeOp<BatchNormalizationOp>;
  table["LayerNormalization"] = makeOp<LayerNormalizationOp>;
  table["Normalization"] = makeOp<NormalizationOp>;
}

}  // namespace graft::runtime

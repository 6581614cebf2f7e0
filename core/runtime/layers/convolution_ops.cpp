// Conv2D, DepthwiseConv2D, SeparableConv2D and Conv2DTranspose. Kernels are converted from Keras's
// layout once, here; Keras's `same` padding (asymmetric for stride > 1 or even kernels) is applied
// per call from the actual input size.
#include "graph/layer_helpers.h"
#include "runtime/layers/activations.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

using layers::intPair;

// What the three convolutions share: geometry, padding rule, bias and activation.
class ConvolutionBase : public LayerOp {
 protected:
  explicit ConvolutionBase(const LayerContext& c)
      : same_(isSamePadding(c.node, c.config)),
        activation_(activationFunction(c.node, c.config.at("activation"))) {
    auto [kh, kw] = intPair(c.config, "kernel_size");
    auto [sh, sw] = intPair(c.config, "strides");
    auto [dh, dw] = intPair(c.config, "dilation_rate");
    kernel_ = {kh, kw};
    stride_ = {sh, sw};
    dilation_ = {dh, dw};
  }

  // Input padded as Keras pads it, plus the padding the convolution itself should add (the
  // symmetric case costs no copy: LibTorch's convolution pads symmetrically by itself).
  std::pair<torch::Tensor, std::vector<int64_t>> pad(const torch::Tensor& x) const {
    if (!same_) return {x, {0, 0}};
    SpatialPadding p{samePadding(x.size(2), kernel_[0], stride_[0], dilation_[0]),
                     samePadding(x.size(3), kernel_[1], stride_[1], dilation_[1])};
    if (p.symmetric()) return {x, {p.h.before, p.w.before}};
    return {torch::constant_pad_nd(x, {p.w.before, p.w.after, p.h.before, p.h.after}, 0.0), {0, 0}};
  }

  torch::Tensor activate(torch::Tensor y) const { return activation_ ? activation_(y) : y; }

  std::vector<int64_t> kernel_, stride_, dilation_;
  bool same_;
  ActivationFn activation_;
  torch::Tensor bias_;  // undefined when use_bias is false
};

// Keras kernel (kh, kw, in / groups, out) -> LibTorch (out, in / groups, kh, kw).
class Conv2DOp : public ConvolutionBase {
 public:
  explicit Conv2DOp(const LayerContext& c)
      : ConvolutionBase(c), groups_(c.config.at("groups").get<int64_t>()) {
    kernelWeight_ = addParameter(c, "kernel",
                                 copyFromKeras(c.weights.at(0)).permute({3, 2, 0, 1}).contiguous());
    if (c.config.at("use_bias").get<bool>())
      bias_ = addParameter(c, "bias", copyFromKeras(c.weights.at(1)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    auto [x, padding] = pad(in[0]);
    return activate(torch::conv2d(x, kernelWeight_, bias_, stride_, padding, dilation_, groups_));
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w{copyToKeras(kernelWeight_.permute({2, 3, 1, 0}))};
    if (bias_.defined()) w.push_back(copyToKeras(bias_));
    return w;
  }

 private:
  int64_t groups_;
  torch::Tensor kernelWeight_;
};

// Keras depthwise kernel (kh, kw, in, mult) -> LibTorch (in * mult, 1, kh, kw) with groups = in:
// grouped output channel c * mult + m is Keras's output channel for input c, multiplier m.
torch::Tensor depthwiseFromKeras(const WeightTensor& w) {
  torch::Tensor k = copyFromKeras(w).permute({2, 3, 0, 1});  // (in, mult, kh, kw)
  return k.reshape({k.size(0) * k.size(1), 1, k.size(2), k.size(3)}).contiguous();
}

WeightTensor depthwiseToKeras(const torch::Tensor& k, int64_t multiplier) {
  return copyToKeras(
      k.reshape({k.size(0) / multiplier, multiplier, k.size(2), k.size(3)}).permute({2, 3, 0, 1}));
}

class DepthwiseConv2DOp : public ConvolutionBase {
 public:
  explicit DepthwiseConv2DOp(const LayerContext& c)
      : ConvolutionBase(c), multiplier_(c.config.at("depth_multiplier").get<int64_t>()) {
    depthwise_ = addParameter(c, "depthwise_kernel", depthwiseFromKeras(c.weights.at(0)));
    groups_ = depthwise_.size(0) / multiplier_;
    if (c.config.at("use_bias").get<bool>())
      bias_ = addParameter(c, "bias", copyFromKeras(c.weights.at(1)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    auto [x, padding] = pad(in[0]);
    return activate(torch::conv2d(x, depthwise_, bias_, stride_, padding, dilation_, groups_));
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w{depthwiseToKeras(depthwise_, multiplier_)};
    if (bias_.defined()) w.push_back(copyToKeras(bias_));
    return w;
  }

 private:
  int64_t multiplier_, groups_ = 1;
  torch::Tensor depthwise_;
};

// Depthwise step (strides, dilation and padding apply here), then the pointwise 1x1 kernel
// (1, 1, in * mult, out) -> (out, in * mult, 1, 1), then the bias.
class SeparableConv2DOp : public ConvolutionBase {
 public:
  explicit SeparableConv2DOp(const LayerContext& c)
      : ConvolutionBase(c), multiplier_(c.config.at("depth_multiplier").get<int64_t>()) {
    depthwise_ = addParameter(c, "depthwise_kernel", depthwiseFromKeras(c.weights.at(0)));
    groups_ = depthwise_.size(0) / multiplier_;
    pointwise_ = addParameter(c, "pointwise_kernel",
                              copyFromKeras(c.weights.at(1)).permute({3, 2, 0, 1}).contiguous());
    if (c.config.at("use_bias").get<bool>())
      bias_ = addParameter(c, "bias", copyFromKeras(c.weights.at(2)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    auto [x, padding] = pad(in[0]);
    torch::Tensor d = torch::conv2d(x, depthwise_, {}, stride_, padding, dilation_, groups_);
    return activate(torch::conv2d(d, pointwise_, bias_));
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w{depthwiseToKeras(depthwise_, multiplier_),
                                copyToKeras(pointwise_.permute({2, 3, 1, 0}))};
    if (bias_.defined()) w.push_back(copyToKeras(bias_));
    return w;
  }

 private:
  int64_t multiplier_, groups_ = 1;
  torch::Tensor depthwise_, pointwise_;
};

// Keras kernel (kh, kw, filters, in) -> LibTorch's conv_transpose2d weight (in, filters, kh, kw).
// TensorFlow's conv2d_transpose (the gradient of a convolution) keeps cells [before, L - after)
// of the full transposed convolution of length L, appending zero cells where `after` is
// negative; the bias is added after, to those too. LibTorch's own padding crops both ends
// alike, which is not what TensorFlow does for 'same' with odd kernels and even strides (the
// inconsistency Keras 3's torch backend warns about), so the full result is cropped here.
class Conv2DTransposeOp : public LayerOp {
 public:
  explicit Conv2DTransposeOp(const LayerContext& c)
      : activation_(activationFunction(c.node, c.config.at("activation"))) {
    auto [kh, kw] = intPair(c.config, "kernel_size");
    auto [sh, sw] = intPair(c.config, "strides");
    auto [dh, dw] = intPair(c.config, "dilation_rate");
    auto [oh, ow] = layers::outputPaddingPair(c.config);
    const std::string padding = c.config.at("padding").get<std::string>();
    const layers::TransposeGeometry h = layers::transposeGeometry(kh, sh, dh, padding, oh);
    const layers::TransposeGeometry w = layers::transposeGeometry(kw, sw, dw, padding, ow);
    stride_ = {sh, sw};
    dilation_ = {dh, dw};
    crop_ = {-w.before, -w.after, -h.before, -h.after};
    kernel_ = addParameter(c, "kernel",
                           copyFromKeras(c.weights.at(0)).permute({3, 2, 0, 1}).contiguous());
    if (c.config.at("use_bias").get<bool>())
      bias_ = addParameter(c, "bias", copyFromKeras(c.weights.at(1)));
  }

  torch::Tensor forward(torch::TensorList in, bool) override {
    torch::Tensor y =
        torch::conv_transpose2d(in[0], kernel_, {}, stride_, {0, 0}, {0, 0}, 1, dilation_);
    if (crop_ != std::vector<int64_t>{0, 0, 0, 0}) y = torch::constant_pad_nd(y, crop_, 0.0);
    if (bias_.defined()) y = y + bias_.view({1, -1, 1, 1});
    return activation_ ? activation_(y) : y;
  }

  std::vector<WeightTensor> kerasWeights() const override {
    std::vector<WeightTensor> w{copyToKeras(kernel_.permute({2, 3, 1, 0}))};
    if (bias_.defined()) w.push_back(copyToKeras(bias_));
    return w;
  }

 private:
  ActivationFn activation_;
  std::vector<int64_t> stride_, dilation_, crop_;  // crop_: constant_pad_nd's (w, h) amounts
  torch::Tensor kernel_, bias_;
};

}  // namespace

void addConvolutionOps(LayerFactoryTable& table) {
  table["Conv2D"] = makeOp<Conv2DOp>;
  table["DepthwiseConv2D"] = makeOp<DepthwiseConv2DOp>;
  table["SeparableConv2D"] = makeOp<SeparableConv2DOp>;
  table["Conv2DTranspose"] = makeOp<Conv2DTransposeOp>;
}

}  // namespace graft::runtime

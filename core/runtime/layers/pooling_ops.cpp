// MaxPooling2D, AveragePooling2D and the global poolings.
#include <limits>

#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

using layers::intPair;

class PoolingBase : public LayerOp {
 public:  // inherited constructors keep the base's access
  explicit PoolingBase(const LayerContext& c) : same_(isSamePadding(c.node, c.config)) {
    auto [ph, pw] = intPair(c.config, "pool_size");
    auto [sh, sw] =
        c.config.at("strides").is_null() ? std::pair{ph, pw} : intPair(c.config, "strides");
    pool_ = {ph, pw};
    stride_ = {sh, sw};
  }

 protected:
  SpatialPadding padding(const torch::Tensor& x) const {
    if (!same_) return {};
    return {samePadding(x.size(2), pool_[0], stride_[0]),
            samePadding(x.size(3), pool_[1], stride_[1])};
  }

  // LibTorch pads pooling windows symmetrically by at most half the window.
  bool torchCanPad(const SpatialPadding& p) const {
    return p.symmetric() && 2 * p.h.before <= pool_[0] && 2 * p.w.before <= pool_[1];
  }

  static torch::Tensor padded(const torch::Tensor& x, const SpatialPadding& p, double value) {
    return torch::constant_pad_nd(x, {p.w.before, p.w.after, p.h.before, p.h.after}, value);
  }

  std::vector<int64_t> pool_, stride_;
  bool same_;
};

// `same` pads with -inf: padding never wins the maximum.
class MaxPooling2DOp : public PoolingBase {
 public:
  using PoolingBase::PoolingBase;
  torch::Tensor forward(torch::TensorList in, bool) override {
    const SpatialPadding p = padding(in[0]);
    if (torchCanPad(p)) return torch::max_pool2d(in[0], pool_, stride_, {p.h.before, p.w.before});
    return torch::max_pool2d(padded(in[0], p, -std::numeric_limits<double>::infinity()), pool_,
                             stride_);
  }
};

// `same` excludes the padding from the mean (TensorFlow divides by the valid cells only).
class AveragePooling2DOp : public PoolingBase {
 public:
  using PoolingBase::PoolingBase;
  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    const SpatialPadding p = padding(x);
    if (torchCanPad(p))
      return torch::avg_pool2d(x, pool_, stride_, {p.h.before, p.w.before}, false,
                               /*count_include_pad=*/false);
    // Asymmetric: mean over the zero-padded window, divided by the fraction of real cells in it.
    torch::Tensor mean = torch::avg_pool2d(padded(x, p, 0.0), pool_, stride_);
    torch::Tensor cells = torch::ones({1, 1, x.size(2), x.size(3)}, x.options());
    return mean / torch::avg_pool2d(padded(cells, p, 0.0), pool_, stride_);
  }
};

class GlobalPoolingBase : public LayerOp {
 public:
  explicit GlobalPoolingBase(const LayerContext& c)
      : keepdims_(c.config.at("keepdims").get<bool>()) {}

 protected:
  // Keras keepdims gives (N, 1, 1, C): (N, C, 1, 1) in NCHW.
  bool keepdims_;
};

class GlobalAveragePooling2DOp : public GlobalPoolingBase {
 public:
  using GlobalPoolingBase::GlobalPoolingBase;
  torch::Tensor forward(torch::TensorList in, bool) override {
    return in[0].mean({2, 3}, keepdims_);
  }
};

class GlobalMaxPooling2DOp : public GlobalPoolingBase {
 public:
  using GlobalPoolingBase::GlobalPoolingBase;
  torch::Tensor forward(torch::TensorList in, bool) override {
    return torch::amax(in[0], {2, 3}, keepdims_);
  }
};

}  // namespace

void addPoolingOps(LayerFactoryTable& table) {
  table["MaxPooling2D"] = makeOp<MaxPooling2DOp>;
  table["AveragePooling2D"] = makeOp<AveragePooling2DOp>;
  table["GlobalAveragePooling2D"] = makeOp<GlobalAveragePooling2DOp>;
  table["GlobalMaxPooling2D"] = makeOp<GlobalMaxPooling2DOp>;
}

}  // namespace graft::runtime

// SpatialDropout2D, GaussianNoise, GaussianDropout and StochasticDepth: the input unchanged at
// inference; in training the noise Keras adds (keras/src/layers/regularization/,
// keras/src/applications/convnext.py).
#include <cmath>

#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

// Dropout with noise shape (N, 1, 1, C): whole channels dropped, kept ones scaled by
// 1 / (1 - rate). NCHW here, so the mask is (N, C, 1, 1).
class SpatialDropout2DOp : public LayerOp {
 public:
  explicit SpatialDropout2DOp(const LayerContext& c) : rate_(c.config.at("rate").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool training) override {
    const torch::Tensor& x = in[0];
    if (!training || rate_ == 0.0) return x;
    const torch::Tensor keep =
        torch::bernoulli(torch::full({x.size(0), x.size(1), 1, 1}, 1.0 - rate_, x.options()));
    return x * keep / (1.0 - rate_);
  }

 private:
  double rate_;
};

// x + N(0, stddev).
class GaussianNoiseOp : public LayerOp {
 public:
  explicit GaussianNoiseOp(const LayerContext& c) : stddev_(c.config.at("stddev").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool training) override {
    const torch::Tensor& x = in[0];
    if (!training || stddev_ == 0.0) return x;
    return x + torch::randn_like(x) * stddev_;
  }

 private:
  double stddev_;
};

// x * N(1, sqrt(rate / (1 - rate))).
class GaussianDropoutOp : public LayerOp {
 public:
  explicit GaussianDropoutOp(const LayerContext& c) : rate_(c.config.at("rate").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool training) override {
    const torch::Tensor& x = in[0];
    if (!training || rate_ == 0.0) return x;
    const double stddev = std::sqrt(rate_ / (1.0 - rate_));
    return x * (torch::randn_like(x) * stddev + 1.0);
  }

 private:
  double rate_;
};

// convnext.py's StochasticDepth: floor(keep + U[0, 1)) per sample (1 with probability keep),
// x / keep * that.
class StochasticDepthOp : public LayerOp {
 public:
  explicit StochasticDepthOp(const LayerContext& c)
      : rate_(c.config.at("drop_path_rate").get<double>()) {}
  torch::Tensor forward(torch::TensorList in, bool training) override {
    const torch::Tensor& x = in[0];
    if (!training || rate_ == 0.0) return x;
    std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
    shape[0] = x.size(0);
    const double keep = 1.0 - rate_;
    const torch::Tensor mask = torch::floor(torch::rand(shape, x.options()) + keep);
    return x / keep * mask;
  }

 private:
  double rate_;
};

}  // namespace

void addRegularizationOps(LayerFactoryTable& table) {
  table["SpatialDropout2D"] = makeOp<SpatialDropout2DOp>;
  table["GaussianNoise"] = makeOp<GaussianNoiseOp>;
  table["GaussianDropout"] = makeOp<GaussianDropoutOp>;
  table["StochasticDepth"] = makeOp<StochasticDepthOp>;
}

}  // namespace graft::runtime

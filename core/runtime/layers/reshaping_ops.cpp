// ZeroPadding2D, Cropping2D, UpSampling2D, Flatten, Reshape, Permute and RepeatVector. Flatten,
// Reshape and Permute work in Keras's channels-last order, so a Dense layer after them sees the
// values where Keras puts them.
#include <tuple>

#include "graph/image_resize.h"
#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"
#include "runtime/layers/resize_images.h"

namespace graft::runtime {
namespace {

class ZeroPadding2DOp : public LayerOp {
 public:
  explicit ZeroPadding2DOp(const LayerContext& c) {
    auto [h, w] = layers::padPairs(c.config.at("padding"), "padding");
    pad_ = {w.first, w.second, h.first, h.second};
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    return torch::constant_pad_nd(in[0], pad_, 0.0);
  }

 private:
  std::vector<int64_t> pad_;
};

class Cropping2DOp : public LayerOp {
 public:
  explicit Cropping2DOp(const LayerContext& c) : name_(c.node.name) {
    std::tie(h_, w_) = layers::padPairs(c.config.at("cropping"), "cropping");
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    const int64_t height = x.size(2) - h_.first - h_.second,
                  width = x.size(3) - w_.first - w_.second;
    if (height < 1 || width < 1)
      throw Error(Diagnostic{name_, "cropping removes the whole " + std::to_string(x.size(2)) +
                                        "x" + std::to_string(x.size(3)) + " image"});
    return x.narrow(2, h_.first, height).narrow(3, w_.first, width);
  }

 private:
  std::string name_;
  std::pair<int64_t, int64_t> h_, w_;
};

// Keras flattens (N, H, W, C) in H, W, C order: NCHW is permuted to NHWC first.
class FlattenOp : public LayerOp {
 public:
  explicit FlattenOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    return runtimeToKeras(in[0]).reshape({in[0].size(0), -1});
  }
};

// Reshape in Keras's layout; a rank-4 result is brought back to NCHW.
class ReshapeOp : public LayerOp {
 public:
  explicit ReshapeOp(const LayerContext& c) {
    for (const auto& d : c.config.at("target_shape")) target_.push_back(d.get<int64_t>());
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    std::vector<int64_t> shape{in[0].size(0)};
    shape.insert(shape.end(), target_.begin(), target_.end());
    return kerasToRuntime(runtimeToKeras(in[0]).reshape(shape));
  }

 private:
  std::vector<int64_t> target_;
};

// Keras's UpSampling2D: `nearest` repeats each row fh times and each column fw times
// (ops.repeat); `bilinear` is tf.image.resize's bilinear (half-pixel centres, no antialiasing
// when enlarging), which is LibTorch's with align_corners=False: source coordinate
// (dst + 0.5) / factor - 0.5, clamped to the edge.
class UpSampling2DOp : public LayerOp {
 public:
  explicit UpSampling2DOp(const LayerContext& c)
      : bilinear_(c.config.at("interpolation") == "bilinear") {
    std::tie(fh_, fw_) = layers::intPair(c.config, "size");
  }
  torch::Tensor forward(torch::TensorList in, bool) override {
    const torch::Tensor& x = in[0];
    if (!bilinear_) return x.repeat_interleave(fh_, 2).repeat_interleave(fw_, 3);
    const std::vector<int64_t> size{x.size(2) * fh_, x.size(3) * fw_};
    return torch::upsample_bilinear2d(x, size, false, c10::nullopt, c10::nullopt);
  }

 private:
  bool bilinear_;
  int64_t fh_ = 2, fw_ = 2;
};

class PermuteOp : public LayerOp {
 public:
  explicit PermuteOp(const LayerContext& c)
      : perm_(runtimePermutation(layers::permuteDims(c.config, c.inputShapes[0].size()))) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return in[0].permute(perm_); }

 private:
  std::vector<int64_t> perm_;
};

// Keras's Resizing, CenterCrop and RandomCrop (graph/image_resize.h,
// runtime/layers/resize_images.h).
class ImageResizeOp : public LayerOp {
 public:
  explicit ImageResizeOp(const LayerContext& c)
      : resize_(layers::imageResizeOf(c.node.className, c.config)) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    return resizeImages(resize_, in[0]);
  }

 private:
  layers::ImageResize resize_;
};

// Keras's RandomCrop outside training: the image as it is, where the input has its size, or
// at any size when read from Keras 3.8+ (graph/image_resize.h, kRandomCropKeepsImage).
class RandomCropOp : public LayerOp {
 public:
  explicit RandomCropOp(const LayerContext&) {}
  torch::Tensor forward(torch::TensorList in, bool) override { return in[0]; }
};

// (N, F) -> (N, n, F), each row a copy (ops.repeat of the expanded input in Keras).
class RepeatVectorOp : public LayerOp {
 public:
  explicit RepeatVectorOp(const LayerContext& c) : n_(c.config.at("n").get<int64_t>()) {}
  torch::Tensor forward(torch::TensorList in, bool) override {
    return in[0].unsqueeze(1).repeat({1, n_, 1});
  }

 private:
  int64_t n_;
};

}  // namespace

void addReshapingOps(LayerFactoryTable& table) {
  table["ZeroPadding2D"] = makeOp<ZeroPadding2DOp>;
  table["Cropping2D"] = makeOp<Cropping2DOp>;
  table["Flatten"] = makeOp<FlattenOp>;
  table["Reshape"] = makeOp<ReshapeOp>;
  table["UpSampling2D"] = makeOp<UpSampling2DOp>;
  table["Permute"] = makeOp<PermuteOp>;
  table["RepeatVector"] = makeOp<RepeatVectorOp>;
  table["Resizing"] = makeOp<ImageResizeOp>;
  table["CenterCrop"] = makeOp<ImageResizeOp>;
  table["RandomCrop"] = makeOp<RandomCropOp>;
}

}  // namespace graft::runtime

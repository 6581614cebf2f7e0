#include "runtime/data/preprocess.h"

#include <array>

#include "graph/diagnostic.h"
#include "runtime/data/image_resize.h"

namespace graft {

namespace {

// out = (in / scale - offset) / divisor per output channel, reading input channel source[c].
// Every mode is this with different constants, in Keras's order of float32 operations
// (divide, subtract, divide), so the rounding is Keras's too.
struct ChannelTransform {
  std::array<int, 3> source{0, 1, 2};
  float scale = 1.f;
  std::array<float, 3> offset{0.f, 0.f, 0.f};
  std::array<float, 3> divisor{1.f, 1.f, 1.f};
};

ChannelTransform transformFor(Preprocessing mode, int channels) {
  ChannelTransform t;
  switch (mode) {
    case Preprocessing::None:
      break;
    case Preprocessing::Unit:
      t.scale = 255.f;
      break;
    case Preprocessing::Tf:
      t.scale = 127.5f;
      t.offset = {1.f, 1.f, 1.f};
      break;
    case Preprocessing::Caffe:
      if (channels != 3) throw Error("caffe preprocessing needs RGB (3-channel) input");
      t.source = {2, 1, 0};  // RGB -> BGR; the means below are in BGR order
      t.offset = {103.939f, 116.779f, 123.68f};
      break;
    case Preprocessing::Torch:
      if (channels != 3) throw Error("torch preprocessing needs RGB (3-channel) input");
      t.scale = 255.f;
      t.offset = {0.485f, 0.456f, 0.406f};
      t.divisor = {0.229f, 0.224f, 0.225f};
      break;
  }
  return t;
}

}  // namespace

void preprocessPlanar(const cv::Mat& image, Preprocessing mode, float* out) {
  if (image.depth() != CV_32F || (image.channels() != 3 && image.channels() != 1))
    throw Error("preprocessing expects float RGB or gray pixels (0..255)");
  const int channels = image.channels();
  const ChannelTransform t = transformFor(mode, channels);
  for (int c = 0; c < channels; ++c) {
    const auto k = static_cast<size_t>(c);
    const int src = t.source[k];
    const float offset = t.offset[k], divisor = t.divisor[k];
    float* dst = out + k * image.total();
    for (int y = 0; y < image.rows; ++y) {
      const float* row = image.ptr<float>(y);
      for (int x = 0; x < image.cols; ++x)
        *dst++ = (row[x * channels + src] / t.scale - offset) / divisor;
    }
  }
}

torch::Tensor preprocessBatch(const std::vector<cv::Mat>& images, Preprocessing mode) {
  if (images.empty()) throw Error("no images to preprocess");
  const cv::Mat& first = images.front();
  const int64_t n = static_cast<int64_t>(images.size());
  torch::Tensor batch =
      torch::empty({n, first.channels(), first.rows, first.cols}, torch::kFloat32);
  const size_t perImage = static_cast<size_t>(first.channels()) * first.total();
  float* data = batch.data_ptr<float>();
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat& image = images[i];
    if (image.size() != first.size() || image.channels() != first.channels())
      throw Error("images in one batch must have the same size and channels");
    preprocessPlanar(image, mode, data + i * perImage);
  }
  return batch;
}

torch::Tensor asModelInput(const torch::Tensor& batch, const Shape& inputShape) {
  if (!isPlaneInput(inputShape)) return batch;
  if (batch.dim() != 4 || batch.size(1) != 1)
    throw Error("a (None, height, width) input takes one grey plane per image");
  return batch.squeeze(1);
}

}  // namespace graft

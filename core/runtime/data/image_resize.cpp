#include "runtime/data/image_resize.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "graph/diagnostic.h"
#include "runtime/data/image_loader.h"

namespace graft {

namespace {

// Source index for each output index as Pillow's NEAREST resize picks it
// (libImaging/Geometry.c, ImagingScaleAffine): the centre of output pixel 0 at scale / 2, each
// next one `scale` further by adding it in double, truncated. The sum drifts below a whole
// number where the exact centre lands on one (64 -> 28: column 3 reads 7, not floor(3.5 * 64 /
// 28) = 8): one pair of sizes in five under 300 px differs from the exact rule, so the exact
// rule is not what Keras's load_img gives.
std::vector<int> nearestIndices(int in, int out) {
  std::vector<int> index(static_cast<size_t>(out));
  const double scale = static_cast<double>(in) / out;
  double centre = scale * 0.5;
  for (int i = 0; i < out; ++i) {
    const int src = centre < 0.0 ? -1 : static_cast<int>(centre);
    index[static_cast<size_t>(i)] = std::min(std::max(src, 0), in - 1);
    centre += scale;
  }
  return index;
}

}  // namespace

cv::Mat resizeNearest(const cv::Mat& image, int width, int height) {
  if (width <= 0 || height <= 0 || image.empty())
    throw Error("cannot resize a " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                " image to " + std::to_string(width) + "x" + std::to_string(height));
  if (image.cols == width && image.rows == height) return image.clone();
  const std::vector<int> xs = nearestIndices(image.cols, width);
  const std::vector<int> ys = nearestIndices(image.rows, height);
  const size_t pixelBytes = image.elemSize();
  cv::Mat out(height, width, image.type());
  for (int y = 0; y < height; ++y) {
    const unsigned char* src = image.ptr<unsigned char>(ys[static_cast<size_t>(y)]);
    unsigned char* dst = out.ptr<unsigned char>(y);
    for (int x = 0; x < width; ++x)
      std::memcpy(dst + static_cast<size_t>(x) * pixelBytes,
                  src + static_cast<size_t>(xs[static_cast<size_t>(x)]) * pixelBytes, pixelBytes);
  }
  return out;
}

bool isPlaneInput(const Shape& inputShape) {
  return inputShape.size() == 3;
}

bool isImageInput(const Shape& inputShape, bool anyChannels) {
  if (isPlaneInput(inputShape)) return true;
  return inputShape.size() == 4 &&
         (inputShape[3] == 1 || inputShape[3] == 3 || (anyChannels && inputShape[3] == kUnknown));
}

bool takesGrayImages(const Shape& inputShape) {
  return isPlaneInput(inputShape) || (inputShape.size() == 4 && inputShape[3] == 1);
}

cv::Size targetSize(const Shape& inputShape, cv::Size image, FreeInputSize free) {
  if (inputShape.size() != 4 && !isPlaneInput(inputShape))
    throw Error("the model's input " + shapeToString(inputShape) +
                " is not an image batch (None, height, width, channels) or (None, height, width)");
  auto pick = [&](int64_t modelDim, int imageDim) {
    if (modelDim != kUnknown) return static_cast<int>(modelDim);
    return free.pixels > 0 ? static_cast<int>(free.pixels) : imageDim;
  };
  return {pick(inputShape[2], image.width), pick(inputShape[1], image.height)};
}

cv::Mat loadImageForInput(const std::string& path, const Shape& inputShape, FreeInputSize free) {
  const cv::Mat rgb = loadImageRgb(path);
  const cv::Size size = targetSize(inputShape, rgb.size(), free);
  cv::Mat resized = resizeNearest(rgb, size.width, size.height);
  return takesGrayImages(inputShape) ? rgbToGray(resized) : resized;
}

}  // namespace graft

#include "runtime/data/augment.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "graph/diagnostic.h"
#include "runtime/data/image_resize.h"

namespace graft {

namespace {

// torchvision's RandomResizedCrop: up to ten tries for a box of the drawn area and aspect
// that fits, else the whole image.
cv::Rect randomCropBox(cv::Size image, const AugmentOptions& options, Random& random) {
  const double area = static_cast<double>(image.width) * image.height;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * random.uniform(options.cropMinArea, 1.0);
    const double aspect = std::exp(random.uniform(std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
    const int w = static_cast<int>(std::lround(std::sqrt(target * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(target / aspect)));
    if (w > 0 && h > 0 && w <= image.width && h <= image.height) {
      const int x = static_cast<int>(random.below(static_cast<uint64_t>(image.width - w + 1)));
      const int y = static_cast<int>(random.below(static_cast<uint64_t>(image.height - h + 1)));
      return {x, y, w, h};
    }
  }
  return {0, 0, image.width, image.height};
}

}  // namespace

cv::Mat augmentAndResize(const cv::Mat& rgb, cv::Size size, const AugmentOptions& options,
                         Random& random) {
  if (!options.any()) return resizeNearest(rgb, size.width, size.height);

  cv::Mat image = options.crop ? rgb(randomCropBox(rgb.size(), options, random)) : rgb;
  image = resizeNearest(image, size.width, size.height);

  if (options.flip && random.coin()) cv::flip(image, image, 1);

  if (options.rotate || options.shift) {
    const double angle =
        options.rotate ? random.uniform(-options.maxRotationDegrees, options.maxRotationDegrees)
                       : 0.0;
    const double dx =
        options.shift ? random.uniform(-options.maxShift, options.maxShift) * size.width : 0.0;
    const double dy =
        options.shift ? random.uniform(-options.maxShift, options.maxShift) * size.height : 0.0;
    const cv::Point2f centre(static_cast<float>(size.width) / 2.0f,
                             static_cast<float>(size.height) / 2.0f);
    cv::Mat m = cv::getRotationMatrix2D(centre, angle, 1.0);
    m.at<double>(0, 2) += dx;
    m.at<double>(1, 2) += dy;
    cv::Mat warped;
    cv::warpAffine(image, warped, m, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    image = warped;
  }

  if (options.brightness || options.contrast) {
    if (options.contrast) {
      const double factor =
          random.uniform(1.0 - options.contrastRange, 1.0 + options.contrastRange);
      const cv::Scalar mean = cv::mean(image);
      // Plain per-channel calls: the matrix expression (image - mean) * factor + mean made
      // OpenCV print a warning on stderr for single-row or single-column images, -q or not.
      cv::subtract(image, mean, image);
      cv::multiply(image, cv::Scalar::all(factor), image);
      cv::add(image, mean, image);
    }
    if (options.brightness) {
      const double factor =
          random.uniform(1.0 - options.brightnessRange, 1.0 + options.brightnessRange);
      image = image * factor;
    }
    cv::min(image, 255.0, image);
    cv::max(image, 0.0, image);
  }
  return image;
}

}  // namespace graft

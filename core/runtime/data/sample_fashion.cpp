#include "runtime/data/sample_fashion.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace graft {

namespace {

// Drawn at this many times the output size, then shrunk with area averaging: smooth edges at
// 28 pixels, as Fashion-MNIST's downscaled photographs have.
constexpr int kOversample = 4;

using Outline = std::vector<cv::Point2d>;  // in the unit square, y down

// The class outlines, upright and centred; a few classes are several parts.
std::vector<Outline> outlines(size_t cls, Random& random) {
  const double w = random.uniform(-0.04, 0.04);  // a little wider or narrower
  switch (cls) {
    case 0:  // t-shirt: body, sleeves out and down, a neckline dip
      return {{{0.30 - w, 0.22},
               {0.42, 0.18},
               {0.50, 0.25},
               {0.58, 0.18},
               {0.70 + w, 0.22},
               {0.90 + w, 0.42},
               {0.78 + w, 0.50},
               {0.70 + w, 0.40},
               {0.70 + w, 0.88},
               {0.30 - w, 0.88},
               {0.30 - w, 0.40},
               {0.22 - w, 0.50},
               {0.10 - w, 0.42}}};
    case 1:  // trousers: a waistband and two legs with a gap between them
      return {{{0.32 - w, 0.10},
               {0.68 + w, 0.10},
               {0.70 + w, 0.92},
               {0.54, 0.92},
               {0.50, 0.35},
               {0.46, 0.92},
               {0.30 - w, 0.92}}};
    case 2:  // dress: straps, a narrow waist and a flared skirt
      return {{{0.40, 0.08},
               {0.44, 0.08},
               {0.46, 0.20},
               {0.54, 0.20},
               {0.56, 0.08},
               {0.60, 0.08},
               {0.62 + w / 2, 0.40},
               {0.82 + w, 0.92},
               {0.18 - w, 0.92},
               {0.38 - w / 2, 0.40}}};
    case 3:  // sneaker: a long low sole and an upper that rises to the ankle at the back
      return {{{0.08, 0.72},
               {0.10, 0.45 - w},
               {0.30, 0.42 - w},
               {0.42, 0.52},
               {0.70, 0.58},
               {0.90, 0.64},
               {0.92, 0.74},
               {0.08, 0.78}}};
    default:  // bag: a body and a handle arch above it (drawn as its own part)
      return {{{0.18 - w, 0.42}, {0.82 + w, 0.42}, {0.86 + w, 0.88}, {0.14 - w, 0.88}},
              {{0.34, 0.42},
               {0.36, 0.20},
               {0.64, 0.20},
               {0.66, 0.42},
               {0.58, 0.42},
               {0.57, 0.27},
               {0.43, 0.27},
               {0.42, 0.42}}};
  }
}

}  // namespace

const std::vector<std::string>& fashionClasses() {
  static const std::vector<std::string> classes = {"tshirt", "trouser", "dress", "sneaker", "bag"};
  return classes;
}

cv::Mat drawFashionItem(size_t cls, int size, Random& random, uint64_t noiseSeed) {
  const int big = size * kOversample;
  cv::Mat canvas(big, big, CV_8UC1, cv::Scalar(0));
  const double scale = random.uniform(0.80, 1.05);
  const double tilt = random.uniform(-0.14, 0.14);  // radians, about 8 degrees
  const cv::Point2d shift(random.uniform(-0.07, 0.07), random.uniform(-0.06, 0.06));
  const double shade = random.uniform(110.0, 250.0);
  std::vector<std::vector<cv::Point>> polygons;
  for (const Outline& outline : outlines(cls, random)) {
    std::vector<cv::Point> points;
    for (const cv::Point2d& p : outline) {
      const double x = (p.x - 0.5) * scale, y = (p.y - 0.5) * scale;
      const double rx = x * std::cos(tilt) - y * std::sin(tilt) + 0.5 + shift.x;
      const double ry = x * std::sin(tilt) + y * std::cos(tilt) + 0.5 + shift.y;
      points.emplace_back(static_cast<int>(std::lround(rx * big)),
                          static_cast<int>(std::lround(ry * big)));
    }
    polygons.push_back(points);
  }
  cv::fillPoly(canvas, polygons, cv::Scalar(shade), cv::LINE_AA);

  // Fabric: stripes or a weave at a random pitch on some items, and grain on all, so brightness
  // varies inside the outline as in photographs.
  cv::Mat texture(big, big, CV_32FC1);
  const double pitch = random.uniform(3.0, 9.0) * kOversample;
  const double stripes = random.coin() ? random.uniform(0.0, 0.35) : 0.0;
  for (int y = 0; y < big; ++y)
    for (int x = 0; x < big; ++x)
      texture.at<float>(y, x) =
          static_cast<float>(1.0 - stripes * (0.5 + 0.5 * std::sin(2 * 3.14159265 * y / pitch)));
  cv::Mat grain(big, big, CV_32FC1);
  cv::RNG rng(noiseSeed);
  rng.fill(grain, cv::RNG::NORMAL, 1.0, 0.08);
  cv::Mat shaded;
  canvas.convertTo(shaded, CV_32FC1);
  shaded = shaded.mul(texture).mul(grain);

  cv::Mat small;
  cv::resize(shaded, small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  cv::Mat grey;
  small.convertTo(grey, CV_8UC1);  // saturates to 0..255
  cv::Mat image;
  cv::cvtColor(grey, image, cv::COLOR_GRAY2BGR);
  return image;
}

}  // namespace graft

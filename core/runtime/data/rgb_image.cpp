#include "runtime/data/rgb_image.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "graph/diagnostic.h"
#include "runtime/data/image_loader.h"

namespace graft {

namespace {

cv::Mat viewOf(const RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

RgbImage fromMat(const cv::Mat& rgb8) {
  RgbImage image{rgb8.cols, rgb8.rows, {}};
  image.pixels.resize(static_cast<size_t>(rgb8.cols) * static_cast<size_t>(rgb8.rows) * 3);
  cv::Mat target = viewOf(image);
  rgb8.copyTo(target);
  return image;
}

void checkSize(const RgbImage& image, const char* what) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error(std::string(what) + ": the image is empty or its size does not match its pixels");
}

}  // namespace

RgbImage loadRgbImage(const std::string& path) {
  cv::Mat rgb8;
  loadImageRgb(path).convertTo(rgb8, CV_8UC3);  // rounds and saturates
  return fromMat(rgb8);
}

RgbImage overlayHeatmap(const RgbImage& image, const std::vector<float>& map, int mapWidth,
                        int mapHeight, double opacity) {
  checkSize(image, "overlay");
  if (mapWidth <= 0 || mapHeight <= 0 || map.size() != static_cast<size_t>(mapWidth) * mapHeight)
    throw Error("overlay: the map's size does not match its values");
  opacity = std::clamp(opacity, 0.0, 1.0);
  cv::Mat small(mapHeight, mapWidth, CV_32FC1, const_cast<float*>(map.data()));
  cv::Mat large, bytes, bgr, rgb, blended;
  cv::resize(small, large, cv::Size(image.width, image.height), 0, 0, cv::INTER_LINEAR);
  large.convertTo(bytes, CV_8UC1, 255.0);
  cv::applyColorMap(bytes, bgr, cv::COLORMAP_JET);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  cv::addWeighted(viewOf(image), 1.0 - opacity, rgb, opacity, 0.0, blended);
  return fromMat(blended);
}

void writePng(const RgbImage& image, const std::string& path) {
  checkSize(image, path.c_str());
  cv::Mat bgr;
  cv::cvtColor(viewOf(image), bgr, cv::COLOR_RGB2BGR);
  bool ok = false;
  try {
    ok = cv::imwrite(path, bgr);
  } catch (const cv::Exception& e) {
    throw Error(Diagnostic{path, std::string("cannot be written: ") + e.what()});
  }
  if (!ok) throw Error(Diagnostic{path, "cannot be written (is the folder there and writable?)"});
}

}  // namespace graft

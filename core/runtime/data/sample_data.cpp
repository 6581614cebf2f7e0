#include "runtime/data/sample_data.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <c10/util/MathConstants.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "graph/diagnostic.h"
#include "io/atomic_file.h"
#include "runtime/data/dataset_random.h"
#include "runtime/data/sample_fashion.h"

namespace graft {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kClasses = {"circle", "square", "triangle"};

// Each class has its own colour family (BGR), so a small network learns it quickly; the shape
// tells the classes apart too, for models that look past colour.
cv::Scalar shapeColour(size_t cls, Random& random) {
  auto jitter = [&](double v) { return std::clamp(v + random.uniform(-45.0, 45.0), 0.0, 255.0); };
  switch (cls) {
    case 0:
      return {jitter(40), jitter(60), jitter(215)};  // reds and oranges
    case 1:
      return {jitter(50), jitter(200), jitter(50)};  // greens
    default:
      return {jitter(215), jitter(90), jitter(40)};  // blues
  }
}

std::vector<cv::Point> regularPolygon(cv::Point2d centre, double radius, int corners,
                                      double angle) {
  std::vector<cv::Point> points;
  for (int i = 0; i < corners; ++i) {
    const double a = angle + 2.0 * c10::pi<double> * i / corners;
    points.emplace_back(static_cast<int>(std::lround(centre.x + radius * std::cos(a))),
                        static_cast<int>(std::lround(centre.y + radius * std::sin(a))));
  }
  return points;
}

cv::Mat drawImage(size_t cls, int size, Random& random, uint64_t noiseSeed) {
  const double grey = random.uniform(30.0, 225.0);
  cv::Mat image(size, size, CV_8UC3, cv::Scalar(grey, grey, grey));
  cv::Mat noise(size, size, CV_8UC3);
  cv::RNG rng(noiseSeed);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 40);
  image = image + noise - cv::Scalar(20, 20, 20);

  const double radius = size * random.uniform(0.2, 0.38);
  const cv::Point2d centre(random.uniform(radius, size - radius),
                           random.uniform(radius, size - radius));
  const cv::Scalar colour = shapeColour(cls, random);
  const double angle = random.uniform(0.0, 2.0 * c10::pi<double>);
  switch (cls) {
    case 0:
      cv::circle(image, centre, static_cast<int>(std::lround(radius)), colour, cv::FILLED,
                 cv::LINE_AA);
      break;
    case 1:
      cv::fillPoly(image,
                   std::vector<std::vector<cv::Point>>{regularPolygon(centre, radius, 4, angle)},
                   colour, cv::LINE_AA);
      break;
    default:
      cv::fillPoly(image,
                   std::vector<std::vector<cv::Point>>{regularPolygon(centre, radius, 3, angle)},
                   colour, cv::LINE_AA);
      break;
  }
  return image;
}

}  // namespace

SampleKind sampleKindFromName(const std::string& name) {
  if (name == "shapes") return SampleKind::Shapes;
  if (name == "fashion") return SampleKind::Fashion;
  throw Error(Diagnostic{"--kind", "expected shapes or fashion, found '" + name + "'"});
}

SampleDataResult writeSampleData(const std::string& dir, const SampleDataOptions& options) {
  const bool fashion = options.kind == SampleKind::Fashion;
  const int size = options.size ? options.size : fashion ? 28 : 64;
  if (options.imagesPerClass < 1 || size < 8 || size > 4096)
    throw Error(Diagnostic{dir,
                           "sample data needs at least 1 image per class of 8 to 4096 "
                           "pixels, got " +
                               std::to_string(options.imagesPerClass) + " of " +
                               std::to_string(size)});
  const fs::path target = fs::absolute(fs::path(dir)).lexically_normal();
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    throw Error(Diagnostic{dir, "is a file, not a folder; choose a new name"});
  if (fs::exists(target, ec) && !fs::is_empty(target, ec))
    throw Error(Diagnostic{dir, "already exists and is not an empty folder; choose a new name"});
  const fs::path parent = target.parent_path();
  if (const std::string why = notAFolder(parent.string()); !why.empty())
    throw Error(Diagnostic{dir, why});

  std::random_device rd;
  const fs::path temp =
      parent / ("." + target.filename().string() + ".tmp-" + std::to_string(rd()));
  SampleDataResult result;
  result.classes = fashion ? fashionClasses() : kClasses;
  const std::vector<std::string>& classes = result.classes;
  try {
    fs::create_directory(temp);
    for (size_t c = 0; c < classes.size(); ++c) {
      fs::create_directory(temp / classes[c]);
      for (int i = 0; i < options.imagesPerClass; ++i) {
        if (options.stopRequested && options.stopRequested->load())
          throw Error(Diagnostic{dir, "stopped before it was complete: nothing was written"});
        Random random(deriveSeed(options.seed, c, static_cast<uint64_t>(i)));
        const uint64_t noiseSeed = deriveSeed(options.seed, c + 100, static_cast<uint64_t>(i));
        const cv::Mat image = fashion ? drawFashionItem(c, size, random, noiseSeed)
                                      : drawImage(c, size, random, noiseSeed);
        char name[64];
        std::snprintf(name, sizeof name, "%s_%03d.png", classes[c].c_str(), i);
        const fs::path file = temp / classes[c] / name;
        if (!cv::imwrite(file.string(), image))
          throw Error(Diagnostic{file.string(), "cannot write the image"});
        ++result.images;
      }
    }
    fs::rename(temp, target);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(temp, ec);
    throw Error(Diagnostic{dir, std::string("cannot write the sample data: ") + e.what()});
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  return result;
}

}  // namespace graft

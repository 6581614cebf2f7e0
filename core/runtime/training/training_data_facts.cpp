// DataFacts for the training advisor: counts from the folder scan (each file's first bytes
// read), the image size from a few decoded images (decoding all of them would cost as much as
// an epoch).
#include <algorithm>

#include "runtime/data/image_loader.h"
#include "runtime/data/image_signature.h"
#include "runtime/training/training_advisor.h"

namespace graft {

DataFacts describeData(const ImageFolder& folder, size_t sampleImages) {
  checkClassesToTellApart(folder);  // no plan for a folder there is nothing to learn from
  DataFacts facts;
  facts.classes = folder.classes;
  facts.imagesPerClass = folder.classCounts();
  facts.images = static_cast<int64_t>(folder.samples.size());
  // A folder of git-lfs pointers counted as images: the plan chose a fine-tuning stage for 120
  // images a class of which 12 were real.
  for (const ImageSample& sample : folder.samples) {
    if (beginsAsAnImage(sample.path)) continue;
    if (facts.notImages++ == 0) {
      const std::string looks = whatTheFileLooksLike(sample.path);
      facts.firstNotImage = sample.path + (looks.empty() ? std::string() : ": " + looks);
    }
    --facts.images;
    const auto label = static_cast<size_t>(sample.label);
    if (label < facts.imagesPerClass.size()) --facts.imagesPerClass[label];
  }
  std::vector<int64_t> sides;
  const size_t count = folder.samples.size();
  const size_t take = std::min(sampleImages, count);
  for (size_t i = 0; i < take; ++i) {
    // Spread over the folder, so every class is represented.
    const size_t index = i * count / take;
    try {
      const cv::Mat image = loadImageRgb(folder.samples[index].path);
      sides.push_back(std::min(image.rows, image.cols));
    } catch (const std::exception&) {
      // An unreadable image says nothing about the size; training reports it.
    }
  }
  if (!sides.empty()) {
    std::nth_element(sides.begin(), sides.begin() + static_cast<std::ptrdiff_t>(sides.size() / 2),
                     sides.end());
    facts.medianSide = sides[sides.size() / 2];
  }
  return facts;
}

}  // namespace graft

#pragma once
// Fashion-MNIST-style pictures for the sample folder (`sample-data --kind fashion`): light
// clothing silhouettes on black, grey, with texture, at random scales, offsets and tilts. Unlike
// the shapes set no colour tells the classes apart: only the outline does, as in Fashion-MNIST,
// so it measures what pretrained features bring to small grey images.
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/data/dataset_random.h"

namespace graft {

const std::vector<std::string>& fashionClasses();  // tshirt, trouser, dress, sneaker, bag

// One size x size 3-channel (grey) image of class `cls` (an index into fashionClasses()).
cv::Mat drawFashionItem(size_t cls, int size, Random& random, uint64_t noiseSeed);

}  // namespace graft

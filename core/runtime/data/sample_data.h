#pragma once
// A small labelled image folder drawn with OpenCV, so a new user can train something at once
// (the GUI offers it one click away; `graft-cli sample-data DIR` writes it). Three classes of
// filled shapes, each with its own colour family, on noisy backgrounds, at random positions,
// sizes and angles: a MobileNet alpha 0.25 learns them in a couple of epochs. Or five classes of
// Fashion-MNIST-style clothing silhouettes (runtime/data/sample_fashion.h), told apart by shape
// only.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace graft {

enum class SampleKind { Shapes, Fashion };

struct SampleDataOptions {
  SampleKind kind = SampleKind::Shapes;
  int imagesPerClass = 40;
  int size = 0;       // pixels, square; 0: the kind's own (shapes 64, fashion 28 as Fashion-MNIST)
  uint64_t seed = 0;  // the same seed writes the same pixels
  // Set (Ctrl-C in the CLI): stop before the next image, remove the partial folder and throw
  // graft::Error saying so. A signal handler cannot remove a folder of files itself.
  const std::atomic<bool>* stopRequested = nullptr;
};

// "shapes" or "fashion"; throws graft::Error naming the expected words otherwise.
SampleKind sampleKindFromName(const std::string& name);

struct SampleDataResult {
  std::vector<std::string> classes;  // "circle", "square", "triangle", or the fashion classes
  int64_t images = 0;
};

// Writes DIR/<class>/<class>_NNN.png. The folder is built beside DIR under a temporary name
// and renamed into place at the end, so DIR is either complete or absent. Throws graft::Error
// naming DIR when it exists and is not an empty folder, or when writing fails.
SampleDataResult writeSampleData(const std::string& dir, const SampleDataOptions& options = {});

}  // namespace graft

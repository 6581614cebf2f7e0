#pragma once
// GIF images, which Keras's image_dataset_from_directory reads and OpenCV 4.6 does not: the
// first frame, decoded as TensorFlow's decode_image(expand_animations=False) does
// (tensorflow/core/lib/gif/gif_io.cc), with giflib.
#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace graft {

// True when `data` starts with a GIF signature ("GIF8": GIF87a, GIF89a).
bool looksLikeGif(const unsigned char* data, size_t size);

// The first frame as CV_8UC3 RGB on TensorFlow's canvas: as wide and as high as the file's
// widest and highest frame; where the first frame does not cover it, and at its transparent
// colour, black (0, 0, 0). Throws graft::Error naming `name` for a file giflib cannot read, one
// cut short inside its first frame, without a frame or a colour map, with a colour index past
// the map, or larger than 2^30 pixels.
cv::Mat decodeGifFirstFrame(const std::vector<unsigned char>& bytes, const std::string& name);

}  // namespace graft

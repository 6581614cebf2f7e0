#pragma once
// Reading image files the way Keras reads them: decoded by OpenCV, pixels as stored, RGB, values
// 0..255 as float32. Resizing to the model's input is image_resize.h's job.
#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

namespace graft {

// Formats: whatever OpenCV's imgcodecs reads here (JPEG, PNG 8/16-bit, BMP, WebP, TIFF, ...),
// and GIF's first frame as TensorFlow decodes it (image_gif.h).
// The result is CV_32FC3 in RGB order with values in [0, 255]:
// - EXIF orientation is not applied: Keras's load_img (PIL) and image_dataset_from_directory
//   (tf.io.decode_image) both read a phone photo's pixels as stored, so a model trained in
//   Keras saw them so, and its numbers in Graft must be Keras's.
// - Grayscale becomes three equal channels, as PIL's convert('RGB') in load_img does.
// - Alpha is dropped, not composited: PIL's convert('RGB') keeps the stored colour under a
//   transparent pixel too, so the model sees what it would see in Keras.
// - 16-bit samples keep their precision: v * 255 / 65535 (65535 -> 255, 257 -> 1).
// Throws graft::Error naming the file: missing, unreadable, empty, not an image, a truncated
// JPEG, PNG, BMP or Netpbm file (told before OpenCV, which would print its own line on stderr).
cv::Mat loadImageRgb(const std::string& path);

// The same from bytes already in memory; `name` is what error messages call them.
cv::Mat decodeImageRgb(const std::vector<unsigned char>& bytes, const std::string& name);

// RGB -> one luminance channel exactly as PIL's convert('L') (Keras's load_img with
// color_mode="grayscale") computes it: ITU-R 601 weights in 16-bit fixed point, rounded to a
// whole 8-bit value, L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16 on samples rounded to
// 0..255. For models that take grayscale input. CV_32FC1.
cv::Mat rgbToGray(const cv::Mat& rgb);

}  // namespace graft

#include "runtime/data/image_loader.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "graph/diagnostic.h"
#include "graph/limits.h"
#include "io/file_format.h"
#include "runtime/data/image_bmp.h"
#include "runtime/data/image_dimensions.h"
#include "runtime/data/image_gif.h"
#include "runtime/data/image_jpeg.h"
#include "runtime/data/image_png.h"
#include "runtime/data/image_pnm.h"
#include "runtime/data/image_tiff.h"

namespace graft {

namespace {

const char* const kExpected = "expected an image: JPEG, PNG, GIF, BMP, WebP, TIFF, PNM";

std::vector<unsigned char> readBytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory, " + kExpected);
  refuseSpecialFile(path);  // /dev/zero would be read until memory runs out
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the image (" + std::strerror(errno) + ")");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(path + ": cannot read the image (" + std::strerror(errno) + ")");
  return bytes;
}

// A cut-off PNG, BMP or Netpbm file (or a PNG chunk whose CRC fails) makes libpng or OpenCV
// print a line of its own on stderr before imdecode returns; such a file is refused here first,
// in Graft's words.
void refuseCutOffImage(const std::vector<unsigned char>& bytes, const std::string& name) {
  const unsigned char* data = bytes.data();
  const size_t size = bytes.size();
  std::string format, why;
  if (looksLikePng(data, size)) {
    format = "PNG";
    why = pngDefect(data, size);
  } else if (looksLikeBmp(data, size)) {
    format = "BMP";
    why = bmpTruncation(data, size);
  } else if (looksLikePnm(data, size)) {
    const char* const names[] = {"PBM", "PGM", "PPM", "PBM", "PGM", "PPM", "PAM"};  // P1..P7
    format = names[data[1] - '1'];
    why = pnmTruncation(data, size);
  }
  if (!why.empty())
    throw Error(name + ": the " + format + " is truncated or corrupt (" + why + ")");
}

}  // namespace

cv::Mat decodeImageRgb(const std::vector<unsigned char>& bytes, const std::string& name) {
  if (bytes.empty()) throw Error(name + ": the file is empty, " + kExpected);
  // OpenEXR (magic 76 2f 31 01) is not an image Keras reads, and OpenEXR inside OpenCV trusts
  // header sizes: the fuzzer found a 175-byte file that makes it allocate 1.1 GB.
  if (bytes.size() >= 4 && bytes[0] == 0x76 && bytes[1] == 0x2f && bytes[2] == 0x31 &&
      bytes[3] == 0x01)
    throw Error(name + ": an OpenEXR image, which Graft does not read; " + kExpected);
  if (looksLikeJpeg(bytes.data(), bytes.size()) && !jpegIsComplete(bytes.data(), bytes.size()))
    throw Error(name + ": the JPEG data is truncated or corrupt (no end-of-image marker)");
  refuseCutOffImage(bytes, name);
  if (const auto size = imageDimensions(bytes.data(), bytes.size());
      // Divided, not multiplied: a PNG header's sizes go up to 2^32 - 1 each.
      size && size->width > 0 && size->height > limits::kMaxImagePixels / size->width)
    throw Error(name + ": image too large (" + std::to_string(size->width) + " x " +
                std::to_string(size->height) + " pixels; the limit is " +
                std::to_string(limits::kMaxImagePixels) + " pixels)");
  // TIFFs OpenCV would refuse with a line of its own on stderr are refused here in Graft's.
  if (looksLikeTiff(bytes.data(), bytes.size())) {
    const auto tiff = tiffSamples(bytes.data(), bytes.size());
    if (!tiff)
      throw Error(name + ": the TIFF is truncated or corrupt (its first image's description " +
                  "lies past the end of the file); " + kExpected);
    const std::string unreadable = unreadableTiffSamples(*tiff);
    if (!unreadable.empty())
      throw Error(name + ": a TIFF of " + unreadable +
                  ", which Graft cannot read; expected a TIFF of 8- or 16-bit samples (gray, "
                  "RGB or RGBA), or of floats in SGI LogLuv (as OpenCV writes them)");
  }
  if (looksLikeGif(bytes.data(), bytes.size())) {
    cv::Mat out;
    decodeGifFirstFrame(bytes, name).convertTo(out, CV_32FC3);
    return out;
  }

  // IMREAD_COLOR makes gray and gray+alpha three channels and drops alpha; ANYDEPTH keeps 16-bit
  // samples; IGNORE_ORIENTATION leaves the pixels as stored, as Keras reads them (OpenCV would
  // otherwise apply JPEG APP1 and PNG eXIf orientation).
  // libpng would discard a damaged ancillary PNG chunk too, after a warning of its own on stderr.
  const std::vector<unsigned char> repaired = looksLikePng(bytes.data(), bytes.size())
                                                  ? pngWithoutDamagedAncillaryChunks(bytes)
                                                  : std::vector<unsigned char>{};
  const std::vector<unsigned char>& decodable = repaired.empty() ? bytes : repaired;
  const cv::Mat buffer(1, static_cast<int>(decodable.size()), CV_8UC1,
                       const_cast<unsigned char*>(decodable.data()));
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(buffer,
                           cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH | cv::IMREAD_IGNORE_ORIENTATION);
    // Float formats (EXR, HDR, float TIFF) have no fixed range: let OpenCV map them to 8 bits.
    if (!decoded.empty() && decoded.depth() != CV_8U && decoded.depth() != CV_16U)
      decoded = cv::imdecode(buffer, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    throw Error(name + ": cannot decode the image (" + e.msg + "); " + kExpected);
  }
  if (decoded.empty() || decoded.channels() != 3)
    throw Error(name + ": not an image or corrupt; " + kExpected);

  cv::Mat rgb;
  cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  cv::Mat out;
  const double scale = decoded.depth() == CV_16U ? 255.0 / 65535.0 : 1.0;
  rgb.convertTo(out, CV_32FC3, scale);
  return out;
}

cv::Mat loadImageRgb(const std::string& path) {
  return decodeImageRgb(readBytes(path), path);
}

cv::Mat rgbToGray(const cv::Mat& rgb) {
  CV_Assert(rgb.type() == CV_32FC3);
  // A sample as the 8-bit value PIL converts (8-bit images hold whole numbers already).
  const auto byte = [](float v) -> uint32_t {
    return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0f, 255.0f)));
  };
  cv::Mat gray(rgb.rows, rgb.cols, CV_32FC1);
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* src = rgb.ptr<cv::Vec3f>(y);
    auto* dst = gray.ptr<float>(y);
    for (int x = 0; x < rgb.cols; ++x) {
      // PIL's L24 macro (libImaging/Convert.c, rgb2l): R, G, B weighted by 19595, 38470 and
      // 7471 (0.299, 0.587, 0.114 in 16-bit fixed point), rounded, shifted back to 8 bits.
      const uint32_t l =
          byte(src[x][0]) * 19595 + byte(src[x][1]) * 38470 + byte(src[x][2]) * 7471 + 0x8000;
      dst[x] = static_cast<float>(l >> 16);
    }
  }
  return gray;
}

}  // namespace graft

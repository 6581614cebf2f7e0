// Loading every format the loader promises, in RGB, upright, 0..255; and bad files by name.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <fstream>
#include <tuple>

#include "graph/diagnostic.h"
#include "runtime/data/image_jpeg.h"
#include "runtime/data/image_loader.h"
#include "runtime/data/image_tiff.h"
#include "support/test_support.h"
#include "support/tiff_bytes.h"

namespace graft {
namespace {

using test::TempDir;

void writeBytes(const std::string& path, const std::vector<uchar>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<uchar> encode(const std::string& ext, const cv::Mat& image,
                          const std::vector<int>& params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(ext, image, bytes, params)) << ext;
  return bytes;
}

// Big-endian TIFF block with a single IFD entry: Orientation (0x0112), SHORT, 1 value.
std::vector<uchar> exifOrientationTiff(int orientation) {
  return {'M',  'M',  0, 42, 0, 0, 0, 8,  // header, IFD at offset 8
          0,    1,                        // one entry
          0x01, 0x12, 0, 3,  0, 0, 0, 1, 0, static_cast<uchar>(orientation),
          0,    0,    0, 0,  0, 0};  // no next IFD
}

// A JPEG with an APP1 "Exif" segment right after SOI, as cameras write it.
std::vector<uchar> jpegWithOrientation(const cv::Mat& bgr, int orientation) {
  std::vector<uchar> jpeg = encode(".jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 100});
  std::vector<uchar> payload = {'E', 'x', 'i', 'f', 0, 0};
  const auto tiff = exifOrientationTiff(orientation);
  payload.insert(payload.end(), tiff.begin(), tiff.end());
  const size_t length = payload.size() + 2;
  std::vector<uchar> segment = {0xFF, 0xE1, static_cast<uchar>(length >> 8),
                                static_cast<uchar>(length & 0xFF)};
  segment.insert(segment.end(), payload.begin(), payload.end());
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  return jpeg;
}

uint32_t crc32(const std::vector<uchar>& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uchar b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A PNG with an eXIf chunk after IHDR (PNG 1.5 puts EXIF there).
std::vector<uchar> pngWithOrientation(const cv::Mat& image, int orientation) {
  std::vector<uchar> png = encode(".png", image);
  const auto tiff = exifOrientationTiff(orientation);
  std::vector<uchar> typed = {'e', 'X', 'I', 'f'};
  typed.insert(typed.end(), tiff.begin(), tiff.end());
  const uint32_t crc = crc32(typed);
  const auto n = static_cast<uint32_t>(tiff.size());
  std::vector<uchar> chunk = {static_cast<uchar>(n >> 24), static_cast<uchar>(n >> 16),
                              static_cast<uchar>(n >> 8), static_cast<uchar>(n)};
  chunk.insert(chunk.end(), typed.begin(), typed.end());
  for (int shift : {24, 16, 8, 0}) chunk.push_back(static_cast<uchar>(crc >> shift));
  png.insert(png.begin() + 8 + 25, chunk.begin(), chunk.end());  // signature + IHDR chunk
  return png;
}

cv::Vec3f at(const cv::Mat& rgb, int y, int x) {
  return rgb.at<cv::Vec3f>(y, x);
}

void expectPixel(const cv::Mat& rgb, int y, int x, cv::Vec3f expected, float tolerance = 0) {
  const cv::Vec3f v = at(rgb, y, x);
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(v[c], expected[c], tolerance) << "pixel (" << y << ", " << x << ") channel " << c;
}

// 20 rows x 40 columns; the top-left 10x20 quarter red, the rest blue (BGR as OpenCV writes).
cv::Mat redCornerBgr() {
  cv::Mat m(20, 40, CV_8UC3, cv::Scalar(255, 0, 0));
  m(cv::Rect(0, 0, 20, 10)).setTo(cv::Scalar(0, 0, 255));
  return m;
}

TEST(ImageLoader, Png8BitIsExactAndRgb) {
  TempDir dir;
  cv::Mat bgr(2, 3, CV_8UC3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(10 * x), static_cast<uchar>(100 + y),
                                          static_cast<uchar>(200 + x + y));
  ASSERT_TRUE(cv::imwrite(dir.file("a.png"), bgr));
  const cv::Mat rgb = loadImageRgb(dir.file("a.png"));
  ASSERT_EQ(rgb.type(), CV_32FC3);
  ASSERT_EQ(rgb.rows, 2);
  ASSERT_EQ(rgb.cols, 3);
  expectPixel(rgb, 0, 0, {200, 100, 0});
  expectPixel(rgb, 1, 2, {203, 101, 20});
}

TEST(ImageLoader, JpegIsRgb) {
  TempDir dir;
  cv::Mat bgr(16, 16, CV_8UC3, cv::Scalar(10, 50, 200));  // B, G, R
  ASSERT_TRUE(cv::imwrite(dir.file("a.jpg"), bgr, {cv::IMWRITE_JPEG_QUALITY, 100}));
  const cv::Mat rgb = loadImageRgb(dir.file("a.jpg"));
  expectPixel(rgb, 8, 8, {200, 50, 10}, 3);  // JPEG is lossy even at quality 100
}

TEST(ImageLoader, Png16BitKeepsPrecision) {
  TempDir dir;
  cv::Mat bgr(1, 3, CV_16UC3);
  bgr.at<cv::Vec<uint16_t, 3>>(0, 0) = {65535, 0, 257 * 100};
  bgr.at<cv::Vec<uint16_t, 3>>(0, 1) = {300, 300, 300};
  bgr.at<cv::Vec<uint16_t, 3>>(0, 2) = {0, 32768, 0};
  ASSERT_TRUE(cv::imwrite(dir.file("deep.png"), bgr));
  const cv::Mat rgb = loadImageRgb(dir.file("deep.png"));
  expectPixel(rgb, 0, 0, {100, 0, 255}, 1e-4f);
  expectPixel(rgb, 0, 1, {1.1673152f, 1.1673152f, 1.1673152f}, 1e-5f);  // 300 * 255 / 65535
  expectPixel(rgb, 0, 2, {0, 127.50195f, 0}, 1e-4f);
}

TEST(ImageLoader, Gray16BitBecomesThreeChannels) {
  TempDir dir;
  cv::Mat gray(1, 2, CV_16UC1);
  gray.at<uint16_t>(0, 0) = 65535;
  gray.at<uint16_t>(0, 1) = 257 * 7;
  ASSERT_TRUE(cv::imwrite(dir.file("gray16.png"), gray));
  const cv::Mat rgb = loadImageRgb(dir.file("gray16.png"));
  ASSERT_EQ(rgb.type(), CV_32FC3);
  expectPixel(rgb, 0, 0, {255, 255, 255}, 1e-4f);
  expectPixel(rgb, 0, 1, {7, 7, 7}, 1e-4f);
}

TEST(ImageLoader, GrayscaleBecomesThreeEqualChannels) {
  TempDir dir;
  cv::Mat gray(2, 2, CV_8UC1, cv::Scalar(0));
  gray.at<uchar>(0, 1) = 77;
  gray.at<uchar>(1, 0) = 255;
  for (const char* name : {"g.png", "g.bmp", "g.jpg"}) {
    ASSERT_TRUE(cv::imwrite(dir.file(name), gray, {cv::IMWRITE_JPEG_QUALITY, 100}));
    const cv::Mat rgb = loadImageRgb(dir.file(name));
    ASSERT_EQ(rgb.type(), CV_32FC3) << name;
    const float tolerance = std::string(name) == "g.jpg" ? 40.f : 0.f;  // 2x2 JPEG blurs edges
    expectPixel(rgb, 0, 1, {77, 77, 77}, tolerance);
    expectPixel(rgb, 1, 0, {255, 255, 255}, tolerance);
    const cv::Vec3f v = at(rgb, 1, 1);
    EXPECT_EQ(v[0], v[1]) << name;
    EXPECT_EQ(v[1], v[2]) << name;
  }
}

TEST(ImageLoader, AlphaIsDroppedNotComposited) {
  TempDir dir;
  cv::Mat bgra(1, 2, CV_8UC4);
  bgra.at<cv::Vec4b>(0, 0) = {30, 20, 10, 0};      // fully transparent: colour kept as stored
  bgra.at<cv::Vec4b>(0, 1) = {200, 100, 50, 128};  // half transparent: colour kept as stored
  ASSERT_TRUE(cv::imwrite(dir.file("alpha.png"), bgra));
  const cv::Mat rgb = loadImageRgb(dir.file("alpha.png"));
  ASSERT_EQ(rgb.type(), CV_32FC3);
  expectPixel(rgb, 0, 0, {10, 20, 30});  // compositing on white would give 255s, on black 0s
  expectPixel(rgb, 0, 1, {50, 100, 200});

  cv::Mat deep(1, 1, CV_16UC4, cv::Scalar(0, 0, 65535, 0));
  ASSERT_TRUE(cv::imwrite(dir.file("alpha16.png"), deep));
  expectPixel(loadImageRgb(dir.file("alpha16.png")), 0, 0, {255, 0, 0}, 1e-4f);
}

TEST(ImageLoader, BmpIsExact) {
  TempDir dir;
  cv::Mat bgr(3, 5, CV_8UC3, cv::Scalar(1, 2, 3));
  bgr.at<cv::Vec3b>(2, 4) = {250, 128, 7};
  ASSERT_TRUE(cv::imwrite(dir.file("a.bmp"), bgr));
  const cv::Mat rgb = loadImageRgb(dir.file("a.bmp"));
  expectPixel(rgb, 0, 0, {3, 2, 1});
  expectPixel(rgb, 2, 4, {7, 128, 250});
}

TEST(ImageLoader, WebpLossless) {
  if (!cv::haveImageWriter(".webp")) GTEST_SKIP() << "this OpenCV has no WebP codec";
  TempDir dir;
  cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(40, 80, 120));
  bgr.at<cv::Vec3b>(3, 3) = {0, 255, 9};
  ASSERT_TRUE(cv::imwrite(dir.file("a.webp"), bgr, {cv::IMWRITE_WEBP_QUALITY, 101}));  // lossless
  const cv::Mat rgb = loadImageRgb(dir.file("a.webp"));
  expectPixel(rgb, 0, 0, {120, 80, 40});
  expectPixel(rgb, 3, 3, {9, 255, 0});
}

// Orientation 6 means "rotate 90 degrees clockwise to view". Keras (PIL's load_img,
// tf.io.decode_image) does not apply it, so neither does Graft: a model trained in Keras on
// phone photos saw their stored pixels. JPEG APP1, and PNG eXIf on the 16-bit and alpha paths.
TEST(ImageLoader, ExifOrientationIsLeftAsKerasLeavesIt) {
  TempDir dir;
  const cv::Vec3f red{255, 0, 0};
  for (int orientation : {1, 3, 6, 8}) {
    SCOPED_TRACE(orientation);
    const std::string name = dir.file("o" + std::to_string(orientation) + ".jpg");
    writeBytes(name, jpegWithOrientation(redCornerBgr(), orientation));
    const cv::Mat rgb = loadImageRgb(name);
    EXPECT_EQ(rgb.size(), cv::Size(40, 20));
    expectPixel(rgb, 0, 0, red, 4);
  }
  cv::Mat deep;
  redCornerBgr().convertTo(deep, CV_16UC3, 257.0);
  writeBytes(dir.file("deep6.png"), pngWithOrientation(deep, 6));
  const cv::Mat a = loadImageRgb(dir.file("deep6.png"));
  ASSERT_EQ(a.size(), cv::Size(40, 20));
  expectPixel(a, 0, 0, {255, 0, 0}, 1e-3f);
  cv::Mat bgra;
  cv::cvtColor(redCornerBgr(), bgra, cv::COLOR_BGR2BGRA);
  writeBytes(dir.file("alpha6.png"), pngWithOrientation(bgra, 6));
  const cv::Mat b = loadImageRgb(dir.file("alpha6.png"));
  ASSERT_EQ(b.size(), cv::Size(40, 20));
  expectPixel(b, 0, 0, {255, 0, 0});
}

void expectErrorNaming(const std::string& path, const std::string& what) {
  try {
    loadImageRgb(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
  }
}

TEST(ImageLoader, BadFilesAreErrorsNamingTheFile) {
  TempDir dir;
  expectErrorNaming(dir.file("missing.jpg"), "cannot open");
  expectErrorNaming("/dev/zero", "a device, not a file");  // read until memory ran out
  writeBytes(dir.file("empty.png"), {});
  expectErrorNaming(dir.file("empty.png"), "empty");
  writeBytes(dir.file("text.jpg"), {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'});
  expectErrorNaming(dir.file("text.jpg"), "expected an image");
  expectErrorNaming(dir.path().string(), "directory");

  const cv::Mat image = redCornerBgr();
  std::vector<uchar> jpeg = encode(".jpg", image);
  jpeg.resize(jpeg.size() / 2);
  writeBytes(dir.file("cut.jpg"), jpeg);
  expectErrorNaming(dir.file("cut.jpg"), "truncated");

  std::vector<uchar> png = encode(".png", image);
  png.resize(png.size() / 2);
  writeBytes(dir.file("cut.png"), png);
  expectErrorNaming(dir.file("cut.png"), "the PNG is truncated");

  // The fuzzer's find: an OpenEXR header declaring a 1 GB attribute (OpenCV's OpenEXR would
  // allocate it). Keras does not read EXR either; it is refused before decoding.
  writeBytes(dir.file("huge.png"),
             {0x76, 0x2f, 0x31, 0x01, 0x02, 0,   0,   0,   'c', 'h', 'a', 'n', 'n', 'e',
              'l',  's',  0,    'c',  'h',  'l', 'i', 's', 't', 0,   0,   0,   0,   0x40});
  expectErrorNaming(dir.file("huge.png"), "OpenEXR");
}

// A TIFF of 32-bit floats as numpy and PIL (mode F) write them: OpenCV cannot make colour of it
// (and said so on stderr from inside imdecode); Graft refuses it first, saying what it holds and
// what it reads. Floats in SGI LogLuv, as OpenCV's imwrite writes them, still decode.
TEST(ImageLoader, FloatTiffsOpenCvCannotConvertAreRefusedInGraftsWords) {
  for (uint16_t channels : {1, 2, 3, 4}) {
    const std::string name = "float" + std::to_string(channels) + ".tif";
    const std::string message =
        test::errorOf([&] { decodeImageRgb(test::floatTiff(3, 2, channels), name); });
    EXPECT_EQ(message, name + ": a TIFF of 32-bit floating-point samples in " +
                           std::to_string(channels) + (channels == 1 ? " channel" : " channels") +
                           ", which Graft cannot read; expected a TIFF of 8- or 16-bit samples "
                           "(gray, RGB or RGBA), or of floats in SGI LogLuv (as OpenCV writes "
                           "them)");
  }
  const cv::Mat floats(2, 3, CV_32FC3, cv::Scalar(0.25, 0.5, 0.75));
  const std::vector<uchar> logLuv = encode(".tiff", floats);
  const auto samples = tiffSamples(logLuv.data(), logLuv.size());
  ASSERT_TRUE(samples);
  EXPECT_EQ(samples->photometric, 32845);
  EXPECT_EQ(unreadableTiffSamples(*samples), "");
  const cv::Mat rgb = decodeImageRgb(logLuv, "logluv.tif");
  EXPECT_EQ(rgb.rows, 2);
  EXPECT_EQ(rgb.cols, 3);

  // A header cut off before its description ends is said to be so, not read past its end.
  std::vector<unsigned char> cut = test::floatTiff(3, 2, 1);
  cut.resize(20);
  EXPECT_FALSE(tiffSamples(cut.data(), cut.size()));
  EXPECT_EQ(test::errorOf([&] {
              decodeImageRgb(cut, "cut.tif");
            }).rfind("cut.tif: the TIFF is truncated or corrupt", 0),
            0u);
}

TEST(ImageJpeg, CompleteOnlyWithTheEndMarker) {
  cv::Mat noise(32, 32, CV_8UC3);
  cv::randu(noise, 0, 256);
  for (bool progressive : {false, true}) {
    std::vector<uchar> jpeg =
        encode(".jpg", noise, {cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0});
    EXPECT_TRUE(jpegIsComplete(jpeg.data(), jpeg.size()));
    for (size_t cut = 0; cut + 1 < jpeg.size(); cut += 37)
      EXPECT_FALSE(jpegIsComplete(jpeg.data(), cut)) << "cut at " << cut;
    EXPECT_FALSE(jpegIsComplete(jpeg.data(), jpeg.size() - 1));
    jpeg.push_back(0);  // trailing bytes after EOI, as some cameras write, are fine
    jpeg.push_back(0x42);
    EXPECT_TRUE(jpegIsComplete(jpeg.data(), jpeg.size()));
  }
  const std::vector<uchar> png = encode(".png", noise);
  EXPECT_FALSE(looksLikeJpeg(png.data(), png.size()));
}

// PIL's convert("L") in integers (libImaging/Convert.c, rgb2l):
// (19595 R + 38470 G + 7471 B + 0x8000) >> 16, a whole value where the float weights gave a
// fraction (0.299 * 200 + 0.587 * 50 + 0.114 * 10 = 90.29).
TEST(ImageLoader, GrayConversionIsPilsIntegerLuma) {
  const std::vector<std::pair<cv::Vec3f, float>> cases = {
      {{200, 50, 10}, 90.f},  // 90.29 unrounded
      {{255, 255, 255}, 255.f}, {{0, 0, 0}, 0.f},
      {{10, 200, 30}, 124.f},                      // 123.81 unrounded: rounded up
      {{1, 1, 1}, 1.f},         {{0, 1, 0}, 1.f},  // 0.587 rounds to 1
      {{0, 0, 4}, 0.f},                            // 0.456 rounds to 0
      {{255, 0, 0}, 76.f},                         // 76.245
      {{0, 0, 255}, 29.f}};                        // 29.07
  cv::Mat rgb(1, static_cast<int>(cases.size()), CV_32FC3);
  for (size_t i = 0; i < cases.size(); ++i)
    rgb.at<cv::Vec3f>(0, static_cast<int>(i)) = cases[i].first;
  const cv::Mat gray = rgbToGray(rgb);
  ASSERT_EQ(gray.type(), CV_32FC1);
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ(gray.at<float>(0, static_cast<int>(i)), cases[i].second) << "RGB " << cases[i].first;
}

// A small file whose header describes a huge picture (a 388 KB PNG of 20000 x 20000 pixels
// took 7 GB to decode, and above 2^30 pixels OpenCV's own assertion was all the user saw):
// refused from the header, naming the file and both sizes, before anything is decoded.
TEST(ImageLoader, ImageLargerThanTheLimitIsRefusedFromItsHeader) {
  TempDir dir;
  const cv::Mat small(8, 8, CV_8UC3, cv::Scalar(10, 20, 30));
  const auto setBigEndian32 = [](std::vector<uchar>& bytes, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uchar>(v >> (24 - 8 * i));
  };
  std::vector<uchar> png;
  cv::imencode(".png", small, png);
  setBigEndian32(png, 16, 20000);  // IHDR's width and height
  setBigEndian32(png, 20, 20000);
  // A valid IHDR again (its CRC covers the type and the data: bytes 12 to 28).
  setBigEndian32(png, 29, crc32(std::vector<uchar>(png.begin() + 12, png.begin() + 29)));
  // The largest sizes a header can state: their product does not fit in 64 bits.
  std::vector<uchar> widest = png;
  setBigEndian32(widest, 16, 0xFFFFFFFFu);
  setBigEndian32(widest, 20, 0xFFFFFFFFu);
  setBigEndian32(widest, 29, crc32(std::vector<uchar>(widest.begin() + 12, widest.begin() + 29)));
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", small, jpeg);
  for (size_t i = 2; i + 9 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {  // baseline start of frame: height, width
      jpeg[i + 5] = 0xFF, jpeg[i + 6] = 0xFF, jpeg[i + 7] = 0xFF, jpeg[i + 8] = 0xFF;
      break;
    }
  for (const auto& [name, bytes, described] :
       std::vector<std::tuple<std::string, std::vector<uchar>, std::string>>{
           {"huge.png", png, "20000 x 20000"},
           {"widest.png", widest, "4294967295 x 4294967295"},
           {"huge.jpg", jpeg, "65535 x 65535"}}) {
    const std::string path = dir.file(name);
    writeBytes(path, bytes);
    try {
      graft::loadImageRgb(path);
      ADD_FAILURE() << name << " was decoded";
    } catch (const graft::Error& e) {
      EXPECT_EQ(std::string(e.what()), path + ": image too large (" + described +
                                           " pixels; the limit is 134217728 pixels)");
    }
  }
  // A small picture still reads.
  const std::string path = dir.file("small.png");
  cv::imwrite(path, small);
  EXPECT_EQ(graft::loadImageRgb(path).cols, 8);
}

}  // namespace
}  // namespace graft

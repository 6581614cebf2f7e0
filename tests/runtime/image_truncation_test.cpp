// Cut-off PNG, BMP and Netpbm files are told from their structure before OpenCV decodes them:
// libpng and OpenCV print a line of their own on stderr for such a file ("libpng error: PNG
// input buffer is incomplete", "imdecode_(''): can't read data: ...") before Graft could name it.
// Every cut of a file OpenCV wrote is caught; the whole file (and one with bytes after the
// image, as some writers leave) is not. A PNG chunk whose CRC fails is told apart as libpng
// does.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cctype>
#include <functional>

#include "runtime/data/image_bmp.h"
#include "runtime/data/image_loader.h"
#include "runtime/data/image_png.h"
#include "runtime/data/image_pnm.h"
#include "support/test_support.h"

namespace graft {
namespace {

using Truncation = std::function<std::string(const unsigned char*, size_t)>;

std::vector<uchar> encodedAs(const std::string& ext, const cv::Mat& image,
                             const std::vector<int>& params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(ext, image, bytes, params)) << ext;
  return bytes;
}

cv::Mat noise(int type) {
  cv::Mat image(13, 21, type);  // odd sizes: BMP rows padded, a PBM row's last byte partial
  cv::randu(image, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
  return image;
}

// `bytes` is whole; each shorter prefix from `from` up to `needed` bytes (what OpenCV reads) is
// refused, in the loader too with the file's name and the format.
void expectEveryCutCaught(std::vector<uchar> bytes, const Truncation& truncation,
                          const std::string& format, size_t from, size_t needed = 0) {
  EXPECT_EQ(truncation(bytes.data(), bytes.size()), "");
  const cv::Mat whole = decodeImageRgb(bytes, "whole");
  EXPECT_FALSE(whole.empty());
  for (size_t cut = from; cut < (needed ? needed : bytes.size()); ++cut)
    ASSERT_NE(truncation(bytes.data(), cut), "") << "cut at " << cut << " of " << bytes.size();
  const std::vector<uchar> half(bytes.begin(), bytes.begin() + bytes.size() / 2);
  EXPECT_EQ(test::errorOf([&] {
              decodeImageRgb(half, "cut.img");
            }).rfind("cut.img: the " + format + " is truncated or corrupt (", 0),
            0u);
  bytes.insert(bytes.end(), {0, 0, 0, 0});  // bytes after the image are not a cut
  EXPECT_EQ(truncation(bytes.data(), bytes.size()), "");
}

TEST(ImageTruncation, EveryCutOfAPngIsCaught) {
  for (const cv::Mat& image : {noise(CV_8UC3), noise(CV_16UC1), noise(CV_8UC4)}) {
    const std::vector<uchar> png = encodedAs(".png", image);
    ASSERT_TRUE(looksLikePng(png.data(), png.size()));
    expectEveryCutCaught(png, pngDefect, "PNG", 8);
  }
  const std::vector<uchar> png = encodedAs(".png", noise(CV_8UC3));
  std::vector<uchar> cut(png.begin(), png.end() - 12);  // the IEND chunk lost
  EXPECT_EQ(pngDefect(cut.data(), cut.size()), "no IEND chunk: the file ends at byte " +
                                                   std::to_string(cut.size()) +
                                                   ", after its IDAT chunk");
  EXPECT_EQ(pngDefect(png.data(), 100), "its IDAT chunk at byte 33 declares " +
                                            std::to_string(png.size() - 57) +
                                            " bytes, the file ends at byte 100");
}

// A chunk whose CRC fails: libpng printed "libpng error: IDAT: CRC error" (critical chunks,
// which OpenCV then cannot read) or "libpng warning: tEXt: CRC error" (ancillary ones, which
// libpng discards and OpenCV reads past) on stderr itself. The first is refused in Graft's words
// naming the chunk; the second reads as OpenCV reads it, without that chunk.
TEST(ImageTruncation, APngChunkWhoseCrcFailsIsRefusedOrDroppedAsLibpngDoes) {
  const cv::Mat image = noise(CV_8UC3);
  const std::vector<uchar> png = encodedAs(".png", image);
  EXPECT_EQ(pngWithoutDamagedAncillaryChunks(png), std::vector<uchar>{});
  for (const auto& [offset, type] : std::vector<std::pair<size_t, std::string>>{
           {8, "IHDR"}, {33, "IDAT"}, {png.size() - 12, "IEND"}}) {
    std::vector<uchar> damaged = png;
    damaged[offset + 8 + (damaged[offset + 2] << 8 | damaged[offset + 3])] ^= 0x5a;
    const std::string why =
        "its " + type + " chunk at byte " + std::to_string(offset) + " fails its CRC check";
    EXPECT_EQ(pngDefect(damaged.data(), damaged.size()), why);
    EXPECT_EQ(test::errorOf([&] { decodeImageRgb(damaged, "crc.png"); }),
              "crc.png: the PNG is truncated or corrupt (" + why + ")");
  }
  // A tEXt chunk after IHDR, its CRC wrong: the pixels are the image's.
  const std::string text = "Comment";
  std::vector<uchar> chunk = {0, 0, 0, static_cast<uchar>(text.size()), 't', 'E', 'X', 't'};
  chunk.insert(chunk.end(), text.begin(), text.end());
  chunk.insert(chunk.end(), {1, 2, 3, 4});
  std::vector<uchar> annotated = png;
  annotated.insert(annotated.begin() + 33, chunk.begin(), chunk.end());
  EXPECT_EQ(pngDefect(annotated.data(), annotated.size()), "");
  EXPECT_EQ(pngWithoutDamagedAncillaryChunks(annotated), png);
  cv::Mat expected;
  cv::cvtColor(image, expected, cv::COLOR_BGR2RGB);
  expected.convertTo(expected, CV_32FC3);
  EXPECT_EQ(cv::norm(decodeImageRgb(annotated, "text.png"), expected, cv::NORM_INF), 0.0);
}

TEST(ImageTruncation, EveryCutOfABmpIsCaught) {
  for (const cv::Mat& image : {noise(CV_8UC3), noise(CV_8UC1), noise(CV_8UC4)}) {
    const std::vector<uchar> bmp = encodedAs(".bmp", image);
    ASSERT_TRUE(looksLikeBmp(bmp.data(), bmp.size()));
    expectEveryCutCaught(bmp, bmpTruncation, "BMP", 2);
  }
  const std::vector<uchar> bmp = encodedAs(".bmp", noise(CV_8UC3));
  EXPECT_EQ(bmpTruncation(bmp.data(), 100),
            "its header describes 21x13 pixels at 24 bits, 832 bytes from byte 54; the file "
            "ends at byte 100");  // rows of 63 bytes padded to 64
  EXPECT_EQ(bmpTruncation(bmp.data(), 30),
            "its 54-byte header is cut off; the file ends at byte 30");
}

TEST(ImageTruncation, EveryCutOfANetpbmFileIsCaught) {
  const std::vector<int> plain = {cv::IMWRITE_PXM_BINARY, 0};
  for (const auto& [ext, image, format] :
       std::vector<std::tuple<std::string, cv::Mat, std::string>>{
           {".ppm", noise(CV_8UC3), "PPM"},
           {".pgm", noise(CV_8UC1), "PGM"},
           {".ppm", noise(CV_16UC3), "PPM"},
           {".pbm", noise(CV_8UC1), "PBM"},
           {".pam", noise(CV_8UC3), "PAM"}}) {
    SCOPED_TRACE(ext + " " + format + " depth " + std::to_string(image.depth()));
    const std::vector<uchar> binary = encodedAs(ext, image);
    ASSERT_TRUE(looksLikePnm(binary.data(), binary.size()));
    expectEveryCutCaught(binary, pnmTruncation, format, 3);
    if (ext == ".pam") continue;  // PAM has no plain form
    // Plain (ASCII) files: OpenCV reads each number and the byte after it (a P1 digit alone);
    // the whitespace OpenCV writes after that is not needed.
    const std::vector<uchar> ascii = encodedAs(ext, image, plain);
    ASSERT_EQ(ascii[1], binary[1] - 3) << "not a plain file";
    size_t needed = ascii.size();
    while (!std::isdigit(ascii[needed - 1])) --needed;
    expectEveryCutCaught(ascii, pnmTruncation, format, 3, needed + (ascii[1] == '1' ? 0 : 1));
  }
  const std::vector<uchar> ppm = encodedAs(".ppm", noise(CV_8UC3));
  EXPECT_EQ(pnmTruncation(ppm.data(), 100),
            "its header describes 21x13 pixels of 3 samples up to 255, 819 bytes from byte 13; "
            "the file ends at byte 100");
  EXPECT_EQ(pnmTruncation(ppm.data(), 8), "its header is cut off; the file ends at byte 8");
}

// PAM headers OpenCV reads with CRLF line ends or indented keys are read too (they were refused
// as having no ENDHDR line).
TEST(ImageTruncation, PamHeadersWithCrlfOrIndentedKeysAreRead) {
  const std::string samples(2 * 2 * 3, '\x7f');
  for (const std::string& header :
       {std::string("P7\r\nWIDTH 2\r\nHEIGHT 2\r\nDEPTH 3\r\nMAXVAL 255\r\n"
                    "TUPLTYPE RGB\r\nENDHDR\r\n"),
        std::string("P7\n WIDTH 2\n\tHEIGHT 2\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\n ENDHDR\n")}) {
    SCOPED_TRACE(header);
    const std::string whole = header + samples;
    const std::vector<uchar> bytes(whole.begin(), whole.end());
    EXPECT_EQ(pnmTruncation(bytes.data(), bytes.size()), "");
    const cv::Mat image = decodeImageRgb(bytes, "crlf.pam");
    EXPECT_EQ(image.rows, 2);
    EXPECT_EQ(image.cols, 2);
    const std::vector<uchar> cut(bytes.begin(), bytes.end() - 1);
    EXPECT_NE(pnmTruncation(cut.data(), cut.size()), "");
  }
}

// Headers OpenCV throws on (and prints a line for) are refused in Graft's words as well.
TEST(ImageTruncation, HeadersOpenCvThrowsOnAreSaidWhatIsWrong) {
  const auto pnm = [](const std::string& text) {
    return pnmTruncation(reinterpret_cast<const unsigned char*>(text.data()), text.size());
  };
  EXPECT_EQ(pnm("P6\n21 x3\n255\n"),
            "its header has a byte 0x78 at byte 6 where a number should stand");
  EXPECT_EQ(pnm("P5\n3000000000 2\n255\n"), "its header has a number over 2147483647 at byte 3");
  EXPECT_EQ(pnm("P5\n2 1\n70000\n\1\2\3\4"), "its header's maxval 70000 is over 65535");
  EXPECT_EQ(pnm("P2\n2 1\n255\n7 ?\n"),
            "it has a byte 0x3f at byte 13 where a number should stand");
  EXPECT_EQ(pnm("P1\n2 1\n10"), "");

  std::vector<uchar> bmp = encodedAs(".bmp", noise(CV_8UC3));
  bmp[30] = 9;  // the compression
  EXPECT_EQ(bmpTruncation(bmp.data(), bmp.size()), "its compression 9 is none BMP has");
  bmp[14] = bmp[15] = bmp[16] = bmp[17] = 0;  // the header's size
  EXPECT_EQ(bmpTruncation(bmp.data(), bmp.size()), "its header size 0 is impossible");
}

}  // namespace
}  // namespace graft

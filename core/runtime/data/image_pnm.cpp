#include "runtime/data/image_pnm.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace graft {

namespace {

// What OpenCV's ReadNumber (grfmt_pxm.cpp) reads: whitespace and '#' comments, then digits and
// the byte after them (unless `maxDigits` stops it first). nullopt when the data ends first or
// something else than a number stands there (`junk` says what and where: OpenCV throws, and
// prints, on that too).
class PnmNumbers {
 public:
  PnmNumbers(const unsigned char* data, size_t size, size_t pos)
      : data_(data), size_(size), pos_(pos) {}

  std::optional<uint64_t> next(int maxDigits = 0) {
    while (pos_ < size_ && !std::isdigit(data_[pos_])) {
      if (data_[pos_] == '#') {
        while (pos_ < size_ && data_[pos_] != '\n' && data_[pos_] != '\r') ++pos_;
        ++pos_;  // the line end
      } else if (std::isspace(data_[pos_])) {
        ++pos_;
      } else {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", data_[pos_]);
        junk_ = "a byte " + std::string(hex) + " at byte " + std::to_string(pos_) +
                " where a number should stand";
        return std::nullopt;
      }
    }
    if (pos_ >= size_) return std::nullopt;
    const size_t start = pos_;
    uint64_t value = 0;
    int digits = 0;
    while (pos_ < size_ && std::isdigit(data_[pos_])) {
      value = value * 10 + (data_[pos_++] - '0');
      if (value > INT32_MAX) {  // OpenCV asserts it is not
        junk_ = "a number over " + std::to_string(INT32_MAX) + " at byte " + std::to_string(start);
        return std::nullopt;
      }
      if (++digits == maxDigits) return value;
    }
    if (pos_ >= size_) return std::nullopt;  // OpenCV reads the byte after the digits
    ++pos_;
    return value;
  }

  size_t pos() const { return pos_; }
  const std::string& junk() const { return junk_; }

 private:
  const unsigned char* data_;
  size_t size_;
  size_t pos_;
  std::string junk_;
};

struct PnmHeader {
  uint64_t width = 0, height = 0, channels = 1, maxval = 1;
  size_t offset = 0;  // where the samples begin
};

// PAM (P7): "KEY value" lines up to ENDHDR; nullopt when ENDHDR is not in the data.
std::optional<PnmHeader> pamHeader(const unsigned char* data, size_t size) {
  PnmHeader header;
  size_t pos = 3;
  while (pos < size) {
    size_t lineEnd = pos;
    while (lineEnd < size && data[lineEnd] != '\n') ++lineEnd;
    if (lineEnd >= size) return std::nullopt;
    std::string line(reinterpret_cast<const char*>(data + pos), lineEnd - pos);
    pos = lineEnd + 1;
    // OpenCV skips white space before a key and ends it at any (CRLF headers, indented lines).
    line.erase(0, std::min(line.size(), line.find_first_not_of(" \t\r")));
    const size_t space = line.find_first_of(" \t\r");
    const std::string key = line.substr(0, space);
    if (key == "ENDHDR") {
      header.offset = pos;
      return header;
    }
    const uint64_t value =
        space == std::string::npos ? 0 : std::strtoull(line.c_str() + space, nullptr, 10);
    if (key == "WIDTH") header.width = value;
    if (key == "HEIGHT") header.height = value;
    if (key == "DEPTH") header.channels = value;
    if (key == "MAXVAL") header.maxval = value;
  }
  return std::nullopt;
}

std::string describePnm(const PnmHeader& h) {
  return std::to_string(h.width) + "x" + std::to_string(h.height) + " pixels of " +
         std::to_string(h.channels) + (h.channels == 1 ? " sample" : " samples") + " up to " +
         std::to_string(h.maxval);
}

}  // namespace

bool looksLikePnm(const unsigned char* data, size_t size) {
  return size >= 3 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7' && std::isspace(data[2]);
}

std::string pnmTruncation(const unsigned char* data, size_t size) {
  const std::string end = "the file ends at byte " + std::to_string(size);
  const char kind = static_cast<char>(data[1]);
  PnmHeader header;
  if (kind == '7') {
    const auto pam = pamHeader(data, size);
    if (!pam) return "its header has no ENDHDR line; " + end;
    header = *pam;
  } else {
    PnmNumbers numbers(data, size, 2);
    const bool bitmap = kind == '1' || kind == '4';
    const auto width = numbers.next();
    const auto height = width ? numbers.next() : std::nullopt;
    const auto maxval = !height  ? std::nullopt
                        : bitmap ? std::optional<uint64_t>(1)
                                 : numbers.next();
    if (!numbers.junk().empty()) return "its header has " + numbers.junk();
    if (!maxval) return "its header is cut off; " + end;
    header = {*width, *height, kind == '3' || kind == '6' ? 3u : 1u, *maxval, numbers.pos()};
  }
  if (header.maxval > 65535)  // OpenCV throws, and prints
    return "its header's maxval " + std::to_string(header.maxval) + " is over 65535";
  if (header.width == 0 || header.height == 0 || header.maxval == 0 || header.channels == 0 ||
      header.width > INT32_MAX || header.height > INT32_MAX || header.channels > 4)
    return "";  // OpenCV refuses it quietly
  // Sides below 2^31 and at most 4 channels: no overflow.
  const uint64_t samples = header.width * header.height * header.channels;
  if (kind >= '1' && kind <= '3') {  // plain: one number per sample
    PnmNumbers numbers(data, size, header.offset);
    uint64_t read = 0;
    while (read < samples && numbers.next(kind == '1' ? 1 : 0)) ++read;
    if (read == samples) return "";
    if (!numbers.junk().empty()) return "it has " + numbers.junk();
    return "its header describes " + describePnm(header) + ", " + std::to_string(samples) +
           " numbers; the file holds " + std::to_string(read) +
           " (each followed by a space or line end)";
  }
  const uint64_t bytesPerSample = kind == '4' ? 0 : header.maxval > 255 ? 2 : 1;
  const uint64_t rowBytes =
      kind == '4' ? (header.width + 7) / 8 : header.width * header.channels * bytesPerSample;
  uint64_t needed = 0;
  if (__builtin_mul_overflow(rowBytes, header.height, &needed)) needed = UINT64_MAX;
  if (header.offset <= size && needed <= size - header.offset) return "";
  return "its header describes " + describePnm(header) + ", " + std::to_string(needed) +
         " bytes from byte " + std::to_string(header.offset) + "; " + end;
}

}  // namespace graft

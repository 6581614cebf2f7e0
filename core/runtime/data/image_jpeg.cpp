#include "runtime/data/image_jpeg.h"

namespace graft {

namespace {

constexpr unsigned char kMarker = 0xFF;
constexpr unsigned char kEoi = 0xD9;
constexpr unsigned char kSos = 0xDA;

bool isRestart(unsigned char m) {
  return m >= 0xD0 && m <= 0xD7;
}

// Skips entropy-coded data after a scan header; returns the offset of the next marker's 0xFF,
// or `size` when the data ends first. Inside a scan 0xFF is followed by 0x00 (a stuffed byte),
// a restart marker, or more 0xFF fill; anything else is the next marker.
size_t skipScan(const unsigned char* data, size_t size, size_t pos) {
  while (pos + 1 < size) {
    if (data[pos] == kMarker) {
      const unsigned char next = data[pos + 1];
      if (next != 0x00 && !isRestart(next) && next != kMarker) return pos;
    }
    ++pos;
  }
  return size;
}

}  // namespace

bool looksLikeJpeg(const unsigned char* data, size_t size) {
  return size >= 2 && data[0] == kMarker && data[1] == 0xD8;
}

bool jpegIsComplete(const unsigned char* data, size_t size) {
  if (!looksLikeJpeg(data, size)) return false;
  size_t pos = 2;
  while (pos < size) {
    // libjpeg tolerates stray bytes between segments (with a warning); so do we.
    while (pos < size && data[pos] != kMarker) ++pos;
    while (pos < size && data[pos] == kMarker) ++pos;  // fill bytes before a marker
    if (pos >= size) return false;
    const unsigned char marker = data[pos++];
    if (marker == kEoi) return true;
    if (isRestart(marker) || marker == 0x01) continue;  // markers without a length
    if (pos + 2 > size) return false;
    const size_t length = (size_t{data[pos]} << 8) | data[pos + 1];
    if (length < 2 || pos + length > size) return false;
    pos += length;
    if (marker == kSos) pos = skipScan(data, size, pos);
  }
  return false;
}

}  // namespace graft

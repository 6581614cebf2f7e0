#include "runtime/data/image_signature.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <vector>

#include "runtime/data/image_gif.h"
#include "runtime/data/image_jpeg.h"

namespace graft {

namespace {

std::vector<unsigned char> firstBytes(const std::string& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes(count);
  if (!in) return {};
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
  bytes.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return bytes;
}

bool startsWith(const std::vector<unsigned char>& bytes, const char* prefix, size_t at = 0) {
  const size_t n = std::strlen(prefix);
  return bytes.size() >= at + n && std::memcmp(bytes.data() + at, prefix, n) == 0;
}

}  // namespace

bool beginsAsAnImage(const std::string& path) {
  const std::vector<unsigned char> b = firstBytes(path, 16);
  if (b.empty()) return false;
  if (looksLikeJpeg(b.data(), b.size()) || looksLikeGif(b.data(), b.size())) return true;
  if (startsWith(b, "\x89PNG\r\n\x1a\n") || startsWith(b, "BM")) return true;
  const bool tiff = b.size() >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                                      (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42));
  if (tiff) return true;  // either byte order
  if (startsWith(b, "RIFF") && startsWith(b, "WEBP", 8)) return true;
  // Netpbm: P1-P7 and a whitespace (OpenCV reads P1-P6 and PAM's P7).
  return b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' &&
         std::isspace(static_cast<unsigned char>(b[2]));
}

std::string whatTheFileLooksLike(const std::string& path) {
  const std::vector<unsigned char> b = firstBytes(path, 64);
  if (b.empty()) return "an empty file";
  if (startsWith(b, "version https://git-lfs"))
    return "a git-lfs pointer (git lfs pull fetches it)";
  std::string text(b.begin(), b.end());
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text.find("<!doctype html") != std::string::npos || text.find("<html") != std::string::npos)
    return "an HTML page";
  if (std::all_of(b.begin(), b.end(), [](unsigned char c) { return c >= 0x20 || std::isspace(c); }))
    return "text";
  return "";
}

}  // namespace graft

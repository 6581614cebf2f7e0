#include "io/file_format.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "graph/diagnostic.h"

namespace graft {

void refuseSpecialFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status) || std::filesystem::is_regular_file(status) ||
      std::filesystem::is_directory(status))
    return;
  const char* kind = std::filesystem::is_fifo(status)     ? "a pipe"
                     : std::filesystem::is_socket(status) ? "a socket"
                                                          : "a device";
  throw Error(path + ": " + kind +
              ", not a file; Graft reads models and images from files (save the data to a file "
              "first)");
}

FileFormat detectFileFormat(const std::string& path) {
  refuseSpecialFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (missing or unreadable file)");
  // HDF5's signature sits at 0, or after a user block at 512, 1024, 2048, ...
  char head[8] = {};
  in.read(head, sizeof head);
  const std::streamsize got = in.gcount();
  static const char kHdf5[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (got == 8 && std::memcmp(head, kHdf5, 8) == 0) return FileFormat::Hdf5;
  if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return FileFormat::Zip;
  for (std::streamoff offset = 512; offset <= (std::streamoff{1} << 20); offset *= 2) {
    char probe[8] = {};
    in.clear();
    in.seekg(offset);
    in.read(probe, sizeof probe);
    if (in.gcount() < 8) break;
    if (std::memcmp(probe, kHdf5, 8) == 0) return FileFormat::Hdf5;
  }
  const std::streamsize start = got >= 3 && std::memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  for (std::streamsize i = start; i < got; ++i) {
    const char c = head[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[' ? FileFormat::JsonText : FileFormat::Unknown;
  }
  return FileFormat::Unknown;
}

bool looksLikeOnnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[3] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  if (in.gcount() < 3) return false;
  // ModelProto's first field is ir_version (field 1, varint: tag 0x08, versions 1 to 127 in one
  // byte), followed by another of its fields: producer_name (0x12), producer_version (0x1a),
  // domain (0x22), model_version (0x28), doc_string (0x32), graph (0x3a), opset_import (0x42).
  static const unsigned char kNextTags[] = {0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42};
  return head[0] == 0x08 && head[1] >= 1 && head[1] < 0x80 &&
         std::find(std::begin(kNextTags), std::end(kNextTags), head[2]) != std::end(kNextTags);
}

std::string describeFileFormat(FileFormat format) {
  switch (format) {
    case FileFormat::Hdf5:
      return "HDF5";
    case FileFormat::Zip:
      return "a ZIP archive";
    case FileFormat::JsonText:
      return "JSON";
    case FileFormat::Unknown:
      break;
  }
  return "none of these";  // after "expected A, B or C; the file is ..."
}

}  // namespace graft

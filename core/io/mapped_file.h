#pragma once
// A whole file mapped read-only into memory, for reading large members of an archive in place
// (a .keras model's stored weights) instead of copying them.
#include <cstddef>
#include <memory>
#include <string>

namespace graft {

class MappedFile {
 public:
  // Throws graft::Error naming the file and the OS error; an empty file maps to size 0.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace graft

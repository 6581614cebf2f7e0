#pragma once
// Graft's loaders take file paths (that is what users give them), so a fuzz input reaches them
// as a file: one per process in /dev/shm (memory, no disk wear), named with the extension that
// picks the loader.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace graft::fuzz {

inline std::string writeInputFile(const uint8_t* data, size_t size, const std::string& extension) {
  const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                        ? "/dev/shm"
                                        : std::filesystem::temp_directory_path();
  const std::string path = (dir / ("graft-fuzz-" + std::to_string(getpid()) + extension)).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out.flush()) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace graft::fuzz

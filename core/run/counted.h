#pragma once
// "1 epoch", "3 epochs": a count and its noun, for what Graft prints ("1 epochs" read oddly).
#include <cstdint>
#include <string>

namespace graft {

inline std::string counted(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace graft

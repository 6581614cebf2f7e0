#include "graph/shape.h"

#include <limits>

#include "graph/diagnostic.h"

namespace graft {

std::string shapeToString(const Shape& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ", ";
    text += shape[i] == kUnknown ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ",";
  return text + ")";
}

int64_t elementCount(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) {
    if (d == kUnknown) throw Error("shape " + shapeToString(shape) + " has an unknown dimension");
    if (d < 0) throw Error("shape " + shapeToString(shape) + " has a negative dimension");
    // Checked: a hostile file may declare dimensions whose product overflows int64.
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("shape " + shapeToString(shape) + " has more elements than can be counted");
    n *= d;
  }
  return n;
}

int64_t dimensionProduct(int64_t a, int64_t b) {
  if (a == kUnknown || b == kUnknown) return kUnknown;
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product))
    throw Error("a shape of " + std::to_string(a) + " x " + std::to_string(b) +
                " elements, more than can be counted");
  return product;
}

bool shapesCompatible(const Shape& a, const Shape& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != kUnknown && b[i] != kUnknown && a[i] != b[i]) return false;
  return true;
}

}  // namespace graft

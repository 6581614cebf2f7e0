#pragma once
// Keras tensor shapes: batch first, channels last, kUnknown for Keras's `None`.
#include <cstdint>
#include <string>
#include <vector>

namespace graft {

constexpr int64_t kUnknown = -1;
using Shape = std::vector<int64_t>;

// "(None, 224, 224, 3)" as Keras prints it.
std::string shapeToString(const Shape& shape);

// Product of all dimensions; throws graft::Error if a dimension is unknown.
int64_t elementCount(const Shape& shape);

// a * b for two dimensions of a shape being inferred: kUnknown when either is; throws
// graft::Error when the product overflows int64 (a hostile file's 3e9 x 3e9 input).
int64_t dimensionProduct(int64_t a, int64_t b);

// True when both shapes have the same rank and every known dimension agrees.
bool shapesCompatible(const Shape& a, const Shape& b);

}  // namespace graft

#include "runtime/prediction/predict_result.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace graft {

bool isClassVector(const Shape& shape) {
  return shape.size() == 1 && shape[0] >= 2;
}

namespace {

std::vector<double> probabilities(const std::vector<float>& values) {
  const bool alreadyProbabilities =
      std::all_of(values.begin(), values.end(), [](float v) { return v >= 0.f && v <= 1.f; });
  std::vector<double> p(values.begin(), values.end());
  if (alreadyProbabilities) return p;
  const double maxValue = *std::max_element(p.begin(), p.end());  // for a stable softmax
  double sum = 0;
  for (double& v : p) sum += (v = std::exp(v - maxValue));
  for (double& v : p) v /= sum;
  return p;
}

// NaN (a diverged model) sorts last instead of breaking the sort's ordering.
double sortKey(double p) {
  return std::isnan(p) ? -1.0 : p;
}

}  // namespace

std::vector<TopEntry> topK(const std::vector<float>& values, int64_t k,
                           const std::vector<std::string>& labels) {
  if (values.empty() || k <= 0) return {};
  const std::vector<double> p = probabilities(values);
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  const auto count = std::min<size_t>(static_cast<size_t>(k), order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                    [&](int64_t a, int64_t b) {
                      const double pa = sortKey(p[static_cast<size_t>(a)]);
                      const double pb = sortKey(p[static_cast<size_t>(b)]);
                      return pa > pb || (pa == pb && a < b);
                    });
  const bool useLabels = labels.size() == values.size();
  std::vector<TopEntry> top;
  for (size_t i = 0; i < count; ++i) {
    const auto index = static_cast<size_t>(order[i]);
    top.push_back({order[i], p[index], useLabels ? labels[index] : std::string()});
  }
  return top;
}

int64_t predictedClass(const std::vector<float>& values) {
  return topK(values, 1, {}).front().index;
}

}  // namespace graft

#include "graph/surgery/fusion_math.h"

#include <cmath>

namespace graft::fusion {

ChannelAffine batchNormAffine(const WeightTensor* gamma, const WeightTensor* beta,
                              const WeightTensor& movingMean, const WeightTensor& movingVariance,
                              double epsilon) {
  const size_t channels = static_cast<size_t>(movingMean.numel());
  ChannelAffine a;
  a.scale.resize(channels);
  a.shift.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    const double g = gamma ? double(gamma->values()[c]) : 1.0;
    const double b = beta ? double(beta->values()[c]) : 0.0;
    a.scale[c] = g / std::sqrt(double(movingVariance.values()[c]) + epsilon);
    a.shift[c] = b - double(movingMean.values()[c]) * a.scale[c];
  }
  return a;
}

KernelAndBias foldAffine(const WeightTensor& kernel, const WeightTensor* bias,
                         const ChannelAffine& affine) {
  const size_t channels = affine.scale.size();
  const size_t n = static_cast<size_t>(kernel.numel());
  if (channels == 0 || n % channels != 0)
    throw Error("kernel of shape " + shapeToString(kernel.shape) + " does not have " +
                std::to_string(channels) + " output channels");
  std::vector<float> k(n);
  for (size_t i = 0; i < n; ++i)
    k[i] = static_cast<float>(double(kernel.values()[i]) * affine.scale[i % channels]);
  std::vector<float> b(channels);
  for (size_t c = 0; c < channels; ++c) {
    const double old = bias ? double(bias->values()[c]) : 0.0;
    b[c] = static_cast<float>(old * affine.scale[c] + affine.shift[c]);
  }
  return {WeightTensor::fromValues(kernel.shape, std::move(k)),
          WeightTensor::fromValues({int64_t(channels)}, std::move(b))};
}

KernelAndBias composeConvolutions(const WeightTensor& kernel1, const WeightTensor* bias1,
                                  const WeightTensor& kernel2, const WeightTensor* bias2) {
  const Shape& s1 = kernel1.shape;
  const Shape& s2 = kernel2.shape;
  if (s1.size() != 4 || s2.size() != 4 || s1[3] != s2[2])
    throw Error("cannot compose kernels " + shapeToString(s1) + " and " + shapeToString(s2));
  const int64_t k1h = s1[0], k1w = s1[1], in = s1[2], mid = s1[3];
  const int64_t k2h = s2[0], k2w = s2[1], out = s2[3];
  const int64_t kh = k1h + k2h - 1, kw = k1w + k2w - 1;
  const float* w1 = kernel1.values();
  const float* w2 = kernel2.values();
  auto at1 = [&](int64_t y, int64_t x, int64_t c, int64_t m) {
    return double(w1[((y * k1w + x) * in + c) * mid + m]);
  };
  auto at2 = [&](int64_t y, int64_t x, int64_t m, int64_t o) {
    return double(w2[((y * k2w + x) * mid + m) * out + o]);
  };
  std::vector<double> w(static_cast<size_t>(kh * kw * in * out), 0.0);
  for (int64_t uy = 0; uy < k1h; ++uy)
    for (int64_t ux = 0; ux < k1w; ++ux)
      for (int64_t vy = 0; vy < k2h; ++vy)
        for (int64_t vx = 0; vx < k2w; ++vx)
          for (int64_t c = 0; c < in; ++c)
            for (int64_t m = 0; m < mid; ++m) {
              const double a = at1(uy, ux, c, m);
              if (a == 0.0) continue;
              double* row = &w[static_cast<size_t>((((uy + vy) * kw + (ux + vx)) * in + c) * out)];
              for (int64_t o = 0; o < out; ++o) row[o] += a * at2(vy, vx, m, o);
            }
  std::vector<double> b(static_cast<size_t>(out), 0.0);
  for (int64_t o = 0; o < out; ++o) {
    double sum = bias2 ? double(bias2->values()[o]) : 0.0;
    if (bias1)
      for (int64_t vy = 0; vy < k2h; ++vy)
        for (int64_t vx = 0; vx < k2w; ++vx)
          for (int64_t m = 0; m < mid; ++m) sum += at2(vy, vx, m, o) * double(bias1->values()[m]);
    b[static_cast<size_t>(o)] = sum;
  }
  return {WeightTensor::fromValues({kh, kw, in, out}, std::vector<float>(w.begin(), w.end())),
          WeightTensor::fromValues({out}, std::vector<float>(b.begin(), b.end()))};
}

}  // namespace graft::fusion

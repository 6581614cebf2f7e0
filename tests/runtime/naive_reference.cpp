#include "naive_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace graft::test::naive {

int64_t outputSize(int64_t n, int64_t k, int64_t s, int64_t d, bool same) {
  const int64_t effective = (k - 1) * d + 1;
  return same ? (n + s - 1) / s : (n - effective) / s + 1;
}

int64_t padBefore(int64_t n, int64_t k, int64_t s, int64_t d, bool same) {
  if (!same) return 0;
  const int64_t total =
      std::max<int64_t>((outputSize(n, k, s, d, true) - 1) * s + (k - 1) * d + 1 - n, 0);
  return total / 2;
}

namespace {

struct Window {
  int64_t oh, ow, top, left;
};

Window window(const torch::Tensor& x, const Geometry& g) {
  const int64_t h = x.size(1), w = x.size(2);
  return {outputSize(h, g.kh, g.sh, g.dh, g.same), outputSize(w, g.kw, g.sw, g.dw, g.same),
          padBefore(h, g.kh, g.sh, g.dh, g.same), padBefore(w, g.kw, g.sw, g.dw, g.same)};
}

}  // namespace

torch::Tensor conv2d(const torch::Tensor& xt, const torch::Tensor& kt, const torch::Tensor& bt,
                     const Geometry& g, int64_t groups) {
  const torch::Tensor xc = xt.contiguous(), kc = kt.contiguous();
  auto x = xc.accessor<float, 4>();
  auto k = kc.accessor<float, 4>();
  const Window win = window(xt, g);
  const int64_t n = xt.size(0), h = xt.size(1), w = xt.size(2), cout = kt.size(3);
  const int64_t inPerGroup = kt.size(2), outPerGroup = cout / groups;
  torch::Tensor out = torch::zeros({n, win.oh, win.ow, cout});
  auto o = out.accessor<float, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < win.oh; ++oy)
      for (int64_t ox = 0; ox < win.ow; ++ox)
        for (int64_t co = 0; co < cout; ++co) {
          const int64_t group = co / outPerGroup;
          double sum = bt.defined() ? bt[co].item<double>() : 0.0;
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t iy = oy * g.sh - win.top + ky * g.dh;
              const int64_t ix = ox * g.sw - win.left + kx * g.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // zero padding
              for (int64_t ci = 0; ci < inPerGroup; ++ci)
                sum += double(x[b][iy][ix][group * inPerGroup + ci]) * double(k[ky][kx][ci][co]);
            }
          o[b][oy][ox][co] = static_cast<float>(sum);
        }
  return out;
}

torch::Tensor depthwise(const torch::Tensor& xt, const torch::Tensor& kt, const torch::Tensor& bt,
                        const Geometry& g) {
  const torch::Tensor xc = xt.contiguous(), kc = kt.contiguous();
  auto x = xc.accessor<float, 4>();
  auto k = kc.accessor<float, 4>();
  const Window win = window(xt, g);
  const int64_t n = xt.size(0), h = xt.size(1), w = xt.size(2), cin = xt.size(3), mult = kt.size(3);
  torch::Tensor out = torch::zeros({n, win.oh, win.ow, cin * mult});
  auto o = out.accessor<float, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < win.oh; ++oy)
      for (int64_t ox = 0; ox < win.ow; ++ox)
        for (int64_t c = 0; c < cin; ++c)
          for (int64_t m = 0; m < mult; ++m) {
            double sum = bt.defined() ? bt[c * mult + m].item<double>() : 0.0;
            for (int64_t ky = 0; ky < g.kh; ++ky)
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t iy = oy * g.sh - win.top + ky * g.dh;
                const int64_t ix = ox * g.sw - win.left + kx * g.dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum += double(x[b][iy][ix][c]) * double(k[ky][kx][c][m]);
              }
            o[b][oy][ox][c * mult + m] = static_cast<float>(sum);
          }
  return out;
}

namespace {

template <class Reduce>
torch::Tensor pool(const torch::Tensor& xt, const Geometry& g, Reduce reduce) {
  const torch::Tensor xc = xt.contiguous();
  auto x = xc.accessor<float, 4>();
  const Window win = window(xt, g);
  const int64_t n = xt.size(0), h = xt.size(1), w = xt.size(2), c = xt.size(3);
  torch::Tensor out = torch::zeros({n, win.oh, win.ow, c});
  auto o = out.accessor<float, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < win.oh; ++oy)
      for (int64_t ox = 0; ox < win.ow; ++ox)
        for (int64_t ch = 0; ch < c; ++ch) {
          std::vector<double> cells;
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t iy = oy * g.sh - win.top + ky, ix = ox * g.sw - win.left + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) cells.push_back(x[b][iy][ix][ch]);
            }
          o[b][oy][ox][ch] = static_cast<float>(reduce(cells));
        }
  return out;
}

}  // namespace

torch::Tensor maxPool(const torch::Tensor& x, const Geometry& g) {
  return pool(x, g,
              [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
}

torch::Tensor avgPool(const torch::Tensor& x, const Geometry& g) {
  return pool(x, g, [](const std::vector<double>& v) {
    double s = 0;
    for (double e : v) s += e;
    return s / double(v.size());
  });
}

torch::Tensor dense(const torch::Tensor& xt, const torch::Tensor& kt, const torch::Tensor& bt) {
  const torch::Tensor xc = xt.contiguous(), kc = kt.contiguous();
  auto x = xc.accessor<float, 2>();
  auto k = kc.accessor<float, 2>();
  torch::Tensor out = torch::zeros({xt.size(0), kt.size(1)});
  auto o = out.accessor<float, 2>();
  for (int64_t b = 0; b < xt.size(0); ++b)
    for (int64_t j = 0; j < kt.size(1); ++j) {
      double sum = bt.defined() ? bt[j].item<double>() : 0.0;
      for (int64_t i = 0; i < kt.size(0); ++i) sum += double(x[b][i]) * double(k[i][j]);
      o[b][j] = static_cast<float>(sum);
    }
  return out;
}

torch::Tensor prelu(const torch::Tensor& xt, const torch::Tensor& alphat) {
  const torch::Tensor x = xt.to(torch::kFloat64).contiguous();
  const torch::Tensor alpha = alphat.to(torch::kFloat64).contiguous();
  torch::Tensor out = torch::empty_like(x);
  const double* in = x.data_ptr<double>();
  const double* a = alpha.data_ptr<double>();
  double* o = out.data_ptr<double>();
  const int64_t rank = x.dim();
  const int64_t perSample = x.numel() / std::max<int64_t>(x.size(0), 1);
  for (int64_t i = 0; i < x.numel(); ++i) {
    // Position within the sample -> index into alpha (0 along its size-1 axes).
    int64_t rest = i % perSample, index = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 1; --d) {
      const int64_t coord = rest % x.size(d);
      rest /= x.size(d);
      index += (alpha.size(d - 1) == 1 ? 0 : coord) * stride;
      stride *= alpha.size(d - 1);
    }
    o[i] = in[i] > 0 ? in[i] : a[index] * in[i];
  }
  return out;
}

torch::Tensor upsampleNearest(const torch::Tensor& xt, int64_t fh, int64_t fw) {
  const torch::Tensor xc = xt.contiguous();
  auto x = xc.accessor<float, 4>();
  torch::Tensor out = torch::empty({xt.size(0), xt.size(1) * fh, xt.size(2) * fw, xt.size(3)});
  auto o = out.accessor<float, 4>();
  for (int64_t b = 0; b < out.size(0); ++b)
    for (int64_t y = 0; y < out.size(1); ++y)
      for (int64_t x0 = 0; x0 < out.size(2); ++x0)
        for (int64_t c = 0; c < out.size(3); ++c) o[b][y][x0][c] = x[b][y / fh][x0 / fw][c];
  return out;
}

namespace {

struct Lerp {
  int64_t lower, upper;
  double weight;
};

// Source row of output row `out` when `size` rows become `output` rows (half-pixel centres),
// in float32 as TensorFlow computes it: scale = float(size) / output, then (out + 0.5f) * scale.
// (Exact arithmetic reads another row for some sizes: nearest 2 -> 41, row 20.)
Lerp halfPixelResize(int64_t out, int64_t size, int64_t output) {
  const float scale = static_cast<float>(size) / static_cast<float>(output);
  const float in = (static_cast<float>(out) + 0.5f) * scale - 0.5f;
  const float floorIn = std::floor(in);
  return {std::max<int64_t>(static_cast<int64_t>(floorIn), 0),
          std::min<int64_t>(static_cast<int64_t>(std::ceil(in)), size - 1),
          static_cast<double>(in - floorIn)};
}

int64_t nearestSource(int64_t out, int64_t size, int64_t output) {
  const float scale = static_cast<float>(size) / static_cast<float>(output);
  const float in = (static_cast<float>(out) + 0.5f) * scale;
  return std::min<int64_t>(static_cast<int64_t>(std::floor(in)), size - 1);
}

}  // namespace

torch::Tensor resizeBilinear(const torch::Tensor& xt, int64_t oh, int64_t ow) {
  const torch::Tensor xc = xt.to(torch::kFloat64).contiguous();
  auto x = xc.accessor<double, 4>();
  const int64_t h = xt.size(1), w = xt.size(2);
  torch::Tensor out = torch::empty({xt.size(0), oh, ow, xt.size(3)}, torch::kFloat64);
  auto o = out.accessor<double, 4>();
  for (int64_t b = 0; b < out.size(0); ++b)
    for (int64_t oy = 0; oy < oh; ++oy) {
      const Lerp ly = halfPixelResize(oy, h, oh);
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Lerp lx = halfPixelResize(ox, w, ow);
        for (int64_t c = 0; c < out.size(3); ++c) {
          const double top =
              x[b][ly.lower][lx.lower][c] +
              (x[b][ly.lower][lx.upper][c] - x[b][ly.lower][lx.lower][c]) * lx.weight;
          const double bottom =
              x[b][ly.upper][lx.lower][c] +
              (x[b][ly.upper][lx.upper][c] - x[b][ly.upper][lx.lower][c]) * lx.weight;
          o[b][oy][ox][c] = top + (bottom - top) * ly.weight;
        }
      }
    }
  return out;
}

// Keras's UpSampling2D bilinear is tf.image.resize to the multiplied size.
torch::Tensor upsampleBilinear(const torch::Tensor& x, int64_t fh, int64_t fw) {
  return resizeBilinear(x, x.size(1) * fh, x.size(2) * fw);
}

torch::Tensor resizeNearest(const torch::Tensor& xt, int64_t oh, int64_t ow) {
  const torch::Tensor xc = xt.to(torch::kFloat64).contiguous();
  auto x = xc.accessor<double, 4>();
  const int64_t h = xt.size(1), w = xt.size(2);
  torch::Tensor out = torch::empty({xt.size(0), oh, ow, xt.size(3)}, torch::kFloat64);
  auto o = out.accessor<double, 4>();
  for (int64_t b = 0; b < out.size(0); ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t c = 0; c < out.size(3); ++c)
          o[b][oy][ox][c] = x[b][nearestSource(oy, h, oh)][nearestSource(ox, w, ow)][c];
  return out;
}

torch::Tensor layerNorm(const torch::Tensor& xt, int64_t axis, const torch::Tensor& gamma,
                        const torch::Tensor& beta, double epsilon) {
  // The normalized axis moved last, so each run of `n` values is one normalization.
  const torch::Tensor x = xt.to(torch::kFloat64).movedim(axis, -1).contiguous();
  const int64_t n = x.size(-1);
  torch::Tensor out = torch::empty_like(x);
  const double* in = x.data_ptr<double>();
  double* o = out.data_ptr<double>();
  for (int64_t start = 0; start < x.numel(); start += n) {
    double mean = 0, variance = 0;
    for (int64_t i = 0; i < n; ++i) mean += in[start + i];
    mean /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) variance += (in[start + i] - mean) * (in[start + i] - mean);
    variance /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) {
      double y = (in[start + i] - mean) / std::sqrt(variance + epsilon);
      if (gamma.defined()) y *= gamma[i].item<double>();
      if (beta.defined()) y += beta[i].item<double>();
      o[start + i] = y;
    }
  }
  return out.movedim(-1, axis).contiguous();
}

torch::Tensor layerNormAxes(const torch::Tensor& xt, const std::vector<int64_t>& axes,
                            const torch::Tensor& gamma, const torch::Tensor& beta, double epsilon) {
  const torch::Tensor x = xt.to(torch::kFloat64).contiguous();
  const int64_t rank = x.dim();
  std::vector<bool> normalized(static_cast<size_t>(rank), false);
  for (int64_t a : axes) normalized[static_cast<size_t>(a)] = true;
  const torch::Tensor g = gamma.defined() ? gamma.to(torch::kFloat64).flatten() : torch::Tensor();
  const torch::Tensor b = beta.defined() ? beta.to(torch::kFloat64).flatten() : torch::Tensor();
  torch::Tensor out = torch::empty_like(x);
  const double* in = x.data_ptr<double>();
  double* o = out.data_ptr<double>();
  // Each element's coordinates, the group it belongs to (its coordinates off the axes) and its
  // offset along the axes (row-major, axes in increasing order).
  const auto place = [&](int64_t flat, int64_t& group, int64_t& along) {
    group = 0;
    along = 0;
    std::vector<int64_t> coords(static_cast<size_t>(rank));
    for (int64_t d = rank - 1; d >= 0; --d) {
      coords[static_cast<size_t>(d)] = flat % x.size(d);
      flat /= x.size(d);
    }
    for (int64_t d = 0; d < rank; ++d) {
      int64_t& index = normalized[static_cast<size_t>(d)] ? along : group;
      index = index * x.size(d) + coords[static_cast<size_t>(d)];
    }
  };
  std::map<int64_t, std::vector<int64_t>> groups;  // group -> its elements
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t group = 0, along = 0;
    place(i, group, along);
    groups[group].push_back(i);
  }
  for (const auto& [group, elements] : groups) {
    double mean = 0, variance = 0;
    for (int64_t i : elements) mean += in[i];
    mean /= static_cast<double>(elements.size());
    for (int64_t i : elements) variance += (in[i] - mean) * (in[i] - mean);
    variance /= static_cast<double>(elements.size());
    for (int64_t i : elements) {
      int64_t unused = 0, along = 0;
      place(i, unused, along);
      double y = (in[i] - mean) / std::sqrt(variance + epsilon);
      if (g.defined()) y *= g[along].item<double>();
      if (b.defined()) y += b[along].item<double>();
      o[i] = y;
    }
  }
  return out;
}

torch::Tensor autoContrast(const torch::Tensor& xt, float low, float high) {
  const torch::Tensor x = xt.to(torch::kFloat32).contiguous();
  torch::Tensor out = torch::empty_like(x);
  auto in = x.accessor<float, 4>();
  auto o = out.accessor<float, 4>();
  const bool bytes = low == 0.0f && high == 255.0f;
  const float span = high - low;
  for (int64_t n = 0; n < x.size(0); ++n)
    for (int64_t c = 0; c < x.size(3); ++c) {
      const auto toBytes = [&](float v) { return bytes ? v : (v - low) / span * 255.0f; };
      float m = std::numeric_limits<float>::infinity(), big = -m;
      for (int64_t h = 0; h < x.size(1); ++h)
        for (int64_t w = 0; w < x.size(2); ++w) {
          m = std::min(m, toBytes(in[n][h][w][c]));
          big = std::max(big, toBytes(in[n][h][w][c]));
        }
      const float scale = 255.0f / (big - m);
      const float offset = -m * scale;
      for (int64_t h = 0; h < x.size(1); ++h)
        for (int64_t w = 0; w < x.size(2); ++w) {
          float y = toBytes(in[n][h][w][c]) * scale + offset;
          if (!std::isnan(y)) y = std::min(std::max(y, 0.0f), 255.0f);
          if (!bytes) y = y / 255.0f * span + low;
          o[n][h][w][c] = std::isnan(y) ? in[n][h][w][c] : y;
        }
    }
  return out;
}

namespace {

// Keras's deconv_output_length, with the kernel dilated.
int64_t deconvLength(int64_t n, int64_t k, int64_t s, int64_t d, bool same, int64_t op) {
  const int64_t kd = (k - 1) * d + 1;
  if (op < 0) return same ? n * s : n * s + std::max<int64_t>(kd - s, 0);
  return (n - 1) * s + kd - 2 * (same ? kd / 2 : 0) + op;
}

}  // namespace

torch::Tensor conv2dTranspose(const torch::Tensor& xt, const torch::Tensor& kt,
                              const torch::Tensor& bt, const Geometry& g, int64_t oh, int64_t ow) {
  const torch::Tensor xc = xt.contiguous(), kc = kt.contiguous();
  auto x = xc.accessor<float, 4>();
  auto k = kc.accessor<float, 4>();
  const int64_t n = xt.size(0), h = xt.size(1), w = xt.size(2), cin = xt.size(3);
  const int64_t cout = kt.size(2);
  const int64_t outH = deconvLength(h, g.kh, g.sh, g.dh, g.same, oh);
  const int64_t outW = deconvLength(w, g.kw, g.sw, g.dw, g.same, ow);
  const int64_t top = padBefore(outH, g.kh, g.sh, g.dh, g.same);
  const int64_t left = padBefore(outW, g.kw, g.sw, g.dw, g.same);
  std::vector<double> sum(static_cast<size_t>(n * outH * outW * cout), 0.0);
  auto at = [&](int64_t b, int64_t y, int64_t x0, int64_t c) -> double& {
    return sum[static_cast<size_t>(((b * outH + y) * outW + x0) * cout + c)];
  };
  for (int64_t b = 0; b < n; ++b)
    for (int64_t iy = 0; iy < h; ++iy)
      for (int64_t ix = 0; ix < w; ++ix)
        for (int64_t ky = 0; ky < g.kh; ++ky)
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            const int64_t oy = iy * g.sh + ky * g.dh - top;
            const int64_t ox = ix * g.sw + kx * g.dw - left;
            if (oy < 0 || oy >= outH || ox < 0 || ox >= outW) continue;
            for (int64_t co = 0; co < cout; ++co)
              for (int64_t ci = 0; ci < cin; ++ci)
                at(b, oy, ox, co) += double(x[b][iy][ix][ci]) * double(k[ky][kx][co][ci]);
          }
  torch::Tensor out = torch::empty({n, outH, outW, cout}, torch::kFloat64);
  auto o = out.accessor<double, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < outH; ++y)
      for (int64_t x0 = 0; x0 < outW; ++x0)
        for (int64_t c = 0; c < cout; ++c)
          o[b][y][x0][c] = at(b, y, x0, c) + (bt.defined() ? bt[c].item<double>() : 0.0);
  return out;
}

torch::Tensor repeatVector(const torch::Tensor& xt, int64_t n) {
  const torch::Tensor xc = xt.contiguous();
  auto x = xc.accessor<float, 2>();
  torch::Tensor out = torch::empty({xt.size(0), n, xt.size(1)});
  auto o = out.accessor<float, 3>();
  for (int64_t b = 0; b < xt.size(0); ++b)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t f = 0; f < xt.size(1); ++f) o[b][i][f] = x[b][f];
  return out;
}

torch::Tensor normalization(const torch::Tensor& xt, const std::vector<int64_t>& kept,
                            const torch::Tensor& meant, const torch::Tensor& variancet,
                            bool invert) {
  const torch::Tensor x = xt.to(torch::kFloat64).contiguous();
  const torch::Tensor mean = meant.to(torch::kFloat64).contiguous();
  const torch::Tensor variance = variancet.to(torch::kFloat64).contiguous();
  torch::Tensor out = torch::empty_like(x);
  const double* in = x.data_ptr<double>();
  const double* m = mean.data_ptr<double>();
  const double* v = variance.data_ptr<double>();
  double* o = out.data_ptr<double>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    // Coordinates of element i; the statistics' index from the kept axes' coordinates.
    std::vector<int64_t> coord(static_cast<size_t>(x.dim()));
    int64_t rest = i;
    for (int64_t d = x.dim() - 1; d >= 0; --d) {
      coord[static_cast<size_t>(d)] = rest % x.size(d);
      rest /= x.size(d);
    }
    int64_t index = 0;
    for (int64_t axis : kept) index = index * x.size(axis) + coord[static_cast<size_t>(axis)];
    const double deviation = std::max(std::sqrt(v[index]), 1e-7);
    o[i] = invert ? m[index] + in[i] * deviation : (in[i] - m[index]) / deviation;
  }
  return out;
}

torch::Tensor fold(const std::vector<torch::Tensor>& inputs, double (*f)(double, double)) {
  std::vector<torch::Tensor> xs;
  for (const auto& t : inputs) xs.push_back(t.to(torch::kFloat64).contiguous());
  torch::Tensor out = xs.front().clone();
  double* o = out.data_ptr<double>();
  for (size_t k = 1; k < xs.size(); ++k) {
    const double* in = xs[k].data_ptr<double>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = f(o[i], in[i]);
  }
  return out;
}

}  // namespace graft::test::naive

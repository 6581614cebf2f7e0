#include "naive_reference.h"

#include <algorithm>
#include <limits>

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

}  // namespace graft::test::naive

#include "surgery_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "graph/analysis.h"

namespace graft::test {
namespace {

std::pair<int64_t, int64_t> pairOf(const Json& c, const char* key) {
  return {c.at(key)[0].get<int64_t>(), c.at(key)[1].get<int64_t>()};
}

// Keras 'same': total = max((ceil(n/s)-1)*s + k_eff - n, 0), the smaller half before.
int64_t padBefore(int64_t n, int64_t k, int64_t s, int64_t d, const std::string& padding,
                  int64_t* outLength) {
  const int64_t keff = (k - 1) * d + 1;
  if (padding == "valid") {
    *outLength = (n - keff) / s + 1;
    return 0;
  }
  *outLength = (n + s - 1) / s;
  const int64_t total = std::max<int64_t>((*outLength - 1) * s + keff - n, 0);
  return total / 2;
}

double activate(const std::string& a, double x) {
  if (a == "linear") return x;
  if (a == "relu") return x > 0 ? x : 0;
  if (a == "sigmoid") return 1 / (1 + std::exp(-x));
  if (a == "tanh") return std::tanh(x);
  throw Error("reference evaluator: activation " + a);
}

Tensor applyActivation(const std::string& a, Tensor t) {
  if (a == "softmax") {
    const int64_t c = t.shape.back();
    for (size_t base = 0; base < t.values.size(); base += size_t(c)) {
      double mx = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t i = 0; i < c; ++i) mx = std::max(mx, t.values[base + size_t(i)]);
      for (int64_t i = 0; i < c; ++i) sum += std::exp(t.values[base + size_t(i)] - mx);
      for (int64_t i = 0; i < c; ++i)
        t.values[base + size_t(i)] = std::exp(t.values[base + size_t(i)] - mx) / sum;
    }
    return t;
  }
  for (auto& v : t.values) v = activate(a, v);
  return t;
}

// One spatial convolution pass; `tap(ci, co, y, x)` gives the kernel weight, `connects(ci, co)`
// says whether input channel ci feeds output channel co.
template <class Tap, class Connects>
Tensor convolve(const Tensor& in, const Json& c, int64_t outChannels, Tap tap, Connects connects) {
  auto [kh, kw] = pairOf(c, "kernel_size");
  auto [sh, sw] = pairOf(c, "strides");
  auto [dh, dw] = pairOf(c, "dilation_rate");
  const std::string padding = c.at("padding");
  const int64_t h = in.shape[1], w = in.shape[2], cin = in.shape[3];
  int64_t oh = 0, ow = 0;
  const int64_t top = padBefore(h, kh, sh, dh, padding, &oh);
  const int64_t left = padBefore(w, kw, sw, dw, padding, &ow);
  Tensor out{{1, oh, ow, outChannels}, std::vector<double>(size_t(oh * ow * outChannels), 0.0)};
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t x = 0; x < ow; ++x)
      for (int64_t co = 0; co < outChannels; ++co) {
        double sum = 0;
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t iy = y * sh + i * dh - top, ix = x * sw + j * dw - left;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // zero padding
            for (int64_t ci = 0; ci < cin; ++ci)
              if (connects(ci, co))
                sum += in.values[size_t((iy * w + ix) * cin + ci)] * tap(ci, co, i, j);
          }
        out.values[size_t((y * ow + x) * outChannels + co)] = sum;
      }
  return out;
}

void addBias(Tensor& t, const WeightTensor& bias) {
  const size_t c = size_t(t.shape.back());
  for (size_t i = 0; i < t.values.size(); ++i) t.values[i] += bias.values()[i % c];
}

Tensor evaluateNode(const Node& node, const std::vector<const Tensor*>& in,
                    const std::vector<WeightTensor>* weights) {
  const Json& c = node.config;
  const std::string& cls = node.className;
  auto w = [&](size_t i) -> const WeightTensor& { return weights->at(i); };
  if (cls == "Conv2D") {
    const WeightTensor& k = w(0);
    auto [kh, kw] = pairOf(c, "kernel_size");
    const int64_t cin = k.shape[2], cout = k.shape[3];
    Tensor out = convolve(
        *in[0], c, cout,
        [&](int64_t ci, int64_t co, int64_t i, int64_t j) {
          return double(k.values()[size_t(((i * kw + j) * cin + ci) * cout + co)]);
        },
        [](int64_t, int64_t) { return true; });
    (void)kh;
    if (c.at("use_bias").get<bool>()) addBias(out, w(1));
    return applyActivation(c.at("activation"), out);
  }
  if (cls == "DepthwiseConv2D" || cls == "SeparableConv2D") {
    const WeightTensor& k = w(0);
    auto [kh, kw] = pairOf(c, "kernel_size");
    const int64_t cin = k.shape[2], mult = k.shape[3];
    (void)kh;
    Tensor out = convolve(
        *in[0], c, cin * mult,
        [&](int64_t ci, int64_t co, int64_t i, int64_t j) {
          return double(k.values()[size_t(((i * kw + j) * cin + ci) * mult + co % mult)]);
        },
        [&](int64_t ci, int64_t co) { return co / mult == ci; });
    if (cls == "SeparableConv2D") {
      const WeightTensor& p = w(1);
      const int64_t cout = p.shape[3], cmid = p.shape[2];
      Tensor mixed{{out.shape[0], out.shape[1], out.shape[2], cout}, {}};
      mixed.values.assign(size_t(out.shape[1] * out.shape[2] * cout), 0.0);
      for (int64_t px = 0; px < out.shape[1] * out.shape[2]; ++px)
        for (int64_t co = 0; co < cout; ++co)
          for (int64_t m = 0; m < cmid; ++m)
            mixed.values[size_t(px * cout + co)] +=
                out.values[size_t(px * cmid + m)] * double(p.values()[size_t(m * cout + co)]);
      out = std::move(mixed);
      if (c.at("use_bias").get<bool>()) addBias(out, w(2));
    } else if (c.at("use_bias").get<bool>()) {
      addBias(out, w(1));
    }
    return applyActivation(c.at("activation"), out);
  }
  if (cls == "Dense") {
    const WeightTensor& k = w(0);
    const int64_t nin = k.shape[0], nout = k.shape[1];
    const Tensor& x = *in[0];
    const size_t rows = x.values.size() / size_t(nin);
    Shape shape = x.shape;
    shape.back() = nout;
    Tensor out{shape, std::vector<double>(rows * size_t(nout), 0.0)};
    for (size_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < nout; ++o) {
        double sum = 0;
        for (int64_t i = 0; i < nin; ++i)
          sum += x.values[r * size_t(nin) + size_t(i)] * double(k.values()[size_t(i * nout + o)]);
        out.values[r * size_t(nout) + size_t(o)] = sum;
      }
    if (c.at("use_bias").get<bool>()) addBias(out, w(1));
    return applyActivation(c.at("activation"), out);
  }
  if (cls == "BatchNormalization") {
    size_t i = 0;
    const WeightTensor* gamma = c.at("scale").get<bool>() ? &w(i++) : nullptr;
    const WeightTensor* beta = c.at("center").get<bool>() ? &w(i++) : nullptr;
    const WeightTensor& mean = w(i++);
    const WeightTensor& var = w(i++);
    const double eps = c.at("epsilon").get<double>();
    Tensor out = *in[0];
    const size_t ch = size_t(out.shape.back());
    for (size_t k = 0; k < out.values.size(); ++k) {
      const size_t q = k % ch;
      double v = (out.values[k] - mean.values()[q]) / std::sqrt(double(var.values()[q]) + eps);
      if (gamma) v *= gamma->values()[q];
      if (beta) v += beta->values()[q];
      out.values[k] = v;
    }
    return out;
  }
  if (cls == "Activation") return applyActivation(c.at("activation"), *in[0]);
  if (cls == "ReLU") return applyActivation("relu", *in[0]);
  if (cls == "Flatten") {
    Tensor out = *in[0];
    out.shape = {1, int64_t(out.values.size())};
    return out;
  }
  if (cls == "Add") {
    Tensor out = *in[0];
    for (size_t k = 1; k < in.size(); ++k)
      for (size_t i = 0; i < out.values.size(); ++i) out.values[i] += in[k]->values[i];
    return out;
  }
  if (cls == "MaxPooling2D") {
    auto [ph, pw] = pairOf(c, "pool_size");
    auto [sh, sw] = pairOf(c, "strides");
    const Tensor& x = *in[0];
    const int64_t h = x.shape[1], wd = x.shape[2], ch = x.shape[3];
    const int64_t oh = (h - ph) / sh + 1, ow = (wd - pw) / sw + 1;
    Tensor out{{1, oh, ow, ch}, std::vector<double>(size_t(oh * ow * ch))};
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xx = 0; xx < ow; ++xx)
        for (int64_t q = 0; q < ch; ++q) {
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t i = 0; i < ph; ++i)
            for (int64_t j = 0; j < pw; ++j)
              m = std::max(m, x.values[size_t(((y * sh + i) * wd + xx * sw + j) * ch + q)]);
          out.values[size_t((y * ow + xx) * ch + q)] = m;
        }
    return out;
  }
  throw Error("reference evaluator: layer type " + cls);
}

}  // namespace

Tensor randomTensor(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  Tensor t{shape, std::vector<double>(size_t(elementCount(shape)))};
  for (auto& v : t.values) v = dist(rng);
  return t;
}

Tensor evaluate(const Model& model, const Tensor& input) {
  std::map<std::string, Tensor> values;
  const std::vector<size_t> order = model.graph.topologicalOrder().value();
  for (size_t index : order) {
    const Node& node = model.graph.nodes()[index];
    if (node.className == "InputLayer") {
      values[node.name] = input;
      continue;
    }
    std::vector<const Tensor*> in;
    for (const auto& name : node.inputs) in.push_back(&values.at(name));
    values[node.name] = evaluateNode(node, in, model.weights.find(node.name));
  }
  return values.at(model.graph.outputs().at(0));
}

double maxAbsDifference(const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape)
    throw Error("shapes differ: " + shapeToString(a.shape) + " vs " + shapeToString(b.shape));
  double m = 0;
  for (size_t i = 0; i < a.values.size(); ++i) m = std::max(m, std::abs(a.values[i] - b.values[i]));
  return m;
}

void randomizeWeights(Model& model, uint32_t seed) {
  std::mt19937 rng(seed);
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  for (const auto& node : model.graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    std::vector<WeightTensor> tensors;
    for (const auto& spec : info->weights) {
      double lo = -0.5, hi = 0.5;
      if (spec.name == "bias") lo = -0.2, hi = 0.2;
      if (spec.name == "gamma") lo = 0.5, hi = 1.5;
      if (spec.name == "beta" || spec.name == "moving_mean") lo = -0.3, hi = 0.3;
      if (spec.name == "moving_variance") lo = 0.2, hi = 1.2;
      std::uniform_real_distribution<double> dist(lo, hi);
      std::vector<float> v(size_t(elementCount(spec.shape)));
      for (auto& x : v) x = float(dist(rng));
      tensors.push_back(WeightTensor::fromValues(spec.shape, std::move(v)));
    }
    model.weights.set(node.name, std::move(tensors));
  }
}

}  // namespace graft::test

#include "network_reference.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include "graph/analysis.h"
#include "support/test_support.h"

namespace graft::test {
namespace {

uint32_t fnv1a(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  return h;
}

uint32_t fmix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  x *= 0xC2B2AE35u;
  return x ^ (x >> 16);
}

std::vector<unsigned char> base64Decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<unsigned char> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // '=' padding
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

torch::Tensor decodeTensor(const Json& j) {
  std::vector<int64_t> shape = j.at("shape").get<std::vector<int64_t>>();
  std::vector<unsigned char> bytes = base64Decode(j.at("float32_base64").get<std::string>());
  torch::Tensor t = torch::empty(shape, torch::kFloat32);
  if (static_cast<int64_t>(bytes.size()) != t.numel() * 4)
    throw Error("reference tensor has " + std::to_string(bytes.size()) + " bytes for shape " +
                j.at("shape").dump());
  std::memcpy(t.data_ptr<float>(), bytes.data(), bytes.size());  // little-endian, as written
  return t;
}

// The range of one weight, as make_reference.py's weight_range: He-uniform kernels.
std::pair<double, double> weightRange(const std::string& weight, const Shape& shape,
                                      const Json& params) {
  int64_t fanIn = 0;
  if (weight == "kernel" || weight == "pointwise_kernel") {
    fanIn = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) fanIn *= shape[i];
  } else if (weight == "depthwise_kernel") {
    fanIn = shape[0] * shape[1];
  } else {
    const Json& r = params.at(weight);
    return {r[0].get<double>(), r[1].get<double>()};
  }
  const double limit = std::sqrt(3.0 * params.at("kernel_gain").get<double>() / double(fanIn));
  return {-limit, limit};
}

}  // namespace

std::vector<float> formulaValues(const std::string& name, size_t index, int64_t count, double lo,
                                 double hi) {
  const uint32_t seed = fnv1a(name) + static_cast<uint32_t>(index + 1) * 0x9E3779B9u;
  std::vector<float> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const uint32_t x = fmix32(seed + static_cast<uint32_t>(i) * 0x85EBCA6Bu);
    const double u = double(x >> 8) * (1.0 / 16777216.0);
    values[static_cast<size_t>(i)] = static_cast<float>(lo + (hi - lo) * u);
  }
  return values;
}

WeightStore formulaWeights(const Graph& graph, const Json& params) {
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  WeightStore store;
  for (const auto& node : graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    std::vector<WeightTensor> weights;
    for (size_t j = 0; j < info->weights.size(); ++j) {
      const WeightSpec& spec = info->weights[j];
      auto [lo, hi] = weightRange(spec.name, spec.shape, params);
      weights.push_back(WeightTensor::fromValues(
          spec.shape, formulaValues(node.name, j, elementCount(spec.shape), lo, hi)));
    }
    store.set(node.name, std::move(weights));
  }
  return store;
}

std::string referenceDir() {
  return test::sourceDir() + "/tests/runtime/reference/networks";
}

NetworkReference loadNetworkReference(const std::string& name) {
  const std::string path = referenceDir() + "/" + name + ".json";
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  NetworkReference ref;
  ref.name = name;
  ref.doc = Json::parse(in);
  for (const auto& [layer, tensor] : ref.doc.at("outputs").items()) {
    ref.layers.push_back(layer);
    ref.expected[layer] = decodeTensor(tensor);
  }
  const Json& input = ref.doc.at("input");
  std::vector<int64_t> shape = input.at("shape").get<std::vector<int64_t>>();
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  std::vector<float> values =
      formulaValues(input.at("formula").get<std::string>(), 0, count,
                    input.at("range")[0].get<double>(), input.at("range")[1].get<double>());
  // clone(): from_blob borrows `values`, and with one channel the permuted view is already
  // contiguous, so contiguous() alone would keep pointing into the vector after it is gone.
  ref.input = torch::from_blob(values.data(), shape, torch::kFloat32)
                  .clone()
                  .permute({0, 3, 1, 2})
                  .contiguous();
  return ref;
}

}  // namespace graft::test

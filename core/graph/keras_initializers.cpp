#include "graph/keras_initializers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <vector>

namespace graft {

namespace {

// "he_normal", "HeNormal" and "henormal" are one name to Keras's deserializer.
std::string normalized(std::string name) {
  std::string out;
  for (char c : name)
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double number(const Json& config, const char* key, double fallback) {
  const auto it = config.find(key);
  return it != config.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text(const Json& config, const char* key, const std::string& fallback) {
  const auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : fallback;
}

template <class Draw>
WeightTensor drawn(const Shape& shape, Draw draw) {
  std::vector<float> values(static_cast<size_t>(elementCount(shape)));
  for (auto& v : values) v = static_cast<float>(draw());
  return WeightTensor::fromValues(shape, std::move(values));
}

WeightTensor uniform(const Shape& shape, double low, double high, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> dist(static_cast<float>(low), static_cast<float>(high));
  return drawn(shape, [&] { return dist(rng); });
}

WeightTensor normal(const Shape& shape, double mean, double stddev, std::mt19937_64& rng) {
  std::normal_distribution<double> dist(mean, stddev);
  return drawn(shape, [&] { return dist(rng); });
}

// As TensorFlow's truncated_normal: values beyond two standard deviations are drawn again.
WeightTensor truncatedNormal(const Shape& shape, double mean, double stddev, std::mt19937_64& rng) {
  std::normal_distribution<double> dist(0.0, 1.0);
  return drawn(shape, [&] {
    for (;;)
      if (const double z = dist(rng); std::abs(z) <= 2.0) return mean + stddev * z;
  });
}

WeightTensor varianceScaling(const Shape& shape, double scale, const std::string& mode,
                             std::string distribution, std::mt19937_64& rng) {
  const auto [fanIn, fanOut] = kerasFans(shape);
  if (mode == "fan_out")
    scale /= std::max(1.0, fanOut);
  else if (mode == "fan_avg")
    scale /= std::max(1.0, (fanIn + fanOut) / 2.0);
  else
    scale /= std::max(1.0, fanIn);
  if (distribution == "normal") distribution = "truncated_normal";  // Keras 2's name for it
  if (distribution == "truncated_normal")
    return truncatedNormal(shape, 0.0, std::sqrt(scale) / 0.87962566103423978, rng);
  if (distribution == "untruncated_normal") return normal(shape, 0.0, std::sqrt(scale), rng);
  const double limit = std::sqrt(3.0 * scale);
  return uniform(shape, -limit, limit, rng);
}

// Keras's Orthogonal: the Q of a normal matrix's QR decomposition (signs so that R's diagonal
// is positive, which Gram-Schmidt gives), of the flattened shape, transposed when it is wide.
WeightTensor orthogonal(const Shape& shape, double gain, std::mt19937_64& rng) {
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  const int64_t cols = shape.empty() ? 1 : shape.back();
  const int64_t tall = std::max(rows, cols), wide = std::min(rows, cols);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<std::vector<double>> q(static_cast<size_t>(wide),
                                     std::vector<double>(static_cast<size_t>(tall)));
  for (auto& column : q)
    for (auto& v : column) v = dist(rng);
  for (size_t j = 0; j < q.size(); ++j) {  // modified Gram-Schmidt, column by column
    for (size_t k = 0; k < j; ++k) {
      double dot = 0;
      for (size_t i = 0; i < q[j].size(); ++i) dot += q[j][i] * q[k][i];
      for (size_t i = 0; i < q[j].size(); ++i) q[j][i] -= dot * q[k][i];
    }
    double norm = 0;
    for (double v : q[j]) norm += v * v;
    norm = std::sqrt(norm);
    for (double& v : q[j]) v /= norm > 0 ? norm : 1.0;
  }
  std::vector<float> values(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      // Tall: Q is rows x cols (column c of q); wide: Q transposed is rows x cols.
      const double v = rows >= cols ? q[size_t(c)][size_t(r)] : q[size_t(r)][size_t(c)];
      values[size_t(r * cols + c)] = static_cast<float>(gain * v);
    }
  return WeightTensor::fromValues(shape, std::move(values));
}

}  // namespace

std::pair<double, double> kerasFans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() < 2) return {double(shape.at(0)), double(shape.at(0))};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {receptive * double(shape[shape.size() - 2]), receptive * double(shape.back())};
}

std::string initializerKeyOf(const std::string& weightName) {
  if (weightName == "depthwise_kernel") return "depthwise_initializer";
  if (weightName == "pointwise_kernel") return "pointwise_initializer";
  return weightName + "_initializer";
}

std::optional<WeightTensor> drawKerasInitializer(const Json& initializer, const Shape& shape,
                                                 std::mt19937_64& rng, std::string* unknown) {
  std::string className;
  Json config = Json::object();
  if (initializer.is_string()) {
    className = initializer.get<std::string>();
  } else if (initializer.is_object() && initializer.contains("class_name") &&
             initializer["class_name"].is_string()) {
    className = initializer["class_name"].get<std::string>();
    if (initializer.contains("config") && initializer["config"].is_object())
      config = initializer["config"];
  } else {
    if (unknown) *unknown = initializer.dump();
    return std::nullopt;
  }
  const std::string name = normalized(className);
  // A typo in the config ("stdev") drew Keras's default without a word: a field the
  // initializer does not have makes it one Graft does not know, said in a note.
  const std::map<std::string, std::vector<std::string>> fields = {
      {"constant", {"value"}},
      {"randomnormal", {"mean", "stddev"}},
      {"normal", {"mean", "stddev"}},
      {"truncatednormal", {"mean", "stddev"}},
      {"randomuniform", {"minval", "maxval"}},
      {"uniform", {"minval", "maxval"}},
      {"variancescaling", {"scale", "mode", "distribution"}},
      {"orthogonal", {"gain"}},
      {"identity", {"gain"}}};
  const auto known = fields.find(name);
  for (const auto& [key, value] : config.items()) {
    if (key == "seed" || key == "dtype") continue;  // Graft draws from the step's seed
    if (known == fields.end() ||
        std::find(known->second.begin(), known->second.end(), key) == known->second.end()) {
      if (unknown) {
        std::string expected = "seed";
        if (known != fields.end())
          for (const auto& field : known->second) expected += ", " + field;
        *unknown =
            className + " with a field '" + key + "' it does not have (expected " + expected + ")";
      }
      return std::nullopt;
    }
  }
  if (name == "zeros" || name == "zero") return WeightTensor::filled(shape, 0.0f);
  if (name == "ones" || name == "one") return WeightTensor::filled(shape, 1.0f);
  if (name == "constant")
    return WeightTensor::filled(shape, static_cast<float>(number(config, "value", 0.0)));
  if (name == "randomnormal" || name == "normal")
    return normal(shape, number(config, "mean", 0.0), number(config, "stddev", 0.05), rng);
  if (name == "randomuniform" || name == "uniform")
    return uniform(shape, number(config, "minval", -0.05), number(config, "maxval", 0.05), rng);
  if (name == "truncatednormal")
    return truncatedNormal(shape, number(config, "mean", 0.0), number(config, "stddev", 0.05), rng);
  if (name == "glorotuniform") {
    // Drawn as Graft always drew its default, so seeded models stay as they were.
    const auto [fanIn, fanOut] = kerasFans(shape);
    const double limit = std::sqrt(6.0 / (fanIn + fanOut));
    return uniform(shape, -limit, limit, rng);
  }
  if (name == "glorotnormal")
    return varianceScaling(shape, 1.0, "fan_avg", "truncated_normal", rng);
  if (name == "heuniform") return varianceScaling(shape, 2.0, "fan_in", "uniform", rng);
  if (name == "henormal") return varianceScaling(shape, 2.0, "fan_in", "truncated_normal", rng);
  if (name == "lecununiform") return varianceScaling(shape, 1.0, "fan_in", "uniform", rng);
  if (name == "lecunnormal") return varianceScaling(shape, 1.0, "fan_in", "truncated_normal", rng);
  if (name == "variancescaling") {
    const std::string mode = text(config, "mode", "fan_in");
    const std::string distribution = text(config, "distribution", "truncated_normal");
    const auto among = [](const std::string& value, std::initializer_list<const char*> choices) {
      for (const char* choice : choices)
        if (value == choice) return true;
      return false;
    };
    if (!among(mode, {"fan_in", "fan_out", "fan_avg"}) ||
        !among(distribution, {"truncated_normal", "untruncated_normal", "normal", "uniform"})) {
      if (unknown)
        *unknown = className + " with mode '" + mode + "' and distribution '" + distribution +
                   "' (expected fan_in, fan_out or fan_avg; truncated_normal, "
                   "untruncated_normal or uniform)";
      return std::nullopt;
    }
  }
  if (name == "variancescaling")
    return varianceScaling(shape, number(config, "scale", 1.0), text(config, "mode", "fan_in"),
                           text(config, "distribution", "truncated_normal"), rng);
  if (name == "orthogonal") return orthogonal(shape, number(config, "gain", 1.0), rng);
  if (name == "identity" && shape.size() == 2) {
    std::vector<float> values(static_cast<size_t>(shape[0] * shape[1]), 0.0f);
    for (int64_t i = 0; i < std::min(shape[0], shape[1]); ++i)
      values[size_t(i * shape[1] + i)] = static_cast<float>(number(config, "gain", 1.0));
    return WeightTensor::fromValues(shape, std::move(values));
  }
  if (unknown) *unknown = className;
  return std::nullopt;
}

}  // namespace graft

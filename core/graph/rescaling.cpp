#include "graph/rescaling.h"

namespace graft::layers {

namespace {

// One number, or the list's numbers.
std::vector<double> valuesOf(const Json& config, const char* field) {
  const Json& value = config.at(field);
  if (value.is_number()) return {value.get<double>()};
  const auto wrong = [&] {
    return ShapeError(std::string("config field '") + field +
                      "' must be a number or a list of numbers (one per channel), got " +
                      value.dump().substr(0, 80));
  };
  if (!value.is_array() || value.empty()) throw wrong();
  std::vector<double> values;
  for (const auto& v : value) {
    if (!v.is_number()) throw wrong();
    values.push_back(v.get<double>());
  }
  return values;
}

}  // namespace

RescalingFactors rescalingFactors(const Json& config, const Shape& input) {
  RescalingFactors f{valuesOf(config, "scale"), valuesOf(config, "offset")};
  const size_t channels = std::max(f.scale.size(), f.offset.size());
  if (channels == 1) return f;
  const int64_t last = input.empty() ? kUnknown : input.back();
  for (const auto& [field, values] : {std::pair{"scale", &f.scale}, std::pair{"offset", &f.offset}})
    if (values->size() > 1 && (input.size() < 2 || last != static_cast<int64_t>(values->size())))
      throw ShapeError(
          std::string("config field '") + field + "' lists " + std::to_string(values->size()) +
          " values, one per entry of the last axis, but the input is " + shapeToString(input));
  if (f.scale.size() == 1) f.scale.assign(channels, f.scale[0]);
  if (f.offset.size() == 1) f.offset.assign(channels, f.offset[0]);
  return f;
}

}  // namespace graft::layers

#include "graph/rescaling.h"

namespace graft::layers {

std::vector<double> rescalingScale(const Json& config, const Shape& input) {
  const Json& scale = config.at("scale");
  if (scale.is_number()) return {scale.get<double>()};
  if (!scale.is_array() || scale.empty())
    throw ShapeError("config field 'scale' must be a number or a list of numbers, got " +
                     scale.dump());
  std::vector<double> values;
  for (const auto& v : scale) {
    if (!v.is_number())
      throw ShapeError("config field 'scale' must be a number or a list of numbers, got " +
                       scale.dump());
    values.push_back(v.get<double>());
  }
  if (values.size() == 1) return values;
  const int64_t last = input.empty() ? kUnknown : input.back();
  if (input.size() < 2 || last != static_cast<int64_t>(values.size()))
    throw ShapeError("config field 'scale' lists " + std::to_string(values.size()) +
                     " values, one per entry of the last axis, but the input is " +
                     shapeToString(input));
  return values;
}

}  // namespace graft::layers

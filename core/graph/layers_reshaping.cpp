// ZeroPadding2D, Cropping2D, UpSampling2D, Flatten, Reshape, Permute and RepeatVector.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

int64_t addKnown(int64_t length, int64_t delta) {
  return length == kUnknown ? kUnknown : length + delta;
}

}  // namespace

void registerReshapingLayers(LayerRegistry& registry) {
  LayerType pad;
  pad.className = "ZeroPadding2D";
  pad.category = LayerCategory::Reshape;
  pad.summary = "adds rows and columns of zeros around the image";
  pad.defaults = {{"padding", {{1, 1}, {1, 1}}}, {"data_format", "channels_last"}};
  pad.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    auto [h, w] = padPairs(c.at("padding"), "padding");
    if (h.first < 0 || h.second < 0 || w.first < 0 || w.second < 0)
      throw ShapeError("padding must not be negative");
    return Shape{in[0][0], addKnown(in[0][1], h.first + h.second),
                 addKnown(in[0][2], w.first + w.second), in[0][3]};
  };
  pad.aliases = {{"dim_ordering", "data_format"}};
  registry.add(pad);

  LayerType crop;
  crop.className = "Cropping2D";
  crop.category = LayerCategory::Reshape;
  crop.summary = "removes rows and columns at the image borders";
  crop.defaults = {{"cropping", {{0, 0}, {0, 0}}}, {"data_format", "channels_last"}};
  crop.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    auto [h, w] = padPairs(c.at("cropping"), "cropping");
    if (h.first < 0 || h.second < 0 || w.first < 0 || w.second < 0)
      throw ShapeError("cropping must not be negative");
    Shape out{in[0][0], addKnown(in[0][1], -(h.first + h.second)),
              addKnown(in[0][2], -(w.first + w.second)), in[0][3]};
    if ((out[1] != kUnknown && out[1] < 1) || (out[2] != kUnknown && out[2] < 1))
      throw ShapeError("cropping removes the whole image of " + shapeToString(in[0]));
    return out;
  };
  crop.aliases = {{"dim_ordering", "data_format"}};
  registry.add(crop);

  LayerType upsampling;
  upsampling.className = "UpSampling2D";
  upsampling.category = LayerCategory::Reshape;
  upsampling.summary = "repeats rows and columns (nearest) or interpolates them (bilinear)";
  upsampling.defaults = {
      {"size", {2, 2}}, {"data_format", "channels_last"}, {"interpolation", "nearest"}};
  upsampling.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    auto [fh, fw] = intPair(c, "size");
    if (fh < 1 || fw < 1)
      throw ShapeError("config field 'size' must be positive, got " + c.at("size").dump());
    const Json& mode = c.at("interpolation");
    if (mode != "nearest" && mode != "bilinear")
      throw ShapeError(
          "config field 'interpolation' must be \"nearest\" or \"bilinear\" (the "
          "modes Graft computes), got " +
          mode.dump());
    return Shape{in[0][0], dimensionProduct(in[0][1], fh), dimensionProduct(in[0][2], fw),
                 in[0][3]};
  };
  upsampling.aliases = {{"dim_ordering", "data_format"}};
  registry.add(upsampling);

  LayerType permute;
  permute.className = "Permute";
  permute.category = LayerCategory::Reshape;
  permute.summary = "reorders the axes after the batch (dims counted from 1)";
  permute.defaults = {{"dims", nullptr}};
  permute.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const std::vector<int64_t> dims = permuteDims(c, in[0].size());
    Shape out{in[0][0]};
    for (int64_t d : dims) out.push_back(in[0][static_cast<size_t>(d)]);
    return out;
  };
  registry.add(permute);

  LayerType repeat;
  repeat.className = "RepeatVector";
  repeat.category = LayerCategory::Reshape;
  repeat.summary = "repeats a vector n times: (batch, features) -> (batch, n, features)";
  repeat.defaults = {{"n", 1}};
  repeat.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 2, "(batch, features)");
    const Json& n = c.at("n");
    if (!n.is_number_integer() || n.get<int64_t>() < 1)
      throw ShapeError("config field 'n' must be a positive integer, got " + n.dump());
    return Shape{in[0][0], n.get<int64_t>(), in[0][1]};
  };
  registry.add(repeat);

  LayerType flatten;
  flatten.className = "Flatten";
  flatten.category = LayerCategory::Reshape;
  flatten.summary = "flattens everything but the batch axis (H, W, C order)";
  flatten.defaults = {{"data_format", "channels_last"}};
  flatten.outputShape = [](const Json&, const std::vector<Shape>& in) {
    if (in[0].size() < 2)
      throw ShapeError("expects an input of rank 2 or more, got " + shapeToString(in[0]));
    int64_t n = 1;
    for (size_t d = 1; d < in[0].size(); ++d) n = dimensionProduct(n, in[0][d]);
    return Shape{in[0][0], n};
  };
  flatten.aliases = {{"dim_ordering", "data_format"}};
  registry.add(flatten);

  LayerType reshape;
  reshape.className = "Reshape";
  reshape.category = LayerCategory::Reshape;
  reshape.summary = "gives the tensor a new shape with the same number of elements";
  reshape.defaults = {{"target_shape", nullptr}};
  reshape.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const Json& t = c.at("target_shape");
    if (!t.is_array() || t.empty())
      throw ShapeError("config field 'target_shape' must be a list of dimensions, got " + t.dump());
    Shape out{in[0][0]};
    int64_t known = 1, wildcard = -1;
    for (const auto& d : t) {
      if (!d.is_number_integer() || d.get<int64_t>() == 0 || d.get<int64_t>() < -1)
        throw ShapeError("target_shape entries must be positive or -1, got " + t.dump());
      if (d.get<int64_t>() == -1) {
        if (wildcard >= 0) throw ShapeError("target_shape may contain -1 only once");
        wildcard = static_cast<int64_t>(out.size());
      } else {
        known *= d.get<int64_t>();
      }
      out.push_back(d.get<int64_t>());
    }
    int64_t total = 1;
    for (size_t d = 1; d < in[0].size(); ++d) total = dimensionProduct(total, in[0][d]);
    if (total != kUnknown) {
      if (wildcard >= 0) {
        if (total % known != 0)
          throw ShapeError("cannot reshape " + shapeToString(in[0]) + " to " + t.dump());
        out[wildcard] = total / known;
      } else if (total != known) {
        throw ShapeError("cannot reshape " + shapeToString(in[0]) + " (" + std::to_string(total) +
                         " values) to " + t.dump() + " (" + std::to_string(known) + " values)");
      }
    } else if (wildcard >= 0) {
      out[wildcard] = kUnknown;
    }
    return out;
  };
  reshape.aliases = {{"dims", "target_shape"}};
  registry.add(reshape);
}

}  // namespace graft::layers

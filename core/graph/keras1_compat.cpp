// Keras 1 wrote other class names and config keys (Convolution2D with nb_filter, nb_row, nb_col,
// subsample, border_mode, bias; Merge with a mode). Translate them once, on load.
#include "graph/keras_json.h"

namespace graft {
namespace {

void moveKey(Json& c, const char* from, const char* to) {
  if (c.contains(from)) {
    if (!c.contains(to)) c[to] = c[from];
    c.erase(from);
  }
}

void upgradeConvolution(Json& c) {
  if (c.contains("nb_row") && c.contains("nb_col")) {
    c["kernel_size"] = Json::array({c["nb_row"], c["nb_col"]});
    c.erase("nb_row");
    c.erase("nb_col");
  }
  moveKey(c, "nb_filter", "filters");
  moveKey(c, "subsample", "strides");
  moveKey(c, "border_mode", "padding");
  moveKey(c, "bias", "use_bias");
  moveKey(c, "atrous_rate", "dilation_rate");
  moveKey(c, "dim_ordering", "data_format");
  for (const char* legacy : {"init", "W_regularizer", "b_regularizer", "W_constraint",
                             "b_constraint", "depthwise_regularizer", "pointwise_regularizer",
                             "depthwise_constraint", "pointwise_constraint"})
    c.erase(legacy);
}

}  // namespace

Json upgradeKeras1Layer(const Json& layer) {
  // Nothing to upgrade without a config object (its callers refuse a config of another type).
  if (!layer.is_object() || !layer.contains("config") || !layer.at("config").is_object())
    return layer;
  Json result = layer;
  std::string cls = layer.value("class_name", "");
  Json& c = result["config"];
  if (cls == "Convolution2D" || cls == "SeparableConvolution2D" || cls == "AtrousConvolution2D") {
    result["class_name"] = cls == "SeparableConvolution2D" ? "SeparableConv2D" : "Conv2D";
    upgradeConvolution(c);
  } else if (cls == "Merge") {
    std::string mode = c.value("mode", "sum");
    if (mode == "sum")
      result["class_name"] = "Add";
    else if (mode == "mul")
      result["class_name"] = "Multiply";
    else if (mode == "concat")
      result["class_name"] = "Concatenate";
    else if (mode == "ave")
      result["class_name"] = "Average";
    else if (mode == "max")
      result["class_name"] = "Maximum";
    else
      throw Error(Diagnostic{
          layer.value("name", ""),
          "Keras 1 Merge mode '" + mode + "' is not supported (sum, mul, ave, max, concat are)"});
    // Only a concatenation has an axis; Keras's other merge layers refuse one.
    if (mode == "concat")
      moveKey(c, "concat_axis", "axis");
    else
      c.erase("concat_axis");
    for (const char* legacy : {"mode", "mode_type", "output_shape", "output_shape_type",
                               "output_mask", "output_mask_type", "arguments", "dot_axes"})
      c.erase(legacy);
  } else if (cls == "Dense") {
    moveKey(c, "output_dim", "units");
    moveKey(c, "bias", "use_bias");
    for (const char* legacy :
         {"init", "W_regularizer", "b_regularizer", "W_constraint", "b_constraint", "input_dim"})
      c.erase(legacy);
  } else if (cls == "BatchNormalization") {
    for (const char* legacy : {"mode", "gamma_regularizer", "beta_regularizer"}) c.erase(legacy);
  } else if (cls == "MaxPooling2D" || cls == "AveragePooling2D") {
    moveKey(c, "border_mode", "padding");
    moveKey(c, "dim_ordering", "data_format");
  } else if (cls == "Dropout") {
    moveKey(c, "p", "rate");
  }
  return result;
}

}  // namespace graft

// One emitter per Keras class, each the TorchScript twin of the GraphModule op in
// runtime/layers/ for that class: the same LibTorch calls, in the same order, on the same
// layouts, so the exported module reproduces Graft's numbers to the last bits.
#include "export/torchscript_emitters.h"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "export/export_geometry.h"
#include "export/export_weights.h"
#include "graph/auto_contrast.h"
#include "graph/image_resize.h"
#include "graph/keras_op_layers.h"
#include "graph/layer_helpers.h"
#include "graph/rescaling.h"
#include "runtime/layers/op_helpers.h"

namespace graft::exporting::ts {

const char* const kSamePaddingMethod = R"(
def same_padding(self, x: Tensor, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int) -> List[int]:
    h = x.size(2)
    w = x.size(3)
    th = max(((h + sh - 1) // sh - 1) * sh + (kh - 1) * dh + 1 - h, 0)
    tw = max(((w + sw - 1) // sw - 1) * sw + (kw - 1) * dw + 1 - w, 0)
    return [tw // 2, tw - tw // 2, th // 2, th - th // 2]
)";

std::string floatLiteral(double value) {
  if (std::isinf(value)) return value > 0 ? "float(\"inf\")" : "float(\"-inf\")";
  std::ostringstream s;
  s << std::setprecision(17) << value;
  std::string text = s.str();
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string intList(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::string LayerCode::parameter(const std::string& name, torch::Tensor value) {
  tensors_.push_back({name, std::move(value), false});
  return holder_ + "." + name;
}

std::string LayerCode::buffer(const std::string& name, torch::Tensor value) {
  tensors_.push_back({name, std::move(value), true});
  return holder_ + "." + name;
}

namespace {

std::string optionalBias(LayerCode& c, size_t index) {
  return c.layer.config.at("use_bias").get<bool>()
             ? c.parameter("bias", fromKeras(c.layer.weight(index)))
             : "None";
}

// ---- expressions shared by several layers ----

std::string toKeras(const std::string& x, size_t rank) {
  return rank == 4 ? x + ".permute([0, 2, 3, 1])" : x;
}
std::string toRuntime(const std::string& x, size_t rank) {
  return rank == 4 ? x + ".permute([0, 3, 1, 2])" : x;
}

// Keras's named activations as runtime/layers/activations.cpp computes them.
std::string activation(const std::string& name, const std::string& x, const ExportLayer& layer) {
  if (name == "linear") return x;
  if (name == "relu") return "torch.relu(" + x + ")";
  if (name == "relu6") return "torch.clamp(" + x + ", 0.0, 6.0)";
  if (name == "sigmoid") return "torch.sigmoid(" + x + ")";
  if (name == "tanh") return "torch.tanh(" + x + ")";
  if (name == "hard_sigmoid") return "torch.clamp(" + x + " * 0.2 + 0.5, 0.0, 1.0)";
  if (name == "hard_sigmoid_keras3") return "torch.clamp(" + x + " + 3.0, 0.0, 6.0) / 6.0";
  if (name == "softmax")
    return "torch.softmax(" + x + ", " + (layer.outputShape.size() == 4 ? "1" : "-1") + ")";
  if (name == "log_softmax")
    return "torch.log_softmax(" + x + ", " + (layer.outputShape.size() == 4 ? "1" : "-1") + ")";
  if (name == "elu") return "torch.elu(" + x + ")";
  if (name == "selu") return "torch.selu(" + x + ")";
  if (name == "swish" || name == "silu") return "torch.silu(" + x + ")";
  if (name == "softplus") return "torch.softplus(" + x + ")";
  if (name == "softsign") return x + " / (torch.abs(" + x + ") + 1.0)";
  if (name == "exponential") return "torch.exp(" + x + ")";
  if (name == "gelu") return "torch.gelu(" + x + ")";
  if (name == "hard_silu" || name == "hard_swish") return "torch.hardswish(" + x + ")";
  if (name == "mish") return "torch.mish(" + x + ")";
  if (name == "leaky_relu") return "torch.leaky_relu(" + x + ", 0.2)";
  throw Error(Diagnostic{layer.name(), "activation '" + name + "' has no TorchScript form"});
}

void activate(LayerCode& c, const std::string& value) {
  const std::string name = activationName(c.layer);
  if (name == "linear") {
    c.line(c.out + " = " + value);
    return;
  }
  c.line(c.out + " = " + value);
  c.line(c.out + " = " + activation(name, c.out, c.layer));
}

// The input padded the way Keras pads it for a window op, and the padding left to the op
// itself (LibTorch pads symmetrically only; pooling by at most half the window).
struct Padded {
  std::string x;
  std::vector<int64_t> opPadding{0, 0};
};

Padded padForWindow(LayerCode& c, const Window& window, double fill, bool pooling) {
  const Shape& s = c.layer.inputShapes[0];
  if (!window.same) return {c.in[0]};
  if (s[1] == kUnknown || s[2] == kUnknown) {  // size known only when the model runs
    c.usesSamePadding = true;
    const std::string pads = c.local("pads");
    c.line(pads + " = self.same_padding(" + c.in[0] + ", " + std::to_string(window.kernel.h) +
           ", " + std::to_string(window.kernel.w) + ", " + std::to_string(window.stride.h) + ", " +
           std::to_string(window.stride.w) + ", " + std::to_string(window.dilation.h) + ", " +
           std::to_string(window.dilation.w) + ")");
    c.line(c.local("padded") + " = torch.constant_pad_nd(" + c.in[0] + ", " + pads + ", " +
           floatLiteral(fill) + ")");
    return {c.local("padded")};
  }
  const Pads p = windowPads(window, s[1], s[2]);
  const bool opCanPad =
      p.symmetric() &&
      (!pooling || (2 * p.top <= window.kernel.h && 2 * p.left <= window.kernel.w));
  if (p.none() || opCanPad) return {c.in[0], {p.top, p.left}};
  c.line(c.local("padded") + " = torch.constant_pad_nd(" + c.in[0] + ", " +
         intList({p.left, p.right, p.top, p.bottom}) + ", " + floatLiteral(fill) + ")");
  return {c.local("padded")};
}

std::string windowArgs(const Window& w, const Padded& p) {
  return intList({w.stride.h, w.stride.w}) + ", " + intList(p.opPadding) + ", " +
         intList({w.dilation.h, w.dilation.w});
}

// ---- the layers ----

void inputLayer(LayerCode& c) {
  c.line(c.out + " = " + c.in[0]);
}

void conv2d(LayerCode& c) {
  const Window w = convolutionWindow(c.layer);
  const std::string kernel = c.parameter("kernel", convKernel(c.layer.weight(0)));
  const std::string bias = optionalBias(c, 1);
  const Padded x = padForWindow(c, w, 0.0, false);
  activate(c, "torch.conv2d(" + x.x + ", " + kernel + ", " + bias + ", " + windowArgs(w, x) + ", " +
                  std::to_string(c.layer.config.at("groups").get<int64_t>()) + ")");
}

void depthwiseConv2d(LayerCode& c) {
  const Window w = convolutionWindow(c.layer);
  const std::string kernel = c.parameter("depthwise_kernel", depthwiseKernel(c.layer.weight(0)));
  const std::string bias = optionalBias(c, 1);
  const Padded x = padForWindow(c, w, 0.0, false);
  activate(c, "torch.conv2d(" + x.x + ", " + kernel + ", " + bias + ", " + windowArgs(w, x) + ", " +
                  std::to_string(c.layer.inputShapes[0][3]) + ")");
}

void separableConv2d(LayerCode& c) {
  const Window w = convolutionWindow(c.layer);
  const std::string depthwise = c.parameter("depthwise_kernel", depthwiseKernel(c.layer.weight(0)));
  const std::string pointwise = c.parameter("pointwise_kernel", convKernel(c.layer.weight(1)));
  const std::string bias = optionalBias(c, 2);
  const Padded x = padForWindow(c, w, 0.0, false);
  c.line(c.local("depthwise") + " = torch.conv2d(" + x.x + ", " + depthwise + ", None, " +
         windowArgs(w, x) + ", " + std::to_string(c.layer.inputShapes[0][3]) + ")");
  activate(c, "torch.conv2d(" + c.local("depthwise") + ", " + pointwise + ", " + bias +
                  ", [1, 1], [0, 0], [1, 1], 1)");
}

// As Conv2DTransposeOp: the full transposed convolution, cropped (or extended by zero cells)
// where TensorFlow's output lies, then the bias.
void conv2dTranspose(LayerCode& c) {
  const TransposeWindow t = transposeWindow(c.layer);
  const Window& w = t.window;
  const std::string kernel = c.parameter("kernel", transposeKernel(c.layer.weight(0)));
  std::string y = "torch.conv_transpose2d(" + c.in[0] + ", " + kernel + ", None, " +
                  intList({w.stride.h, w.stride.w}) + ", [0, 0], [0, 0], 1, " +
                  intList({w.dilation.h, w.dilation.w}) + ")";
  if (!t.crop.none())
    y = "torch.constant_pad_nd(" + y + ", " +
        intList({-t.crop.left, -t.crop.right, -t.crop.top, -t.crop.bottom}) + ", 0.0)";
  if (c.layer.config.at("use_bias").get<bool>())
    y += " + " + c.parameter("bias", fromKeras(c.layer.weight(1))) + ".view([1, -1, 1, 1])";
  activate(c, y);
}

// Keras's kernel (in, out) is used as stored, as DenseOp does.
void dense(LayerCode& c) {
  const std::string kernel = c.parameter("kernel", fromKeras(c.layer.weight(0)));
  const bool bias = c.layer.config.at("use_bias").get<bool>();
  const std::string b = bias ? c.parameter("bias", fromKeras(c.layer.weight(1))) : "";
  const size_t rank = c.layer.inputRank();
  if (rank == 2) {
    activate(c, bias ? "torch.addmm(" + b + ", " + c.in[0] + ", " + kernel + ")"
                     : "torch.mm(" + c.in[0] + ", " + kernel + ")");
    return;
  }
  std::string y = "torch.matmul(" + toKeras(c.in[0], rank) + ", " + kernel + ")";
  if (bias) y += " + " + b;
  activate(c, toRuntime("(" + y + ")", rank));
}

// Dropout, SpatialDropout2D, GaussianNoise, GaussianDropout, StochasticDepth: identity at
// inference.
void dropout(LayerCode& c) {
  c.line(c.out + " = " + c.in[0]);
}

// As RescalingOp: a per-channel scale is a buffer that broadcasts in the runtime layout.
void rescaling(LayerCode& c) {
  const Shape& input = c.layer.inputShapes.at(0);
  const layers::RescalingFactors f = layers::rescalingFactors(c.layer.config, input);
  if (!f.perChannel()) {
    c.line(c.out + " = " + c.in[0] + " * " + floatLiteral(f.scale[0]) + " + " +
           floatLiteral(f.offset[0]));
    return;
  }
  std::vector<int64_t> kerasShape(input.size(), 1);
  kerasShape.back() = static_cast<int64_t>(f.scale.size());
  const auto buffer = [&](const char* name, const std::vector<double>& values) {
    return c.buffer(
        name, runtime::kerasToRuntime(
                  torch::tensor(values, torch::kFloat64).to(torch::kFloat32).reshape(kerasShape))
                  .contiguous());
  };
  const std::string scale = buffer("scale", f.scale);
  const std::string offset = buffer("offset", f.offset);
  c.line(c.out + " = " + c.in[0] + " * " + scale + " + " + offset);
}

// Inference statistics (exports never train). Channels-last ranks other than 2 and 4 move the
// channel axis to dimension 1 and back, as BatchNormalizationOp does.
void batchNormalization(LayerCode& c) {
  size_t i = 0;
  const auto& cfg = c.layer.config;
  const std::string gamma =
      cfg.at("scale").get<bool>() ? c.parameter("gamma", fromKeras(c.layer.weight(i++))) : "None";
  const std::string beta =
      cfg.at("center").get<bool>() ? c.parameter("beta", fromKeras(c.layer.weight(i++))) : "None";
  const std::string mean = c.buffer("moving_mean", fromKeras(c.layer.weight(i++)));
  const std::string variance = c.buffer("moving_variance", fromKeras(c.layer.weight(i++)));
  const size_t rank = c.layer.inputRank();
  const bool channelsLast = rank > 2 && rank != 4;
  const std::string x = channelsLast ? c.in[0] + ".movedim(-1, 1)" : c.in[0];
  std::string y = "torch.batch_norm(" + x + ", " + gamma + ", " + beta + ", " + mean + ", " +
                  variance + ", False, 0.0, " + floatLiteral(cfg.at("epsilon").get<double>()) +
                  ", False)";
  if (channelsLast) y += ".movedim(1, -1)";
  c.line(c.out + " = " + y);
}

void activationLayer(LayerCode& c) {
  activate(c, c.in[0]);
}

// keras.backend.relu(x, alpha=negative_slope, max_value, threshold), as ReluOp computes it.
void relu(LayerCode& c) {
  const auto& cfg = c.layer.config;
  const double slope = cfg.at("negative_slope").get<double>();
  const double threshold = cfg.at("threshold").get<double>();
  const bool hasMax = !cfg.at("max_value").is_null();
  const std::string x = c.in[0];
  const std::string maxValue = hasMax ? floatLiteral(cfg.at("max_value").get<double>()) : "";
  if (threshold == 0.0 && slope == 0.0) {
    c.line(c.out + " = " +
           (hasMax ? "torch.clamp(" + x + ", 0.0, " + maxValue + ")" : "torch.relu(" + x + ")"));
    return;
  }
  if (threshold == 0.0 && !hasMax) {
    c.line(c.out + " = torch.leaky_relu(" + x + ", " + floatLiteral(slope) + ")");
    return;
  }
  const std::string t = floatLiteral(threshold);
  c.line(c.out + " = " +
         (threshold == 0.0 ? "torch.relu(" + x + ")"
                           : x + " * (" + x + " > " + t + ").to(" + x + ".dtype)"));
  if (hasMax) c.line(c.out + " = torch.clamp(" + c.out + ", 0.0, " + maxValue + ")");
  if (slope != 0.0)
    c.line(c.out + " = " + c.out + " - " + floatLiteral(slope) + " * torch.relu(" + t + " - " + x +
           ")");
}

void leakyRelu(LayerCode& c) {
  c.line(c.out + " = torch.leaky_relu(" + c.in[0] + ", " +
         floatLiteral(c.layer.config.at("alpha").get<double>()) + ")");
}

void elu(LayerCode& c) {
  c.line(c.out + " = torch.elu(" + c.in[0] + ", " +
         floatLiteral(c.layer.config.at("alpha").get<double>()) + ")");
}

// relu(x) - alpha * relu(-x), as PReluOp computes it; alpha stored in the runtime layout ((C, H, W)
// for a feature map: the same values PReluOp's permuted view reads).
void prelu(LayerCode& c) {
  torch::Tensor alpha = fromKeras(c.layer.weight(0));
  if (c.layer.inputRank() == 4) alpha = alpha.permute({2, 0, 1}).contiguous();
  const std::string a = c.parameter("alpha", alpha);
  const std::string x = c.in[0];
  c.line(c.out + " = torch.relu(" + x + ") - " + a + " * torch.relu(-" + x + ")");
}

void softmax(LayerCode& c) {
  c.line(c.out + " = torch.softmax(" + c.in[0] + ", " +
         std::to_string(runtimeAxis(c.layer.config.at("axis"), c.layer.inputRank())) + ")");
}

void maxPooling2d(LayerCode& c) {
  const Window w = poolingWindow(c.layer);
  const Padded x = padForWindow(c, w, -INFINITY, true);  // padding never wins the maximum
  c.line(c.out + " = torch.max_pool2d(" + x.x + ", " + intList({w.kernel.h, w.kernel.w}) + ", " +
         windowArgs(w, x) + ", False)");
}

// `same` excludes the padding from the mean: LibTorch does that itself for symmetric padding;
// otherwise the mean over the zero-padded window is divided by the fraction of real cells.
void averagePooling2d(LayerCode& c) {
  const Window w = poolingWindow(c.layer);
  const Padded x = padForWindow(c, w, 0.0, true);
  const std::string kernel = intList({w.kernel.h, w.kernel.w});
  const std::string stride = intList({w.stride.h, w.stride.w});
  if (x.x == c.in[0]) {
    c.line(c.out + " = torch.avg_pool2d(" + x.x + ", " + kernel + ", " + stride + ", " +
           intList(x.opPadding) + ", False, False, None)");
    return;
  }
  const std::string in = c.in[0];
  const std::string pads = c.usesSamePadding ? c.local("pads") : intList([&] {
    const Shape& s = c.layer.inputShapes[0];
    const Pads p = windowPads(w, s[1], s[2]);
    return std::vector<int64_t>{p.left, p.right, p.top, p.bottom};
  }());
  c.line(c.local("cells") + " = torch.constant_pad_nd(torch.ones([1, 1, " + in + ".size(2), " + in +
         ".size(3)]), " + pads + ", 0.0)");
  c.line(c.out + " = torch.avg_pool2d(" + x.x + ", " + kernel + ", " + stride +
         ", [0, 0], False, True, None) / torch.avg_pool2d(" + c.local("cells") + ", " + kernel +
         ", " + stride + ", [0, 0], False, True, None)");
}

std::string keepdims(const ExportLayer& layer) {
  return layer.config.at("keepdims").get<bool>() ? "True" : "False";
}

void globalAveragePooling2d(LayerCode& c) {
  c.line(c.out + " = torch.mean(" + c.in[0] + ", [2, 3], " + keepdims(c.layer) + ")");
}

void globalMaxPooling2d(LayerCode& c) {
  c.line(c.out + " = torch.amax(" + c.in[0] + ", [2, 3], " + keepdims(c.layer) + ")");
}

void elementwise(LayerCode& c, const char* op) {
  std::string y = c.in[0];
  for (size_t i = 1; i < c.in.size(); ++i) y += std::string(" ") + op + " " + c.in[i];
  c.line(c.out + " = " + y);
}
void add(LayerCode& c) {
  elementwise(c, "+");
}
void multiply(LayerCode& c) {
  elementwise(c, "*");
}
void subtract(LayerCode& c) {
  elementwise(c, "-");
}
// Summed left to right, then divided by the count, as AverageOp does.
void average(LayerCode& c) {
  std::string y = c.in[0];
  for (size_t i = 1; i < c.in.size(); ++i) y += " + " + c.in[i];
  c.line(c.out + " = (" + y + ") / " + floatLiteral(static_cast<double>(c.in.size())));
}
void fold(LayerCode& c, const char* function) {
  std::string y = c.in[0];
  for (size_t i = 1; i < c.in.size(); ++i)
    y = std::string(function) + "(" + y + ", " + c.in[i] + ")";
  c.line(c.out + " = " + y);
}
void maximum(LayerCode& c) {
  fold(c, "torch.maximum");
}
void minimum(LayerCode& c) {
  fold(c, "torch.minimum");
}

void concatenate(LayerCode& c) {
  std::string list;
  for (const auto& x : c.in) list += (list.empty() ? "" : ", ") + x;
  c.line(c.out + " = torch.cat([" + list + "], " +
         std::to_string(runtimeAxis(c.layer.config.at("axis"), c.layer.inputRank())) + ")");
}

void zeroPadding2d(LayerCode& c) {
  const Pads p = padsFromConfig(c.layer, "padding");
  c.line(c.out + " = torch.constant_pad_nd(" + c.in[0] + ", " +
         intList({p.left, p.right, p.top, p.bottom}) + ", 0.0)");
}

void cropping2d(LayerCode& c) {
  const Pads p = padsFromConfig(c.layer, "cropping");
  const std::string x = c.in[0];
  c.line(c.out + " = torch.narrow(torch.narrow(" + x + ", 2, " + std::to_string(p.top) + ", " + x +
         ".size(2) - " + std::to_string(p.top + p.bottom) + "), 3, " + std::to_string(p.left) +
         ", " + x + ".size(3) - " + std::to_string(p.left + p.right) + ")");
}

// Keras flattens in H, W, C order.
void flatten(LayerCode& c) {
  c.line(c.out + " = torch.reshape(" + toKeras(c.in[0], c.layer.inputRank()) + ", [" + c.in[0] +
         ".size(0), -1])");
}

void reshape(LayerCode& c) {
  std::vector<int64_t> target;
  for (const auto& d : c.layer.config.at("target_shape")) target.push_back(d.get<int64_t>());
  std::string shape = "[" + c.in[0] + ".size(0)";
  for (int64_t d : target) shape += ", " + std::to_string(d);
  shape += "]";
  c.line(c.out + " = " +
         toRuntime("torch.reshape(" + toKeras(c.in[0], c.layer.inputRank()) + ", " + shape + ")",
                   target.size() + 1));
}

// As UpSampling2DOp: rows and columns repeated, or LibTorch's half-pixel bilinear resize.
void upSampling2d(LayerCode& c) {
  const auto& size = c.layer.config.at("size");
  const std::string fh = std::to_string(size.at(0).get<int64_t>());
  const std::string fw = std::to_string(size.at(1).get<int64_t>());
  const std::string x = c.in[0];
  if (c.layer.config.at("interpolation") == "bilinear")
    c.line(c.out + " = torch.upsample_bilinear2d(" + x + ", [" + x + ".size(2) * " + fh + ", " + x +
           ".size(3) * " + fw + "], False, None, None)");
  else
    c.line(c.out + " = torch.repeat_interleave(torch.repeat_interleave(" + x + ", " + fh +
           ", 2), " + fw + ", 3)");
}

// As ImageResizeOp, with the window computed from each input's size at run time (the module
// takes any size): Keras's float32 ratios in TorchScript's doubles, the same for every image
// whose width x output height and height x output width stay below 2^24.
void imageResize(LayerCode& c) {
  const layers::ImageResize r = layers::imageResizeOf(c.layer.className(), c.layer.config);
  using Fit = layers::ImageResize::Fit;
  const std::string x = c.in[0], h = c.local("h"), w = c.local("w"), top = c.local("top"),
                    left = c.local("left"), ch = c.local("ch"), cw = c.local("cw"),
                    window = c.local("window");
  const std::string th = std::to_string(r.height), tw = std::to_string(r.width);
  c.line(h + " = " + x + ".size(2)");
  c.line(w + " = " + x + ".size(3)");
  std::string resized = x;
  if (r.fit == Fit::PadToAspectRatio) {
    c.line(top + " = int(float(max(" + h + ", int(float(" + w + " * " + th + ") / " + tw +
           ".0)) - " + h + ") / 2.0)");
    c.line(left + " = int(float(max(" + w + ", int(float(" + h + " * " + tw + ") / " + th +
           ".0)) - " + w + ") / 2.0)");
    c.line(window + " = torch.constant_pad_nd(" + x + ", [" + left + ", " + left + ", " + top +
           ", " + top + "], " + floatLiteral(r.fill) + ")");
    resized = window;
  } else if (r.fit != Fit::Stretch) {
    // CropToAspectRatio, and CenterCrop of an image smaller than its output (smart_resize);
    // CenterCrop of a large enough one takes its centre at the output size.
    const std::string large = r.fit == Fit::CenterCrop ? c.local("large") : "";
    if (!large.empty()) c.line(large + " = " + h + " >= " + th + " and " + w + " >= " + tw);
    const auto orCentre = [&](const std::string& size, const std::string& formula) {
      return large.empty() ? formula : size + " if " + large + " else " + formula;
    };
    c.line(
        ch + " = " +
        orCentre(th, "max(min(" + h + ", int(float(" + w + " * " + th + ") / " + tw + ".0)), 1)"));
    c.line(
        cw + " = " +
        orCentre(tw, "max(min(" + w + ", int(float(" + h + " * " + tw + ") / " + th + ".0)), 1)"));
    c.line(top + " = " +
           orCentre("(" + h + " - " + th + ") // 2", "int(float(" + h + " - " + ch + ") / 2.0)"));
    c.line(left + " = " +
           orCentre("(" + w + " - " + tw + ") // 2", "int(float(" + w + " - " + cw + ") / 2.0)"));
    c.line(window + " = " + x + "[:, :, " + top + ":" + top + " + " + ch + ", " + left + ":" +
           left + " + " + cw + "]");
    resized = window;
    if (!large.empty()) {
      c.line(c.out + " = " + window + ".contiguous() if " + large +
             " else torch.upsample_bilinear2d(" + window + ", [" + th + ", " + tw +
             "], False, None, None)");
      return;
    }
  }
  if (r.interpolation == layers::ResizeInterpolation::Nearest)
    c.line(c.out + " = torch._upsample_nearest_exact2d(" + resized + ", [" + th + ", " + tw +
           "], None, None)");
  else
    c.line(c.out + " = torch.upsample_bilinear2d(" + resized + ", [" + th + ", " + tw +
           "], False, None, None)");
}

void permute(LayerCode& c) {
  c.line(c.out + " = " + c.in[0] + ".permute(" +
         intList(runtime::runtimePermutation(
             layers::permuteDims(c.layer.config, c.layer.inputRank()))) +
         ")");
}

// As AutoContrastOp: float32 constants, Keras's order of operations; 255 / (M - m) divides two
// tensors (TorchScript's number / tensor would multiply by a reciprocal).
void autoContrast(LayerCode& c) {
  const layers::AutoContrastRange r = layers::autoContrastRange(c.layer.config);
  const auto low = static_cast<float>(r.low);
  const std::string lowText = floatLiteral(low),
                    span = floatLiteral(static_cast<float>(r.high) - low);
  const std::string x = c.in[0], bytes = c.local("bytes"), low_ = c.local("low"),
                    scale = c.local("scale"), y = c.local("stretched");
  c.line(bytes + " = " +
         (r.isByteRange() ? x : "(" + x + " - " + lowText + ") / " + span + " * 255.0"));
  c.line(low_ + " = torch.amin(" + bytes + ", [2, 3], True)");
  const std::string range = "(torch.amax(" + bytes + ", [2, 3], True) - " + low_ + ")";
  c.line(scale + " = torch.full_like(" + range + ", 255.0) / " + range);
  c.line(y + " = torch.clamp(" + bytes + " * " + scale + " + -" + low_ + " * " + scale +
         ", 0.0, 255.0)");
  if (!r.isByteRange()) c.line(y + " = " + y + " / 255.0 * " + span + " + " + lowText);
  c.line(c.out + " = torch.where(torch.isnan(" + y + "), " + x + ", " + y + ")");
}

// As LayerNormalizationOp: over one axis layer_norm over the last dimension, another one moved
// there and back; over several axes the moments and Keras 3's order of operations, gamma and
// beta reshaped to the input's rank in the runtime layout.
void layerNormalization(LayerCode& c) {
  const auto& cfg = c.layer.config;
  const size_t rank = c.layer.inputRank();
  const Shape& input = c.layer.inputShapes[0];
  const std::vector<int64_t> axes = layers::layerNormalizationAxes(cfg.at("axis"), input);
  const std::string epsilon = floatLiteral(cfg.at("epsilon").get<double>());
  const bool scale = cfg.at("scale").get<bool>(), center = cfg.at("center").get<bool>();
  if (axes.size() > 1) {
    std::vector<int64_t> dims;
    for (int64_t axis : axes)
      dims.push_back(runtime::runtimeAxis(axis, static_cast<int64_t>(rank)));
    size_t i = 0;
    const std::string gamma =
        scale ? c.parameter("gamma", layerNormalizationWeight(c.layer, i++)) : "";
    const std::string beta =
        center ? c.parameter("beta", layerNormalizationWeight(c.layer, i++)) : "";
    const std::string mean = c.local("mean"), inv = c.local("inv"), shift = c.local("shift");
    c.line(mean + " = " + c.in[0] + ".mean(" + intList(dims) + ", True)");
    c.line(inv + " = torch.rsqrt((" + c.in[0] + " - " + mean + ").square().mean(" + intList(dims) +
           ", True) + " + epsilon + ")");
    if (!gamma.empty()) c.line(inv + " = " + inv + " * " + gamma);
    c.line(shift + " = -" + mean + " * " + inv);
    if (!beta.empty()) c.line(shift + " = " + shift + " + " + beta);
    c.line(c.out + " = " + c.in[0] + " * " + inv + " + " + shift);
    return;
  }
  size_t i = 0;
  const std::string gamma = scale ? c.parameter("gamma", fromKeras(c.layer.weight(i++))) : "None";
  const std::string beta = center ? c.parameter("beta", fromKeras(c.layer.weight(i++))) : "None";
  const int64_t axis = axes[0];
  const int64_t dim = runtimeAxis(cfg.at("axis"), rank);
  const bool last = dim == static_cast<int64_t>(rank) - 1;
  const std::string d = std::to_string(dim);
  const std::string x = last ? c.in[0] : c.in[0] + ".movedim(" + d + ", -1)";
  std::string y = "torch.layer_norm(" + x + ", [" +
                  std::to_string(input[static_cast<size_t>(axis)]) + "], " + gamma + ", " + beta +
                  ", " + epsilon + ", True)";
  if (!last) y += ".movedim(-1, " + d + ")";
  c.line(c.out + " = " + y);
}

// As NormalizationOp: the statistics broadcast in the runtime layout.
void normalization(LayerCode& c) {
  const NormalizationStatistics s = normalizationStatistics(c.layer);
  const std::string mean = c.buffer("mean", s.mean);
  const std::string deviation = c.buffer("deviation", s.deviation);
  if (c.layer.config.at("invert").get<bool>())
    c.line(c.out + " = " + mean + " + " + c.in[0] + " * " + deviation);
  else
    c.line(c.out + " = (" + c.in[0] + " - " + mean + ") / " + deviation);
}

// As TFOpLambdaOp: constants as float32 buffers in the runtime layout, the same LibTorch op.
void tfOpLambda(LayerCode& c) {
  const OpFunction* f = findOpFunction(c.layer.config.at("function").get<std::string>());
  const auto operands = layers::opOperands(c.layer.config, c.layer.inputRank());
  std::vector<std::string> x;
  size_t next = 0;
  for (size_t i = 0; i < operands.size(); ++i)
    x.push_back(operands[i].input
                    ? c.in[next++]
                    : c.buffer("operand_" + std::to_string(i), runtimeConstant(operands[i])));
  if (f->arity == 1) {
    c.line(c.out + " = " + activation(f->activation, x[0], c.layer));
    return;
  }
  const std::string& op = f->operation;
  const std::string y = op == "add"        ? x[0] + " + " + x[1]
                        : op == "subtract" ? x[0] + " - " + x[1]
                        : op == "multiply" ? x[0] + " * " + x[1]
                        : op == "divide"   ? x[0] + " / " + x[1]
                        : op == "maximum"  ? "torch.maximum(" + x[0] + ", " + x[1] + ")"
                                           : "torch.minimum(" + x[0] + ", " + x[1] + ")";
  c.line(c.out + " = " + y);
}

// inputs[0] + inputs[1] * scale, as CustomScaleOp (a float32 scale).
void customScale(LayerCode& c) {
  const std::string scale = c.buffer(
      "scale", torch::scalar_tensor(c.layer.config.at("scale").get<double>(), torch::kFloat32));
  c.line(c.out + " = " + c.in[0] + " + " + c.in[1] + " * " + scale);
}

// As LayerScaleOp: x * gamma, gamma shaped (1, C, 1, 1) for an NCHW input.
void layerScale(LayerCode& c) {
  torch::Tensor gamma = fromKeras(c.layer.weight(0));
  if (c.layer.inputRank() == 4) gamma = gamma.reshape({1, -1, 1, 1});
  c.line(c.out + " = " + c.in[0] + " * " + c.parameter("gamma", gamma));
}

// As RepeatVectorOp.
void repeatVector(LayerCode& c) {
  c.line(c.out + " = " + c.in[0] + ".unsqueeze(1).repeat([1, " +
         std::to_string(c.layer.config.at("n").get<int64_t>()) + ", 1])");
}

}  // namespace

const std::map<std::string, Emitter>& emitters() {
  static const std::map<std::string, Emitter> table = {
      {"InputLayer", inputLayer},
      {"Conv2D", conv2d},
      {"DepthwiseConv2D", depthwiseConv2d},
      {"SeparableConv2D", separableConv2d},
      {"Conv2DTranspose", conv2dTranspose},
      {"Dense", dense},
      {"Dropout", dropout},
      {"SpatialDropout2D", dropout},
      {"GaussianNoise", dropout},
      {"GaussianDropout", dropout},
      {"StochasticDepth", dropout},
      {"Rescaling", rescaling},
      {"AutoContrast", autoContrast},
      {"BatchNormalization", batchNormalization},
      {"LayerNormalization", layerNormalization},
      {"Normalization", normalization},
      {"Activation", activationLayer},
      {"ReLU", relu},
      {"LeakyReLU", leakyRelu},
      {"ELU", elu},
      {"PReLU", prelu},
      {"Softmax", softmax},
      {"MaxPooling2D", maxPooling2d},
      {"AveragePooling2D", averagePooling2d},
      {"GlobalAveragePooling2D", globalAveragePooling2d},
      {"GlobalMaxPooling2D", globalMaxPooling2d},
      {"Add", add},
      {"Multiply", multiply},
      {"Subtract", subtract},
      {"Average", average},
      {"Maximum", maximum},
      {"Minimum", minimum},
      {"Concatenate", concatenate},
      {"ZeroPadding2D", zeroPadding2d},
      {"Cropping2D", cropping2d},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"UpSampling2D", upSampling2d},
      {"Resizing", imageResize},
      {"CenterCrop", imageResize},
      {"RandomCrop", dropout},  // the image as it is (graph/image_resize.h)
      {"Permute", permute},
      {"TFOpLambda", tfOpLambda},
      {"RepeatVector", repeatVector},
      {"CustomScaleLayer", customScale},
      {"LayerScale", layerScale},
  };
  return table;
}

}  // namespace graft::exporting::ts

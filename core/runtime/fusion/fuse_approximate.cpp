#include "runtime/fusion/fuse_approximate.h"

#include <torch/linalg.h>
#include <torch/nn/functional/fold.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "graph/surgery/ops.h"
#include "runtime/module/graph_module.h"

namespace graft {
namespace {

std::pair<int64_t, int64_t> pairOf(const Node& n, const char* key) {
  return {n.config.at(key)[0].get<int64_t>(), n.config.at(key)[1].get<int64_t>()};
}

// The structural conditions under which one convolution can stand in for the pair at all.
void checkPair(const Model& model, const Node& a, const Node& b) {
  for (const Node* n : {&a, &b}) {
    if (n->className != "Conv2D")
      throw Error(Diagnostic{n->name, "is a " + n->className +
                                          "; only two Conv2D layers can be "
                                          "fused approximately"});
    if (n->config.at("groups").get<int64_t>() != 1 ||
        pairOf(*n, "strides") != std::pair<int64_t, int64_t>{1, 1} ||
        pairOf(*n, "dilation_rate") != std::pair<int64_t, int64_t>{1, 1})
      throw Error(Diagnostic{n->name, "needs stride 1, no dilation and groups=1 to be merged"});
  }
  if (b.inputs != std::vector<std::string>{a.name})
    throw Error(Diagnostic{b.name, "does not read '" + a.name + "' directly"});
  if (a.inputs.size() != 1) throw Error(Diagnostic{a.name, "must have exactly one input"});
  for (const auto& c : model.graph.consumers(a.name))
    if (c != b.name)
      throw Error(Diagnostic{a.name, "also feeds '" + c + "'; it cannot be merged away"});
  const auto& outputs = model.graph.outputs();
  if (std::find(outputs.begin(), outputs.end(), a.name) != outputs.end())
    throw Error(Diagnostic{a.name, "is a model output; it cannot be merged away"});
  // A 1x1 convolution (stride 1, checked above) pads nothing either way: 'valid' is 'same'.
  const std::pair<int64_t, int64_t> one{1, 1};
  const std::string pa = pairOf(a, "kernel_size") == one
                             ? b.config.at("padding").get<std::string>()
                             : a.config.at("padding").get<std::string>();
  const std::string pb =
      pairOf(b, "kernel_size") == one ? pa : b.config.at("padding").get<std::string>();
  if (pa != pb)
    throw Error(Diagnostic{b.name, "pads '" + pb + "' but '" + a.name + "' pads '" + pa +
                                       "'; merging needs the same padding on both"});
  auto [k1h, k1w] = pairOf(a, "kernel_size");
  auto [k2h, k2w] = pairOf(b, "kernel_size");
  if (pa == "same" && (k1h % 2 == 0 || k1w % 2 == 0 || k2h % 2 == 0 || k2w % 2 == 0))
    throw Error(Diagnostic{b.name, "'same' padding with an even kernel cannot be merged"});
}

struct Fit {
  torch::Tensor kernel;  // Keras layout (kh, kw, in, out), float32
  torch::Tensor bias;    // (out)
  int64_t rows = 0;
};

// Least squares over every output position: the (kh x kw x in) input patch plus a constant
// predicts the pair's pre-activation output. Normal equations accumulated in double, patch block
// by patch block, so memory stays at one block of patches.
Fit fitKernel(const torch::Tensor& x, const torch::Tensor& target, int64_t kh, int64_t kw,
              bool same) {
  namespace F = torch::nn::functional;
  const int64_t in = x.size(1), out = target.size(1);
  const int64_t d = in * kh * kw + 1;
  const auto doubles = torch::TensorOptions(torch::kFloat64).device(x.device());
  auto normal = torch::zeros({d, d}, doubles);
  auto rhs = torch::zeros({d, out}, doubles);
  int64_t rows = 0;
  for (int64_t n = 0; n < x.size(0); ++n) {
    const auto xn = x.narrow(0, n, 1).to(torch::kFloat64);
    const int64_t ph = same ? kh / 2 : 0, pw = same ? kw / 2 : 0;
    auto patches =
        F::unfold(xn, F::UnfoldFuncOptions({kh, kw}).padding({ph, pw}));  // (1, in*kh*kw, L)
    patches = patches.squeeze(0).t();                                     // (L, in*kh*kw)
    patches = torch::cat({patches, torch::ones({patches.size(0), 1}, doubles)}, 1);
    const auto y =
        target.narrow(0, n, 1)
            .to(torch::kFloat64)
            .permute({0, 2, 3, 1})
            .reshape({-1, out});  // (L, out), positions in the same row-major order as unfold's
    normal += patches.t().mm(patches);
    rhs += patches.t().mm(y);
    rows += patches.size(0);
  }
  // A tiny ridge keeps the system solvable when some input channel is constant (e.g. zero).
  const double ridge = 1e-9 * std::max(1.0, normal.diagonal().mean().item<double>());
  normal += ridge * torch::eye(d, doubles);
  const auto solution = torch::linalg::solve(normal, rhs, true);  // (d, out)
  Fit fit;
  // unfold orders a patch channel-major: index = c * kh * kw + y * kw + x.
  fit.kernel = solution.narrow(0, 0, d - 1)
                   .reshape({in, kh, kw, out})
                   .permute({1, 2, 0, 3})
                   .contiguous()
                   .to(torch::kFloat32);
  fit.bias = solution[d - 1].contiguous().to(torch::kFloat32);
  fit.rows = rows;
  return fit;
}

WeightTensor toWeight(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU).contiguous();
  std::vector<float> values(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return WeightTensor::fromValues(Shape(c.sizes().begin(), c.sizes().end()), std::move(values));
}

double relativeRms(const torch::Tensor& approx, const torch::Tensor& exact) {
  const double num = (approx.to(torch::kFloat64) - exact.to(torch::kFloat64)).norm().item<double>();
  const double den = exact.to(torch::kFloat64).norm().item<double>();
  return den > 0 ? num / den : num;
}

}  // namespace

Expected<ApproximateFusion> fuseApproximately(const Model& model, const std::string& first,
                                              const std::string& second,
                                              const torch::Tensor& samples,
                                              const EditOptions& options) {
  try {
    const Node& a = model.graph.at(first);
    const Node& b = model.graph.at(second);
    checkPair(model, a, b);
    auto [k1h, k1w] = pairOf(a, "kernel_size");
    auto [k2h, k2w] = pairOf(b, "kernel_size");
    const int64_t kh = k1h + k2h - 1, kw = k1w + k2w - 1;
    // The pair's padding: the other's when one of them is 1x1 (checkPair).
    const std::string padding = k1h == 1 && k1w == 1 ? b.config.at("padding").get<std::string>()
                                                     : a.config.at("padding").get<std::string>();
    const bool same = padding == "same";
    const std::string activation = b.config.at("activation");

    // The pair's input and its pre-activation output (the fitted layer applies the second
    // layer's activation itself), from a copy whose second layer is linear.
    const Model linear =
        applyOperation(model, ops::setConfig(second, {{"activation", "linear"}})).value().model;
    // The modules compute where the samples are (the device the user chose).
    GraphModule probe(linear.graph, linear.weights);
    probe.to(samples.device());
    const auto values = probe.forward(samples, {a.inputs[0], second});
    // Fewer output positions than unknowns: any kernel fits the samples exactly (a reported
    // error near 0) and computes nonsense on every other image.
    const int64_t n = samples.size(0);
    const int64_t unknowns = values[0].size(1) * kh * kw + 1;
    const int64_t positionsPerSample = values[1].size(2) * values[1].size(3);
    if (n * positionsPerSample <= unknowns) {
      const int64_t needed = unknowns / positionsPerSample + 1;
      throw Error(Diagnostic{
          second, "the fitted " + std::to_string(kh) + "x" + std::to_string(kw) +
                      " convolution has " + std::to_string(unknowns) +
                      " unknowns per output channel, but " + std::to_string(n) +
                      " samples give only " + std::to_string(n * positionsPerSample) +
                      " output positions: the fit would match them exactly and nothing else; "
                      "use at least " +
                      std::to_string(needed) + " sample images (" + std::to_string(2 * needed) +
                      " or more for a fair fit)"});
    }
    // What the user should judge the fit by: its error on samples it did not see. Every fourth
    // sample is held out for that (samples come class by class: every class keeps some), when
    // the rest still determine the kernel.
    const int64_t heldOut = n >= 4 ? n / 4 : 0;
    const bool canHoldOut = heldOut > 0 && (n - heldOut) * positionsPerSample > unknowns;
    const auto rows =
        torch::arange(n, torch::TensorOptions(torch::kInt64).device(samples.device()));
    const auto heldOutRows = rows.remainder(4).eq(3) & rows.lt(4 * heldOut);
    const auto fittedRows = heldOutRows.logical_not().nonzero().flatten();
    const auto unseenRows = heldOutRows.nonzero().flatten();
    std::optional<Fit> partial;
    if (canHoldOut)
      partial = fitKernel(values[0].index_select(0, fittedRows),
                          values[1].index_select(0, fittedRows), kh, kw, same);
    const Fit fit = fitKernel(values[0], values[1], kh, kw, same);

    Json replacement = ops::layer("Conv2D", first,
                                  {{"filters", b.config.at("filters")},
                                   {"kernel_size", {kh, kw}},
                                   {"padding", padding},
                                   {"activation", activation},
                                   {"trainable", a.trainable}});
    Expected<EditResult> replaced =
        applyOperation(model, ops::replace({first, second}, replacement), options);
    if (!replaced) return replaced.diagnostics();
    ApproximateFusion result;
    result.edit = std::move(replaced).value();
    result.edit.model.weights.set(first, {toWeight(fit.kernel), toWeight(fit.bias)});
    // Fitted to the pair, not random: untrained only where the pair was.
    const auto& before = model.untrainedLayers;
    if (std::find(before.begin(), before.end(), first) == before.end() &&
        std::find(before.begin(), before.end(), second) == before.end()) {
      auto& untrained = result.edit.model.untrainedLayers;
      untrained.erase(std::remove(untrained.begin(), untrained.end(), first), untrained.end());
    }
    result.rows = fit.rows;

    GraphModule original(model.graph, model.weights);
    GraphModule fused(result.edit.model.graph, result.edit.model.weights);
    original.to(samples.device());
    fused.to(samples.device());
    result.relativeError =
        relativeRms(fused.forward(samples, {first})[0], original.forward(samples, {second})[0]);
    if (partial) {
      WeightStore heldOutWeights = result.edit.model.weights;
      heldOutWeights.set(first, {toWeight(partial->kernel), toWeight(partial->bias)});
      GraphModule unseen(result.edit.model.graph, heldOutWeights);
      unseen.to(samples.device());
      const torch::Tensor rest = samples.index_select(0, unseenRows);
      result.heldOutError =
          relativeRms(unseen.forward(rest, {first})[0], original.forward(rest, {second})[0]);
      result.heldOutSamples = heldOut;
    }

    Json recorded = {{"op", "fuse"},
                     {"layers", {first, second}},
                     {"method", "least_squares"},
                     {"samples", samples.size(0)},
                     {"relative_error", result.relativeError}};
    if (result.heldOutError) recorded["held_out_error"] = *result.heldOutError;
    result.edit.model.recipe.back() = recorded;
    result.edit.operation = recorded;
    const auto number = [](double value) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3g", value);
      return std::string(text);
    };
    // The error first (on unseen samples when there are some): a status bar cuts a long
    // sentence at its end.
    // The held-out figure is a second fit's, on the other samples: the kernel kept uses all.
    const std::string error =
        result.heldOutError
            ? number(*result.heldOutError) + " on samples it has not seen (fitted to " +
                  std::to_string(n - heldOut) + " of the " + std::to_string(n) +
                  " samples, scored on the other " + std::to_string(heldOut) +
                  "; the kernel kept is fitted to all " + std::to_string(n) + ": " +
                  number(result.relativeError) + " on them)"
            : number(result.relativeError);
    result.edit.notes = {"merged " + second + " into " + first + " with relative RMS error " +
                         error + ", as one " + std::to_string(kh) + "x" + std::to_string(kw) +
                         " convolution fitted by least squares over " + std::to_string(fit.rows) +
                         " output positions of " + std::to_string(samples.size(0)) +
                         " samples (the '" + a.config.at("activation").get<std::string>() +
                         "' between them cannot be merged exactly)"};
    return result;
  } catch (const Error& e) {
    if (!e.diagnostics().empty()) return e.diagnostics();
    return Diagnostic{"", e.what()};
  }
}

}  // namespace graft

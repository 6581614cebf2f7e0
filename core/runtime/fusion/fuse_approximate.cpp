#include "runtime/fusion/fuse_approximate.h"

#include <torch/linalg.h>
#include <torch/nn/functional/fold.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "graph/surgery/ops.h"
#include "runtime/fusion/fusable_chain.h"
#include "runtime/module/graph_module.h"

namespace graft {
namespace {

std::pair<int64_t, int64_t> pairOf(const Node& n, const char* key) {
  return {n.config.at(key)[0].get<int64_t>(), n.config.at(key)[1].get<int64_t>()};
}

// The structural conditions under which one convolution can stand in for the chain at all
// (the layers between are chainBetween's to check).
void checkPair(const Node& a, const Node& b) {
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
  if (a.inputs.size() != 1) throw Error(Diagnostic{a.name, "must have exactly one input"});
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

// What makes the pair nonlinear, for the note: the first layer's activation and the layers
// between.
std::string nonlinearityBetween(const Model& model, const std::vector<std::string>& chain) {
  std::string said;
  const std::string activation = model.graph.at(chain.front()).config.at("activation");
  if (activation != "linear") said = "the '" + activation + "' activation of " + chain.front();
  for (size_t i = 1; i + 1 < chain.size(); ++i)
    said += (said.empty()            ? ""
             : i + 2 == chain.size() ? " and "
                                     : ", ") +
            chain[i] + " (" + model.graph.at(chain[i]).className + ")";
  return said.empty() ? "nothing" : said;
}

struct Fit {
  torch::Tensor kernel;  // Keras layout (kh, kw, in, out), float32
  torch::Tensor bias;    // (out)
  int64_t rows = 0;
};

// Least squares over every output position: the (kh x kw x in) input patch plus a constant
// predicts the pair's pre-activation output. The normal equations of some samples, in double.
struct NormalEquations {
  torch::Tensor normal;  // (d, d): the sum of patch^T patch
  torch::Tensor rhs;     // (d, out): the sum of patch^T target
  int64_t rows = 0;
};

// Adds sample `n`'s output positions to `into`, one sample's patches at a time so that memory
// stays at one sample's.
void accumulate(NormalEquations& into, const torch::Tensor& x, const torch::Tensor& target,
                int64_t n, int64_t kh, int64_t kw, bool same) {
  namespace F = torch::nn::functional;
  const int64_t out = target.size(1);
  const auto doubles = torch::TensorOptions(torch::kFloat64).device(x.device());
  const auto xn = x.narrow(0, n, 1).to(torch::kFloat64);
  const int64_t ph = same ? kh / 2 : 0, pw = same ? kw / 2 : 0;
  auto patches =
      F::unfold(xn, F::UnfoldFuncOptions({kh, kw}).padding({ph, pw}));  // (1, in*kh*kw, L)
  patches = patches.squeeze(0).t();                                     // (L, in*kh*kw)
  patches = torch::cat({patches, torch::ones({patches.size(0), 1}, doubles)}, 1);
  const auto y = target.narrow(0, n, 1)
                     .to(torch::kFloat64)
                     .permute({0, 2, 3, 1})
                     .reshape({-1, out});  // (L, out), positions in unfold's row-major order
  const int64_t d = patches.size(1);
  if (!into.normal.defined()) {
    into.normal = torch::zeros({d, d}, doubles);
    into.rhs = torch::zeros({d, out}, doubles);
  }
  into.normal.addmm_(patches.t(), patches);
  into.rhs.addmm_(patches.t(), y);
  into.rows += patches.size(0);
}

void add(NormalEquations& into, const NormalEquations& more) {
  if (!more.normal.defined()) return;
  into.normal.add_(more.normal);
  into.rhs.add_(more.rhs);
  into.rows += more.rows;
}

Fit solve(const NormalEquations& equations, int64_t in, int64_t kh, int64_t kw) {
  const int64_t d = equations.normal.size(0);
  // A tiny ridge keeps the system solvable when some input channel is constant (e.g. zero).
  const double ridge = 1e-9 * std::max(1.0, equations.normal.diagonal().mean().item<double>());
  const auto normal = equations.normal + ridge * torch::eye(d, equations.normal.options());
  // The matrix is symmetric positive definite: Cholesky costs half of LU, which is what is left
  // when rounding makes it fail.
  const auto [factor, info] = torch::linalg_cholesky_ex(normal);
  const auto solution = info.item<int64_t>() == 0
                            ? torch::cholesky_solve(equations.rhs, factor)
                            : torch::linalg::solve(normal, equations.rhs, true);  // (d, out)
  const int64_t out = equations.rhs.size(1);
  Fit fit;
  // unfold orders a patch channel-major: index = c * kh * kw + y * kw + x.
  fit.kernel = solution.narrow(0, 0, d - 1)
                   .reshape({in, kh, kw, out})
                   .permute({1, 2, 0, 3})
                   .contiguous()
                   .to(torch::kFloat32);
  fit.bias = solution[d - 1].contiguous().to(torch::kFloat32);
  fit.rows = equations.rows;
  return fit;
}

// Every fourth sample, the first `heldOut` of them (samples come class by class: every class
// keeps some).
bool isHeldOut(int64_t sample, int64_t heldOut) {
  return sample % 4 == 3 && sample < 4 * heldOut;
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
    checkPair(a, b);
    const std::vector<std::string> chain = chainBetween(model, first, second);
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
    // One pass over the samples: the held-out ones' equations apart, so that the fit to the
    // rest and the fit to all are solved from the same sums (the sums are what costs: a
    // position adds d^2 products).
    NormalEquations fittedSums, heldOutSums;
    for (int64_t i = 0; i < n; ++i)
      accumulate(canHoldOut && isHeldOut(i, heldOut) ? heldOutSums : fittedSums, values[0],
                 values[1], i, kh, kw, same);
    const int64_t in = values[0].size(1);
    std::optional<Fit> partial;
    if (canHoldOut) partial = solve(fittedSums, in, kh, kw);
    add(fittedSums, heldOutSums);
    const Fit fit = solve(fittedSums, in, kh, kw);
    heldOutSums = {};  // d^2 doubles each: not kept through the checks below
    fittedSums = {};

    Json replacement = ops::layer("Conv2D", first,
                                  {{"filters", b.config.at("filters")},
                                   {"kernel_size", {kh, kw}},
                                   {"padding", padding},
                                   {"activation", activation},
                                   {"trainable", a.trainable}});
    Expected<EditResult> replaced =
        applyOperation(model, ops::replace(chain, replacement), options);
    if (!replaced) return replaced.diagnostics();
    ApproximateFusion result;
    result.edit = std::move(replaced).value();
    result.edit.model.weights.set(first, {toWeight(fit.kernel), toWeight(fit.bias)});
    // Fitted to the pair, not random: untrained only where the pair was.
    const auto& before = model.untrainedLayers;
    if (std::none_of(chain.begin(), chain.end(), [&](const std::string& layer) {
          return std::find(before.begin(), before.end(), layer) != before.end();
        })) {
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
      std::vector<int64_t> unseenRows;
      for (int64_t i = 0; i < n; ++i)
        if (isHeldOut(i, heldOut)) unseenRows.push_back(i);
      const torch::Tensor rest =
          samples.index_select(0, torch::tensor(unseenRows, torch::kInt64).to(samples.device()));
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
                         " output positions of " + std::to_string(samples.size(0)) + " samples (" +
                         nonlinearityBetween(model, chain) + " cannot be merged exactly)"};
    // Far worse on unseen images than on the fitted ones: the kernel learned the samples. More
    // positions per unknown is the cure.
    if (result.heldOutError && *result.heldOutError > 2 * result.relativeError)
      result.edit.notes.back() += "; with " + std::to_string(fit.rows) + " positions for " +
                                  std::to_string(unknowns) +
                                  " unknowns the kernel follows its samples: more sample images "
                                  "would fit it better";
    return result;
  } catch (const Error& e) {
    if (!e.diagnostics().empty()) return e.diagnostics();
    return Diagnostic{"", e.what()};
  }
}

}  // namespace graft

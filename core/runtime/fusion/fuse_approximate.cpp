#include "runtime/fusion/fuse_approximate.h"

#include <torch/nn/functional/fold.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "graph/layer_registry.h"
#include "graph/surgery/fusable_chain.h"
#include "graph/surgery/ops.h"
#include "runtime/module/graph_module.h"

namespace graft {
namespace {

std::pair<int64_t, int64_t> pairOf(const Node& n, const char* key) {
  return {n.config.at(key)[0].get<int64_t>(), n.config.at(key)[1].get<int64_t>()};
}

// What makes the pair nonlinear, for the note: the first layer's activation and the layers
// between that are (a BatchNormalization is linear, a dropout the identity when it computes).
std::string nonlinearityBetween(const Model& model, const std::vector<std::string>& chain) {
  std::vector<std::string> said;
  const std::string activation = model.graph.at(chain.front()).config.at("activation");
  if (activation != "linear")
    said.push_back("the '" + activation + "' activation of " + chain.front());
  for (size_t i = 1; i + 1 < chain.size(); ++i) {
    const Node& n = model.graph.at(chain[i]);
    const LayerType* type = LayerRegistry::standard().find(n.className);
    if (type && type->category == LayerCategory::Activation)
      said.push_back(n.name + " (" + n.className + ")");
  }
  if (said.empty())
    return "nothing between them is nonlinear: fusing the whole chain exactly needs no samples";
  std::string text;
  for (size_t i = 0; i < said.size(); ++i)
    text += (i == 0 ? "" : i + 1 == said.size() ? " and " : ", ") + said[i];
  return text + " cannot be merged exactly";
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
  torch::Tensor normal = equations.normal.clone();
  normal.diagonal().add_(ridge);
  // The matrix is symmetric positive definite: Cholesky costs half of LU, which is what is left
  // when rounding makes it fail.
  // ATen's linalg_* functions, which every LibTorch has: torch/linalg.h (torch::linalg::solve)
  // is only a wrapper over them, and Debian's LibTorch 2.6 does not ship it.
  const auto [factor, info] = torch::linalg_cholesky_ex(normal);
  const auto solution = info.item<int64_t>() == 0
                            ? torch::cholesky_solve(equations.rhs, factor)
                            : torch::linalg_solve(normal, equations.rhs, true);  // (d, out)
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

// RMS(approx - exact) / RMS(exact), summed batch by batch.
struct ErrorSums {
  double difference = 0, reference = 0;
  void add(const torch::Tensor& approx, const torch::Tensor& exact) {
    const auto want = exact.to(torch::kFloat64);
    difference += (approx.to(torch::kFloat64) - want).pow(2).sum().item<double>();
    reference += want.pow(2).sum().item<double>();
  }
  double relative() const {
    return reference > 0 ? std::sqrt(difference / reference) : std::sqrt(difference);
  }
};

// Samples per forward pass: memory follows the batch (VGG's first blocks at 224 px took about
// 140 MB an image), not how many images the fit reads.
constexpr int64_t kSamplesPerPass = 8;

}  // namespace

Expected<ApproximateFusion> fuseApproximately(const Model& model, const std::string& first,
                                              const std::string& second,
                                              const torch::Tensor& samples,
                                              const EditOptions& options) {
  try {
    const Node& a = model.graph.at(first);
    const Node& b = model.graph.at(second);
    const std::vector<std::string> chain = fusableChain(model, first, second);
    auto [k1h, k1w] = pairOf(a, "kernel_size");
    auto [k2h, k2w] = pairOf(b, "kernel_size");
    const int64_t kh = k1h + k2h - 1, kw = k1w + k2w - 1;
    // The pair's padding: the other's when one of them is 1x1 (fusableChain).
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
    const int64_t n = samples.size(0);
    // What the user should judge the fit by: its error on samples it did not see. Every fourth
    // sample is held out for that (samples come class by class: every class keeps some), when
    // the rest still determine the kernel. One pass over the samples: the held-out ones'
    // equations apart, so that the fit to the rest and the fit to all are solved from the same
    // sums (the sums are what costs: a position adds d^2 products).
    const int64_t heldOut = n >= 4 ? n / 4 : 0;
    bool canHoldOut = false;
    int64_t unknowns = 0, in = 0;
    NormalEquations fittedSums, heldOutSums;
    for (int64_t start = 0; start < n; start += kSamplesPerPass) {
      const int64_t count = std::min(kSamplesPerPass, n - start);
      const auto values = probe.forward(samples.narrow(0, start, count), {a.inputs[0], second});
      if (start == 0) {
        // Fewer output positions than unknowns: any kernel fits the samples exactly (a
        // reported error near 0) and computes nonsense on every other image.
        in = values[0].size(1);
        unknowns = in * kh * kw + 1;
        const int64_t positionsPerSample = values[1].size(2) * values[1].size(3);
        if (n * positionsPerSample <= unknowns) {
          const int64_t needed = unknowns / positionsPerSample + 1;
          throw Error(Diagnostic{
              second, "the fitted " + std::to_string(kh) + "x" + std::to_string(kw) +
                          " convolution has " + std::to_string(unknowns) +
                          " unknowns per output channel, but " + std::to_string(n) +
                          " samples give only " + std::to_string(n * positionsPerSample) +
                          " output positions: the fit would match them exactly and nothing "
                          "else; use at least " +
                          std::to_string(needed) + " sample images (" + std::to_string(2 * needed) +
                          " or more for a fair fit)"});
        }
        canHoldOut = heldOut > 0 && (n - heldOut) * positionsPerSample > unknowns;
      }
      for (int64_t i = 0; i < count; ++i)
        accumulate(canHoldOut && isHeldOut(start + i, heldOut) ? heldOutSums : fittedSums,
                   values[0], values[1], i, kh, kw, same);
    }
    std::optional<Fit> partial;
    if (canHoldOut) partial = solve(fittedSums, in, kh, kw);
    add(fittedSums, heldOutSums);
    heldOutSums = {};  // d^2 doubles: not kept through the solve below
    const Fit fit = solve(fittedSums, in, kh, kw);
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
    std::optional<GraphModule> unseen;
    if (partial) {
      WeightStore heldOutWeights = result.edit.model.weights;
      heldOutWeights.set(first, {toWeight(partial->kernel), toWeight(partial->bias)});
      unseen.emplace(result.edit.model.graph, heldOutWeights);
      unseen->to(samples.device());
    }
    ErrorSums onAll, onUnseen;
    for (int64_t start = 0; start < n; start += kSamplesPerPass) {
      const int64_t count = std::min(kSamplesPerPass, n - start);
      const torch::Tensor batch = samples.narrow(0, start, count);
      const torch::Tensor want = original.forward(batch, {second})[0];
      onAll.add(fused.forward(batch, {first})[0], want);
      if (!unseen) continue;
      std::vector<int64_t> rows;
      for (int64_t i = 0; i < count; ++i)
        if (isHeldOut(start + i, heldOut)) rows.push_back(i);
      if (rows.empty()) continue;
      const auto index = torch::tensor(rows, torch::kInt64).to(samples.device());
      onUnseen.add(unseen->forward(batch.index_select(0, index), {first})[0],
                   want.index_select(0, index));
    }
    result.relativeError = onAll.relative();
    if (unseen) {
      result.heldOutError = onUnseen.relative();
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
                         nonlinearityBetween(model, chain) + ")"};
    // Far worse on unseen images than on the fitted ones: the kernel learned the samples. More
    // positions per unknown is the cure.
    if (result.heldOutError && *result.heldOutError > 2 * result.relativeError &&
        *result.heldOutError > 1e-3)
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

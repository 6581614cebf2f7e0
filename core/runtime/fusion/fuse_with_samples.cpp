#include "runtime/fusion/fuse_with_samples.h"

#include <map>
#include <memory>
#include <set>

#include "graph/analysis.h"
#include "graph/surgery/fusable_chain.h"
#include "runtime/data/sample_inputs.h"
#include "runtime/fusion/fuse_with_sample_inputs.h"
#include "runtime/system/device.h"

namespace graft {

bool wantsLeastSquares(const Model& model, const Json& operation, bool exactRefused) {
  if (!operation.is_object() || operation.value("op", "") != "fuse") return false;
  const Json method = operation.value("method", Json());
  if (method == "least_squares") return true;
  if (!method.is_null()) return false;  // "exact" (or a mistake the core reports)
  return exactRefused && convolutionPairNamed(model, operation.value("layers", Json()));
}

RecipeStepRunner stepsWithSamples(SampleInputsFor samples,
                                  std::function<void(const ApproximateFusion&)> fitted) {
  return
      [samples = std::move(samples), fitted = std::move(fitted)](
          const Model& model, const Json& op, const EditOptions& options) -> Expected<EditResult> {
        if (!wantsLeastSquares(model, op, false)) {
          Expected<EditResult> exact = applyOperation(model, op, options);
          if (exact || !wantsLeastSquares(model, op, true)) return exact;
        }
        const Json& layers = op.at("layers");
        // Checked on the structure before any image is read.
        if (auto refused = leastSquaresRefusal(model, layers)) return *refused;
        const ConvolutionPair pair = *convolutionPairNamed(model, layers);
        // A linear chain (Conv2D -> BatchNormalization -> Conv2D named by its ends) fuses
        // exactly when named whole: no samples, no approximation.
        if (op.value("method", Json()).is_null()) {
          Json whole = op;
          whole["layers"] = chainBetween(model, pair.first, pair.second);
          if (whole["layers"].size() > 2)
            if (Expected<EditResult> exact = applyOperation(model, whole, options)) return exact;
        }
        torch::Tensor inputs;
        std::optional<int64_t> recorded;
        if (op.contains("samples") && op["samples"].is_number_integer() &&
            op["samples"].get<int64_t>() >= 1)
          recorded = op["samples"].get<int64_t>();
        try {
          inputs = samples(model, recorded);
        } catch (const Error& e) {
          return Diagnostic{"samples", e.what()};
        }
        Expected<ApproximateFusion> fit =
            fuseApproximately(model, pair.first, pair.second, inputs, options);
        if (!fit) {
          // A recorded step replays with its own count: that is what to raise.
          Diagnostics problems = fit.diagnostics();
          if (recorded)
            for (auto& problem : problems)
              if (problem.message.find("sample images") != std::string::npos)
                problem.message += " (this step's \"samples\" in the recipe)";
          return problems;
        }
        ApproximateFusion fusion = std::move(fit).value();
        if (fitted) fitted(fusion);
        return std::move(fusion.edit);
      };
}

SampleInputsFor sampleInputsFromFolder(std::string folder, int64_t count, int64_t freeInputSize,
                                       const torch::Device& device) {
  // Shared by copies of the function object: a recipe fusing several pairs at one input size
  // decodes the images once.
  struct Cache {
    std::map<int64_t, std::vector<std::string>> files;  // by count
    std::map<std::pair<Shape, int64_t>, torch::Tensor> inputs;
  };
  auto cache = std::make_shared<Cache>();
  return [folder = std::move(folder), count, freeInputSize, device, cache](
             const Model& model, std::optional<int64_t> recorded) {
    const int64_t wanted = recorded.value_or(count);
    auto& files = cache->files[wanted];
    if (files.empty()) files = listSampleImages(folder, wanted);
    const GraphAnalysis analysis = analyzeOrThrow(model.graph);
    const auto inputs = model.graph.inputs();
    const Shape shape = inputs.size() == 1 ? analysis.find(inputs[0])->outputShape : Shape{};
    const auto key = std::make_pair(shape, wanted);
    auto found = cache->inputs.find(key);
    if (found == cache->inputs.end())
      found = cache->inputs.emplace(key, loadSampleInputs(model, files, freeInputSize).to(device))
                  .first;
    return found->second;
  };
}

RecipeStepRunner stepsWithFolderSamples(std::string folder, int64_t count, int64_t freeInputSize,
                                        const DeviceChoice& device) {
  return stepsWithSamples(sampleInputsFromFolder(std::move(folder), count, freeInputSize,
                                                 resolveDevice(device).device));
}

}  // namespace graft

#include "export/export_check.h"

#include <opencv2/core.hpp>

#include <random>
#include <sstream>

#include "runtime/data/preprocess.h"
#include "runtime/module/graph_module.h"
#include "runtime/training/trainer_graph.h"

namespace graft::exporting {

namespace {

constexpr int64_t kSampleBatch = 2;
constexpr uint32_t kSampleSeed = 20240607;

bool preprocessable(int64_t channels, Preprocessing mode) {
  if (channels == 3) return true;
  return channels == 1 && mode != Preprocessing::Caffe && mode != Preprocessing::Torch;
}

// max |a - b| over the elements, equal values (the same infinity too) and NaN against NaN
// differing by nothing; NaN where one side alone is NaN.
double largestDifference(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor same = (a == b) | (torch::isnan(a) & torch::isnan(b));
  const torch::Tensor diff = torch::where(same, torch::zeros_like(a), (a - b).abs());
  return diff.numel() ? diff.max().item<double>() : 0.0;
}

// max(1, largest finite |value|): the scale differences are measured against.
double outputScale(const torch::Tensor& w) {
  const torch::Tensor finite = torch::isfinite(w);
  return finite.any().item<bool>()
             ? std::max(1.0, w.abs().masked_select(finite).max().item<double>())
             : 1.0;
}

}  // namespace

torch::Tensor sampleInput(const Model& model, const ExportPlan& plan, int64_t freeSize) {
  Shape shape = runtimeInputShape(plan.inputShape);
  shape[0] = kSampleBatch;
  for (size_t d = 1; d < shape.size(); ++d)
    if (shape[d] == kUnknown) shape[d] = freeSize;
  std::mt19937 rng(kSampleSeed);
  if (shape.size() == 4 && preprocessable(shape[1], model.preprocessing)) {
    // Pixels as images have them, so the check covers the value range the model will see.
    std::uniform_int_distribution<int> pixel(0, 255);
    std::vector<cv::Mat> images;
    for (int64_t n = 0; n < shape[0]; ++n) {
      cv::Mat image(static_cast<int>(shape[2]), static_cast<int>(shape[3]),
                    shape[1] == 3 ? CV_32FC3 : CV_32FC1);
      auto* values = image.ptr<float>();  // a new Mat is continuous
      for (size_t i = 0; i < image.total() * image.channels(); ++i)
        values[i] = static_cast<float>(pixel(rng));
      images.push_back(image);
    }
    return preprocessBatch(images, model.preprocessing);
  }
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  torch::Tensor t = torch::empty(shape, torch::kFloat32);
  float* data = t.data_ptr<float>();
  for (int64_t i = 0; i < t.numel(); ++i) data[i] = uniform(rng);
  return t;
}

torch::Tensor graftOutput(const Model& model, const torch::Tensor& input) {
  GraphModule module(model.graph, model.weights);
  return toKerasLayout(module.forward(input)).contiguous();
}

Comparison compareWithGraft(const torch::Tensor& got, const torch::Tensor& want, double tolerance,
                            const std::string& path, const std::string& reader) {
  if (got.sizes() != want.sizes()) {
    std::ostringstream s;
    s << path << ": " << reader << " returned shape " << got.sizes() << " where Graft computes "
      << want.sizes() << "; the export was not kept";
    throw Error(s.str());
  }
  const torch::Tensor g = got.to(torch::kFloat64), w = want.to(torch::kFloat64);
  Comparison c;
  c.maxDifference = largestDifference(g, w);
  c.allowed = tolerance * outputScale(w);
  if (!(c.maxDifference <= c.allowed)) {  // also catches NaN
    std::ostringstream s;
    s << path << ": " << reader << " does not reproduce Graft's output (largest difference "
      << c.maxDifference << ", allowed " << c.allowed << "); the export was not kept";
    throw Error(s.str());
  }
  return c;
}

namespace {

// `what` names the values judged, with its verb ("Graft's output is").
std::string sameValuesWarning(const torch::Tensor& values, double allowed,
                              const std::string& what) {
  const int64_t count = values.dim() > 0 ? values.size(0) : 0;
  if (count < 2) return "";
  const torch::Tensor w = values.to(torch::kFloat64);
  const double spread = largestDifference(w, w.select(0, 0).unsqueeze(0).expand_as(w));
  // float32 rounds a value of this scale by about 6e-8 of it: a spread within a few roundings
  // is no dependence on the input, even where the comparison allows nothing.
  const double rounding = 1e-6 * outputScale(w);
  if (!(spread <= std::max(allowed, rounding))) return "";
  std::ostringstream s;
  s << what << " the same for " << (count == 2 ? "both" : "all " + std::to_string(count))
    << " check inputs (they differ by at most " << spread << ", allowed " << allowed
    << "): it does not depend on the input there (random or untrained weights can do that), so "
       "this check cannot show that the file uses its input";
  return s.str();
}

// The values before the model's final softmax for `input`; undefined when it does not end in
// one (the graph training builds, trainer_graph.h).
torch::Tensor logitsBeforeSoftmax(const Model& model, const torch::Tensor& input) {
  TrainHead head;
  try {
    head = trainHead(model.graph);
  } catch (const Error&) {
    return {};  // not one vector of class scores
  }
  if (head.softmaxLayer.empty()) return {};
  GraphModule module(head.graph, weightsFor(head.graph, model.weights));
  return toKerasLayout(module.forward(input)).contiguous();
}

}  // namespace

std::string constantOutputWarning(const torch::Tensor& want, double allowed) {
  return sameValuesWarning(want, allowed, "Graft's output is");
}

std::string exportCheckWarning(const Model& model, const torch::Tensor& input,
                               const torch::Tensor& want, double tolerance) {
  const double allowed = tolerance * outputScale(want.to(torch::kFloat64));
  const std::string warning = constantOutputWarning(want, allowed);
  if (warning.empty()) return "";
  const torch::Tensor logits = logitsBeforeSoftmax(model, input);
  if (!logits.defined()) return warning;
  // The same relative precision at the logits' scale.
  return sameValuesWarning(logits, tolerance * outputScale(logits.to(torch::kFloat64)),
                           "Graft's logits (before the softmax) are");
}

}  // namespace graft::exporting

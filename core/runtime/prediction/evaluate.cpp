#include "runtime/prediction/evaluate.h"

#include <torch/torch.h>

#include <stdexcept>

#include "runtime/data/data_pipeline.h"
#include "runtime/data/skipped_files_json.h"
#include "runtime/module/graph_module.h"
#include "runtime/module/weight_penalties.h"
#include "runtime/system/device.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_loss.h"
#include "runtime/training/unreadable_images.h"

namespace graft {

ClassificationMetrics::ClassificationMetrics(size_t classes)
    : confusion_(classes, std::vector<int64_t>(classes, 0)) {}

void ClassificationMetrics::add(const torch::Tensor& predicted, const torch::Tensor& labels,
                                const torch::Tensor& losses) {
  const auto p = predicted.to(torch::kCPU, torch::kInt64).contiguous();
  const auto l = labels.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t n = l.numel();
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* lp = l.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    ++confusion_.at(static_cast<size_t>(lp[i])).at(static_cast<size_t>(pp[i]));
    if (pp[i] == lp[i]) ++correct_;
  }
  count_ += n;
  lossSum_ += losses.to(torch::kFloat64).sum().item<double>();
}

void MetricsInFlight::add(const torch::Tensor& predicted, const torch::Tensor& labels,
                          const torch::Tensor& losses) {
  // float64 holds class indices exactly; one copy for the three.
  HostCopy next(torch::stack(
      {predicted.to(torch::kFloat64), labels.to(torch::kFloat64), losses.to(torch::kFloat64)}));
  finish();
  pending_ = std::move(next);
}

void MetricsInFlight::finish() {
  if (pending_.empty()) return;
  const torch::Tensor rows = pending_.get();
  pending_ = HostCopy();
  into_.add(rows[0], rows[1], rows[2]);
}

std::vector<double> ClassificationMetrics::counts() const {
  std::vector<double> out;
  for (const auto& row : confusion_)
    for (auto v : row) out.push_back(static_cast<double>(v));
  out.push_back(lossSum_);
  return out;
}

ClassificationMetrics ClassificationMetrics::fromCounts(size_t classes,
                                                        const std::vector<double>& counts) {
  if (counts.size() != classes * classes + 1)
    throw std::invalid_argument("ClassificationMetrics::fromCounts: wrong number of counts");
  ClassificationMetrics metrics(classes);
  for (size_t t = 0; t < classes; ++t)
    for (size_t p = 0; p < classes; ++p) {
      const auto n = static_cast<int64_t>(counts[t * classes + p]);
      metrics.confusion_[t][p] = n;
      metrics.count_ += n;
      if (t == p) metrics.correct_ += n;
    }
  metrics.lossSum_ = counts.back();
  return metrics;
}

double ClassificationMetrics::accuracy() const {
  return count_ ? static_cast<double>(correct_) / static_cast<double>(count_) : 0.0;
}

double ClassificationMetrics::meanLoss() const {
  return count_ ? lossSum_ / static_cast<double>(count_) : 0.0;
}

std::vector<double> ClassificationMetrics::precision() const {
  std::vector<double> out(confusion_.size(), 0.0);
  for (size_t c = 0; c < confusion_.size(); ++c) {
    int64_t predicted = 0;
    for (const auto& row : confusion_) predicted += row[c];
    if (predicted) out[c] = static_cast<double>(confusion_[c][c]) / static_cast<double>(predicted);
  }
  return out;
}

std::vector<double> ClassificationMetrics::recall() const {
  std::vector<double> out(confusion_.size(), 0.0);
  const auto counts = support();
  for (size_t c = 0; c < confusion_.size(); ++c)
    if (counts[c]) out[c] = static_cast<double>(confusion_[c][c]) / static_cast<double>(counts[c]);
  return out;
}

std::vector<int64_t> ClassificationMetrics::support() const {
  std::vector<int64_t> out;
  for (const auto& row : confusion_) {
    int64_t n = 0;
    for (auto v : row) n += v;
    out.push_back(n);
  }
  return out;
}

EvalReport makeReport(const ClassificationMetrics& metrics,
                      const std::vector<std::string>& classes) {
  EvalReport report;
  report.accuracy = metrics.accuracy();
  report.loss = metrics.meanLoss();
  report.count = metrics.count();
  report.classes = classes;
  report.confusion = metrics.confusion();
  const auto precision = metrics.precision();
  const auto recall = metrics.recall();
  const auto support = metrics.support();
  for (size_t c = 0; c < classes.size(); ++c) {
    int64_t predicted = 0;
    for (const auto& row : report.confusion) predicted += row.at(c);
    ClassReport entry{classes[c], std::nullopt, std::nullopt, support[c]};
    if (predicted) entry.precision = precision[c];
    if (support[c]) entry.recall = recall[c];
    report.perClass.push_back(entry);
  }
  return report;
}

Json evalReportJson(const EvalReport& report) {
  Json out = Json::object();
  out["accuracy"] = report.accuracy;
  out["loss"] = report.loss;
  out["count"] = report.count;
  out["classes"] = report.classes;
  Json perClass = Json::array();
  const auto orNull = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  for (const auto& c : report.perClass)
    perClass.push_back({{"class", c.name},
                        {"precision", orNull(c.precision)},
                        {"recall", orNull(c.recall)},
                        {"count", c.count}});
  out["per_class"] = perClass;
  out["confusion_matrix"] = report.confusion;
  addSkippedFiles(out, report.skippedFiles);
  return out;
}

EvalReport evaluateModel(const Model& model, const ImageFolder& data, const EvalOptions& options,
                         const std::atomic<bool>* cancel) {
  const TrainHead head = trainHead(model.graph);
  if (head.classes != static_cast<int64_t>(data.classes.size()))
    throw Error(Diagnostic{head.graph.outputs()[0],
                           "the model predicts " + std::to_string(head.classes) + " classes but " +
                               data.root + " has " + std::to_string(data.classes.size())});
  const InputSpec input = inputSpecFor(model, options.freeInputSize);
  const ComputeDevice compute = resolveDevice(options.device);
  GraphModule module(head.graph, weightsFor(head.graph, model.weights));
  module.to(compute.device);
  module.train(false);

  auto skipped = std::make_shared<SkippedFiles>();
  LoaderOptions loaderOptions;
  loaderOptions.batchSize = options.batchSize;
  loaderOptions.workers = options.workers;
  loaderOptions.pinMemory = compute.device.is_cuda();
  BatchLoader loader(data.samples, input, loaderOptions, skipped);
  loader.startInOrder();

  ClassificationMetrics metrics(data.classes.size());
  MetricsInFlight inFlight(metrics);
  torch::NoGradGuard noGrad;
  while (auto batch = loader.next()) {
    if (cancel && cancel->load()) break;
    const auto output = module.forward(batch->images);
    const auto labels = batch->labels.to(compute.device, /*non_blocking=*/true);
    const auto losses = crossEntropyPerSample(output, labels, head.kind);
    inFlight.add(output.argmax(1), labels, losses);
  }
  inFlight.finish();
  if (metrics.count() == 0 && !(cancel && cancel->load())) {
    // An accuracy of 0 over 0 images would read as a result.
    const auto unreadable = skipped->list();
    std::string why = "none of the " + std::to_string(data.samples.size()) + " images in " +
                      data.root + " could be read";
    if (!unreadable.empty())
      why += " (" + unreadable.front().second +  // the reason names the file
             (unreadable.size() > 1 ? "; and " + std::to_string(unreadable.size() - 1) + " more"
                                    : std::string()) +
             ")";
    throw Error(why);
  }
  if (!(cancel && cancel->load())) {
    TrainingSet read;
    read.classes = data.classes;
    read.train = data.samples;
    if (auto why = tooManyUnreadable(read, *skipped, options.maxUnreadableFraction))
      throw Error(data.root + ": " + *why);
    if (auto why = classWithoutReadableImages(read, *skipped,
                                              "its accuracy cannot be measured; add readable "
                                              "images of it or remove the broken ones"))
      throw Error(data.root + ": " + *why);
  }
  EvalReport report = makeReport(metrics, data.classes);
  // Keras's evaluate adds the trainable weights' regularizers, as validation during fit does.
  if (const WeightPenalties penalties(head.graph, module); !penalties.empty())
    report.loss += penalties.total().item<double>();
  report.skippedFiles = skipped->list();
  return report;
}

EvalReport evaluateSpec(const Model& model, const EvalSpec& spec, int freeInputSize,
                        const std::atomic<bool>* cancel) {
  if (auto problem = validateEvalSpec(spec))
    throw Error(Diagnostic{problem->key, problem->message});
  // A trained model knows its class names: read the folder against them, so label i is the
  // same class for the model and the folder even when the folder lacks a class.
  ImageFolderOptions folderOptions;
  folderOptions.classes = model.labels;
  // Names that do not fit the model would be taken for the folder's classes ("the model
  // predicts 2 classes but DIR has 3" of a 2-class folder).
  if (!model.labels.empty()) {
    const TrainHead head = trainHead(model.graph);
    if (head.classes != static_cast<int64_t>(model.labels.size()))
      throw Error(Diagnostic{"labels", classNamesCount(model.labels.size()) +
                                           ", but the model predicts " +
                                           classesCount(head.classes)});
  }
  const ImageFolder folder = scanImageFolder(spec.data, folderOptions);
  EvalOptions options;
  options.batchSize = spec.batchSize;
  options.freeInputSize = freeInputSize;
  options.device = *parseDeviceChoice(spec.device);  // validateEvalSpec checked it
  options.maxUnreadableFraction = spec.maxUnreadable;
  return evaluateModel(model, folder, options, cancel);
}

}  // namespace graft

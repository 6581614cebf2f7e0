#include "runtime/explore/cut_explorer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <unordered_map>

#include "graph/analysis.h"
#include "graph/cut_candidates.h"
#include "graph/nested_model.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/data/dataset_random.h"
#include "runtime/data/skipped_files_json.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/predict_output.h"
#include "runtime/system/clock.h"
#include "runtime/system/device.h"
#include "runtime/training/unreadable_images.h"

namespace graft {

namespace {

using Clock = std::chrono::steady_clock;

// Whether featuresOf keeps a map whole besides its average: small enough, and more than 1 x 1.
bool keepsMap(const torch::Tensor& output, int64_t flattenLimit) {
  return output.dim() == 4 && output.size(1) * output.size(2) * output.size(3) <= flattenLimit &&
         output.size(2) * output.size(3) > 1;
}

// A layer's output as one feature row per image: the global average of a map (what a pooled
// head sees), followed by the whole map in Keras's layout when it is small enough to keep
// where things are; other ranks flattened.
torch::Tensor featuresOf(const torch::Tensor& output, int64_t flattenLimit) {
  const auto t = output.to(torch::kFloat32);
  if (t.dim() == 4) {
    const auto pooled = t.mean({2, 3});
    if (keepsMap(t, flattenLimit))
      return torch::cat({pooled, toKerasLayout(t).reshape({t.size(0), -1})}, 1);
    return pooled;
  }
  if (t.dim() == 1) return t.reshape({t.size(0), 1});
  return t.reshape({t.size(0), -1});
}

struct LinearFit {
  double valAccuracy = 0.0;
  torch::Tensor weight, bias;     // on standardised features: (features, classes), (classes)
  torch::Tensor mean, deviation;  // the standardisation: (1, features) each
};

// The seed of a candidate's fit: from its name, not its place in the list, so a layer scores the
// same whichever other layers are measured beside it (pooled features identical to another
// layer's scored 1.000 in one list and 0.975 in another). FNV-1a: the same on every platform.
uint64_t candidateSeed(uint64_t seed, const std::string& layer) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : layer) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return deriveSeed(seed, hash);
}

// Softmax regression on standardised features (the training rows' mean and deviation), fitted
// with Adam from zero weights over shuffled mini-batches; the share of validation rows whose
// highest score is their class.
LinearFit fitAndScore(const torch::Tensor& hostTrain, const torch::Tensor& hostTrainLabels,
                      const torch::Tensor& hostValidation,
                      const torch::Tensor& hostValidationLabels, int64_t classes,
                      const CutExplorerOptions& options, uint64_t seed,
                      const torch::Device& device) {
  const auto train = hostTrain.to(device);
  const auto trainLabels = hostTrainLabels.to(device);
  const auto validation = hostValidation.to(device);
  const auto validationLabels = hostValidationLabels.to(device);
  const auto mean = train.mean(0, true);
  // A feature that barely varies (a channel its ReLU keeps at 0 for all but a few images),
  // divided by its own tiny deviation, got a weight of 10^4-10^5 once folded into a head's
  // kernel (setHeadWeights): the first training step through it blew the loss up to thousands.
  // Its deviation counts as at least a tenth of the features' mean one.
  const auto spread = train.std(0, /*unbiased=*/false, true);
  const double meanSpread = spread.mean().item<double>();
  const double floor = std::isfinite(meanSpread) ? std::max(1e-6, 0.1 * meanSpread) : 1e-6;
  const auto deviation = spread.clamp_min(floor);
  const auto x = (train - mean) / deviation;
  const auto xv = (validation - mean) / deviation;
  const int64_t rows = x.size(0);
  const int64_t features = x.size(1);

  const auto onDevice = torch::TensorOptions().device(device).requires_grad(true);
  auto weight = torch::zeros({features, classes}, onDevice);
  auto bias = torch::zeros({classes}, onDevice);
  torch::optim::Adam optimizer({weight, bias}, torch::optim::AdamOptions(options.learningRate));
  // L2 on the weights as scikit-learn's LogisticRegression() has it (C = 1: ||w||^2 / 2 against
  // the summed loss). Nearly unregularised, the fit separated a small training split with
  // unbounded scores, and a head started from it had nothing left to learn (loss 0 from the
  // first batch of fine-tuning).
  const double l2 = 0.5 / static_cast<double>(std::max<int64_t>(rows, 1));
  const int64_t batch = 64;
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 random(seed);
  // Small folders have few batches per pass: at least 200 updates, so "a few epochs" is
  // enough to converge whatever the size.
  const int64_t perEpoch = (rows + batch - 1) / batch;
  const int64_t epochs = std::max<int64_t>(options.epochs, (200 + perEpoch - 1) / perEpoch);
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), random);
    const auto shuffled = torch::tensor(order, torch::kInt64).to(device);
    for (int64_t start = 0; start < rows; start += batch) {
      const auto idx = shuffled.slice(0, start, std::min(rows, start + batch));
      const auto logits = x.index_select(0, idx).matmul(weight) + bias;
      const auto loss =
          torch::nn::functional::cross_entropy(logits, trainLabels.index_select(0, idx)) +
          weight.square().sum() * l2;
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
  }
  torch::NoGradGuard noGrad;
  const auto predicted = (xv.matmul(weight) + bias).argmax(1);
  LinearFit fit;
  fit.valAccuracy = predicted.eq(validationLabels).to(torch::kFloat64).mean().item<double>();
  fit.weight = weight.detach();
  fit.bias = bias.detach();
  fit.mean = mean;
  fit.deviation = deviation;
  return fit;
}

// The fitted classifier as the Dense of the head a cut here gets (ui/doc/cut_with_head.h), on
// the raw values that head sees: the standardisation folded in, and with a kept map the pooled
// part folded into the map (each pooled value is the mean of its channel over the positions).
// Only where the head sees exactly these features: a pooled map, a kept map of known size, a
// vector. Empty kernel otherwise.
void setHeadWeights(const LinearFit& fit, const Shape& output, bool mapKept,
                    CutCandidateResult& result) {
  const auto w = (fit.weight / fit.deviation.t()).to(torch::kCPU, torch::kFloat64);  // (f, k)
  const auto b = (fit.bias - (fit.mean / fit.deviation).matmul(fit.weight).squeeze(0))
                     .to(torch::kCPU, torch::kFloat64);
  torch::Tensor kernel;
  if (output.size() == 4 && mapKept) {
    const int64_t h = output[1], width = output[2], c = output[3];
    if (h <= 0 || width <= 0 || c <= 0 || w.size(0) != c + h * width * c) return;
    const auto pooled = w.narrow(0, 0, c) / static_cast<double>(h * width);  // (c, k)
    kernel = (w.narrow(0, c, h * width * c).reshape({h * width, c, -1}) + pooled.unsqueeze(0))
                 .reshape({h * width * c, -1});
  } else if (output.size() == 4 || output.size() == 2) {
    kernel = w;
  } else {
    return;
  }
  const auto k = kernel.to(torch::kFloat32).contiguous();
  const auto bias = b.to(torch::kFloat32).contiguous();
  result.headKernel.assign(k.data_ptr<float>(), k.data_ptr<float>() + k.numel());
  result.headBias.assign(bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel());
}

}  // namespace

Json cutExplorerReportJson(const CutExplorerReport& report) {
  Json candidates = Json::array();
  for (const auto& c : report.candidates)
    candidates.push_back({{"layer", c.layer},
                          {"val_accuracy", c.valAccuracy},
                          {"feature_size", c.featureSize},
                          {"features", c.keepsMap ? "pooled_and_map" : "pooled"},
                          {"prefix_params", c.prefixParams},
                          {"ms_per_image", c.msPerImage}});
  Json out = Json::object();
  out["candidates"] = candidates;
  out["classes"] = report.classes;
  out["train_images"] = report.trainImages;
  out["validation_images"] = report.validationImages;
  out["seconds"] = report.featureSeconds + report.fitSeconds;
  if (!report.device.empty()) out["device"] = report.device;
  addSkippedFiles(out, report.skippedFiles);
  return out;
}

std::vector<std::string> explorerLayers(const Graph& graph,
                                        const std::vector<std::string>& requested) {
  if (requested.empty()) {
    auto layers = cutCandidates(graph);
    if (layers.empty())
      throw Error(
          "the model has no layer with a spatial output to cut at: name layers with "
          "--layers");
    return layers;
  }
  std::vector<std::string> unknown;
  std::set<std::string> seen;
  for (const auto& name : requested) {
    if (const auto nested = nestedModelNotALayer(graph, name))
      throw Error(Diagnostic{name, *nested});
    if (!graph.find(name)) unknown.push_back(name);
    if (!seen.insert(name).second) throw Error("layer " + name + " is named twice");
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    throw Error("no layer named " + list + " in the model (graft-cli summary MODEL lists them)");
  }
  for (const auto& name : requested) {
    const Node& node = graph.at(name);
    if (node.className == "InputLayer")
      throw Error("layer " + name + " is the model's input: there is nothing before it to measure");
    // Class probabilities are the model's answer, not features: a cut there stacked a second
    // softmax classifier on the first one's output.
    const std::string activation = node.className == "Softmax" ? "softmax" : activationOf(node);
    if (isSoftmaxActivation(activation))
      throw Error("layer " + name + " ends in " + activation +
                  ": its outputs are class probabilities, not features to cut at; name a layer "
                  "before it");
  }
  const auto order = graph.topologicalOrder().value();
  std::unordered_map<std::string, size_t> depth;
  for (size_t i = 0; i < order.size(); ++i) depth[graph.nodes()[order[i]].name] = i;
  auto layers = requested;
  std::sort(layers.begin(), layers.end(),
            [&](const std::string& a, const std::string& b) { return depth[a] < depth[b]; });
  return layers;
}

CutExplorerReport exploreCutPoints(const Model& model, const TrainingSet& data,
                                   const std::vector<std::string>& layers,
                                   const CutExplorerOptions& options,
                                   const CutExplorerObserver& observer,
                                   const std::atomic<bool>* cancel) {
  if (model.graph.inputs().size() != 1 || model.graph.outputs().size() != 1)
    throw Error("the explorer needs a model with one input and one output");
  const ComputeDevice compute = resolveDevice(options.device);
  GraphModule module(model.graph, model.weights);
  module.train(false);
  module.to(compute.device);
  module.useChannelsLast(
      computesChannelsLast(ChannelsLast::Auto, compute, Precision::Float32, model.graph));
  const LayerOutputs forward = [&module](const torch::Tensor& images,
                                         const std::vector<std::string>& names) {
    return module.forward(images, names);
  };
  CutExplorerReport report =
      exploreCutPoints(model, data, layers, options, forward, compute.device, observer, cancel);
  report.device = compute.name;
  return report;
}

CutExplorerReport exploreCutPoints(const Model& model, const TrainingSet& data,
                                   const std::vector<std::string>& layers,
                                   const CutExplorerOptions& options, const LayerOutputs& forward,
                                   const torch::Device& device, const CutExplorerObserver& observer,
                                   const std::atomic<bool>* cancel) {
  if (layers.empty()) throw Error("no layers to measure");
  if (data.classes.size() < 2)
    throw Error("the explorer needs at least two classes (found " +
                std::to_string(data.classes.size()) + ")");
  if (data.train.empty()) throw Error("no training images to fit the classifiers on");
  if (data.validation.empty())
    // A split keeps one training image per class: with one image per class nothing is left
    // to validate on whatever the share, and "give a share" would send the user in circles.
    throw Error(
        "the explorer needs validation images to score the candidates, and none were held out "
        "(" +
        std::to_string(data.train.size()) + " training images of " +
        std::to_string(data.classes.size()) +
        " classes: a split keeps at least one image of each class for training, so a class "
        "needs two images to give one to validation); give a validation share (--val-split "
        "above 0), more images per class, or a validation folder (--val-dir)");
  const auto isCancelled = [cancel] { return cancel && cancel->load(); };
  CutExplorerReport report;
  // A free-size model is measured at the size train, eval and predict take without one.
  const InputSpec input = inputSpecFor(model, options.freeInputSize > 0
                                                  ? options.freeInputSize
                                                  : static_cast<int>(defaultFreeInputSide(model)));

  // 1. One pass: every image once through the network, every candidate's output kept pooled.
  std::vector<ImageSample> samples = data.train;
  samples.insert(samples.end(), data.validation.begin(), data.validation.end());
  const size_t trainCount = data.train.size();
  LoaderOptions loaderOptions;
  loaderOptions.batchSize = options.batchSize;
  loaderOptions.workers = options.workers;
  loaderOptions.seed = options.seed;
  loaderOptions.pinMemory = device.is_cuda();
  auto skipped = std::make_shared<SkippedFiles>();
  BatchLoader loader(samples, input, loaderOptions, skipped);
  loader.startInOrder();
  const size_t batches =
      (samples.size() + static_cast<size_t>(options.batchSize) - 1) / options.batchSize;
  std::vector<std::vector<torch::Tensor>> features(layers.size());
  std::vector<char> mapKept(layers.size(), 0);  // per candidate: keepsMap, the same every batch
  std::vector<torch::Tensor> labels;
  std::vector<torch::Tensor> isTrain;
  torch::Tensor timingImages;
  const auto featureStart = Clock::now();
  size_t done = 0;
  while (auto batch = loader.next()) {
    if (isCancelled()) {
      report.cancelled = true;
      return report;
    }
    const auto outputs = forward(batch->images, layers);
    if (outputs.size() != layers.size())
      throw Error("internal: the network returned " + std::to_string(outputs.size()) +
                  " outputs for " + std::to_string(layers.size()) + " layers");
    for (size_t k = 0; k < layers.size(); ++k) {
      features[k].push_back(featuresOf(outputs[k], options.flattenLimit).to(torch::kCPU));
      mapKept[k] = keepsMap(outputs[k], options.flattenLimit);
    }
    labels.push_back(batch->labels);
    std::vector<int64_t> train;
    for (size_t s : batch->samples) train.push_back(s < trainCount ? 1 : 0);
    isTrain.push_back(torch::tensor(train, torch::kInt64));
    if (!timingImages.defined())
      timingImages =
          batch->images.slice(0, 0, std::max(1, options.timingImages)).clone().to(device);
    ++done;
    if (observer) {
      const double elapsed = secondsSince(featureStart);
      observer({"features", done, batches,
                elapsed / static_cast<double>(done) * static_cast<double>(batches - done)});
    }
  }
  report.featureSeconds = secondsSince(featureStart);
  report.skippedFiles = skipped->list();
  if (labels.empty()) throw Error("none of the images could be read");
  // Scored without a class, the rest looked perfectly told apart (100 %).
  if (auto why = classWithoutReadableImages(data, *skipped)) throw Error(*why);
  if (auto why = classWithoutReadableTrainingImages(data, *skipped)) throw Error(*why);
  if (auto why = tooManyUnreadable(data, *skipped, options.maxUnreadableFraction))
    throw Error(*why);

  const auto allLabels = torch::cat(labels);
  const auto trainMask = torch::cat(isTrain).eq(1);
  const auto trainRows = trainMask.nonzero().flatten();
  const auto validationRows = trainMask.logical_not().nonzero().flatten();
  report.classes = data.classes;
  report.trainImages = trainRows.size(0);
  report.validationImages = validationRows.size(0);
  if (report.trainImages == 0 || report.validationImages == 0)
    throw Error("too few readable images: " + std::to_string(report.trainImages) +
                " for training and " + std::to_string(report.validationImages) + " for validation");

  // 2. A linear classifier per candidate, and the prefix's cost.
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const auto fitStart = Clock::now();
  const auto classes = static_cast<int64_t>(data.classes.size());
  for (size_t k = 0; k < layers.size(); ++k) {
    if (isCancelled()) {
      report.cancelled = true;
      report.candidates.clear();
      return report;
    }
    const auto all = torch::cat(features[k]);
    features[k].clear();  // memory back as we go
    CutCandidateResult result;
    result.layer = layers[k];
    result.featureSize = all.size(1);
    result.keepsMap = mapKept[k] != 0;
    result.prefixParams = prefixParameters(model.graph, analysis, layers[k]);
    const LinearFit fit =
        fitAndScore(all.index_select(0, trainRows), allLabels.index_select(0, trainRows),
                    all.index_select(0, validationRows), allLabels.index_select(0, validationRows),
                    classes, options, candidateSeed(options.seed, layers[k]), device);
    result.valAccuracy = fit.valAccuracy;
    if (const NodeInfo* info = analysis.find(layers[k]))
      setHeadWeights(fit, info->outputShape, result.keepsMap, result);
    {
      // The fastest of five calls: the first after a change of batch size pays for allocation
      // (oneDNN plans per shape), which is not the layer's cost, and on a busy machine one or
      // two calls can take many times longer (a deeper prefix read cheaper than a shallower).
      torch::NoGradGuard noGrad;
      double best = 0.0;
      for (int repeat = 0; repeat < 5; ++repeat) {
        const auto start = Clock::now();
        forward(timingImages, {layers[k]});
        finishQueuedWork(device);
        const double seconds = secondsSince(start);
        best = repeat == 0 ? seconds : std::min(best, seconds);
      }
      result.msPerImage = best * 1000.0 / static_cast<double>(timingImages.size(0));
    }
    report.candidates.push_back(result);
    if (observer) {
      const double elapsed = secondsSince(fitStart);
      observer({"fit", k + 1, layers.size(),
                elapsed / static_cast<double>(k + 1) * static_cast<double>(layers.size() - k - 1)});
    }
  }
  report.fitSeconds = secondsSince(fitStart);
  return report;
}

}  // namespace graft

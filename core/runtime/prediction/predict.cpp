#include "runtime/prediction/predict.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>

#include "graph/analysis.h"
#include "graph/one_output.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/data/image_resize.h"
#include "runtime/data/preprocess.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/predict_output.h"
#include "runtime/system/device.h"

namespace graft {

namespace {

struct Signature {
  Shape input;
  Shape output;
  bool classVector = false;  // see outputIsClassVector
};

// The model's one image input and one output, and labels that fit the output, checked before
// the module is built.
Signature signatureOf(const Graph& graph, const std::vector<std::string>& labels) {
  const std::vector<std::string> inputs = graph.inputs();
  if (inputs.size() != 1)
    throw Error("predict needs a model with one input; '" + graph.name() + "' has " +
                std::to_string(inputs.size()));
  requireOneOutput(graph, "predict needs");
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  Signature s{analysis.find(inputs.front())->outputShape,
              analysis.find(graph.outputs().front())->outputShape};
  if (!isImageInput(s.input, true))
    throw Error(Diagnostic{inputs.front(),
                           "predict needs an image input (None, height, width, 1 "
                           "or 3 channels) or (None, height, width), the model's is " +
                               shapeToString(s.input)});
  const Shape perImage(s.output.begin() + 1, s.output.end());
  s.classVector = outputIsClassVector(graph, perImage);
  checkLabelsFitOutput(labels, graph, perImage);
  return s;
}

}  // namespace

struct Predictor::State {
  Signature signature;
  ComputeDevice compute;
  GraphModule module;
  Preprocessing preprocessing;
  std::vector<std::string> labels;
  int64_t zooSize;

  State(const Model& model, const DeviceChoice& device, ChannelsLast order)
      : signature(signatureOf(model.graph, model.labels)),
        compute(resolveDevice(device)),
        module(model.graph, model.weights),
        preprocessing(model.preprocessing),
        labels(model.labels),
        // A free input: the size the model was trained at, else the architecture's.
        zooSize(defaultFreeInputSide(model)) {
    module.to(compute.device);
    module.useChannelsLast(computesChannelsLast(order, compute, Precision::Float32, model.graph));
    module.train(false);
  }

  // Decoded, upright, resized and in the model's channel count: ready for preprocessing.
  cv::Mat prepare(const std::string& file, const PredictOptions& options) const {
    return loadImageForInput(file, signature.input,
                             FreeInputSize{options.freeInputSize.value_or(zooSize)});
  }

  // One forward pass; fills the results of the images in the batch.
  void forward(const std::vector<cv::Mat>& images, const std::vector<size_t>& indices,
               const PredictOptions& options, std::vector<ImagePrediction>& results) {
    try {
      torch::Tensor out;
      {
        c10::InferenceMode inference;
        out = toKerasLayout(
            module.forward(asModelInput(preprocessBatch(images, preprocessing), signature.input)));
        out = out.to(torch::kCPU, torch::kFloat32).contiguous();
      }
      if (out.dim() < 1 || out.size(0) != static_cast<int64_t>(images.size()))
        throw Error("the model returned " + std::to_string(out.dim() ? out.size(0) : 0) +
                    " results for " + std::to_string(images.size()) + " images");
      const Shape shape(out.sizes().begin() + 1, out.sizes().end());
      const auto perImage = static_cast<size_t>(out.numel() / out.size(0));
      const float* data = out.data_ptr<float>();
      for (size_t i = 0; i < indices.size(); ++i) {
        ImagePrediction& r = results[indices[i]];
        r.shape = shape;
        r.output.assign(data + i * perImage, data + (i + 1) * perImage);
        if (signature.classVector) r.top = topK(r.output, options.topK, labels);
      }
    } catch (const std::exception& e) {
      for (size_t index : indices)
        results[index].error =
            results[index].file + ": the model failed on this image: " + e.what();
    }
  }
};

Predictor::Predictor(const Model& model, const DeviceChoice& device, ChannelsLast order)
    : state_(std::make_unique<State>(model, device, order)) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

const Shape& Predictor::inputShape() const {
  return state_->signature.input;
}
const Shape& Predictor::outputShape() const {
  return state_->signature.output;
}

const std::string& Predictor::deviceName() const {
  return state_->compute.name;
}
bool Predictor::autoChoseGpu() const {
  return state_->compute.chosenByAuto && state_->compute.device.is_cuda();
}

std::vector<ImagePrediction> Predictor::run(
    const std::vector<std::string>& files, const PredictOptions& options,
    const std::function<void(const ImagePrediction&)>& onResult) {
  if (options.batchSize < 1) throw Error("the batch size must be at least 1");
  if (options.freeInputSize && *options.freeInputSize < 0)
    throw Error("the input size for models that accept any size must not be negative");

  std::vector<ImagePrediction> results(files.size());
  std::vector<bool> done(files.size(), false);
  size_t nextToReport = 0;
  auto report = [&] {
    while (nextToReport < files.size() && done[nextToReport]) {
      if (onResult) onResult(results[nextToReport]);
      ++nextToReport;
    }
  };

  // Consecutive images of the same target size share a batch; the order is kept.
  std::vector<cv::Mat> batch;
  std::vector<size_t> batchIndices;
  auto flush = [&] {
    if (batch.empty()) return;
    state_->forward(batch, batchIndices, options, results);
    for (size_t index : batchIndices) done[index] = true;
    batch.clear();
    batchIndices.clear();
    report();
  };

  for (size_t i = 0; i < files.size(); ++i) {
    results[i].file = files[i];
    cv::Mat image;
    try {
      image = state_->prepare(files[i], options);
    } catch (const std::exception& e) {
      // OpenCV's and the allocator's messages do not say which file: the skip line must.
      const std::string message = e.what();
      results[i].error =
          message.rfind(files[i] + ": ", 0) == 0 ? message : files[i] + ": " + message;
      done[i] = true;
      if (batch.empty()) report();
      continue;
    }
    if (!batch.empty() && batch.front().size() != image.size()) flush();
    batch.push_back(std::move(image));
    batchIndices.push_back(i);
    if (static_cast<int64_t>(batch.size()) >= options.batchSize) flush();
  }
  flush();
  report();
  return results;
}

}  // namespace graft

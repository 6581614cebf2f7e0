#pragma once
// Grad-CAM (Selvaraju et al., 2017): which parts of an image a layer's features use to speak
// for a class. The class score is differentiated with respect to the layer's activation A
// (channels c, height, width); each channel's weight is the spatial mean of that gradient, and
// the map is ReLU(sum_c w_c A_c) at the layer's resolution. runtime/prediction/layer_maps.h is the
// torch-free face the CLI and the GUI use.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "graph/model.h"

namespace graft {

// The layer Grad-CAM uses when none is named: the last layer in topological order whose output
// is a spatial map, (None, H, W, C) with H and W above 1 — the end of the last convolutional
// block, before the head pools it away. vgg16: block5_pool (7 x 7; the pooled map of
// block5_conv3, the same evidence at half the resolution), mobilenet: conv_pw_13_relu,
// resnet50: conv5_block3_out (activation_49 in keras-applications naming). Throws graft::Error
// when the model has no such layer.
std::string defaultGradCamLayer(const Graph& graph);

// Throws graft::Error naming `layer` unless the graph has it and its output is a spatial map.
void checkSpatialLayer(const Graph& graph, const std::string& layer);

// Grad-CAM's map from one image's activation (C, H, W) and d score / d activation (same
// shape): w_c = mean over H and W of the gradient, map = ReLU(sum_c w_c A_c) divided by its
// maximum, so the strongest evidence is 1 (all zero when nothing speaks for the class).
// Returns (H, W) float32 in [0, 1].
torch::Tensor gradCamFromGradient(const torch::Tensor& activation, const torch::Tensor& gradient);

struct GradCamResult {
  torch::Tensor map;       // (H, W) in [0, 1], the layer's resolution
  int64_t classIndex = 0;  // the class it explains
  // The model's prediction for the image, by predict's rule (predictedClass in
  // runtime/prediction/predict_result.h), so the two never name different classes.
  int64_t predictedClass = 0;
  torch::Tensor scores;  // (classes): the scores that were differentiated (see GradCamModule)
};

// The model's network with the autograd graph kept from any layer to the class scores.
// The score differentiated is the pre-softmax one, as in Grad-CAM's paper: when the output
// layer is a Dense or Conv2D with a softmax activation the activation is dropped, and when it
// is a Softmax layer or Activation('softmax') its input is the score. (Softmax couples the
// classes: the gradient of a probability also holds every other class's evidence.) A sigmoid
// output is kept: its derivative is a positive factor that the normalisation removes.
class GradCamModule {
 public:
  // Throws graft::Error when the model has not one input and one (N, classes) output. It
  // computes on `device`; its results are on the CPU.
  GradCamModule(const Graph& graph, const WeightStore& weights,
                const torch::Device& device = torch::kCPU);
  ~GradCamModule();
  GradCamModule(GradCamModule&&) noexcept;
  GradCamModule& operator=(GradCamModule&&) noexcept;

  // `input`: one preprocessed image, (1, C, H, W) as GraphModule takes it. classIndex unset:
  // the predicted class (the highest score). Throws graft::Error naming the layer when it is
  // unknown or has no spatial map, and for a class index out of range.
  GradCamResult run(const torch::Tensor& input, const std::string& layer,
                    std::optional<int64_t> classIndex = std::nullopt);

  int64_t classes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace graft

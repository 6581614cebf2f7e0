// Each activation exactly as Keras defines it in keras/activations.py (Keras 2, tf.keras) and
// keras/src/activations/activations.py (Keras 3: hard_silu, hard_swish, mish).
#include "runtime/layers/activations.h"

#include <map>

#include "runtime/layers/op_helpers.h"

namespace graft::runtime {
namespace {

torch::Tensor relu(const torch::Tensor& x) {
  return torch::relu(x);
}
// hardtanh rather than clamp: same values, a much cheaper backward, TensorFlow's gradient.
torch::Tensor relu6(const torch::Tensor& x) {
  return clipWithFlatEnds(x, 0.0, 6.0);
}
torch::Tensor sigmoid(const torch::Tensor& x) {
  return torch::sigmoid(x);
}
// "hard_sigmoid" names two functions: Keras 2 (keras/backend.py up to 2.15, and tf.keras)
// computes clip(0.2 x + 0.5, 0, 1); Keras 3 (keras/src/backend/*/nn.py) relu6(x + 3) / 6, slope
// 1/6. A layer config says only "hard_sigmoid". Graft's graphs speak Keras 2's vocabulary (its
// own saves are stamped Keras 2), so "hard_sigmoid" is Keras 2's; the reader of Keras 3 configs
// (graph/keras_json: metadata.json or keras_version 3.x, or Keras 3's config form) renames
// Keras 3's to "hard_sigmoid_keras3".
torch::Tensor hardSigmoid(const torch::Tensor& x) {
  return torch::clamp(x * 0.2 + 0.5, 0.0, 1.0);
}
// Keras 3: relu6(x + 3) / 6, in that order.
torch::Tensor hardSigmoidKeras3(const torch::Tensor& x) {
  return torch::clamp(x + 3.0, 0.0, 6.0) / 6.0;
}
// Keras 3 hard_silu (alias hard_swish): x * relu6(x + 3) / 6, which is LibTorch's hardswish.
torch::Tensor hardSilu(const torch::Tensor& x) {
  return torch::hardswish(x);
}
// Keras 3 mish: x * tanh(softplus(x)).
torch::Tensor mish(const torch::Tensor& x) {
  return torch::mish(x);
}
torch::Tensor tanh(const torch::Tensor& x) {
  return torch::tanh(x);
}
// Over the last Keras axis: channels, which is dimension 1 of a rank-4 NCHW tensor.
torch::Tensor softmax(const torch::Tensor& x) {
  return torch::softmax(x, x.dim() == 4 ? 1 : -1);
}
// Keras's log_softmax (keras.activations.log_softmax; tf.nn.log_softmax in tf.keras), over the
// same axis as softmax: log(softmax(x)) computed stably, so a confident class reads 0, not -0.
torch::Tensor logSoftmax(const torch::Tensor& x) {
  return torch::log_softmax(x, x.dim() == 4 ? 1 : -1);
}
torch::Tensor elu(const torch::Tensor& x) {
  return torch::elu(x);
}  // alpha 1
// Keras's selu constants are those of Klambauer et al., the same as LibTorch's.
torch::Tensor selu(const torch::Tensor& x) {
  return torch::selu(x);
}
torch::Tensor swish(const torch::Tensor& x) {
  return torch::silu(x);
}  // x * sigmoid(x)
torch::Tensor softplus(const torch::Tensor& x) {
  return torch::softplus(x);
}
torch::Tensor softsign(const torch::Tensor& x) {
  return x / (torch::abs(x) + 1.0);
}
torch::Tensor exponential(const torch::Tensor& x) {
  return torch::exp(x);
}
// Keras's gelu activation defaults to approximate=False: 0.5 x (1 + erf(x / sqrt(2))). A config
// names the activation only ("gelu"): keras.activations.serialize keeps no arguments, so the
// tanh form (approximate=True) never reaches a saved model and is not read here.
torch::Tensor gelu(const torch::Tensor& x) {
  return torch::gelu(x);
}

// Keras 3's leaky_relu activation: negative_slope 0.2 (keras.activations.leaky_relu's default;
// the LeakyReLU layer's is 0.3).
torch::Tensor leakyRelu(const torch::Tensor& x) {
  return torch::leaky_relu(x, 0.2);
}
const std::map<std::string, ActivationFn>& table() {
  static const std::map<std::string, ActivationFn> functions = {
      {"linear", nullptr},
      {"relu", relu},
      {"relu6", relu6},
      {"sigmoid", sigmoid},
      {"tanh", tanh},
      {"hard_sigmoid", hardSigmoid},
      {"softmax", softmax},
      {"log_softmax", logSoftmax},
      {"elu", elu},
      {"selu", selu},
      {"swish", swish},
      {"silu", swish},
      {"softplus", softplus},
      {"softsign", softsign},
      {"exponential", exponential},
      {"gelu", gelu},
      {"hard_silu", hardSilu},
      {"hard_swish", hardSilu},
      {"mish", mish},
      {"leaky_relu", leakyRelu},
      {"hard_sigmoid_keras3", hardSigmoidKeras3}};
  return functions;
}

}  // namespace

torch::Tensor clipWithFlatEnds(const torch::Tensor& x, double low, double high) {
  if (x.is_cpu() && (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf))
    return torch::hardtanh(x.to(torch::kFloat32), low, high).to(x.scalar_type());
  return torch::hardtanh(x, low, high);
}

ActivationFn activationFunction(const Node& node, const Json& activation) {
  if (activation.is_null()) return nullptr;
  if (activation.is_string()) {
    auto it = table().find(activation.get<std::string>());
    if (it != table().end()) return it->second;
  }
  std::string known;
  for (const auto& [name, fn] : table()) known += (known.empty() ? "" : ", ") + name;
  throw layerError(node, "unknown activation " + activation.dump() + "; expected one of " + known);
}

}  // namespace graft::runtime

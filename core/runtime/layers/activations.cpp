// Each activation exactly as Keras 2 (tf.keras, the version that writes the .h5 files Graft reads)
// defines it in keras/activations.py.
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
  return torch::hardtanh(x, 0.0, 6.0);
}
torch::Tensor sigmoid(const torch::Tensor& x) {
  return torch::sigmoid(x);
}
// Keras 2: clip(0.2 x + 0.5, 0, 1). (Keras 3 changed it to relu6(x + 3) / 6, i.e. slope 1/6; the
// h5 files Graft reads come from Keras 2, so the Keras 2 definition is the one that reproduces
// the numbers the weights were trained with.)
torch::Tensor hardSigmoid(const torch::Tensor& x) {
  return torch::clamp(x * 0.2 + 0.5, 0.0, 1.0);
}
torch::Tensor tanh(const torch::Tensor& x) {
  return torch::tanh(x);
}
// Over the last Keras axis: channels, which is dimension 1 of a rank-4 NCHW tensor.
torch::Tensor softmax(const torch::Tensor& x) {
  return torch::softmax(x, x.dim() == 4 ? 1 : -1);
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
// Keras's gelu defaults to approximate=False: 0.5 x (1 + erf(x / sqrt(2))).
torch::Tensor gelu(const torch::Tensor& x) {
  return torch::gelu(x);
}

const std::map<std::string, ActivationFn>& table() {
  static const std::map<std::string, ActivationFn> functions = {
      {"linear", nullptr},    {"relu", relu},
      {"relu6", relu6},       {"sigmoid", sigmoid},
      {"tanh", tanh},         {"hard_sigmoid", hardSigmoid},
      {"softmax", softmax},   {"elu", elu},
      {"selu", selu},         {"swish", swish},
      {"silu", swish},        {"softplus", softplus},
      {"softsign", softsign}, {"exponential", exponential},
      {"gelu", gelu}};
  return functions;
}

}  // namespace

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

#pragma once
// Writes weights as Keras 3's model.save_weights("x.weights.h5") does (and as a .keras archive's
// model.weights.h5 holds them): `layers/<snake_case class>[_k]/vars/<i>` in Keras's walk of the
// model's layer tree (io/keras3_layout.h), nested models under their own `layers`, an empty
// `vars` group for every layer without weights and for the model itself, float32 datasets.
// Keras 3's load_weights onto the same model, and Graft with that model's topology, read it.
#include <string>

#include "graph/model.h"

namespace graft {

// Atomic: a failure leaves any previous file at `path` intact. Throws graft::Error naming the
// file or the layer whose weights are missing.
void saveKeras3Weights(const Model& model, const std::string& path);

}  // namespace graft

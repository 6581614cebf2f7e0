#pragma once
// Writes weights as Keras 3's model.save_weights("x.weights.h5") does (and as a .keras archive's
// model.weights.h5 holds them): `layers/<snake_case class>[_k]/vars/<i>` in Keras's walk of the
// model's layer tree (io/keras3_layout.h), nested models under their own `layers`, a `vars` group
// for every layer (empty without weights; from Keras 3.6 with attribute `name`, the layer's name)
// and for the model itself, float32 datasets. A Sequential's InputLayer has no group: Keras 3
// leaves it out of the Sequential's layers (io/keras3_config_writer.h tells Sequentials apart).
// Keras 3's load_weights onto the same model, and Graft with that model's topology, read it.
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

// Atomic: a failure leaves any previous file at `path` intact. Throws graft::Error naming the
// file or the layer whose weights are missing.
void saveKeras3Weights(const Model& model, const std::string& path);

// The same, written straight to `path` (which a caller's own atomic write names).
void writeKeras3WeightsFile(const Model& model, const std::string& path);

// The same file's bytes, with groups named after `layout` (the model's graph, or the flat copy
// a .keras archive describes; same layer names). `what` names it in messages.
std::vector<char> keras3WeightsImage(const Model& model, const Graph& layout,
                                     const std::string& what);

}  // namespace graft

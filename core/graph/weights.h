#pragma once
// Layer weights in Keras's layout and order (the layout of the .h5 files and of the registry's
// WeightSpecs). Buffers are shared and never written after creation, so copying a WeightStore
// (an undo snapshot, a derived model) costs a map of pointers, not the tensors.
// The LibTorch runtime converts to its own layout when it builds a module.
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "graph/analysis.h"

namespace graft {

struct WeightTensor {
  Shape shape;
  std::shared_ptr<const std::vector<float>> data;

  int64_t numel() const { return static_cast<int64_t>(data ? data->size() : 0); }
  const float* values() const { return data ? data->data() : nullptr; }
  static WeightTensor filled(Shape shape, float value);
  static WeightTensor fromValues(Shape shape, std::vector<float> values);
};

class WeightStore {
 public:
  const std::vector<WeightTensor>* find(const std::string& layer) const;
  void set(const std::string& layer, std::vector<WeightTensor> weights);
  void erase(const std::string& layer) { layers_.erase(layer); }
  bool contains(const std::string& layer) const { return layers_.count(layer) != 0; }
  std::vector<std::string> layers() const;
  bool empty() const { return layers_.empty(); }
  // The same layers with the very same buffers (shapes and data pointers): nothing was set.
  bool sharesEveryBufferWith(const WeightStore& other) const;

 private:
  std::map<std::string, std::vector<WeightTensor>> layers_;
};

// Every layer with weights in `analysis` must have them in `store`, in the registry's order
// and shapes. Diagnostics name the layer, the weight and both shapes.
Diagnostics checkWeights(const Graph& graph, const GraphAnalysis& analysis,
                         const WeightStore& store);

// Fresh weights as the layer's config names their initializers (graph/keras_initializers.h),
// else as Keras initializes them by default: Glorot-uniform kernels, zero biases,
// BatchNormalization gamma 1, beta 0, moving mean 0, moving variance 1. Layers listed in
// `only` (or all when empty) get new tensors; others keep theirs. Returns a note for each
// initializer Graft does not know (drawn as the default instead), naming the layer.
std::vector<std::string> initializeWeights(const Graph& graph, const GraphAnalysis& analysis,
                                           WeightStore& store, uint64_t seed,
                                           const std::vector<std::string>& only = {});

}  // namespace graft

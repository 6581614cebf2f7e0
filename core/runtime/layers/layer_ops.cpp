// The factory table: built once from the per-family registration functions, then read-only.
#include "runtime/layers/layer_op.h"

namespace graft::runtime {

const LayerFactoryTable& layerFactories() {
  static const LayerFactoryTable table = [] {
    LayerFactoryTable t;
    addInputAndCoreOps(t);
    addConvolutionOps(t);
    addPoolingOps(t);
    addNormalizationOps(t);
    addActivationOps(t);
    addMergeOps(t);
    addReshapingOps(t);
    addRegularizationOps(t);
    addOpLayerOps(t);
    return t;
  }();
  return table;
}

}  // namespace graft::runtime

#include "export/export_weights.h"

namespace graft::exporting {

torch::Tensor fromKeras(const WeightTensor& w) {
  // from_blob only views the shared, immutable buffer; clone() gives the export its own copy.
  return torch::from_blob(const_cast<float*>(w.values()), w.shape, torch::kFloat32).clone();
}

torch::Tensor convKernel(const WeightTensor& w) {
  return fromKeras(w).permute({3, 2, 0, 1}).contiguous();
}

torch::Tensor depthwiseKernel(const WeightTensor& w) {
  torch::Tensor k = fromKeras(w).permute({2, 3, 0, 1});  // (in, mult, kh, kw)
  return k.reshape({k.size(0) * k.size(1), 1, k.size(2), k.size(3)}).contiguous();
}

}  // namespace graft::exporting

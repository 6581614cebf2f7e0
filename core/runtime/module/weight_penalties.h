#pragma once
// Keras's weight regularizers (a layer's kernel_regularizer, bias_regularizer, ...: L1, L2 and
// L1L2, by object or by name) as one penalty over a GraphModule's trainable parameters. Keras
// adds it to the loss it trains on and reports, in fit and in evaluate alike
// (Trainer.compute_loss adds the model's losses: the regularizers of its trainable weights), so
// Graft does too: an L2 on a new head acts, and loss, val_loss and eval's loss are Keras's.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "graph/graph.h"

namespace graft {

class GraphModule;

class WeightPenalties {
 public:
  // The regularizers of `graph`'s trainable layers, on the parameters of `module` (built from
  // `graph`) that train. A regularizer on a weight the layer does not have (bias_regularizer
  // with use_bias false) is ignored, as Keras does.
  WeightPenalties(const Graph& graph, GraphModule& module);

  bool empty() const { return terms_.empty(); }
  size_t layerCount() const { return layers_; }
  // The sum of every term: a differentiable scalar on the parameters' device; 0 without terms.
  torch::Tensor total() const;
  // What Keras would apply and Graft does not (activity regularizers, OrthogonalRegularizer or
  // another regularizer it does not know, constraints): one note naming the first layers, ""
  // when there is none.
  const std::string& notApplied() const { return notApplied_; }

 private:
  struct Term {
    torch::Tensor parameter;
    double l1 = 0.0;
    double l2 = 0.0;
  };
  std::vector<Term> terms_;
  size_t layers_ = 0;
  std::string notApplied_;
};

}  // namespace graft

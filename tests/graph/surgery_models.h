#pragma once
// Small models the surgery tests edit, and checks they share.
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/surgery/surgery.h"

namespace graft::test {

inline Model modelFrom(const Graph& graph, uint64_t seed = 7) {
  Model m;
  m.graph = graph;
  initializeWeights(graph, analyzeOrThrow(graph), m.weights, seed);
  m.weightsSource = "test";
  return m;
}

// input (8x8x3) -> conv_a (4, 3x3 same, relu) -> conv_b (4, 3x3 same) -> pool -> flatten
// -> fc (5, relu) -> out (2, softmax)
inline Graph chainGraph(int64_t size = 8) {
  GraphBuilder b("chain");
  auto x = b.input("input", {kUnknown, size, size, 3});
  x = b.add("Conv2D", "conv_a",
            {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}, {"activation", "relu"}}, x);
  x = b.add("Conv2D", "conv_b", {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}}, x);
  x = b.add("MaxPooling2D", "pool", {{"pool_size", 2}}, x);
  x = b.add("Flatten", "flatten", {}, x);
  x = b.add("Dense", "fc", {{"units", 5}, {"activation", "relu"}}, x);
  x = b.add("Dense", "out", {{"units", 2}, {"activation", "softmax"}}, x);
  return b.build({x});
}

// A residual block: input -> stem; stem -> branch_a -> branch_b; stem -> shortcut (1x1);
// add(branch_b, shortcut) -> relu -> head (Dense 3 on a global pool).
inline Graph residualGraph() {
  GraphBuilder b("residual");
  auto x = b.input("input", {kUnknown, 8, 8, 3});
  auto stem = b.add("Conv2D", "stem", {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}}, x);
  auto a = b.add("Conv2D", "branch_a",
                 {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}, {"activation", "relu"}},
                 stem);
  a = b.add("Conv2D", "branch_b", {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}}, a);
  auto s = b.add("Conv2D", "shortcut", {{"filters", 4}, {"kernel_size", 1}}, stem);
  auto sum = b.add("Add", "add", {}, std::vector<std::string>{a, s});
  auto r = b.add("ReLU", "relu", {}, sum);
  auto g = b.add("GlobalAveragePooling2D", "gap", {}, r);
  auto h = b.add("Dense", "head", {{"units", 3}}, g);
  return b.build({h});
}

inline bool mentions(const Diagnostics& d, const std::string& subject, const std::string& text) {
  for (const auto& x : d)
    if ((subject.empty() || x.subject == subject) && x.str().find(text) != std::string::npos)
      return true;
  return false;
}

// The same tensors, not copies: an untouched layer keeps its buffers.
inline bool sharesWeights(const Model& a, const std::string& la, const Model& b,
                          const std::string& lb) {
  const auto* wa = a.weights.find(la);
  const auto* wb = b.weights.find(lb);
  if (!wa || !wb || wa->size() != wb->size()) return false;
  for (size_t i = 0; i < wa->size(); ++i)
    if ((*wa)[i].data != (*wb)[i].data || (*wa)[i].shape != (*wb)[i].shape) return false;
  return true;
}

inline std::vector<std::string> nodeNames(const Graph& g) {
  std::vector<std::string> names;
  for (const auto& n : g.nodes()) names.push_back(n.name);
  return names;
}

// applyOperation that fails the test with the diagnostics when it is refused.
inline EditResult applyOk(const Model& m, const Json& op, const EditOptions& options = {}) {
  Expected<EditResult> r = applyOperation(m, op, options);
  EXPECT_TRUE(r.ok()) << op.dump() << "\n" << joinDiagnostics(r.diagnostics());
  if (!r.ok()) throw Error(r.diagnostics());
  return std::move(r).value();
}

}  // namespace graft::test

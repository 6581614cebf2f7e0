// Which outputs are class vectors: decided by the shape and the layers that made it.
#include <gtest/gtest.h>

#include "runtime/prediction/predict_output.h"

namespace graft {
namespace {

Node node(const std::string& name, const std::string& type, Json config,
          std::vector<std::string> inputs) {
  Node n;
  n.name = name;
  n.className = type;
  n.config = std::move(config);
  n.inputs = std::move(inputs);
  return n;
}

Graph chain(std::vector<Node> tail) {
  std::vector<Node> nodes = {node("input_1", "InputLayer", Json::object(), {}),
                             node("pool", "GlobalAveragePooling2D", Json::object(), {"input_1"})};
  for (auto& n : tail) nodes.push_back(std::move(n));
  return Graph("m", std::move(nodes));
}

TEST(PredictOutput, ClassifierHeadsAreClassVectors) {
  EXPECT_TRUE(outputIsClassVector(
      chain({node("fc", "Dense", {{"units", 3}, {"activation", "softmax"}}, {"pool"})}), {3}));
  EXPECT_TRUE(outputIsClassVector(
      chain({node("logits", "Dense", {{"units", 3}, {"activation", "linear"}}, {"pool"})}), {3}));
  // MobileNet: conv_preds (1x1 Conv2D) -> Reshape -> Activation softmax -> Reshape
  EXPECT_TRUE(outputIsClassVector(
      chain({node("reshape_1", "Reshape", Json::object(), {"pool"}),
             node("conv_preds", "Conv2D", {{"activation", "linear"}}, {"reshape_1"}),
             node("reshape_2", "Reshape", Json::object(), {"conv_preds"}),
             node("act", "Activation", {{"activation", "softmax"}}, {"reshape_2"})}),
      {2}));
  // log_softmax (log-probabilities) on the Dense, or as an Activation after it.
  EXPECT_TRUE(outputIsClassVector(
      chain({node("fc", "Dense", {{"units", 3}, {"activation", "log_softmax"}}, {"pool"})}), {3}));
  EXPECT_TRUE(outputIsClassVector(
      chain({node("fc", "Dense", {{"units", 3}}, {"pool"}),
             node("log_p", "Activation", {{"activation", "log_softmax"}}, {"fc"})}),
      {3}));
  EXPECT_TRUE(outputIsClassVector(chain({node("fc", "Dense", Json::object(), {"pool"}),
                                         node("drop", "Dropout", Json::object(), {"fc"}),
                                         node("sm", "Softmax", Json::object(), {"drop"})}),
                                  {10}));
}

TEST(PredictOutput, FeaturesAndOddShapesAreNot) {
  EXPECT_FALSE(outputIsClassVector(chain({}), {512}));  // pooled features of a no-top model
  EXPECT_FALSE(outputIsClassVector(
      chain({node("fc", "Dense", {{"units", 8}, {"activation", "relu"}}, {"pool"})}), {8}));
  const Graph classifier =
      chain({node("fc", "Dense", {{"units", 1}, {"activation", "sigmoid"}}, {"pool"})});
  EXPECT_FALSE(outputIsClassVector(classifier, {1}));     // one unit: no classes to rank
  EXPECT_FALSE(outputIsClassVector(classifier, {7, 7}));  // not rank 1
}

}  // namespace
}  // namespace graft

// What an operation may say: fields it does not read, layer specs with stray keys, configs of
// the wrong type and layer names no file can hold are refused, naming the field or the name,
// before anything is edited.
#include <gtest/gtest.h>

#include <string>

#include "graph/surgery/surgery.h"
#include "surgery_models.h"

namespace graft {
namespace {

using test::chainGraph;
using test::mentions;
using test::modelFrom;

Diagnostics refusal(const Model& m, const Json& op) {
  const Expected<EditResult> result = applyOperation(m, op);
  EXPECT_FALSE(result) << op.dump();
  return result ? Diagnostics{} : result.diagnostics();
}

TEST(SurgeryFields, AFieldTheOperationDoesNotReadIsRefusedByName) {
  const Model m = modelFrom(chainGraph());
  // A typo must not give an edit nobody asked for ("methd" would fall back to least squares,
  // "upto_" would freeze only the listed layers).
  auto typo = refusal(m, {{"op", "fuse"}, {"layers", {"conv_a", "conv_b"}}, {"methd", "exact"}});
  EXPECT_TRUE(mentions(typo, "methd", "not a field of fuse")) << typo.front().str();
  EXPECT_TRUE(mentions(typo, "methd", "layers, method")) << typo.front().str();
  typo = refusal(m, {{"op", "freeze"}, {"layers", {"conv_a"}}, {"upto_", "fc"}});
  EXPECT_TRUE(mentions(typo, "upto_", "not a field of freeze")) << typo.front().str();
  typo = refusal(m, {{"op", "cut"}, {"at", "fc"}, {"drop_branch", true}});
  EXPECT_TRUE(mentions(typo, "drop_branch", "drop_branches")) << typo.front().str();
  typo = refusal(m, {{"op", "rename"}, {"layer", "fc"}, {"to", "fc2"}, {"reinitialise", true}});
  EXPECT_TRUE(mentions(typo, "reinitialise", "reinitialize")) << typo.front().str();

  // The common fields and what a least-squares fusion records are fields, not typos: such a
  // step is refused for wanting sample images, not for its fields.
  EXPECT_TRUE(applyOperation(m, {{"op", "freeze"}, {"upto", "fc"}, {"seed", 3}}));
  const auto recorded = refusal(m, {{"op", "fuse"},
                                    {"layers", {"conv_a", "conv_b"}},
                                    {"method", "least_squares"},
                                    {"samples", 16},
                                    {"relative_error", 0.01}});
  EXPECT_TRUE(mentions(recorded, "method", "sample images")) << recorded.front().str();

  // A seed is checked where the step draws no weights too (a cut), as where it does (a stack).
  for (const Json& seed : {Json(-1), Json(1.5), Json("3")}) {
    auto bad = refusal(m, {{"op", "cut"}, {"at", "conv_b"}, {"seed", seed}});
    EXPECT_TRUE(mentions(bad, "seed", "must be a non-negative integer")) << seed.dump();
  }
}

TEST(SurgeryFields, TwoFieldsThatSayTheSameThingAreNotBothTaken) {
  const Model m = modelFrom(chainGraph());
  const Json dense = {{"class_name", "Dense"}, {"config", {{"name", "extra"}, {"units", 4}}}};
  // insert used "layer" and dropped "layers" without a word.
  auto both = refusal(m, {{"op", "insert"},
                          {"after", "conv_a"},
                          {"layer", {{"class_name", "ReLU"}, {"config", {{"name", "r"}}}}},
                          {"layers", {dense}}});
  EXPECT_TRUE(mentions(both, "layers", "given together with layer")) << both.front().str();
  both = refusal(m, {{"op", "remove"}, {"layer", "conv_b"}, {"layers", {"conv_a"}}});
  EXPECT_TRUE(mentions(both, "layer", "remove takes one of layers, layer")) << both.front().str();
  both = refusal(m, {{"op", "freeze"}, {"types", {"Dense"}}, {"type", "Conv2D"}});
  EXPECT_TRUE(mentions(both, "type", "given together with types")) << both.front().str();
  both = refusal(
      m, {{"op", "set_config"}, {"layers", {{"fc", {{"units", 3}}}}}, {"config", {{"units", 5}}}});
  EXPECT_TRUE(mentions(both, "config", "given together with layers")) << both.front().str();

  // Selectors of freeze that combine are not such pairs.
  EXPECT_TRUE(applyOperation(m, {{"op", "freeze"}, {"layers", {"fc"}}, {"upto", "conv_a"}}));
}

TEST(SurgeryFields, ALayerSpecTakesClassNameConfigAndWhatKerasWritesBesideThem) {
  const Model m = modelFrom(chainGraph());
  const Json extra = {{"op", "stack"},
                      {"after", "out"},
                      {"layers",
                       {{{"class_name", "Dense"},
                         {"config", {{"name", "extra_dense"}, {"units", 3}}},
                         {"units", 4}}}}};
  const auto refused = refusal(m, extra);
  EXPECT_TRUE(mentions(refused, "", "'units' is not a field of a layer")) << refused.front().str();

  // Pasted from a Keras 3 config.json: module, registered_name and build_config are ignored.
  const Json pasted = {{"op", "stack"},
                       {"after", "out"},
                       {"layers",
                        {{{"module", "keras.layers"},
                          {"class_name", "Dense"},
                          {"registered_name", nullptr},
                          {"build_config", {{"input_shape", {nullptr, 2}}}},
                          {"config", {{"name", "pasted"}, {"units", 3}}}}}}};
  const Expected<EditResult> stacked = applyOperation(m, pasted);
  ASSERT_TRUE(stacked) << stacked.diagnostics().front().str();
  EXPECT_TRUE(stacked.value().model.graph.find("pasted"));
  // No config at all: Keras's defaults.
  EXPECT_TRUE(applyOperation(
      m, {{"op", "insert"}, {"after", "conv_b"}, {"layer", {{"class_name", "ReLU"}}}}));

  // A dtype: float32 (Keras 2's string, Keras 3's policy) is what Graft computes; another one
  // would be dropped, so it is refused, naming the layer.
  const auto dense = [](const Json& dtype) {
    return Json{{"op", "stack"},
                {"after", "out"},
                {"layers",
                 {{{"class_name", "Dense"},
                   {"config", {{"name", "typed"}, {"units", 3}, {"dtype", dtype}}}}}}};
  };
  EXPECT_TRUE(applyOperation(m, dense("float32")));
  EXPECT_TRUE(applyOperation(m, dense({{"module", "keras"},
                                       {"class_name", "DTypePolicy"},
                                       {"config", {{"name", "float32"}}}})));
  for (const Json& dtype :
       {Json("float16"), Json{{"class_name", "Policy"}, {"config", {{"name", "mixed_float16"}}}}}) {
    const auto typed = refusal(m, dense(dtype));
    EXPECT_TRUE(mentions(typed, "typed", "computes every layer in float32")) << dtype.dump();
  }
}

TEST(SurgeryFields, AConfigOfTheWrongTypeIsRefusedForEveryLayerClass) {
  const Model m = modelFrom(chainGraph());
  for (const char* cls : {"Dense", "Conv2D", "Dropout"}) {
    for (const Json& config : {Json(nullptr), Json::array({1, 2})}) {
      const auto refused = refusal(m, {{"op", "stack"},
                                       {"after", "out"},
                                       {"layers", {{{"class_name", cls}, {"config", config}}}}});
      EXPECT_TRUE(mentions(refused, "", std::string(cls) + " config must be a JSON object"))
          << cls << " " << config.dump() << ": " << refused.front().str();
    }
  }
}

TEST(SurgeryFields, LayerNamesNoFileCanHoldAreRefused) {
  const Model m = modelFrom(chainGraph());
  const std::string tooLong(1025, 'a');
  for (const std::string& name : {std::string("."), std::string(".."), std::string("a/b"),
                                  std::string("a\0b", 3), std::string("tab\there"), tooLong}) {
    const auto renamed = refusal(m, {{"op", "rename"}, {"layer", "fc"}, {"to", name}});
    EXPECT_TRUE(mentions(renamed, "to", "")) << renamed.front().str();
    const auto added = refusal(
        m, {{"op", "stack"},
            {"after", "out"},
            {"layers", {{{"class_name", "Dense"}, {"config", {{"name", name}, {"units", 2}}}}}}});
    EXPECT_TRUE(mentions(added, "Dense", "")) << added.front().str();
  }
  EXPECT_TRUE(mentions(refusal(m, {{"op", "rename"}, {"layer", "fc"}, {"to", tooLong}}), "to",
                       "at most 1024 bytes, this one has 1025"));
  EXPECT_TRUE(
      applyOperation(m, {{"op", "rename"}, {"layer", "fc"}, {"to", std::string(1024, 'b')}}));
  EXPECT_TRUE(applyOperation(m, {{"op", "rename"}, {"layer", "fc"}, {"to", "fc.v2 (ünïcode)"}}));
}

}  // namespace
}  // namespace graft

namespace graft {
namespace {

// Teachable Machine's models nest a MobileNetV2 "model1" in a Sequential; summary shows those
// names, so recipes take them where they make sense and say what to name where they do not.
TEST(SurgeryFields, ANestedModelsNameFreezesItsLayersAndElsewhereSaysWhatToName) {
  const Graph chain = test::chainGraph();
  std::vector<Node> nodes = chain.nodes();
  for (auto& n : nodes)
    if (n.name == "conv_a" || n.name == "conv_b" || n.name == "pool") n.group = "sequential_1/base";
  const Model m =
      modelFrom(Graph("nested", nodes, chain.outputs(),
                      {{"sequential_1", "Sequential"}, {"sequential_1/base", "Functional"}}));
  const Expected<EditResult> frozen = applyOperation(m, {{"op", "freeze"}, {"layers", {"base"}}});
  ASSERT_TRUE(frozen) << frozen.diagnostics().front().str();
  std::vector<std::string> names;
  for (const auto& n : frozen.value().model.graph.nodes())
    if (!n.trainable) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv_a", "conv_b", "pool"}));

  const auto cut = refusal(m, {{"op", "cut"}, {"at", "base"}});
  EXPECT_TRUE(mentions(cut, "base",
                       "is a nested model of 3 layers, not a layer: name its output "
                       "layer 'pool'"))
      << cut.front().str();

  // A nested model's names are taken: a layer renamed or added under one made "freeze
  // sequential_1" freeze that layer alone.
  EXPECT_TRUE(mentions(refusal(m, {{"op", "rename"}, {"layer", "fc"}, {"to", "sequential_1"}}),
                       "sequential_1", "a nested model of this name exists"));
  EXPECT_TRUE(mentions(refusal(m, {{"op", "rename"}, {"layer", "fc"}, {"to", "base"}}), "base",
                       "a nested model of this name exists"));
  const Json dropout = {{"class_name", "Dropout"}, {"config", {{"name", "base"}, {"rate", 0.5}}}};
  EXPECT_TRUE(mentions(refusal(m, {{"op", "insert"}, {"after", "fc"}, {"layer", dropout}}), "base",
                       "a layer or nested model of this name already exists"));
}

}  // namespace
}  // namespace graft

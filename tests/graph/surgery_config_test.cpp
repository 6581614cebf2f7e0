// freeze / unfreeze, set_input_shape, rename and set_config on small graphs.
#include <gtest/gtest.h>

#include "graph/surgery/ops.h"
#include "surgery_models.h"

namespace graft {
namespace {

using test::applyOk;
using test::chainGraph;
using test::mentions;
using test::modelFrom;
using test::sharesWeights;

std::vector<std::string> frozen(const Model& m) {
  std::vector<std::string> names;
  for (const auto& n : m.graph.nodes())
    if (!n.trainable) names.push_back(n.name);
  return names;
}

TEST(SurgeryFreeze, SelectsByLayersRangeAndType) {
  const Model m = modelFrom(chainGraph());
  ops::Selection upto;
  upto.upto = "conv_b";
  const Model a = applyOk(m, ops::freeze(upto)).model;
  EXPECT_EQ(frozen(a), (std::vector<std::string>{"input", "conv_a", "conv_b"}));
  const GraphAnalysis analysis = analyze(a.graph);
  EXPECT_EQ(analysis.nonTrainableParams(), (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 4 + 4));
  EXPECT_TRUE(sharesWeights(m, "conv_a", a, "conv_a")) << "freezing never touches a weight";

  ops::Selection from;
  from.from = "fc";
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(from)).model), (std::vector<std::string>{"fc", "out"}));

  ops::Selection types;
  types.types = {"Dense"};
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(types)).model), (std::vector<std::string>{"fc", "out"}));

  ops::Selection layers;
  layers.layers = {"pool", "conv_a"};
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(layers)).model),
            (std::vector<std::string>{"conv_a", "pool"}));

  ops::Selection fromConvB;
  fromConvB.from = "conv_b";
  const Model b = applyOk(a, ops::unfreeze(fromConvB)).model;
  EXPECT_EQ(frozen(b), (std::vector<std::string>{"input", "conv_a"}));
}

// What a user writing two selectors means: `from` and `upto` are a range, `types` narrows what
// the others name ("the Conv2D layers up to conv_b"), `layers` adds to the range.
TEST(SurgeryFreeze, SelectorsTogetherNarrowARangeAndAddListedLayers) {
  const Model m = modelFrom(chainGraph());  // input, conv_a, conv_b, pool, flatten, fc, out
  ops::Selection range;
  range.from = "conv_b";
  range.upto = "fc";
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(range)).model),
            (std::vector<std::string>{"conv_b", "pool", "flatten", "fc"}));

  ops::Selection convsUpto;
  convsUpto.upto = "conv_a";
  convsUpto.types = {"Conv2D"};
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(convsUpto)).model), (std::vector<std::string>{"conv_a"}));

  ops::Selection listedAndRange;
  listedAndRange.layers = {"out"};
  listedAndRange.upto = "conv_a";
  EXPECT_EQ(frozen(applyOk(m, ops::freeze(listedAndRange)).model),
            (std::vector<std::string>{"input", "conv_a", "out"}));

  ops::Selection noneOfThem;
  noneOfThem.layers = {"pool"};
  noneOfThem.types = {"Dense"};
  EXPECT_TRUE(mentions(applyOperation(m, ops::freeze(noneOfThem)).diagnostics(), "types",
                       "none of the 1 layers the other fields name is of these types"));

  ops::Selection reversed;
  reversed.from = "fc";
  reversed.upto = "conv_a";
  EXPECT_TRUE(mentions(applyOperation(m, ops::freeze(reversed)).diagnostics(), "from",
                       "'fc' comes after upto's 'conv_a'"));
}

// Which layers hold random weights no run has trained: what the training defaults train first.
TEST(SurgeryUntrained, NewAndReinitialisedLayersAreUntrainedUntilGone) {
  const Model m = modelFrom(chainGraph());  // input, conv_a, conv_b, pool, flatten, fc, out
  ASSERT_TRUE(m.untrainedLayers.empty());
  const Model stacked =
      applyOk(m, ops::stack("out", {ops::layer("Dense", "extra", {{"units", 4}})})).model;
  EXPECT_EQ(stacked.untrainedLayers, std::vector<std::string>{"extra"});
  // set_config that changes a layer's weight shapes draws them afresh: untrained too.
  const Model reconfigured = applyOk(stacked, ops::setConfig("fc", {{"units", 7}})).model;
  EXPECT_EQ(reconfigured.untrainedLayers, (std::vector<std::string>{"fc", "out", "extra"}));
  const Model renamed =
      applyOk(reconfigured, {{"op", "rename"}, {"layer", "extra"}, {"to", "head"}}).model;
  EXPECT_EQ(renamed.untrainedLayers, (std::vector<std::string>{"fc", "out", "head"}));
  EXPECT_TRUE(applyOk(renamed, ops::cut("conv_b")).model.untrainedLayers.empty());
}

TEST(SurgeryFreeze, NeedsASelectionOfExistingLayers) {
  const Model m = modelFrom(chainGraph());
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "freeze"}}).diagnostics(), "layers",
                       "say which layers"));
  ops::Selection missing;
  missing.upto = "block9_pool";
  EXPECT_TRUE(mentions(applyOperation(m, ops::freeze(missing)).diagnostics(), "block9_pool",
                       "no layer of this name"));
  ops::Selection type;
  type.types = {"Conv9D"};
  EXPECT_TRUE(mentions(applyOperation(m, ops::freeze(type)).diagnostics(), "types", "Conv9D"));
}

TEST(SurgeryInputShape, ConvolutionsKeepTheirWeightsAndAMisfittingDenseIsNamed) {
  const Model m = modelFrom(chainGraph(8));
  auto refused = applyOperation(m, ops::setInputShape({16, 16, 3}));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(mentions(refused.diagnostics(), "fc",
                       "weight 'kernel' (64, 5) no longer fits: the layer now expects (256, 5)"))
      << joinDiagnostics(refused.diagnostics());

  Json op = ops::setInputShape({16, 16, 3});
  op["reinitialize"] = true;
  const EditResult r = applyOk(m, op);
  EXPECT_EQ(analyze(r.model.graph).nodes.at("pool").outputShape, (Shape{kUnknown, 8, 8, 4}));
  EXPECT_TRUE(sharesWeights(m, "conv_a", r.model, "conv_a"));
  EXPECT_TRUE(sharesWeights(m, "conv_b", r.model, "conv_b"));
  EXPECT_TRUE(sharesWeights(m, "out", r.model, "out"));
  EXPECT_EQ((*r.model.weights.find("fc"))[0].shape, (Shape{256, 5}));
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("fc: re-initialised kernel (256, 5)"), std::string::npos) << r.notes[0];
  EXPECT_EQ(r.notes[0].find("bias"), std::string::npos) << "the bias kept its shape and values";
}

TEST(SurgeryInputShape, AnyShapeFitsAConvolutionalModel) {
  const Model m = modelFrom(test::residualGraph());
  const EditResult r = applyOk(m, ops::setInputShape({kUnknown, kUnknown, 3}));
  EXPECT_EQ(analyze(r.model.graph).nodes.at("add").outputShape,
            (Shape{kUnknown, kUnknown, kUnknown, 4}));
  for (const char* layer : {"stem", "branch_a", "branch_b", "shortcut", "head"})
    EXPECT_TRUE(sharesWeights(m, layer, r.model, layer)) << layer;
  auto channels = applyOperation(m, ops::setInputShape({8, 8, 1}));
  EXPECT_TRUE(mentions(channels.diagnostics(), "stem", "no longer fits"));
}

TEST(SurgeryRename, MovesWiringOutputsAndTheSameWeights) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(m, ops::rename("out", "predictions"));
  EXPECT_EQ(r.model.graph.outputs(), std::vector<std::string>{"predictions"});
  EXPECT_TRUE(sharesWeights(m, "out", r.model, "predictions"));
  EXPECT_FALSE(r.model.weights.contains("out"));
  const EditResult inner = applyOk(m, ops::rename("conv_a", "first"));
  EXPECT_EQ(inner.model.graph.at("conv_b").inputs, std::vector<std::string>{"first"});
  EXPECT_TRUE(
      mentions(applyOperation(m, ops::rename("fc", "out")).diagnostics(), "out", "already exists"));
  EXPECT_TRUE(mentions(applyOperation(m, ops::rename("fc", "a/b")).diagnostics(), "to", "'/'"));
}

TEST(SurgerySetConfig, ReinitialisesExactlyTheLayersWhoseWeightShapesChanged) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(m, ops::setConfig("fc", {{"units", 7}}));
  EXPECT_EQ((*r.model.weights.find("fc"))[0].shape, (Shape{64, 7}));
  EXPECT_EQ((*r.model.weights.find("out"))[0].shape, (Shape{7, 2}));
  EXPECT_TRUE(sharesWeights(m, "conv_a", r.model, "conv_a"));
  // out's bias (2,) did not change shape: the same buffer.
  EXPECT_EQ((*r.model.weights.find("out"))[1].data, (*m.weights.find("out"))[1].data);
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_NE(r.notes[0].find("fc: re-initialised kernel (64, 7), bias (7,)"), std::string::npos)
      << r.notes[0];
  EXPECT_NE(r.notes[1].find("out: re-initialised kernel (7, 2)"), std::string::npos) << r.notes[1];

  const EditResult act = applyOk(m, ops::setConfig("fc", {{"activation", "tanh"}}));
  EXPECT_TRUE(act.notes.empty());
  EXPECT_TRUE(sharesWeights(m, "fc", act.model, "fc"));
  EXPECT_EQ(act.model.graph.at("fc").config["activation"], "tanh");

  const EditResult noBias = applyOk(m, ops::setConfig("conv_b", {{"use_bias", false}}));
  ASSERT_EQ(noBias.model.weights.find("conv_b")->size(), 1u);
  EXPECT_EQ((*noBias.model.weights.find("conv_b"))[0].data, (*m.weights.find("conv_b"))[0].data);

  const EditResult frozenViaConfig = applyOk(m, ops::setConfig("fc", {{"trainable", false}}));
  EXPECT_FALSE(frozenViaConfig.model.graph.at("fc").trainable);
}

// "reinitialize": false (what the GUI sends, to ask first): the changed layer's own weights
// follow its config, but a layer after it that would lose its weights refuses the step by name;
// "reinitialize": true gives it fresh weights as a recipe without the field does.
TEST(SurgerySetConfig, WithReinitializeFalseALaterLayersMisfitIsRefusedByName) {
  const Model m = modelFrom(chainGraph());
  Json asking = ops::setConfig("fc", {{"units", 7}});
  asking["reinitialize"] = false;
  const auto refused = applyOperation(m, asking);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(mentions(refused.diagnostics(), "out", "")) << joinDiagnostics(refused.diagnostics());
  EXPECT_TRUE(mentions(refused.diagnostics(), "", "\"reinitialize\": true"));
  for (const Diagnostic& d : refused.diagnostics()) EXPECT_NE(d.subject, "fc") << d.str();

  // Only the changed layer's own weights change: accepted, with that layer fresh.
  Json own = ops::setConfig("out", {{"units", 5}});
  own["reinitialize"] = false;
  const EditResult widened = applyOk(m, own);
  const int64_t fcUnits = (*m.weights.find("out"))[0].shape[0];
  EXPECT_EQ((*widened.model.weights.find("out"))[0].shape, (Shape{fcUnits, 5}));
  EXPECT_TRUE(sharesWeights(m, "fc", widened.model, "fc"));

  asking["reinitialize"] = true;
  const EditResult fixed = applyOk(m, asking);
  EXPECT_EQ((*fixed.model.weights.find("out"))[0].shape, (Shape{7, 2}));
  EXPECT_EQ(fixed.model.recipe.back().at("reinitialize"), true);  // replays the same way
}

// set_preprocessing changes how images become the input, recorded and replayable; the graph and
// the weights stay the same tensors. A missing or unknown name is refused naming the field.
TEST(SurgerySetPreprocessing, ChangesOnlyThePreprocessingAndIsRecorded) {
  Model m = modelFrom(chainGraph());
  m.preprocessing = Preprocessing::Caffe;
  const EditResult r = applyOk(m, ops::setPreprocessing("unit"));
  EXPECT_EQ(r.model.preprocessing, Preprocessing::Unit);
  EXPECT_EQ(r.model.graph, m.graph);
  EXPECT_TRUE(sharesWeights(m, "fc", r.model, "fc"));
  EXPECT_EQ(r.model.recipe.back(), ops::setPreprocessing("unit"));
  EXPECT_TRUE(r.notes.empty());

  EXPECT_TRUE(mentions(applyOperation(m, ops::setPreprocessing("imagenet")).diagnostics(),
                       "preprocessing", "unknown preprocessing 'imagenet'"));
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "set_preprocessing"}}).diagnostics(),
                       "preprocessing", "missing: one of caffe, tf, torch"));
  EXPECT_TRUE(mentions(
      applyOperation(m, Json{{"op", "set_preprocessing"}, {"preprocessing", "tf"}, {"x", 1}})
          .diagnostics(),
      "", "x: not a field of set_preprocessing"));
}

TEST(SurgerySetConfig, RefusesUnknownFieldsNamesAndInvalidValues) {
  const Model m = modelFrom(chainGraph());
  EXPECT_TRUE(mentions(applyOperation(m, ops::setConfig("fc", {{"unit", 3}})).diagnostics(), "fc",
                       "'unit' is not a Dense setting"));
  EXPECT_TRUE(mentions(applyOperation(m, ops::setConfig("fc", {{"name", "x"}})).diagnostics(), "fc",
                       "rename"));
  EXPECT_TRUE(mentions(applyOperation(m, ops::setConfig("fc", {{"units", -3}})).diagnostics(), "fc",
                       "'units' must be a positive integer"));
  EXPECT_TRUE(
      mentions(applyOperation(m, ops::setConfig("conv_a", {{"padding", "full"}})).diagnostics(),
               "conv_a", "padding"));
}

}  // namespace
}  // namespace graft

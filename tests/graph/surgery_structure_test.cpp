// cut, stack, insert, remove, replace on small graphs: wiring, re-inferred shapes, weights of
// untouched layers shared, and refusals that name the layer and leave the model unchanged.
#include <gtest/gtest.h>

#include "graph/surgery/ops.h"
#include "surgery_models.h"

namespace graft {
namespace {

using test::applyOk;
using test::chainGraph;
using test::mentions;
using test::modelFrom;
using test::nodeNames;
using test::residualGraph;
using test::sharesWeights;

TEST(SurgeryCut, KeepsWhatTheLayerDependsOnAndMakesItTheOutput) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(m, ops::cut("pool"));
  EXPECT_EQ(nodeNames(r.model.graph),
            (std::vector<std::string>{"input", "conv_a", "conv_b", "pool"}));
  EXPECT_EQ(r.model.graph.outputs(), std::vector<std::string>{"pool"});
  EXPECT_TRUE(sharesWeights(m, "conv_a", r.model, "conv_a"));
  EXPECT_TRUE(sharesWeights(m, "conv_b", r.model, "conv_b"));
  EXPECT_FALSE(r.model.weights.contains("fc"));
  EXPECT_EQ(analyze(r.model.graph).nodes.at("pool").outputShape, (Shape{kUnknown, 4, 4, 4}));
  ASSERT_EQ(r.model.recipe.size(), 1u);
  EXPECT_EQ(r.model.recipe[0], ops::cut("pool"));
  EXPECT_EQ(m.graph.size(), 7u) << "the input model is a value and stays as it was";
}

TEST(SurgeryCut, InsideAResidualBlockIsRefusedNamingTheDroppedBranchAndWhereItJoins) {
  const Model m = modelFrom(residualGraph());
  auto r = applyOperation(m, ops::cut("branch_b"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(mentions(r.diagnostics(), "branch_b", "'stem' also feeds 'shortcut'"))
      << joinDiagnostics(r.diagnostics());
  EXPECT_TRUE(mentions(r.diagnostics(), "branch_b", "joins the kept path again at 'add'"));
  EXPECT_TRUE(mentions(r.diagnostics(), "branch_b", "drop_branches"));

  Json op = ops::cut("branch_b");
  op["drop_branches"] = true;
  const EditResult dropped = applyOk(m, op);
  EXPECT_EQ(nodeNames(dropped.model.graph),
            (std::vector<std::string>{"input", "stem", "branch_a", "branch_b"}));

  const EditResult atJoin = applyOk(m, ops::cut("add"));
  EXPECT_TRUE(atJoin.model.graph.find("shortcut") && atJoin.model.graph.find("branch_b"));
}

TEST(SurgeryCut, UnknownLayerIsNamed) {
  auto r = applyOperation(modelFrom(chainGraph()), ops::cut("nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(mentions(r.diagnostics(), "nope", "no layer of this name"));
}

// The output marker dropped on the input removed every layer, without a word.
TEST(SurgeryCut, AtTheInputIsRefused) {
  auto r = applyOperation(modelFrom(chainGraph()), ops::cut("input"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(mentions(r.diagnostics(), "input", "would remove every layer of the model"))
      << joinDiagnostics(r.diagnostics());
}

TEST(SurgeryStack, AppendsAChainWithFreshWeightsThatBecomesTheOutput) {
  const Model m = modelFrom(chainGraph());
  const Model cut = applyOk(m, ops::cut("pool")).model;
  const EditResult r = applyOk(
      cut,
      ops::stack("pool",
                 {ops::layer("Conv2D", "head_conv",
                             {{"filters", 6}, {"kernel_size", {3, 3}}, {"activation", "relu"}}),
                  ops::layer("Flatten", "head_flatten"),
                  ops::layer("Dense", "head_out", {{"units", 3}})}));
  EXPECT_EQ(r.model.graph.outputs(), std::vector<std::string>{"head_out"});
  const GraphAnalysis a = analyze(r.model.graph);
  EXPECT_EQ(a.nodes.at("head_conv").outputShape, (Shape{kUnknown, 2, 2, 6}));
  EXPECT_EQ(a.nodes.at("head_out").params, 2 * 2 * 6 * 3 + 3);
  EXPECT_TRUE(checkWeights(r.model.graph, a, r.model.weights).empty());
  EXPECT_TRUE(sharesWeights(cut, "conv_a", r.model, "conv_a"));
  // Keras defaults: zero bias, Glorot-uniform kernel within sqrt(6 / (fan_in + fan_out)).
  const auto& w = *r.model.weights.find("head_conv");
  EXPECT_EQ(w[1].values()[0], 0.0f);
  const float limit = std::sqrt(6.0f / (9 * 4 + 9 * 6));
  bool nonZero = false;
  for (int64_t i = 0; i < w[0].numel(); ++i) {
    EXPECT_LE(std::abs(w[0].values()[i]), limit);
    nonZero = nonZero || w[0].values()[i] != 0.0f;
  }
  EXPECT_TRUE(nonZero);
  EXPECT_TRUE(r.operation.contains("seed")) << "the seed is recorded so a replay is identical";
}

// Class names belong to the output they were written for: an edit that keeps the 2-class output
// keeps them; a cut or a new 3-class head drops them with a note naming them.
TEST(SurgeryLabels, AreDroppedWithANoteWhenTheOutputNoLongerFitsThem) {
  Model m = modelFrom(chainGraph());
  m.labels = {"cat", "dog"};
  const EditResult frozen = applyOk(m, ops::freeze(ops::upTo("conv_b")));
  EXPECT_EQ(frozen.model.labels, m.labels);
  const auto labelNote = [](const EditResult& r) {
    for (const std::string& note : r.notes)
      if (note.find("class names") != std::string::npos) return note;
    return std::string();
  };
  EXPECT_EQ(labelNote(frozen), "");

  const EditResult cut = applyOk(m, ops::cut("pool"));
  EXPECT_TRUE(cut.model.labels.empty()) << "a feature map has no classes";
  const EditResult head =
      applyOk(m, ops::stack("out", {ops::layer("Dense", "head_out", {{"units", 3}})}));
  EXPECT_TRUE(head.model.labels.empty());
  const EditResult replaced =
      applyOk(m, ops::replace({"out"}, ops::layer("Dense", "out2", {{"units", 2}})));
  EXPECT_EQ(replaced.model.labels, m.labels) << "still two classes";

  EXPECT_NE(labelNote(cut).find("2 class names (cat, dog)"), std::string::npos) << labelNote(cut);
  EXPECT_NE(labelNote(cut).find("--labels"), std::string::npos) << labelNote(cut);
  EXPECT_NE(labelNote(head).find("3 classes"), std::string::npos) << labelNote(head);

  // Names that did not fit before (a labels file of another count) are not the edit's business.
  Model misfit = m;
  misfit.labels = {"a", "b", "c"};
  const EditResult untouched = applyOk(misfit, ops::cut("pool"));
  EXPECT_EQ(untouched.model.labels, misfit.labels);
  EXPECT_EQ(labelNote(untouched), "");
}

TEST(SurgeryStack, ReplayingTheRecordedStepGivesTheSameWeights) {
  const Model cut = applyOk(modelFrom(chainGraph()), ops::cut("pool")).model;
  const EditResult first =
      applyOk(cut, ops::stack("pool", {ops::layer("Conv2D", "", {{"filters", 2}})}));
  const EditResult again = applyOk(cut, first.operation, EditOptions{12345});
  const auto& a = *first.model.weights.find("conv2d");
  const auto& b = *again.model.weights.find("conv2d");
  EXPECT_EQ(*a[0].data, *b[0].data);
}

TEST(SurgeryStack, NamesUnnamedLayersLikeKeras) {
  const Model m = modelFrom(chainGraph());
  const EditResult s = applyOk(m, ops::stack("out", {ops::layer("Dense", "", {{"units", 4}}),
                                                     ops::layer("Dense", "", {{"units", 2}})}));
  EXPECT_TRUE(s.model.graph.find("dense") && s.model.graph.find("dense_1"));
  EXPECT_EQ(s.operation["layers"][1]["config"]["name"], "dense_1");
}

TEST(SurgeryStack, RefusesDuplicateNamesUnknownFieldsAndShapeErrors) {
  const Model m = modelFrom(chainGraph());
  auto dup = applyOperation(m, ops::stack("out", {ops::layer("Dense", "fc", {{"units", 2}})}));
  EXPECT_TRUE(mentions(dup.diagnostics(), "fc", "already exists"));
  auto typo = applyOperation(m, ops::stack("out", {ops::layer("Dense", "x", {{"unit", 2}})}));
  EXPECT_TRUE(mentions(typo.diagnostics(), "x", "config field 'unit' is not a Dense setting"));
  auto shape = applyOperation(m, ops::stack("out", {ops::layer("Conv2D", "c2d")}));
  EXPECT_TRUE(mentions(shape.diagnostics(), "c2d", "4-D input"))
      << joinDiagnostics(shape.diagnostics());
  auto cls = applyOperation(m, ops::stack("out", {ops::layer("Conv3D", "c3d")}));
  EXPECT_TRUE(mentions(cls.diagnostics(), "c3d", "unsupported layer type 'Conv3D'"));
}

TEST(SurgeryStack, AfterAnInteriorLayerAddsAnOutput) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(m, ops::stack("fc", {ops::layer("Dense", "aux", {{"units", 3}})}));
  EXPECT_EQ(r.model.graph.outputs(), (std::vector<std::string>{"out", "aux"}));
  EXPECT_TRUE(sharesWeights(m, "out", r.model, "out"));
}

TEST(SurgeryInsert, AfterBeforeAndBetweenRewireOnlyThatEdge) {
  const Model m = modelFrom(chainGraph());
  const auto bn = [](const char* name) { return ops::layer("BatchNormalization", name); };
  const EditResult after = applyOk(m, ops::insertAfter("conv_a", bn("bn1")));
  EXPECT_EQ(after.model.graph.at("conv_b").inputs, std::vector<std::string>{"bn1"});
  EXPECT_EQ(after.model.graph.at("bn1").inputs, std::vector<std::string>{"conv_a"});
  EXPECT_EQ(nodeNames(after.model.graph)[2], "bn1") << "listed right after its producer";
  for (const char* layer : {"conv_a", "conv_b", "fc", "out"})
    EXPECT_TRUE(sharesWeights(m, layer, after.model, layer)) << layer;

  const EditResult before = applyOk(m, ops::insertBefore("pool", bn("bn2")));
  EXPECT_EQ(before.model.graph.at("pool").inputs, std::vector<std::string>{"bn2"});
  const EditResult between =
      applyOk(m, ops::insertBetween("fc", "out", ops::layer("Dropout", "d")));
  EXPECT_EQ(between.model.graph.at("out").inputs, std::vector<std::string>{"d"});

  const EditResult atOutput = applyOk(m, ops::insertAfter("out", ops::layer("Activation", "act")));
  EXPECT_EQ(atOutput.model.graph.outputs(), std::vector<std::string>{"act"});

  auto noEdge = applyOperation(m, ops::insertBetween("conv_a", "pool", bn("x")));
  EXPECT_TRUE(mentions(noEdge.diagnostics(), "pool", "does not read 'conv_a' directly"));
  // Before a model input there is no edge to name (it offered "between": [producer, input]).
  auto beforeInput = applyOperation(m, ops::insertBefore("input", bn("x")));
  EXPECT_TRUE(mentions(beforeInput.diagnostics(), "input", "is a model input: nothing goes before"))
      << joinDiagnostics(beforeInput.diagnostics());
}

TEST(SurgeryInsert, RefusesWhenADownstreamKernelNoLongerFitsUnlessAskedToReinitialize) {
  const Model m = modelFrom(chainGraph());
  Json op = ops::insertAfter("conv_a",
                             ops::layer("Conv2D", "wide", {{"filters", 8}, {"padding", "same"}}));
  auto refused = applyOperation(m, op);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(mentions(refused.diagnostics(), "conv_b", "(3, 3, 4, 4) no longer fits"))
      << joinDiagnostics(refused.diagnostics());
  op["reinitialize"] = true;
  const EditResult r = applyOk(m, op);
  EXPECT_EQ((*r.model.weights.find("conv_b"))[0].shape, (Shape{3, 3, 8, 4}));
  EXPECT_TRUE(sharesWeights(m, "conv_b", r.model, "conv_b") == false);
  EXPECT_TRUE(sharesWeights(m, "fc", r.model, "fc"));
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("conv_b: re-initialised kernel (3, 3, 8, 4)"), std::string::npos)
      << r.notes.back();
}

TEST(SurgeryRemove, ReconnectsThePredecessorToTheSuccessor) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(m, ops::remove({"conv_b"}));
  EXPECT_EQ(r.model.graph.at("pool").inputs, std::vector<std::string>{"conv_a"});
  EXPECT_FALSE(r.model.weights.contains("conv_b"));
  EXPECT_TRUE(sharesWeights(m, "fc", r.model, "fc"));

  const EditResult tail = applyOk(m, ops::remove({"out"}));
  EXPECT_EQ(tail.model.graph.outputs(), std::vector<std::string>{"fc"});
}

TEST(SurgeryRemove, RefusesWhatWouldBreakTheModelNamingTheLayer) {
  const Model m = modelFrom(chainGraph());
  // Without both convs the Dense kernel gets 48 inputs instead of 64.
  auto misfit = applyOperation(m, ops::remove({"conv_a", "conv_b"}));
  EXPECT_TRUE(mentions(misfit.diagnostics(), "fc", "(64, 5) no longer fits"))
      << joinDiagnostics(misfit.diagnostics());
  auto notChain = applyOperation(m, ops::remove({"conv_a", "pool"}));
  EXPECT_TRUE(mentions(notChain.diagnostics(), "", "do not form one chain"))
      << joinDiagnostics(notChain.diagnostics());
  auto input = applyOperation(m, ops::remove({"input"}));
  EXPECT_TRUE(mentions(input.diagnostics(), "input", "is a model input"));

  const Model res = modelFrom(test::residualGraph());
  auto merge = applyOperation(res, ops::remove({"add"}));
  EXPECT_TRUE(mentions(merge.diagnostics(), "add", "has 2 inputs"));
  auto branchPoint = applyOperation(res, ops::remove({"stem", "branch_a"}));
  EXPECT_TRUE(mentions(branchPoint.diagnostics(), "stem", "also feeds 'shortcut'"))
      << joinDiagnostics(branchPoint.diagnostics());

  // A convolution that changes the channels before an Add: shapes are checked after each step,
  // so "remove, then insert another" cannot work; the refusal says what does.
  GraphBuilder b("widen");
  const auto x = b.input("input", {kUnknown, 8, 8, 3});
  const auto c = b.add("Conv2D", "c", {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}}, x);
  const auto sc = b.add("Conv2D", "s", {{"filters", 4}, {"kernel_size", 1}}, x);
  const Model widen =
      modelFrom(b.build({b.add("Add", "add", {}, std::vector<std::string>{c, sc})}));
  auto shapes = applyOperation(widen, ops::remove({"c"}));
  EXPECT_TRUE(mentions(shapes.diagnostics(), "add", "equal shapes"))
      << joinDiagnostics(shapes.diagnostics());
  EXPECT_TRUE(mentions(shapes.diagnostics(), "", "use replace, or insert the new layer first"))
      << joinDiagnostics(shapes.diagnostics());
}

TEST(SurgeryReplace, SwapsAChainForANewLayerWithTheSameOutputShape) {
  const Model m = modelFrom(chainGraph());
  const EditResult r = applyOk(
      m, ops::replace({"conv_a", "conv_b"},
                      ops::layer("Conv2D", "conv_5x5",
                                 {{"filters", 4}, {"kernel_size", 5}, {"padding", "same"}})));
  EXPECT_EQ(nodeNames(r.model.graph),
            (std::vector<std::string>{"input", "conv_5x5", "pool", "flatten", "fc", "out"}));
  EXPECT_EQ(r.model.graph.at("pool").inputs, std::vector<std::string>{"conv_5x5"});
  EXPECT_EQ((*r.model.weights.find("conv_5x5"))[0].shape, (Shape{5, 5, 3, 4}));
  EXPECT_TRUE(sharesWeights(m, "fc", r.model, "fc"));

  // Reusing the replaced layer's name is fine.
  const EditResult same = applyOk(
      m, ops::replace({"conv_b"},
                      ops::layer("Conv2D", "conv_b", {{"filters", 4}, {"kernel_size", 1}})));
  EXPECT_EQ((*same.model.weights.find("conv_b"))[0].shape, (Shape{1, 1, 4, 4}));

  auto wrong = applyOperation(
      m,
      ops::replace({"conv_b"}, ops::layer("Conv2D", "c6", {{"filters", 6}, {"padding", "same"}})));
  EXPECT_TRUE(mentions(wrong.diagnostics(), "c6", "must keep the output shape"))
      << joinDiagnostics(wrong.diagnostics());
}

// What the GUI's "Replace with" puts in: the new layer takes over the replaced one's settings
// under the keys it shares (Keras's defaults, 32 filters 3x3 valid, never kept a shape).
TEST(SurgeryReplace, ALayerLikeTheReplacedOneKeepsItsShape) {
  const Model m = modelFrom(chainGraph());
  const Node& convB = m.graph.at("conv_b");
  const Json separable = ops::layerLike("SeparableConv2D", "sep", convB);
  EXPECT_EQ(separable.at("config").at("name"), "sep");
  EXPECT_EQ(separable.at("config").at("filters"), convB.config.at("filters"));
  EXPECT_EQ(separable.at("config").at("padding"), "same");
  const EditResult r = applyOk(m, ops::replace({"conv_b"}, separable));
  EXPECT_EQ(r.model.graph.at("sep").className, "SeparableConv2D");

  // A depthwise convolution has no filters: only what it has is taken over.
  const Json depthwise = ops::layerLike("DepthwiseConv2D", "dw", convB);
  EXPECT_FALSE(depthwise.at("config").contains("filters"));
  EXPECT_EQ(depthwise.at("config").at("padding"), "same");
  applyOk(m, ops::replace({"conv_b"}, depthwise));

  // A key of the same name but another kind or meaning stays the new class's default.
  EXPECT_FALSE(ops::layerLike("ZeroPadding2D", "pad", convB).at("config").contains("padding"));
  Node elu;
  elu.className = "ELU";
  elu.config = {{"name", "elu"}, {"alpha", 1.0}};
  EXPECT_FALSE(ops::layerLike("LeakyReLU", "leaky", elu).at("config").contains("alpha"));

  // Nothing in common: Keras's defaults, and the shape check says why.
  const Json relu = ops::layerLike("ReLU", "r", convB);
  EXPECT_EQ(relu.at("config"), Json({{"name", "r"}}));
  auto dense = applyOperation(m, ops::replace({"conv_b"}, ops::layerLike("Dense", "d", convB)));
  EXPECT_TRUE(mentions(dense.diagnostics(), "d", "but 'conv_b', which it replaces, outputs"))
      << joinDiagnostics(dense.diagnostics());
}

// Notes in plain numbers: "removed 1 layers" and "unfroze 0 of 1 layers (the others were not
// frozen)" read as nonsense in the status bar.
TEST(SurgeryNotes, CountsReadAsSentences) {
  const Model m = modelFrom(chainGraph());
  EXPECT_EQ(applyOk(m, ops::cut("fc")).notes.back(), "cut at fc: removed 1 layer");
  EXPECT_EQ(applyOk(m, ops::unfreeze({{"conv_a"}})).notes.back(),
            "nothing to unfreeze: none of the 1 layer named was frozen");
  const Model frozen = applyOk(m, ops::freeze({{"conv_a"}})).model;
  EXPECT_EQ(applyOk(frozen, ops::freeze({{"conv_a"}})).notes.back(),
            "nothing to freeze: the 1 layer named already was frozen");
  EXPECT_EQ(applyOk(frozen, ops::freeze({{"conv_a", "conv_b"}})).notes.back(),
            "froze 1 of 2 layers (the others already were)");
}

TEST(SurgeryOperation, MalformedOperationsAreDiagnosed) {
  const Model m = modelFrom(chainGraph());
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "explode"}}).diagnostics(), "op",
                       "unknown operation 'explode'"));
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "cut"}}).diagnostics(), "at", "missing"));
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "cut"}, {"at", 3}}).diagnostics(), "at",
                       "must be a layer name"));
  EXPECT_TRUE(mentions(applyOperation(m, Json::array()).diagnostics(), "op", "\"op\" field"));
  EXPECT_TRUE(mentions(applyOperation(m, Json{{"op", "insert"},
                                              {"after", "fc"},
                                              {"before", "out"},
                                              {"layer", ops::layer("Dropout", "d")}})
                           .diagnostics(),
                       "insert", "exactly one of"));
}

}  // namespace
}  // namespace graft

// Recipes on the zoo's Keras Applications graphs (random weights with a seed, no download): the
// two classic transfer-learning examples of ../shared/seed with parameter counts worked out by
// hand, untouched weights bit-identical, and MobileNet / ResNet50 surgery.
#include <gtest/gtest.h>

#include "graph/surgery/ops.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"

namespace graft {
namespace {

Model zooModel(const std::string& architecture, bool includeTop, int64_t inputSize = 0,
               double alpha = 1.0) {
  zoo::ZooOptions options;
  options.architecture = architecture;
  options.includeTop = includeTop;
  options.alpha = alpha;
  if (inputSize) options.inputSize = inputSize;
  Model m;
  m.graph = zoo::buildGraph(options);
  m.preprocessing = zoo::preprocessingFor(architecture);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 42);
  return m;
}

bool sameBuffers(const Model& a, const Model& b, const std::string& layer) {
  const auto* wa = a.weights.find(layer);
  const auto* wb = b.weights.find(layer);
  if (!wa || !wb || wa->size() != wb->size()) return false;
  for (size_t i = 0; i < wa->size(); ++i)
    if ((*wa)[i].data != (*wb)[i].data) return false;
  return true;
}

RecipeResult applyOk(const Model& m, const Json& operations) {
  Expected<RecipeResult> r = applyRecipe(m, operations);
  EXPECT_TRUE(r.ok()) << joinDiagnostics(r.diagnostics());
  if (!r.ok()) throw Error(r.diagnostics());
  return std::move(r).value();
}

const Json& classicHead() {
  static const Json head =
      Json::array({ops::layer("Conv2D", "head_conv",
                              {{"filters", 64}, {"kernel_size", {3, 3}}, {"activation", "relu"}}),
                   ops::layer("MaxPooling2D", "head_pool", {{"pool_size", {2, 2}}}),
                   ops::layer("Flatten", "head_flatten"),
                   ops::layer("Dense", "head_fc", {{"units", 256}, {"activation", "relu"}}),
                   ops::layer("Dropout", "head_dropout", {{"rate", 0.5}}),
                   ops::layer("Dense", "head_out", {{"units", 10}, {"activation", "softmax"}})});
  return head;
}

// Seed example 1: VGG16 bottom up to block2_pool at 160x160, a new head, the first 7 layers
// frozen. By hand: block1_conv1 3*3*3*64+64 = 1,792; block1_conv2 3*3*64*64+64 = 36,928;
// block2_conv1 3*3*64*128+128 = 73,856; block2_conv2 3*3*128*128+128 = 147,584 (frozen:
// 260,160). 160 -> 80 -> 40 after the pools; head_conv (valid) 38x38x64: 3*3*128*64+64 = 73,792;
// pool 19x19x64, flatten 23,104; head_fc 23,104*256+256 = 5,914,880; head_out 256*10+10 = 2,570
// (trainable: 5,991,242). Total 6,251,402.
void expectClassicExampleOne(const Model& original, const Model& edited) {
  const GraphAnalysis a = analyzeOrThrow(edited.graph);
  EXPECT_EQ(a.totalParams, 6'251'402);
  EXPECT_EQ(a.trainableParams, 5'991'242);
  EXPECT_EQ(a.nonTrainableParams(), 260'160);
  EXPECT_EQ(a.nodes.at("block2_pool").outputShape, (Shape{kUnknown, 40, 40, 128}));
  EXPECT_EQ(a.nodes.at("head_conv").outputShape, (Shape{kUnknown, 38, 38, 64}));
  EXPECT_EQ(a.nodes.at("head_flatten").outputShape, (Shape{kUnknown, 23'104}));
  EXPECT_EQ(a.nodes.at("head_out").outputShape, (Shape{kUnknown, 10}));
  EXPECT_EQ(edited.graph.size(), 13u);
  EXPECT_EQ(edited.graph.outputs(), std::vector<std::string>{"head_out"});
  for (const char* layer : {"block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2"}) {
    EXPECT_TRUE(sameBuffers(original, edited, layer)) << layer;
    EXPECT_FALSE(edited.graph.at(layer).trainable) << layer;
  }
  EXPECT_TRUE(edited.graph.at("head_conv").trainable);
  EXPECT_TRUE(checkWeights(edited.graph, a, edited.weights).empty());
}

Json classicOneOperations() {
  ops::Selection upto;
  upto.upto = "block2_pool";
  return Json::array({ops::setInputShape({160, 160, 3}), ops::cut("block2_pool"),
                      ops::stack("block2_pool", {classicHead().begin(), classicHead().end()}),
                      ops::freeze(upto)});
}

TEST(RecipeZoo, ClassicExampleOneFromTheNoTopModelAt160) {
  const Model vgg = zooModel("vgg16", false, 160);
  const RecipeResult r =
      applyOk(vgg, Json::array({classicOneOperations()[1], classicOneOperations()[2],
                                classicOneOperations()[3]}));
  expectClassicExampleOne(vgg, r.model);
  EXPECT_EQ(r.model.recipe.size(), 3u);
}

TEST(RecipeZoo, ClassicExampleOneAsDesignMdWritesIt) {
  // From the full 224 model: set_input_shape leaves fc1's kernel misfitting until the cut
  // removes it, which a recipe allows.
  const Model vgg = zooModel("vgg16", true);
  const RecipeResult r = applyOk(vgg, classicOneOperations());
  expectClassicExampleOne(vgg, r.model);
  EXPECT_EQ(r.model.recipe.size(), 4u);
  EXPECT_EQ(r.model.recipe[0], ops::setInputShape({160, 160, 3}));

  // Alone, the same first step is refused naming the Dense whose kernel no longer fits.
  auto alone = applyOperation(vgg, ops::setInputShape({160, 160, 3}));
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.diagnostics()[0].subject, "fc1");
  EXPECT_NE(alone.diagnostics()[0].message.find("(25088, 4096) no longer fits: the layer now "
                                                "expects (12800, 4096)"),
            std::string::npos)
      << alone.diagnostics()[0].message;
}

// Seed example 2: block1_conv1 and block1_conv2 replaced by new_conv (64 filters, 5x5, same)
// right after the input, every later layer frozen. By hand: 138,357,544 - 1,792 - 36,928 +
// (5*5*3*64 + 64 = 4,864) = 138,323,688 parameters, 4,864 of them trainable.
TEST(RecipeZoo, ClassicExampleTwoRemoveTwoConvsInsertOneAndFreezeTheRest) {
  const Model vgg = zooModel("vgg16", true);
  ops::Selection rest;
  rest.from = "block1_pool";
  const Json operations = Json::array(
      {ops::remove({"block1_conv1", "block1_conv2"}),
       ops::insertAfter(
           "input_1", ops::layer("Conv2D", "new_conv",
                                 {{"filters", 64}, {"kernel_size", {5, 5}}, {"padding", "same"}})),
       ops::freeze(rest)});
  const RecipeResult r = applyOk(vgg, operations);
  const GraphAnalysis a = analyzeOrThrow(r.model.graph);
  EXPECT_EQ(a.totalParams, 138'323'688);
  EXPECT_EQ(a.trainableParams, 4'864);
  EXPECT_EQ(r.model.graph.nodes()[1].name, "new_conv");
  EXPECT_EQ(r.model.graph.at("block1_pool").inputs, std::vector<std::string>{"new_conv"});
  EXPECT_EQ(a.nodes.at("new_conv").outputShape, (Shape{kUnknown, 224, 224, 64}));
  for (const auto& n : r.model.graph.nodes()) {
    if (n.name == "new_conv" || n.className == "InputLayer") continue;
    EXPECT_FALSE(n.trainable) << n.name;
    if (a.nodes.at(n.name).params) {
      EXPECT_TRUE(sameBuffers(vgg, r.model, n.name)) << n.name;
    }
  }

  // The remove step on its own leaves block2_conv1 without fitting weights, so outside a
  // recipe it is refused, naming that layer.
  auto alone = applyOperation(vgg, operations[0]);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.diagnostics()[0].subject, "block2_conv1");
}

TEST(RecipeZoo, AFailingOperationReportsItsIndexAndChangesNothing) {
  const Model vgg = zooModel("vgg16", false, 64);
  const Json operations = Json::array({ops::cut("block3_pool"), ops::rename("block1_conv1", "x"),
                                       ops::remove({"block9_conv1"}), ops::cut("block2_pool")});
  auto r = applyRecipe(vgg, operations);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].subject, "operations[2] (remove)");
  EXPECT_NE(r.diagnostics()[0].message.find("block9_conv1: no layer of this name"),
            std::string::npos)
      << r.diagnostics()[0].message;
  EXPECT_TRUE(vgg.graph.find("block1_conv1"));

  // A misfit nobody repairs is blamed on the step that caused it.
  auto unrepaired = applyRecipe(
      vgg, Json::array({ops::rename("block5_pool", "end"), ops::remove({"block1_conv1"}),
                        ops::freeze({{"end"}, "", "", {}})}));
  ASSERT_FALSE(unrepaired.ok());
  EXPECT_EQ(unrepaired.diagnostics()[0].subject, "operations[1] (remove)");
  EXPECT_NE(unrepaired.diagnostics()[0].message.find("block1_conv2"), std::string::npos)
      << unrepaired.diagnostics()[0].message;
}

TEST(RecipeZoo, RecipeDocumentsAreVersioned) {
  EXPECT_EQ(recipeOperations(recipeDocument(Json::array({ops::cut("a")}))),
            Json::array({ops::cut("a")}));
  EXPECT_THROW(recipeOperations(Json{{"operations", Json::array()}}), Error);
  try {
    recipeOperations(Json{{"graft_recipe", 1}, {"operations", Json::array()}, {"opertions", 1}},
                     "r.json");
    FAIL() << "a recipe with a misspelt field was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.json: unknown field 'opertions'"), std::string::npos)
        << e.what();
  }
  try {
    recipeOperations(Json{{"graft_recipe", 2}, {"operations", Json::array()}}, "r.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.json: recipe format version 2 was written by a newer "
                                         "Graft"),
              std::string::npos)
        << e.what();
  }
}

TEST(RecipeZoo, ResNet50CutInsideAResidualBlockIsRefusedAndAtItsEndWorks) {
  const Model resnet = zooModel("resnet50", false, 64);
  auto inside = applyOperation(resnet, ops::cut("res2a_branch2b"));
  ASSERT_FALSE(inside.ok());
  const std::string message = joinDiagnostics(inside.diagnostics());
  EXPECT_NE(message.find("also feeds 'res2a_branch1'"), std::string::npos) << message;
  EXPECT_NE(message.find("joins the kept path again at 'add_1'"), std::string::npos) << message;

  const Model end = applyOperation(resnet, ops::cut("activation_4")).value().model;
  const GraphAnalysis a = analyzeOrThrow(end.graph);
  EXPECT_TRUE(end.graph.find("res2a_branch1") && end.graph.find("res2a_branch2c"));
  EXPECT_EQ(a.nodes.at("activation_4").outputShape, (Shape{kUnknown, 15, 15, 256}));
  EXPECT_TRUE(sameBuffers(resnet, end, "res2a_branch1"));

  // conv1 + bn_conv1 fold; the result keeps every other layer's weights.
  const Model fused = applyOperation(resnet, ops::fuse({"conv1", "bn_conv1"})).value().model;
  EXPECT_FALSE(fused.graph.find("bn_conv1"));
  EXPECT_EQ(analyzeOrThrow(fused.graph).totalParams, 23'587'712 - 4 * 64);
  EXPECT_TRUE(sameBuffers(resnet, fused, "res5c_branch2c"));
}

TEST(RecipeZoo, ResNet50ReplaceInsertRemoveRenameAndFreezeByType) {
  const Model resnet = zooModel("resnet50", false, 64);
  ops::Selection norms;
  norms.types = {"BatchNormalization"};
  ops::Selection stage5;
  stage5.from = "res5a_branch2a";
  const Json operations = Json::array(
      {ops::replace({"res3a_branch2b"},
                    ops::layer("Conv2D", "res3a_branch2b_5x5",
                               {{"filters", 128}, {"kernel_size", 5}, {"padding", "same"}})),
       ops::insertBetween("add_16", "activation_49", ops::layer("Dropout", "late_dropout")),
       ops::remove({"late_dropout"}),
       ops::insertAfter("activation_49", ops::layer("BatchNormalization", "late_bn")),
       ops::rename("activation_49", "features"), ops::freeze(norms), ops::unfreeze(stage5)});
  const RecipeResult r = applyOk(resnet, operations);
  const GraphAnalysis before = analyzeOrThrow(resnet.graph);
  const GraphAnalysis after = analyzeOrThrow(r.model.graph);
  EXPECT_EQ(after.totalParams,
            before.totalParams - (3 * 3 * 128 * 128 + 128) + (5 * 5 * 128 * 128 + 128) + 4 * 2048);
  EXPECT_EQ(r.model.graph.outputs(), std::vector<std::string>{"late_bn"});
  EXPECT_EQ(r.model.graph.at("late_bn").inputs, std::vector<std::string>{"features"});
  EXPECT_EQ(r.model.graph.at("features").inputs, std::vector<std::string>{"add_16"});
  EXPECT_FALSE(r.model.graph.at("bn2a_branch2a").trainable);
  EXPECT_TRUE(r.model.graph.at("bn5a_branch2a").trainable) << "unfrozen again from stage 5 on";
  EXPECT_TRUE(r.model.graph.at("res4a_branch2a").trainable);
  for (const auto& n : resnet.graph.nodes())
    if (n.name != "res3a_branch2b" && before.nodes.at(n.name).params) {
      EXPECT_TRUE(sameBuffers(resnet, r.model, n.name)) << n.name;
    }
}

TEST(RecipeZoo, MobileNetFoldEveryBatchNormAndSwapTheTop) {
  const Model mobilenet = zooModel("mobilenet", true, 0, 0.25);
  Json operations = Json::array({ops::fuse({"conv1", "conv1_bn"})});
  for (int i = 1; i <= 13; ++i) {
    const std::string n = std::to_string(i);
    operations.push_back(ops::fuse({"conv_dw_" + n, "conv_dw_" + n + "_bn"}));
    operations.push_back(ops::fuse({"conv_pw_" + n, "conv_pw_" + n + "_bn"}));
  }
  operations.push_back(ops::setInputShape({160, 160, 3}));
  // The classifier and the Reshape after it only make sense together: one operation.
  const Json newTop =
      ops::setConfigs({{"conv_preds", {{"filters", 5}}}, {"reshape_2", {{"target_shape", {5}}}}});
  auto alone = applyOperation(mobilenet, ops::setConfig("conv_preds", {{"filters", 5}}));
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.diagnostics()[0].subject, "reshape_2");
  operations.push_back(newTop);
  const RecipeResult r = applyOk(mobilenet, operations);
  const GraphAnalysis before = analyzeOrThrow(mobilenet.graph);
  const GraphAnalysis after = analyzeOrThrow(r.model.graph);
  int64_t bnParams = 0, bnChannels = 0;
  for (const auto& n : mobilenet.graph.nodes())
    if (n.className == "BatchNormalization") {
      bnParams += before.nodes.at(n.name).params;
      bnChannels += before.nodes.at(n.name).outputShape.back();
    }
  // Each BN's 4 vectors go; its conv gains one bias vector; the 1000-class top becomes 5.
  const int64_t top = before.nodes.at("conv_preds").params - (256 * 5 + 5);
  EXPECT_EQ(after.totalParams, before.totalParams - bnParams + bnChannels - top);
  for (const auto& n : r.model.graph.nodes()) EXPECT_NE(n.className, "BatchNormalization");
  EXPECT_EQ(after.nodes.at("conv_pw_13").outputShape, (Shape{kUnknown, 5, 5, 256}));
  EXPECT_EQ(after.nodes.at(r.model.graph.outputs()[0]).outputShape, (Shape{kUnknown, 5}));
  EXPECT_EQ(r.model.recipe.size(), operations.size());
}

}  // namespace
}  // namespace graft

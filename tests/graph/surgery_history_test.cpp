// Undo/redo: random sequences of valid operations, undone, give the original model back (graph
// equal, weights the very same buffers); redone, give the edited model back.
#include <gtest/gtest.h>

#include <random>

#include "graph/surgery/edit_history.h"
#include "graph/surgery/ops.h"
#include "surgery_models.h"

namespace graft {
namespace {

using test::chainGraph;
using test::modelFrom;
using test::residualGraph;

// Same graph, same recipe, same metadata, and every layer's weights in the same buffers.
void expectIdentical(const Model& a, const Model& b) {
  EXPECT_EQ(a.graph, b.graph);
  EXPECT_EQ(a.recipe, b.recipe);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.weightsSource, b.weightsSource);
  EXPECT_EQ(a.weights.layers(), b.weights.layers());
  for (const auto& layer : a.weights.layers())
    EXPECT_TRUE(test::sharesWeights(a, layer, b, layer)) << layer;
}

Json randomOperation(const Model& m, std::mt19937& rng, int serial) {
  const auto& nodes = m.graph.nodes();
  auto pick = [&]() -> const std::string& {
    return nodes[std::uniform_int_distribution<size_t>(0, nodes.size() - 1)(rng)].name;
  };
  const std::string fresh = "n" + std::to_string(serial);
  ops::Selection sel;
  switch (std::uniform_int_distribution<int>(0, 10)(rng)) {
    case 0:
      sel.upto = pick();
      return ops::freeze(sel);
    case 1:
      sel.from = pick();
      return ops::unfreeze(sel);
    case 2:
      return ops::rename(pick(), fresh);
    case 3:
      return ops::insertAfter(pick(), ops::layer("BatchNormalization", fresh));
    case 4:
      return ops::insertBefore(pick(), ops::layer("Dropout", fresh, {{"rate", 0.25}}));
    case 5:
      return ops::remove({pick()});
    case 6: {
      Json op = ops::setConfig(pick(), {{"units", 3 + serial % 4}});
      return op;
    }
    case 7:
      return ops::stack(m.graph.outputs()[0], {ops::layer("Dense", fresh, {{"units", 4}})});
    case 8:
      return ops::fuse({pick(), pick()});
    case 9: {
      Json op = ops::cut(pick());
      op["drop_branches"] = true;
      return op;
    }
    default: {
      Json op = ops::setInputShape({6 + serial % 5, 6 + serial % 5, 3});
      op["reinitialize"] = true;
      return op;
    }
  }
}

void randomEditsUndoAndRedo(const Model& original, uint32_t seed) {
  std::mt19937 rng(seed);
  EditHistory history(original);
  int applied = 0;
  for (int serial = 0; serial < 60; ++serial) {
    const Model before = history.current();
    const Json op = randomOperation(before, rng, serial);
    Expected<Edit> edit = history.apply(op, EditOptions{seed});
    if (!edit) {
      // A refused edit changes nothing.
      expectIdentical(history.current(), before);
      continue;
    }
    ++applied;
    expectIdentical(edit->before, before);
    EXPECT_EQ(edit->after.recipe.back(), edit->operation);
    EXPECT_TRUE(analyze(history.current().graph).ok()) << op.dump();
    const GraphAnalysis a = analyze(history.current().graph);
    EXPECT_TRUE(checkWeights(history.current().graph, a, history.current().weights).empty())
        << op.dump();
  }
  EXPECT_GE(applied, 15) << "the generator should produce mostly valid edits";
  const Model edited = history.current();
  while (history.canUndo()) history.undo();
  expectIdentical(history.current(), original);
  while (history.canRedo()) history.redo();
  expectIdentical(history.current(), edited);
}

TEST(SurgeryHistory, RandomEditsUndoneGiveTheOriginalBack) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    randomEditsUndoAndRedo(modelFrom(chainGraph()), seed);
    randomEditsUndoAndRedo(modelFrom(residualGraph()), seed + 100);
  }
}

TEST(SurgeryHistory, ApplyAfterUndoDropsTheRedoStack) {
  EditHistory history(modelFrom(chainGraph()));
  ASSERT_TRUE(history.apply(ops::rename("fc", "fc_new")).ok());
  ASSERT_TRUE(history.apply(ops::cut("pool")).ok());
  EXPECT_EQ(history.undoCount(), 2u);
  history.undo();
  EXPECT_TRUE(history.canRedo());
  EXPECT_TRUE(history.current().graph.find("fc_new"));
  ASSERT_TRUE(history.apply(ops::rename("out", "predictions")).ok());
  EXPECT_FALSE(history.canRedo());
  EXPECT_EQ(history.current().recipe.size(), 2u);
  EXPECT_EQ(history.nextUndo()->operation, ops::rename("out", "predictions"));
  EXPECT_FALSE(history.apply(ops::cut("missing")).ok());
  EXPECT_EQ(history.undoCount(), 2u) << "a refused edit is not recorded";
  history.undo();
  history.undo();
  EXPECT_THROW(history.undo(), Error);
}

}  // namespace
}  // namespace graft

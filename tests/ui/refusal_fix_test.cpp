// Refusals speak to a GUI user (issue #21): an edit whose later layers' weights no longer fit
// offers "reinitialise" as a button instead of recipe advice, and the status bar says what an
// edit did in sentences while the History panel keeps the recipe-level detail.
#include <gtest/gtest.h>

#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <QUndoStack>

#include "ui/doc/document.h"
#include "ui/edit_notes.h"
#include "ui/error_dialog.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/properties_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

struct OfferedFix {
  QString title, message, fix;
};

// Answers the fix dialog and remembers what it offered.
class FixAnswer {
 public:
  explicit FixAnswer(bool accept) {
    previous_ =
        ui::setFixChooser([this, accept](const QString& t, const QString& m, const QString& f) {
          offered.push_back({t, m, f});
          return accept;
        });
  }
  ~FixAnswer() { ui::setFixChooser(previous_); }
  std::vector<OfferedFix> offered;

 private:
  ui::FixChooser previous_;
};

class RefusalFixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1440, 900);
    window_->show();
    window_->document()->open(test::smallModel(4), "small model", {});
    window_->showWorkbench();
    // Keyboard shortcuts (Delete) reach only the active window.
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  }
  // Selects pool1 and presses Delete, as a user would: the Dense after the Flatten then
  // receives 30x30x8 values instead of 15x15x8.
  void removePool() {
    ui::GraphView* view = window_->workbench()->view();
    ASSERT_TRUE(view->revealLayer("pool1"));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Delete);
  }
  std::unique_ptr<ui::MainWindow> window_;
};

TEST_F(RefusalFixTest, AWeightMisfitOffersReinitialisingAsAButton) {
  FixAnswer answer(true);
  test::CapturedErrors errors;
  removePool();
  ASSERT_EQ(answer.offered.size(), 1u);
  EXPECT_NE(answer.offered[0].message.indexOf("fc"), -1);
  EXPECT_EQ(answer.offered[0].message.indexOf("\"reinitialize\""), -1)
      << "recipe advice shown to a GUI user";
  EXPECT_NE(answer.offered[0].fix.indexOf("Reinitialise"), -1);
  EXPECT_TRUE(errors.messages().isEmpty());
  const Graph& graph = window_->document()->graph();
  EXPECT_EQ(graph.find("pool1"), nullptr);
  EXPECT_EQ(window_->document()->recipe()["operations"].back()["reinitialize"], true);
  EXPECT_EQ(window_->document()->undoStack()->count(), 1);  // one step for the user
}

TEST_F(RefusalFixTest, DecliningTheFixChangesNothing) {
  FixAnswer answer(false);
  const Model before = window_->document()->model();
  removePool();
  ASSERT_EQ(answer.offered.size(), 1u);
  EXPECT_EQ(window_->document()->graph(), before.graph);
  EXPECT_EQ(window_->document()->undoStack()->count(), 0);
}

TEST(EditNotes, TheStatusBarDropsRecipeBookkeeping) {
  EXPECT_EQ(ui::editNotesSentence({"operations[1] (unfreeze): unfroze 0 of 82 layers"}),
            "Unfroze 0 of 82 layers. (Details in the History panel.)");
  EXPECT_EQ(ui::editNotesSentence({}), QString());
  // A note that starts with a layer name keeps its case (layer names are case-sensitive).
  EXPECT_EQ(ui::editNotesSentence({"conv_preds: re-initialised kernel"}),
            "conv_preds: re-initialised kernel. (Details in the History panel.)");
}

TEST_F(RefusalFixTest, TheHistoryKeepsWhatTheEditNoted) {
  test::CapturedErrors errors;
  ASSERT_TRUE(window_->document()
                  ->apply(Json::array({{{"op", "freeze"}, {"upto", "conv1_bn"}},
                                       {{"op", "unfreeze"}, {"layers", {"fc"}}}}),
                          "freeze the base")
                  .empty());
  const QUndoStack* stack = window_->document()->undoStack();
  ASSERT_EQ(stack->count(), 1);
  const QString history = stack->text(0);
  const QString status = window_->statusBar()->currentMessage();
  // The core's "froze N of M" notes: in full in History, as sentences in the status bar.
  EXPECT_NE(history.indexOf("operations[0] (freeze): froze"), -1) << history.toStdString();
  EXPECT_EQ(status.indexOf("operations["), -1) << status.toStdString();
  EXPECT_NE(status.indexOf("Froze"), -1) << status.toStdString();
  EXPECT_NE(status.indexOf("History"), -1);
}

// A Properties edit that changes what later layers receive asks too (it used to reset them
// without a word): conv1 with 4 filters instead of 8 leaves conv1_bn's 8-channel weights unfit.
TEST_F(RefusalFixTest, APropertiesEditOffersReinitialisingTheLayersAfterIt) {
  ui::GraphView* view = window_->workbench()->view();
  ASSERT_TRUE(view->revealLayer("conv1"));
  auto* filters = qobject_cast<QSpinBox*>(window_->properties()->fieldEditor("filters"));
  ASSERT_NE(filters, nullptr);
  const Model before = window_->document()->model();
  {
    FixAnswer declined(false);
    filters->setValue(4);
    ASSERT_EQ(declined.offered.size(), 1u);
    EXPECT_NE(declined.offered[0].message.indexOf("conv1_bn"), -1)
        << declined.offered[0].message.toStdString();
    // Which weight and which shapes: the question said only that they no longer fit.
    EXPECT_NE(declined.offered[0].message.indexOf("now expects (4,)"), -1)
        << declined.offered[0].message.toStdString();
    EXPECT_EQ(window_->document()->graph(), before.graph);  // nothing changed
    EXPECT_EQ(window_->document()->undoStack()->count(), 0);
  }
  FixAnswer accepted(true);
  filters->setValue(5);
  ASSERT_EQ(accepted.offered.size(), 1u);
  EXPECT_EQ(window_->document()->graph().at("conv1").config["filters"], 5);
  EXPECT_EQ((*window_->document()->model().weights.find("conv1_bn"))[0].shape, (Shape{5}));
  EXPECT_EQ(window_->document()->recipe()["operations"].back()["reinitialize"], true);
  EXPECT_EQ(window_->document()->undoStack()->count(), 1);
}

}  // namespace
}  // namespace graft

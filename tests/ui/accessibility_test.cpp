// A keyboard and screen-reader user: Tab leaves every field and stops only at what is on
// screen, fields say what they are, the graph says what is selected and shows it has the focus.
#include <gtest/gtest.h>

#include <QAccessible>
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include "ui/doc/document.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/properties_panel.h"
#include "ui/start_page.h"
#include "ui/summary_table.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

QString accessibleText(QWidget* widget, QAccessible::Text text) {
  QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
  return iface ? iface->text(text) : QString();
}

// The text of the label a screen reader on Linux reads for a combo box (Qt reports a combo
// box's value as its name there): the widget its Label relation names.
QString labelOf(QWidget* widget) {
  QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
  for (const auto& [other, relation] : iface->relations(QAccessible::Label))
    if (other) return other->text(QAccessible::Name);
  return QString();
}

// Where a widget is, in its window's coordinates.
QRect rectInWindow(const QWidget* widget) {
  return QRect(widget->mapTo(widget->window(), QPoint(0, 0)), widget->size());
}

QString describeStop(const QWidget* widget) {
  return QStringLiteral("%1 '%2' at %3,%4")
      .arg(QString::fromLatin1(widget->metaObject()->className()), widget->objectName())
      .arg(rectInWindow(widget).x())
      .arg(rectInWindow(widget).y());
}

class Accessibility : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1280, 800);
    window_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window_.get()));
  }
  void openSmall() {
    window_->document()->open(test::smallModel(3), "small", {});
    window_->showWorkbench();
    // Laid out: the docks come back and the graph takes the rest of the window.
    ASSERT_TRUE(test::waitFor([this] { return view()->viewport()->width() > 200; }, 5000));
  }
  ui::GraphView* view() const { return window_->workbench()->view(); }
  // Presses Tab (or Shift+Tab) where the focus is, `times` times; the widgets it stopped at.
  QList<QWidget*> walk(int times, bool back) {
    QList<QWidget*> stops;
    for (int i = 0; i < times; ++i) {
      QWidget* at = window_->focusWidget();
      if (!at) break;
      QTest::keyClick(at, Qt::Key_Tab, back ? Qt::ShiftModifier : Qt::NoModifier);
      stops << window_->focusWidget();
    }
    return stops;
  }
  std::unique_ptr<ui::MainWindow> window_;
};

// Tab into the Summary keeps the graph's selection and its row current, and Tab leaves the
// table (it moved cell by cell and never left; tabbing in selected the input layer).
TEST_F(Accessibility, TabEntersAndLeavesTheSummaryKeepingTheSelection) {
  openSmall();
  view()->graphScene()->selectLayers({QStringLiteral("conv1_bn")});
  QTableWidget* table = window_->summary()->table();
  table->setFocus(Qt::TabFocusReason);
  EXPECT_EQ(view()->graphScene()->selectedLayers(), QStringList{"conv1_bn"});
  EXPECT_EQ(window_->summary()->selectedLayers(), QStringList{"conv1_bn"});
  ASSERT_TRUE(table->currentIndex().isValid());
  EXPECT_EQ(table->item(table->currentIndex().row(), 0)->text(), "conv1_bn");
  QTest::keyClick(table, Qt::Key_Tab);
  EXPECT_NE(window_->focusWidget(), table) << "Tab stayed in the table";
  table->setFocus(Qt::TabFocusReason);
  QTest::keyClick(table, Qt::Key_Tab, Qt::ShiftModifier);
  EXPECT_NE(window_->focusWidget(), table) << "Shift+Tab stayed in the table";
  EXPECT_EQ(view()->graphScene()->selectedLayers(), QStringList{"conv1_bn"});
}

// Qt parks the dock behind another's tab (Predictions behind Properties, History behind
// Summary) outside the window instead of hiding it: Tab stopped about ten times there.
TEST_F(Accessibility, TabStopsOnlyAtWhatIsOnScreen) {
  openSmall();
  view()->setFocus(Qt::OtherFocusReason);
  QList<QWidget*> stops = walk(60, true);
  view()->setFocus(Qt::OtherFocusReason);
  stops << walk(60, false);
  ASSERT_FALSE(stops.isEmpty());
  auto* predictions = window_->findChild<QDockWidget*>(QStringLiteral("dock_predictions"));
  for (QWidget* stop : stops) {
    ASSERT_NE(stop, nullptr);
    EXPECT_TRUE(window_->rect().intersects(rectInWindow(stop))) << describeStop(stop).toStdString();
    EXPECT_FALSE(predictions->isAncestorOf(stop)) << describeStop(stop).toStdString();
  }
  // The start page has the window to itself: its stops are on it too.
  window_->showStartPage();
  window_->startPage()->findChild<QLineEdit*>(QStringLiteral("start_zoo_filter"))->setFocus();
  for (QWidget* stop : walk(40, false)) {
    ASSERT_NE(stop, nullptr);
    EXPECT_TRUE(window_->rect().intersects(rectInWindow(stop))) << describeStop(stop).toStdString();
  }
}

TEST_F(Accessibility, FieldsAreNamedForWhatTheySet) {
  ui::StartPage* start = window_->startPage();
  const auto named = [](QWidget* widget, const QString& name) {
    ASSERT_NE(widget, nullptr) << name.toStdString();
    EXPECT_EQ(accessibleText(widget, QAccessible::Name), name);
  };
  named(start->findChild<QLineEdit*>(QStringLiteral("start_zoo_filter")), "Filter architectures");
  named(start->findChild<QTreeWidget*>(QStringLiteral("start_zoo_list")),
        "Keras Applications architectures");
  named(start->findChild<QWidget*>(QStringLiteral("start_recent")), "Recent files");
  // It was named after the section's title.
  named(start->findChild<QWidget*>(QStringLiteral("start_alpha")), "Width α");
  // A combo box: Qt on Linux reports its value as its name; the label is its relation.
  auto* pooling = start->findChild<QComboBox*>(QStringLiteral("start_pooling"));
  EXPECT_EQ(pooling->accessibleName(), "Pooling");
  EXPECT_EQ(labelOf(pooling), "Pooling");

  openSmall();
  named(view(), "Model graph");
  named(window_->layerPalette()->findChild<QLineEdit*>(), "Filter layer types");
  named(window_->layerPalette()->findChild<QTreeWidget*>(), "Layer types");
  named(window_->summary()->table(), "Model summary");
  ui::TrainingPanel* training = window_->trainingPanel();
  named(training->findChild<QLineEdit*>(QStringLiteral("train_data")), "Training data folder");
  named(training->epochsBox(), "Epochs");
  named(training->batchSizeBox(), "Batch size");
  named(training->learningRateEdit(), "Learning rate");
  named(training->planEditor(), "Training plan");
  auto* optimizer = training->findChild<QComboBox*>(QStringLiteral("train_optimizer"));
  EXPECT_EQ(optimizer->accessibleName(), "Optimizer");
  EXPECT_EQ(labelOf(optimizer), "Optimizer");
  EXPECT_EQ(labelOf(training->batchSizeBox()), "batch size");
  // The banner's close button was "✕".
  for (QToolButton* button : window_->workbench()->banner()->findChildren<QToolButton*>()) {
    if (button->text() == QStringLiteral("✕")) {
      EXPECT_EQ(accessibleText(button, QAccessible::Name), "Close message");
    }
  }
  // A layer's choices were named by their value ("same", "linear").
  view()->graphScene()->selectLayers({QStringLiteral("conv1")});
  auto* padding = window_->properties()->findChild<QComboBox*>(QStringLiteral("config_padding"));
  ASSERT_NE(padding, nullptr);
  EXPECT_EQ(padding->accessibleName(), "padding");
  EXPECT_EQ(labelOf(padding), "padding");
}

// The graph says which layer is selected; a screen reader heard nothing but "".
TEST_F(Accessibility, TheGraphDescribesItsSelection) {
  openSmall();
  EXPECT_EQ(accessibleText(view(), QAccessible::Description), "No layer selected");
  view()->graphScene()->selectLayers({QStringLiteral("conv1")});
  EXPECT_EQ(accessibleText(view(), QAccessible::Description), "Selected layer: conv1");
  view()->graphScene()->selectLayers({QStringLiteral("conv1"), QStringLiteral("conv1_bn")});
  EXPECT_EQ(accessibleText(view(), QAccessible::Description), "2 layers selected: conv1, conv1_bn");
}

// With nothing selected the arrows did nothing: they start at the input, Home and End go to
// the ends, Shift+arrow extends the selection as the Summary does.
TEST_F(Accessibility, TheArrowsStartAtTheInputAndShiftExtends) {
  openSmall();
  ui::GraphScene* scene = view()->graphScene();
  scene->clearSelection();
  view()->setFocus();
  QTest::keyClick(view(), Qt::Key_Down);
  EXPECT_EQ(scene->selectedLayers(), QStringList{"input_1"});
  QTest::keyClick(view(), Qt::Key_Down);
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"conv1", "conv1_bn"}));
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"conv1", "conv1_bn", "conv1_relu"}));
  QTest::keyClick(view(), Qt::Key_Down);  // from the last one reached
  EXPECT_EQ(scene->selectedLayers().size(), 1);
  QTest::keyClick(view(), Qt::Key_End);
  EXPECT_EQ(scene->selectedLayers(),
            QStringList{QString::fromStdString(window_->document()->graph().outputs().front())});
  QTest::keyClick(view(), Qt::Key_Home);
  EXPECT_EQ(scene->selectedLayers(), QStringList{"input_1"});
}

// A frame shows the graph has the keyboard focus.
TEST_F(Accessibility, TheGraphShowsItHasTheFocus) {
  openSmall();
  QApplication::setActiveWindow(window_.get());
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  window_->summary()->table()->setFocus();
  const QImage without = view()->viewport()->grab().toImage();
  view()->setFocus();
  ASSERT_TRUE(view()->hasFocus());
  const QImage with = view()->viewport()->grab().toImage();
  test::screenshot(view(), QStringLiteral("graph_keyboard_focus"));
  const QColor highlight = view()->palette().color(QPalette::Highlight);
  const QPoint edge(view()->viewport()->width() / 2, 1);
  EXPECT_EQ(QColor(with.pixel(edge * with.devicePixelRatio())).rgb(), highlight.rgb());
  EXPECT_NE(QColor(without.pixel(edge * without.devicePixelRatio())).rgb(), highlight.rgb());
}

// The graph's layer cards were not exposed one by one (a QGraphicsView's items have no
// accessibility of their own): each is a child of the graph, named by its layer and type, in
// the graph's order, selected and focused as on screen, where it is drawn.
TEST_F(Accessibility, TheGraphListsItsLayersToScreenReaders) {
  openSmall();
  QAccessibleInterface* graph = QAccessible::queryAccessibleInterface(view());
  ASSERT_NE(graph, nullptr);
  QStringList names;
  QAccessibleInterface* conv = nullptr;
  for (int i = 0; i < graph->childCount(); ++i) {
    QAccessibleInterface* child = graph->child(i);
    if (!child || child->role() != QAccessible::ListItem) continue;
    names << child->text(QAccessible::Name);
    EXPECT_EQ(graph->indexOfChild(child), i);
    EXPECT_EQ(child->parent(), graph);
    if (child->text(QAccessible::Name) == QStringLiteral("conv1, Conv2D")) conv = child;
  }
  EXPECT_EQ(names.size(), 7) << names.join(" | ").toStdString();
  EXPECT_EQ(names.value(0), QStringLiteral("input_1, InputLayer"));
  ASSERT_NE(conv, nullptr) << names.join(" | ").toStdString();
  EXPECT_FALSE(conv->state().selected);
  // Selected and focused as the keyboard leaves it; where its card is drawn.
  view()->setFocus();
  view()->graphScene()->selectLayers({"conv1"});
  QApplication::processEvents();
  EXPECT_TRUE(conv->state().selected);
  EXPECT_TRUE(conv->state().focused);
  EXPECT_EQ(graph->focusChild(), conv);
  const ui::NodeItem* card = view()->graphScene()->nodeItem("conv1");
  const QRect drawn =
      view()->mapFromScene(card->mapToScene(card->shape().boundingRect())).boundingRect();
  EXPECT_EQ(conv->rect(), QRect(view()->viewport()->mapToGlobal(drawn.topLeft()), drawn.size()));
  // An edit that lays the graph out anew keeps the child valid for the same layer.
  view()->graphScene()->setArrangement(ui::GraphScene::Arrangement::LeftToRight, false);
  EXPECT_TRUE(conv->isValid());
  EXPECT_EQ(conv->text(QAccessible::Name), QStringLiteral("conv1, Conv2D"));
  view()->graphScene()->setArrangement(ui::GraphScene::Arrangement::TopToBottom, false);
}

}  // namespace
}  // namespace graft

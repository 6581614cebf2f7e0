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
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include "ui/confusion_matrix_view.h"
#include "ui/cut_explorer_panel.h"
#include "ui/doc/document.h"
#include "ui/find_bar.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/overview_widget.h"
#include "ui/pipeline_dialog.h"
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

// Tab moved cell by cell through the confusion matrix once a run filled it (and through the
// cut points' table), never leaving the panel.
TEST_F(Accessibility, TabLeavesTheConfusionMatrixAndTheCutPoints) {
  openSmall();
  window_->showTraining();
  ui::ConfusionMatrixView* matrix = window_->trainingPanel()->confusion();
  matrix->setClasses({"cat", "dog", "fox"});
  matrix->setMatrix({{5, 1, 0}, {2, 4, 0}, {0, 0, 6}});
  ui::CutExplorerPanel* explorer = window_->cutExplorer();
  QTableWidget* cuts = explorer->table();
  cuts->setRowCount(2);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < cuts->columnCount(); ++c)
      cuts->setItem(r, c, new QTableWidgetItem(QString::number(r * 10 + c)));
  for (QAbstractItemView* table :
       {static_cast<QAbstractItemView*>(matrix), static_cast<QAbstractItemView*>(cuts)}) {
    for (const bool back : {false, true}) {
      table->setFocus(Qt::TabFocusReason);
      table->setCurrentIndex(table->model()->index(0, 0));
      QTest::keyClick(table, Qt::Key_Tab, back ? Qt::ShiftModifier : Qt::NoModifier);
      EXPECT_NE(window_->focusWidget(), table)
          << (back ? "Shift+Tab" : "Tab") << " stayed in " << table->metaObject()->className();
    }
  }
}

// The scroll areas holding `field`, the innermost first.
QList<QScrollArea*> scrollAreasHolding(QWidget* field) {
  QList<QScrollArea*> areas;
  for (QWidget* w = field->parentWidget(); w; w = w->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(w)) areas << area;
  return areas;
}

// Whether every scroll area holding `field` shows all of it.
bool shownWhole(QWidget* field) {
  for (QScrollArea* area : scrollAreasHolding(field)) {
    const QRect inViewport(field->mapTo(area->viewport(), QPoint(0, 0)), field->size());
    if (!area->viewport()->rect().contains(inViewport)) return false;
  }
  return true;
}

// Scrolls every area holding `field` to its end; whether that took the field out of view.
bool scrollAwayFrom(QWidget* field) {
  for (QScrollArea* area : scrollAreasHolding(field))
    area->verticalScrollBar()->setValue(area->verticalScrollBar()->maximum());
  return !shownWhole(field);
}

// Ctrl+R focused the training data field where the scrolled panel did not show it; Explore
// Cut Points its data field the same way.
TEST_F(Accessibility, FocusingAPanelsFieldScrollsItIntoView) {
  openSmall();
  QApplication::setActiveWindow(window_.get());
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  window_->resize(960, 540);
  window_->showTraining();
  auto* data = window_->trainingPanel()->findChild<QLineEdit*>(QStringLiteral("train_data"));
  ASSERT_TRUE(test::waitFor([&] { return scrollAwayFrom(data); }, 5000))
      << "the panel does not scroll at this size";
  view()->setFocus();
  window_->showTraining();  // Model › Train… (Ctrl+R)
  ASSERT_EQ(window_->focusWidget(), data);
  EXPECT_TRUE(shownWhole(data));
  test::screenshot(window_.get(), QStringLiteral("training_data_focused_in_view"));

  window_->showCutExplorer();
  auto* explorerData =
      window_->cutExplorer()->findChild<QLineEdit*>(QStringLiteral("explorer_data"));
  ASSERT_TRUE(test::waitFor([&] { return scrollAwayFrom(explorerData); }, 5000))
      << "the cut explorer does not scroll at this size";
  view()->setFocus();
  window_->showCutExplorer();
  ASSERT_EQ(window_->focusWidget(), explorerData);
  EXPECT_TRUE(shownWhole(explorerData));
}

// The window opened with the focus on the notes banner's ✕: it starts on the start page's Open
// button, and on the graph once a model is open.
TEST_F(Accessibility, TheFocusStartsOnWhatThePageIsFor) {
  QApplication::setActiveWindow(window_.get());
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  ASSERT_NE(window_->focusWidget(), nullptr);
  EXPECT_EQ(window_->focusWidget(), window_->startPage()->openFileButton())
      << describeStop(window_->focusWidget()).toStdString();
  test::screenshot(window_.get(), QStringLiteral("start_page_initial_focus"));
  openSmall();
  ASSERT_NE(window_->focusWidget(), nullptr);
  EXPECT_EQ(window_->focusWidget(), view()) << describeStop(window_->focusWidget()).toStdString();
  window_->showStartPage();
  window_->showStartPage();  // a second time: back to the model (the page's own rule)
  EXPECT_EQ(window_->focusWidget(), view()) << describeStop(window_->focusWidget()).toStdString();
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
  // A placeholder, a form row's label over a layout, a dock's title: none of them names it.
  named(window_->workbench()->findBar()->findChild<QLineEdit*>(), "Find layer by name");
  named(window_->overview(), "Graph overview");
  named(window_->trainingPanel()->confusion(), "Validation confusion matrix");
  named(window_->cutExplorer()->table(), "Cut points");
  ui::PipelineDialog* pipeline = window_->savePipeline();
  ASSERT_NE(pipeline, nullptr);
  named(pipeline->pathEdit(), "Pipeline file");
  for (QWidget* field : pipeline->findChildren<QWidget*>()) {
    if (qobject_cast<QLineEdit*>(field) || qobject_cast<QAbstractSpinBox*>(field)) {
      if (qobject_cast<QLineEdit*>(field) && qobject_cast<QAbstractSpinBox*>(field->parent()))
        continue;  // a spin box's own line edit
      EXPECT_FALSE(accessibleText(field, QAccessible::Name).isEmpty())
          << field->metaObject()->className();
    }
  }
  pipeline->reject();
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

// Shift+Up after Shift+Down grew the selection: as in a list, the anchor stays and the moving
// end goes back.
TEST_F(Accessibility, ShiftArrowBackShrinksTheSelection) {
  openSmall();
  ui::GraphScene* scene = view()->graphScene();
  scene->selectLayers({QStringLiteral("conv1")});
  view()->setFocus();
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"conv1", "conv1_bn", "conv1_relu"}));
  QTest::keyClick(view(), Qt::Key_Up, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"conv1", "conv1_bn"}));
  QTest::keyClick(view(), Qt::Key_Up, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), QStringList{"conv1"});
  // Past the anchor the other way: it grows upwards.
  QTest::keyClick(view(), Qt::Key_Up, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"input_1", "conv1"}));
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), QStringList{"conv1"});
  // A selection made otherwise starts a new anchor at the layer the keys go from.
  scene->selectLayers({QStringLiteral("conv1_bn")});
  QTest::keyClick(view(), Qt::Key_Up, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), (QStringList{"conv1", "conv1_bn"}));
  QTest::keyClick(view(), Qt::Key_Down, Qt::ShiftModifier);
  EXPECT_EQ(scene->selectedLayers(), QStringList{"conv1_bn"});
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

// The graph stays readable when zoomed out: MobileNetV2 (~150 layers) fitted in a small window
// draws each card in a simplified form whose type label is a readable size on screen, at 100 %
// the card's full text; the tooltip holds the full name and shape at any zoom, and the freeze
// bar's handle and the output's tag keep a readable size on screen. No edge strikes a nested
// model's title through, and a zoomed-out title shows the model's name. The Summary's totals stay
// clear of its table's scroll bar in a squeezed dock.
#include <gtest/gtest.h>

#include <QDockWidget>
#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QImage>
#include <QLabel>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QScrollBar>
#include <QSettings>
#include <QStyleOptionGraphicsItem>
#include <QTableWidget>
#include <QTextItem>
#include <cmath>
#include <set>

#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/freeze_boundary_item.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/group_item.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/output_marker_item.h"
#include "ui/summary_table.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

// Text a card paints, with its height on screen: a paint engine that records text items and
// the transform they were drawn under, and draws nothing.
struct DrawnText {
  QString text;
  double screenHeight = 0;  // ascent + descent in device pixels
};

class TextRecorder : public QPaintEngine {
 public:
  TextRecorder() : QPaintEngine(AllFeatures) {}
  bool begin(QPaintDevice*) override { return true; }
  bool end() override { return true; }
  void updateState(const QPaintEngineState& state) override {
    if (state.state() & DirtyTransform) transform_ = state.transform();
  }
  void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
  void drawTextItem(const QPointF&, const QTextItem& item) override {
    texts.push_back({item.text(), (item.ascent() + item.descent()) * std::abs(transform_.m22())});
  }
  void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
  void drawPath(const QPainterPath&) override {}
  Type type() const override { return User; }
  std::vector<DrawnText> texts;

 private:
  QTransform transform_;
};

class RecordingDevice : public QPaintDevice {
 public:
  QPaintEngine* paintEngine() const override { return &engine; }
  mutable TextRecorder engine;

 protected:
  int metric(PaintDeviceMetric metric) const override {
    switch (metric) {
      case PdmWidth:
      case PdmHeight:
        return 2000;
      case PdmDpiX:
      case PdmDpiY:
      case PdmPhysicalDpiX:
      case PdmPhysicalDpiY:
        return 96;
      case PdmDepth:
        return 32;
      case PdmDevicePixelRatio:
        return 1;
      case PdmDevicePixelRatioScaled:
        return static_cast<int>(devicePixelRatioFScale());
      default:
        return 1;
    }
  }
};

// What `item` paints at `zoom` (the view's scale), as the view would paint it.
std::vector<DrawnText> textDrawn(QGraphicsItem* item, double zoom) {
  RecordingDevice device;
  QPainter painter(&device);
  painter.scale(zoom, zoom);
  painter.translate(400, 400);
  QStyleOptionGraphicsItem option;
  option.exposedRect = item->boundingRect();
  item->paint(&painter, &option, nullptr);
  painter.end();
  return device.engine.texts;
}

ModelSpec mobileNetV2() {
  ModelSpec spec;
  spec.source = "mobilenetv2";
  return spec;
}

struct SmallWindow {
  SmallWindow() {
    window.resize(1024, 640);
    window.show();
    QSettings().setValue("view/arrangement", 0);  // later tests keep the layout they expect
  }
  // MobileNetV2 open and fitted; null when it failed to open.
  ui::GraphView* fittedMobileNetV2() {
    if (!window.openModel(mobileNetV2())) return nullptr;
    ui::GraphView* view = window.workbench()->view();
    view->fitAll();
    QApplication::processEvents();
    return view;
  }
  // Before the window: the default layout, columns fitting the window.
  bool app = (test::guiApp(), QSettings().remove("view/arrangement"), true);
  ui::MainWindow window;
};

TEST(GraphZoom, FittedCardsShowTheirTypeAtAReadableSize) {
  SmallWindow small;
  ui::MainWindow& window = small.window;
  ui::GraphView* view = small.fittedMobileNetV2();
  ASSERT_NE(view, nullptr);
  EXPECT_GT(view->graphScene()->nodeItems().size(), 140);
  test::screenshot(&window, "mobilenetv2_fitted_1024x640");
  const double fitted = view->zoom();
  EXPECT_LT(fitted, 0.5) << "the fit no longer needs a small zoom: this test checks nothing";

  for (const char* name : {"Conv1", "bn_Conv1", "block_1_depthwise", "block_2_add"}) {
    ui::NodeItem* card = view->graphScene()->nodeItem(name);
    ASSERT_NE(card, nullptr) << name;
    const std::vector<DrawnText> texts = textDrawn(card, fitted);
    ASSERT_FALSE(texts.empty()) << name << " shows no text at " << fitted;
    for (const DrawnText& text : texts)
      EXPECT_GE(text.screenHeight, 7.0)
          << name << ": \"" << text.text.toStdString() << "\" is " << text.screenHeight << " px";
    // The layer's type (short), not a few pixels of its long name.
    EXPECT_EQ(texts.size(), 1u) << name;
    EXPECT_EQ(texts.front().text, card->typeLabel()) << name;
  }
  EXPECT_EQ(view->graphScene()->nodeItem("bn_Conv1")->typeLabel(), "BN");
  EXPECT_EQ(view->graphScene()->nodeItem("block_1_depthwise")->typeLabel(), "DW");
  EXPECT_EQ(view->graphScene()->nodeItem("block_2_add")->typeLabel(), "Add");

  // Frozen layers and the selection still show at this zoom (look at the screenshot), and the
  // label stays readable beside them.
  ASSERT_TRUE(
      window.document()->apply1(Json{{"op", "freeze"}, {"upto", "block_2_add"}}, "f").empty());
  view->graphScene()->selectLayers({"block_1_depthwise"});
  view->fitAll();
  QApplication::processEvents();
  test::screenshot(view, "mobilenetv2_fitted_frozen_selected_1024x640");
  for (const DrawnText& text :
       textDrawn(view->graphScene()->nodeItem("block_1_depthwise"), view->zoom()))
    EXPECT_GE(text.screenHeight, 7.0) << text.text.toStdString();

  // At 100 % the card's own text: name, type with parameters, shape.
  view->setZoom(1.0);
  view->centerOn(view->graphScene()->nodeItem("block_1_depthwise"));
  QApplication::processEvents();
  test::screenshot(&window, "mobilenetv2_100_1024x640");
  QStringList lines;
  for (const DrawnText& text : textDrawn(view->graphScene()->nodeItem("block_1_depthwise"), 1.0))
    lines << text.text;
  EXPECT_TRUE(lines.contains("block_1_depthwise")) << lines.join(" | ").toStdString();
}

// An overlay's label (`text`, centred on `box` in `item`'s coordinates) readable at the zoom
// `view` shows: at least 7 px high on screen, whole inside the box (`fitted`: the box inside
// the window).
void expectReadableOverlay(ui::GraphView* view, QGraphicsItem* item, const QRectF& box,
                           const QString& text, const std::string& where, bool fitted) {
  const std::vector<DrawnText> texts = textDrawn(item, view->zoom());
  ASSERT_EQ(texts.size(), 1u) << where << " at " << view->zoom();
  EXPECT_EQ(texts.front().text, text) << where;
  EXPECT_GE(texts.front().screenHeight, 7.0) << where << " at " << view->zoom();
  const QRect onScreen = view->mapFromScene(item->mapToScene(box)).boundingRect();
  EXPECT_GE(onScreen.height(), texts.front().screenHeight) << where;
  QFont font = QApplication::font();
  font.setBold(true);
  font.setPixelSize(static_cast<int>(std::lround(texts.front().screenHeight)));
  EXPECT_LE(QFontMetricsF(font).horizontalAdvance(text), onScreen.width())
      << where << ": the text overflows its " << onScreen.width() << " px box";
  if (fitted) {
    EXPECT_TRUE(view->viewport()->rect().contains(onScreen))
        << where << ": the box at " << onScreen.x() << "," << onScreen.y() << " ("
        << onScreen.width() << " x " << onScreen.height() << ") is cut off in "
        << view->viewport()->width() << " x " << view->viewport()->height();
  }
}

// The freeze bar's handle, which says how many layers are frozen, and the output's tag.
void expectReadableOverlays(ui::GraphView* view, const std::string& where, bool fitted) {
  ui::FreezeBoundaryItem* bar = view->graphScene()->freezeBoundary();
  ASSERT_NE(bar, nullptr) << where;
  EXPECT_NE(bar->handleText().indexOf(QString::number(bar->frozenCount())), -1)
      << where << ": \"" << bar->handleText().toStdString() << "\"";
  expectReadableOverlay(view, bar, bar->handleRect(), bar->handleText(), where + ", freeze bar",
                        fitted);
  ui::NodeItem* output = view->graphScene()->outputNodeItem();
  ASSERT_NE(output, nullptr) << where;
  ui::OutputMarkerItem* marker = view->graphScene()->outputMarker(output->name());
  ASSERT_NE(marker, nullptr) << where;
  expectReadableOverlay(view, marker, marker->boundingRect(), marker->text(),
                        where + ", output tag", fitted);
}

// A large model in a small window.
bool openResNet50In800x520(ui::MainWindow& window) {
  window.resize(800, 520);
  window.show();
  ModelSpec spec;
  spec.source = "resnet50";
  return window.openModel(spec);
}

// Fitted, the bar's handle was a 30 x 5 px pill with a smear of text, and the output's tag a
// smear too: below the zoom where their text gets too small they keep a size on screen, the
// handle showing "▲ 21" (the tooltip says the rest).
TEST(GraphZoom, FreezeBarAndOutputTagAreReadableAtEveryFittedZoom) {
  {
    SmallWindow small;
    ui::GraphView* view = small.fittedMobileNetV2();
    ASSERT_NE(view, nullptr);
    ASSERT_TRUE(small.window.document()
                    ->apply1(Json{{"op", "freeze"}, {"upto", "block_2_add"}}, "f")
                    .empty());
    view->fitAll();
    QApplication::processEvents();
    test::screenshot(view, "freeze_bar_fitted_mobilenetv2_1024x640");
    ASSERT_LT(view->zoom(), 0.5) << "no small zoom: this test checks nothing";
    const ui::FreezeBoundaryItem* bar = view->graphScene()->freezeBoundary();
    EXPECT_TRUE(bar->isCompact());
    EXPECT_GT(bar->frozenCount(), 20);
    expectReadableOverlays(view, "MobileNetV2 fitted", true);
    EXPECT_TRUE(view->graphScene()->outputMarker("predictions")->isCompact());
    // As far out as the view zooms.
    view->setZoom(0.02);
    QApplication::processEvents();
    expectReadableOverlays(view, "MobileNetV2 at 2 %", false);
    // At 100 % the handle's own sentence.
    view->setZoom(1.0);
    view->centerOn(bar);
    QApplication::processEvents();
    EXPECT_FALSE(bar->isCompact());
    EXPECT_EQ(bar->handleText(), QStringLiteral("▲ %1 frozen").arg(bar->frozenCount()));
    expectReadableOverlays(view, "MobileNetV2 at 100 %", false);
    test::screenshot(view, "freeze_bar_mobilenetv2_100");
  }
  // A large model fitted in a small window, in one column and wrapped.
  test::guiApp();
  for (const bool wrapped : {false, true}) {
    ui::MainWindow window;
    ASSERT_TRUE(openResNet50In800x520(window));
    ui::GraphView* view = window.workbench()->view();
    // The end of the first stage (Keras's older names: the last ReLU of res2c).
    ASSERT_TRUE(
        window.document()->apply1(Json{{"op", "freeze"}, {"upto", "activation_10"}}, "f").empty());
    ui::GraphScene* scene = view->graphScene();
    scene->setArrangement(wrapped ? ui::GraphScene::Arrangement::WrappedColumns
                                  : ui::GraphScene::Arrangement::TopToBottom,
                          false);
    view->fitAll();
    QApplication::processEvents();
    QApplication::processEvents();
    // Settled: the fit does not bring in the scroll bars and fit again without them, and again.
    const double fitted = view->zoom();
    QApplication::processEvents();
    EXPECT_EQ(view->zoom(), fitted);
    test::screenshot(&window, wrapped ? "freeze_bar_fitted_resnet50_columns_800x520"
                                      : "freeze_bar_fitted_resnet50_800x520");
    EXPECT_TRUE(scene->freezeBoundary()->isCompact()) << view->zoom();
    // In one column ResNet50 is taller than the window at the smallest zoom (2 %): its top shows.
    expectReadableOverlays(view, wrapped ? "ResNet50 wrapped" : "ResNet50", wrapped);
    if (!wrapped)
      expectReadableOverlay(view, scene->freezeBoundary(), scene->freezeBoundary()->handleRect(),
                            scene->freezeBoundary()->handleText(), "ResNet50", true);
  }
}

// In a layout wrapped into columns the fitted freeze bar's handle, many times wider than the
// gutter left of its line, covered the right end of the previous column's cards: wherever the
// bar is, its handle covers no card, sits on its line or above the line's start, and reads.
TEST(GraphZoom, TheFreezeHandleCoversNoCardInWrappedColumns) {
  test::guiApp();
  ui::MainWindow window;
  ASSERT_TRUE(openResNet50In800x520(window));
  ui::GraphView* view = window.workbench()->view();
  ui::GraphScene* scene = view->graphScene();
  scene->setArrangement(ui::GraphScene::Arrangement::WrappedColumns, false);
  view->fitAll();
  QApplication::processEvents();
  ASSERT_GE(scene->layout().columns, 4);
  const auto coversNoCard = [scene, view](const std::string& where) {
    const ui::FreezeBoundaryItem* bar = scene->freezeBoundary();
    const QRectF handle = bar->mapRectToScene(bar->handleRect());
    for (const ui::NodeItem* card : scene->nodeItems()) {
      if (!card->isVisible()) continue;
      EXPECT_FALSE(handle.intersects(card->sceneBoundingRect()))
          << where << ": the handle covers " << card->name().toStdString();
    }
    const QRectF line = bar->mapRectToScene(bar->lineRect());
    const double near = 5 / view->zoom();  // a few pixels on screen
    const bool onLine = handle.top() < line.center().y() && handle.bottom() > line.center().y() &&
                        handle.right() >= line.left() - near &&
                        handle.left() <= line.right() + near;
    const bool overStart = bar->handleIsRaised() && handle.bottom() < line.top() &&
                           handle.left() <= line.left() && handle.right() > line.left();
    EXPECT_TRUE(onLine || overStart)
        << where << ": the handle at " << handle.x() << "," << handle.y()
        << " is away from its line at " << line.x() << "," << line.y();
  };
  std::set<long> columns;
  for (const int activation : {15, 20, 25, 30, 35, 40, 45}) {
    const std::string upto = "activation_" + std::to_string(activation);
    ASSERT_TRUE(window.document()->apply1(Json{{"op", "freeze"}, {"upto", upto}}, "f").empty());
    QApplication::processEvents();  // the fitted view fits the handle in
    const ui::FreezeBoundaryItem* bar = scene->freezeBoundary();
    columns.insert(std::lround(bar->pos().x() / scene->layout().columnStep));
    EXPECT_TRUE(bar->isCompact()) << upto;
    coversNoCard(upto + " fitted");
    expectReadableOverlay(view, scene->freezeBoundary(), bar->handleRect(), bar->handleText(),
                          upto + " fitted", true);
    if (activation == 25 || activation == 40)
      test::screenshot(view, QString::fromStdString("freeze_handle_columns_" + upto));
    window.document()->undoStack()->undo();
  }
  EXPECT_EQ(columns, (std::set<long>{1, 2, 3, 4})) << "the bar was not in every inner column";
  // At 100 % the handle's sentence fits the gutter, on its line.
  ASSERT_TRUE(
      window.document()->apply1(Json{{"op", "freeze"}, {"upto", "activation_25"}}, "f").empty());
  view->setZoom(1.0);
  view->centerOn(scene->freezeBoundary());
  QApplication::processEvents();
  EXPECT_FALSE(scene->freezeBoundary()->isCompact());
  EXPECT_FALSE(scene->freezeBoundary()->handleIsRaised());
  coversNoCard("activation_25 at 100 %");
  test::screenshot(view, "freeze_handle_columns_100");
}

// Left to right the output's tag was centred on its layer's right edge, over the card's end,
// pointing up, and fitted it was a smear: as under its layer top to bottom, it now sits beside
// its layer pointing at it, covers no card and reads, fitted and at 100 %.
TEST(GraphZoom, TheOutputTagSitsBesideItsLayerLeftToRight) {
  SmallWindow small;
  ui::GraphView* view = small.fittedMobileNetV2();
  ASSERT_NE(view, nullptr);
  ui::GraphScene* scene = view->graphScene();
  using Arrangement = ui::GraphScene::Arrangement;
  for (const Arrangement arrangement : {Arrangement::TopToBottom, Arrangement::LeftToRight}) {
    scene->setArrangement(arrangement, false);
    view->fitAll();
    QApplication::processEvents();
    const bool beside = arrangement == Arrangement::LeftToRight;
    const ui::NodeItem* output = scene->outputNodeItem();
    ASSERT_NE(output, nullptr);
    ui::OutputMarkerItem* marker = scene->outputMarker(output->name());
    ASSERT_NE(marker, nullptr);
    for (const bool fitted : {true, false}) {
      if (!fitted) view->setZoom(1.0);
      // Left to right MobileNetV2 is wider than the window at the smallest zoom (2 %): its end.
      if (!fitted || beside) view->centerOn(marker);
      QApplication::processEvents();
      const std::string where = std::string(beside ? "left to right" : "top to bottom") +
                                (fitted ? ", fitted" : ", at 100 %");
      // The tag without its notch's tip, which reaches to the layer.
      const QRectF tag = marker->mapRectToScene(marker->boundingRect()).adjusted(2, 2, -2, -2);
      for (const ui::NodeItem* card : scene->nodeItems()) {
        if (!card->isVisible()) continue;
        EXPECT_FALSE(tag.intersects(card->mapRectToScene(card->shape().boundingRect())))
            << where << ": the tag covers " << card->name().toStdString();
      }
      const QRectF layer = output->mapRectToScene(output->shape().boundingRect());
      if (beside) {
        EXPECT_GE(tag.left(), layer.right()) << where;
        EXPECT_LE(tag.left(), layer.right() + 10) << where;
        EXPECT_NEAR(tag.center().y(), layer.center().y(), 0.5) << where;
      } else {
        EXPECT_GE(tag.top(), layer.bottom()) << where;
        EXPECT_LE(tag.top(), layer.bottom() + 10) << where;
        EXPECT_NEAR(tag.center().x(), layer.center().x(), 0.5) << where;
      }
      EXPECT_EQ(marker->isCompact(), fitted) << where;
      expectReadableOverlay(view, marker, marker->boundingRect(), marker->text(), where, true);
      test::screenshot(
          view, QString::fromStdString(std::string("output_tag_") + (beside ? "ltr" : "ttb") +
                                       (fitted ? "_fitted" : "_100")));
    }
  }
}

TEST(GraphZoom, FarOutCardsAreBlocksWithoutText) {
  test::guiApp();
  ui::NodeView view;
  view.name = "conv";
  view.className = "Conv2D";
  ui::NodeItem card(view);
  // Half a dozen pixels tall: no label could be read there, so none is drawn.
  EXPECT_TRUE(textDrawn(&card, 0.1).empty());
}

TEST(GraphZoom, TheTooltipHoldsNameAndShapeAtAnyZoom) {
  SmallWindow small;
  ui::GraphView* view = small.fittedMobileNetV2();
  ASSERT_NE(view, nullptr);
  ui::NodeItem* card = view->graphScene()->nodeItem("block_1_depthwise");
  ASSERT_NE(card, nullptr);
  // The item the view finds under the pointer, which is whose tooltip shows.
  const QPoint at = view->mapFromScene(card->scenePos());
  QGraphicsItem* hit = view->itemAt(at);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit, card);
  EXPECT_NE(hit->toolTip().indexOf("block_1_depthwise"), -1);
  EXPECT_NE(hit->toolTip().indexOf(card->view().shape), -1) << hit->toolTip().toStdString();
}

TEST(SummaryPanel, TotalsStayClearOfTheScrollBarInASqueezedDock) {
  SmallWindow small;
  ui::MainWindow& window = small.window;
  ASSERT_TRUE(window.openModel(mobileNetV2()));
  auto* dock = window.findChild<QDockWidget*>(QStringLiteral("dock_summary"));
  ASSERT_TRUE(dock->isVisible());
  // Squeezed as a user dragging its edges would: narrow and short.
  window.resizeDocks({dock}, {200}, Qt::Horizontal);
  window.resizeDocks({dock}, {40}, Qt::Vertical);
  QApplication::processEvents();
  test::screenshot(&window, "summary_squeezed_1024x640");
  auto* summary = window.findChild<ui::SummaryTable*>();
  ASSERT_NE(summary, nullptr);
  QTableWidget* table = summary->table();
  QLabel* totals = nullptr;
  for (QLabel* label : summary->findChildren<QLabel*>(Qt::FindDirectChildrenOnly))
    if (label->text() == summary->totalsText()) totals = label;
  ASSERT_NE(totals, nullptr);
  ASSERT_TRUE(totals->isVisible());
  const auto expectClear = [&](const char* where) {
    QApplication::processEvents();
    QWidget* top = dock->window();
    const QRect totalsRect(totals->mapTo(top, QPoint(0, 0)), totals->size());
    const QRect tableRect(table->mapTo(top, QPoint(0, 0)), table->size());
    EXPECT_FALSE(totalsRect.intersects(tableRect)) << where << ": totals at y " << totalsRect.top()
                                                   << ", the table ends at " << tableRect.bottom();
    QScrollBar* bar = table->horizontalScrollBar();
    if (bar->isVisible()) {
      const QRect barRect(bar->mapTo(top, QPoint(0, 0)), bar->size());
      EXPECT_FALSE(totalsRect.intersects(barRect)) << where;
    }
    // The totals are whole: their wrapped text fits their height, inside the dock.
    EXPECT_GE(totals->height(), totals->heightForWidth(totals->width())) << where;
    const QRect dockRect(dock->mapTo(top, QPoint(0, 0)), dock->size());
    EXPECT_TRUE(dockRect.contains(totalsRect)) << where;
  };
  expectClear("docked");
  // Floated and made narrow: the totals wrap onto more lines.
  dock->setFloating(true);
  dock->resize(190, 120);
  QApplication::processEvents();
  test::screenshot(dock, "summary_floating_narrow");
  expectClear("floating");
  EXPECT_GE(totals->height(), 3 * totals->fontMetrics().height()) << "not wrapped: no test";
}

}  // namespace
}  // namespace graft

namespace graft {
namespace {

// `window` shown at 1440 x 900 with the model file at `path` open.
bool openInLargeWindow(ui::MainWindow& window, const std::string& path) {
  window.resize(1440, 900);
  window.show();
  ModelSpec spec;
  spec.source = path;
  return window.openModel(spec);
}

// Compact cards write each tensor's shape on its edge: those labels are drawn clear of nested
// models' titles and of the freeze bar, which both cross edges (session 28 saw them overlap).
TEST(GraphZoom, ShapeLabelsStayClearOfTitlesAndTheFreezeBar) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  test::guiApp();
  ui::MainWindow window;
  ASSERT_TRUE(openInLargeWindow(window, path));
  ui::GraphScene* scene = window.workbench()->scene();
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "freeze"}, {"upto", "block_2_project_BN"}}, "f")
                  .empty());
  for (const auto arrangement :
       {ui::GraphScene::Arrangement::TopToBottom, ui::GraphScene::Arrangement::WrappedColumns}) {
    scene->setArrangement(arrangement, /*compact=*/true);
    QApplication::processEvents();
    QList<QRectF> titles;
    for (const ui::GroupItem* group : scene->groupItems())
      if (!group->isCollapsed()) titles << group->mapRectToScene(group->shape().boundingRect());
    ASSERT_GE(titles.size(), 2);
    const ui::FreezeBoundaryItem* bar = scene->freezeBoundary();
    ASSERT_NE(bar, nullptr);
    const QRectF line = bar->mapRectToScene(bar->lineRect());
    int labels = 0;
    int crossed = 0;
    for (const ui::EdgeItem* edge : scene->edgeItems()) {
      const QRectF label = edge->mapRectToScene(edge->labelRect());
      if (label.isEmpty()) continue;
      ++labels;
      const std::string what = edge->from().toStdString() + " -> " + edge->to().toStdString();
      for (const QRectF& title : titles)
        EXPECT_FALSE(label.intersects(title)) << what << " label at " << label.y() << ", a title "
                                              << title.y() << ".." << title.bottom();
      if (!label.intersects(line)) continue;
      // The bar's line breaks around a label it has to cross.
      ++crossed;
      const QRectF inBar = bar->mapRectFromScene(label);
      bool gap = false;
      for (const auto& [left, right] : bar->lineGaps())
        gap |= left <= inBar.left() && right >= inBar.right();
      EXPECT_TRUE(gap) << what << " is struck through by the freeze bar";
    }
    EXPECT_GT(labels, 100);
    EXPECT_LE(crossed, 1) << "the bar crosses one edge between two cards at most";
    ui::GraphView* view = window.workbench()->view();
    view->setZoom(1.0);
    const bool columns = arrangement == ui::GraphScene::Arrangement::WrappedColumns;
    view->centerOn(scene->freezeBoundary());
    QApplication::processEvents();
    test::screenshot(view, columns ? "shape_labels_freeze_bar_columns" : "shape_labels_freeze_bar");
    view->centerOn(scene->nodeItem("Conv1"));
    QApplication::processEvents();
    test::screenshot(view,
                     columns ? "shape_labels_nested_title_columns" : "shape_labels_nested_title");
  }
  // Zoomed out the shapes would be a smear like the cards' text: the edges leave them out.
  ui::EdgeItem* edge = scene->edgeItems().front();
  ASSERT_TRUE(edge->isLabelVisible());
  std::vector<DrawnText> texts = textDrawn(edge, 1.0);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts.front().text, edge->label());
  EXPECT_GE(texts.front().screenHeight, 7.0);
  EXPECT_TRUE(textDrawn(edge, 0.3).empty());
  scene->setArrangement(ui::GraphScene::Arrangement::TopToBottom, false);
}

// What the edges paint over `area` (scene coordinates), as the view would, in an image of
// `pixelsPerUnit`: transparent where no edge draws.
QImage edgesOver(ui::GraphScene* scene, const QRectF& area, double pixelsPerUnit) {
  QImage image((area.size() * pixelsPerUnit).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.scale(pixelsPerUnit, pixelsPerUnit);
  painter.translate(-area.topLeft());
  for (ui::EdgeItem* edge : scene->edgeItems()) {
    QStyleOptionGraphicsItem option;
    option.exposedRect = edge->boundingRect();
    painter.save();
    painter.setTransform(edge->sceneTransform(), true);
    edge->paint(&painter, &option, nullptr);
    painter.restore();
  }
  return image;
}

// The connection from the layer above into a nested model ran through its title ("model1
// (Functional) · 410,208 params" struck through): edges pass under the titles now.
TEST(NestedTitles, NoEdgeIsDrawnAcrossATitle) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  test::guiApp();
  ui::MainWindow window;
  ASSERT_TRUE(openInLargeWindow(window, path));
  ui::GraphScene* scene = window.workbench()->scene();
  struct Case {
    ui::GraphScene::Arrangement arrangement;
    bool compact;
    const char* name;
  };
  for (const Case& c :
       {Case{ui::GraphScene::Arrangement::TopToBottom, false, "nested_title_edge"},
        Case{ui::GraphScene::Arrangement::TopToBottom, true, "nested_title_edge_compact"},
        Case{ui::GraphScene::Arrangement::WrappedColumns, true, "nested_title_edge_columns"}}) {
    scene->setArrangement(c.arrangement, c.compact);
    QApplication::processEvents();
    QList<QRectF> titles;
    for (const ui::GroupItem* group : scene->groupItems())
      if (!group->isCollapsed() && group->isVisible()) titles << group->titleTextRect();
    ASSERT_GE(titles.size(), 2) << c.name;
    // The edges that run through a title (sampled along their length).
    int crossing = 0;
    for (const ui::EdgeItem* edge : scene->edgeItems()) {
      bool crosses = false;
      for (int step = 0; step <= 400 && !crosses; ++step) {
        const QPointF at = edge->mapToScene(edge->path().pointAtPercent(step / 400.0));
        for (const QRectF& title : titles) crosses |= title.contains(at);
      }
      crossing += crosses;
    }
    EXPECT_GE(crossing, 1) << c.name << ": no edge meets a title, this checks nothing";
    for (const QRectF& title : titles) {
      // A unit inside the rect: antialiasing at its border belongs to the line beside it.
      const QImage drawn = edgesOver(scene, title.adjusted(1, 1, -1, -1), 2.0);
      int inked = 0;
      for (int y = 0; y < drawn.height(); ++y)
        for (int x = 0; x < drawn.width(); ++x) inked += qAlpha(drawn.pixel(x, y)) > 0;
      EXPECT_EQ(inked, 0) << c.name << ": an edge is drawn across the title at " << title.x() << ","
                          << title.y();
    }
    ui::GraphView* view = window.workbench()->view();
    view->setZoom(1.0);
    view->centerOn(scene->nodeItem("Conv1"));
    QApplication::processEvents();
    test::screenshot(view, c.name);
  }
  scene->setArrangement(ui::GraphScene::Arrangement::TopToBottom, false);
}

// Zoomed out a nested model's title was a smear of a few pixels, as the cards' text was: its
// name instead, readable while the title's band is tall enough on screen, nothing further out.
TEST(NestedTitles, ZoomedOutTitlesShowTheModelsName) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  test::guiApp();
  ui::MainWindow window;
  ASSERT_TRUE(openInLargeWindow(window, path));
  ui::GraphScene* scene = window.workbench()->scene();
  scene->setArrangement(ui::GraphScene::Arrangement::TopToBottom, false);
  for (const char* name : {"sequential_1", "sequential_1/model1"}) {
    ui::GroupItem* group = scene->groupItem(name);
    ASSERT_NE(group, nullptr) << name;
    const std::vector<DrawnText> full = textDrawn(group, 1.0);
    ASSERT_EQ(full.size(), 1u) << name;
    EXPECT_TRUE(full.front().text.startsWith(group->view().name + " (")) << name;
    const std::vector<DrawnText> out = textDrawn(group, 0.4);
    ASSERT_EQ(out.size(), 1u) << name;
    EXPECT_EQ(out.front().text, group->view().name);
    EXPECT_GE(out.front().screenHeight, 7.0) << name;
    EXPECT_TRUE(textDrawn(group, 0.15).empty()) << name;
  }
  // Fitted in wrapped columns (look at the screenshot).
  scene->setArrangement(ui::GraphScene::Arrangement::WrappedColumns, true);
  ui::GraphView* view = window.workbench()->view();
  view->fitAll();
  QApplication::processEvents();
  test::screenshot(view, "nested_titles_fitted_columns");
  scene->setArrangement(ui::GraphScene::Arrangement::TopToBottom, false);
}

}  // namespace
}  // namespace graft

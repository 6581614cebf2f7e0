// Opening InceptionV3 (313 layers, random weights) in the workbench and fitting it to the
// window, in each layout (issue #21 asks for under 0.5 s). Not a test: run it on an idle
// machine, `QT_QPA_PLATFORM=offscreen build/tests/bench_ui_fit`.
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <cstdio>

#include "ui/doc/document.h"
#include "ui/graph_layout.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/workbench.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // leave the user's settings and recent files alone
  QApplication app(argc, argv);
  using Arrangement = graft::ui::GraphScene::Arrangement;
  const struct {
    Arrangement arrangement;
    bool compact;
    const char* name;
  } layouts[] = {{Arrangement::TopToBottom, false, "top to bottom"},
                 {Arrangement::WrappedColumns, false, "columns"},
                 {Arrangement::LeftToRight, false, "left to right"},
                 {Arrangement::WrappedColumns, true, "columns, compact"}};
  for (const auto& layout : layouts) {
    graft::ui::MainWindow window;
    window.resize(1440, 900);
    window.show();
    QApplication::processEvents();
    graft::ui::GraphView* view = window.workbench()->view();
    view->graphScene()->setArrangement(layout.arrangement, layout.compact);
    graft::ModelSpec spec;
    spec.source = "inception_v3";
    spec.kerasCacheDir = "/nonexistent";  // random weights: the same work on every machine
    QElapsedTimer timer;
    timer.start();
    if (!window.openModel(spec)) return 1;
    const qint64 opened = timer.elapsed();
    timer.restart();
    view->fitAll();
    view->viewport()->grab();  // the first full paint of the fitted graph
    const qint64 fitted = timer.elapsed();
    // The layout alone (Graphviz's dot and the wrapping): what the view adds to opening.
    graft::ui::LayoutOptions options;
    if (layout.arrangement == Arrangement::LeftToRight)
      options.direction = graft::ui::LayoutDirection::LeftToRight;
    if (layout.arrangement == Arrangement::WrappedColumns) options.wrapAspect = 1.6;
    timer.restart();
    graft::ui::layoutGraph(window.document()->graph(),
                           graft::ui::NodeItem::cardSize(layout.compact), options);
    const qint64 laidOut = timer.elapsed();
    std::printf(
        "InceptionV3 (%zu layers), %-17s open %4lld ms (of which layout %3lld ms), "
        "fit + paint %3lld ms, zoom %.0f %%\n",
        window.document()->graph().size(), layout.name, static_cast<long long>(opened),
        static_cast<long long>(laidOut), static_cast<long long>(fitted), view->zoom() * 100);
  }
  return 0;
}

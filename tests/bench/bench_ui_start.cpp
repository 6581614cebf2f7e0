// The start page with the whole zoo (issue #20: building any zoo model under 50 ms, the start
// page with 50+ entries open under 200 ms). Prints, per architecture, the time to build its
// graph and count its parameters, then the time to construct and first paint the start page,
// and the zoo listing alone (what `graft-cli zoo` computes). Not a test: run it on an idle
// machine, `QT_QPA_PLATFORM=offscreen build/tests/bench_ui_start`.
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <algorithm>
#include <cstdio>

#include "graph/analysis.h"
#include "io/zoo/zoo.h"
#include "io/zoo/zoo_listing.h"
#include "ui/start_page.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  QElapsedTimer timer;
  double slowest = 0;
  std::string slowestName;
  for (const std::string& name : graft::zoo::architectures()) {
    graft::zoo::ZooOptions options;
    options.architecture = name;
    double best = 1e9;
    for (int run = 0; run < 3; ++run) {
      timer.start();
      const graft::Graph graph = graft::zoo::buildGraph(options);
      const int64_t params = graft::analyzeOrThrow(graph).totalParams;
      best = std::min(best, static_cast<double>(timer.nsecsElapsed()) / 1e6);
      if (params <= 0) return 1;
    }
    std::printf("build %-20s %7.2f ms\n", name.c_str(), best);
    if (best > slowest) slowest = best, slowestName = name;
  }
  std::printf("slowest build: %s %.2f ms (limit 50 ms)\n", slowestName.c_str(), slowest);
  timer.start();
  const auto listing = graft::zoo::zooListing("/nonexistent");
  std::printf("zoo listing (%zu architectures): %lld ms\n", listing.size(),
              static_cast<long long>(timer.elapsed()));
  timer.start();
  graft::ui::StartPage page(QStringLiteral("/nonexistent"));
  page.resize(1440, 860);
  page.show();
  page.grab();  // the first full paint
  std::printf("start page constructed and painted: %lld ms (limit 200 ms)\n",
              static_cast<long long>(timer.elapsed()));
  return 0;
}

// graft: the desktop workbench.
#include <QApplication>

#include <cstdlib>

#include "runtime/threads.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Graft");
  QApplication::setApplicationVersion(GRAFT_VERSION);
  graft::useAllCoresForTorch();
  graft::ui::MainWindow window;
  window.show();
  graft::ModelSpec spec;
  spec.kerasCacheDir = graft::kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
  if (argc > 1) {
    spec.source = argv[1];
  } else {
    // Something useful at once: a small zoo model, with cached weights when Keras has them.
    spec.source = "mobilenet";
    spec.alpha = 0.25;
    spec.includeTop = false;
  }
  window.openModel(spec);
  return QApplication::exec();
}

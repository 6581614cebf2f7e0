// graft: the desktop workbench.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "runtime/threads.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Graft");
  QApplication::setApplicationName("Graft");
  QApplication::setApplicationVersion(GRAFT_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/graft.svg"));
  graft::useAllCoresForTorch();

  QCommandLineParser parser;
  parser.setApplicationDescription("Transfer learning by model surgery on Keras networks");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("model", "A Keras .h5 / .json, a .graft project or a zoo name");
  parser.process(app);

  graft::ui::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  QTimer::singleShot(0, &window, [&window, args] {
    // Work a crashed Graft left unsaved comes first: recovering it opens it instead.
    if (window.offerAutosaveRecovery()) return;
    if (!args.isEmpty()) {
      window.openPath(args.front());
      return;
    }
    // Something useful at once: MobileNet α 0.25 (small, quick to train) with the ImageNet
    // weights from the Keras cache when they are there, fresh ones (said so above the graph)
    // otherwise. The start page stays one click away.
    graft::ModelSpec spec;
    spec.source = "mobilenet";
    spec.alpha = 0.25;
    spec.inputSize = 224;
    spec.includeTop = false;
    spec.kerasCacheDir = window.kerasCache().toStdString();
    window.openModelAsync(spec, "MobileNet α 0.25, 224×224, no top");
  });
  return QApplication::exec();
}

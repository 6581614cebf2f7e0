// graft: the desktop workbench.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "io/hdf5_messages.h"
#include "runtime/data/opencv_messages.h"
#include "runtime/system/memory_policy.h"
#include "runtime/system/threads.h"
#include "ui/doc/background_task.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  graft::useShortOpenMpSpin(argv);  // may start graft again, before anything else runs
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Graft");
  QApplication::setApplicationName("Graft");
  QApplication::setApplicationVersion(GRAFT_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/graft.svg"));
  graft::useAllCoresForTorch();
  graft::keepFreedMemoryForReuse();
  graft::h5::turnOffLibraryMessages();
  graft::turnOffOpenCvMessages();

  QCommandLineParser parser;
  parser.setApplicationDescription("Transfer learning by model surgery on Keras networks");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("model",
                               "A Keras .h5 / .keras / .json, a .graft project or a zoo name");
  parser.process(app);

  int status = 0;
  {
    graft::ui::MainWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    QTimer::singleShot(0, &window, [&window, args] {
      // Work a crashed Graft left unsaved comes first: recovering it opens it instead.
      if (window.offerAutosaveRecovery()) return;
      if (!args.isEmpty()) window.openPath(args.front());
      // Otherwise the start page (shown by the window already): a fresh start chooses what to
      // open rather than finding a random-weight network it did not ask for.
    });
    status = QApplication::exec();
  }  // the window goes first: its panels cancel what can be cancelled (a weights download)
  // Work still running on its threads (a prediction, a layer map) ends while everything it
  // uses is alive: the static destructors after main tore oneDNN down under it.
  graft::ui::waitForBackgroundWork();
  return status;
}

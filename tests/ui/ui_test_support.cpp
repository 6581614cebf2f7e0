#include "ui_test_support.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QElapsedTimer>
#include <QGraphicsView>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include "graph/graph_builder.h"
#include "graph/weights.h"
#include "runtime/data/sample_data.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/main_window.h"
#include "ui/training_panel.h"

void PrintTo(const QString& value, std::ostream* out) {
  *out << '"' << value.toStdString() << '"';
}
void PrintTo(const QStringList& value, std::ostream* out) {
  *out << '[' << value.join(", ").toStdString() << ']';
}

namespace graft::test {

QApplication& guiApp() {
  static int argc = 1;
  static char name[] = "graft_ui_tests";
  static char* argv[] = {name, nullptr};
  static QApplication* app = [] {
    auto* created = new QApplication(argc, argv);
    QApplication::setOrganizationName("GraftTests");
    QApplication::setApplicationName("graft_ui_tests");
    static TempDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       QString::fromStdString(settingsDir.path().string()));
    // Windows autosave their edits: into the scratch folder, not the user's data folder.
    QSettings().setValue("autosave/directory",
                         QString::fromStdString((settingsDir.path() / "autosave").string()));
    // Most tests were written against one top-to-bottom column (every layer below its
    // producer); those about the other layouts choose them.
    QSettings().setValue("view/arrangement", 0);
    return created;
  }();
  return *app;
}

QPixmap screenshot(QWidget* widget, const QString& name) {
  const QPixmap shot = widget->grab();
  const QByteArray dir = qgetenv("GRAFT_SCREENSHOT_DIR");
  if (!dir.isEmpty()) {
    QDir().mkpath(QString::fromLocal8Bit(dir));
    shot.save(QDir(QString::fromLocal8Bit(dir)).filePath(name + ".png"));
  }
  return shot;
}

bool waitFor(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeoutMs) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

void clickScene(QGraphicsView* view, const QPointF& scenePos, Qt::KeyboardModifiers modifiers) {
  QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, view->mapFromScene(scenePos));
}

void rightClickScene(QGraphicsView* view, const QPointF& scenePos) {
  const QPoint pos = view->mapFromScene(scenePos);
  QContextMenuEvent event(QContextMenuEvent::Mouse, pos, view->viewport()->mapToGlobal(pos));
  QApplication::sendEvent(view->viewport(), &event);
}

bool dropOnScene(QGraphicsView* view, const QPointF& scenePos, const QString& mimeType,
                 const QByteArray& payload) {
  QMimeData data;
  data.setData(mimeType, payload);
  const QPointF pos = view->mapFromScene(scenePos);
  QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(view->viewport(), &enter);
  if (!enter.isAccepted()) return false;
  QDragMoveEvent move(pos.toPoint(), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(view->viewport(), &move);
  QDropEvent drop(pos, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(view->viewport(), &drop);
  // The view reports the drop on the next turn of the event loop.
  QApplication::processEvents();
  QApplication::processEvents();
  return drop.isAccepted();
}

void dragScene(QGraphicsView* view, const QPointF& from, const QPointF& to) {
  QWidget* viewport = view->viewport();
  const QPoint start = view->mapFromScene(from);
  const QPoint end = view->mapFromScene(to);
  QTest::mousePress(viewport, Qt::LeftButton, Qt::NoModifier, start);
  const int steps = 8;
  for (int i = 1; i <= steps; ++i) {
    const QPoint p = start + (end - start) * i / steps;
    // QTest::mouseMove does not carry the pressed button to QGraphicsView; send the event.
    QMouseEvent move(QEvent::MouseMove, p, viewport->mapToGlobal(p), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
  }
  QTest::mouseRelease(viewport, Qt::LeftButton, Qt::NoModifier, end);
  QApplication::processEvents();
}

CapturedErrors::CapturedErrors() {
  ui::setErrorSink([this](const QString& title, const QString& message) {
    messages_ << title + ": " + message;
  });
}

CapturedErrors::~CapturedErrors() {
  ui::setErrorSink({});
}

}  // namespace graft::test

namespace graft::test {

Model smallModel(int classes) {
  GraphBuilder b("small");
  std::string x = b.input("input_1", {kUnknown, 32, 32, 3});
  x = b.add("Conv2D", "conv1", {{"filters", 8}, {"kernel_size", {3, 3}}, {"use_bias", false}}, x);
  x = b.add("BatchNormalization", "conv1_bn", Json::object(), x);
  x = b.add("ReLU", "conv1_relu", Json::object(), x);
  x = b.add("MaxPooling2D", "pool1", {{"pool_size", {2, 2}}}, x);
  x = b.add("Flatten", "flatten", Json::object(), x);
  b.add("Dense", "fc", {{"units", classes}, {"activation", "softmax"}}, x);
  Model model;
  model.graph = b.build();
  const GraphAnalysis analysis = analyze(model.graph);
  initializeWeights(model.graph, analysis, model.weights, 7);
  model.weightsSource = "random initialization (seed 7)";
  return model;
}

QRectF visibleScene(QGraphicsView* view) {
  return view->mapToScene(view->viewport()->rect()).boundingRect();
}

std::string shapesFolder(const TempDir& dir, int imagesPerClass) {
  SampleDataOptions sample;
  sample.imagesPerClass = imagesPerClass;
  sample.size = 32;
  const std::string data = dir.file("shapes");
  writeSampleData(data, sample);
  return data;
}

ui::TrainingPanel* readyToTrain(ui::MainWindow& window, const std::string& data) {
  window.document()->open(smallModel(3), "small", {});
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  return panel;
}

QString shownText(const QString& menuText) {
  QString shown;
  for (int i = 0; i < menuText.size(); ++i) {
    if (menuText[i] == '&' && i + 1 < menuText.size()) ++i;
    shown += menuText[i];
  }
  return shown;
}

}  // namespace graft::test

#pragma once
// Shared by the GUI tests: one QApplication for the whole executable (offscreen), settings kept
// in a scratch folder so tests never touch the user's recent files, screenshots written where
// GRAFT_SCREENSHOT_DIR points, and helpers to click and drop on a QGraphicsView like a user.
#include <QAbstractButton>
#include <QApplication>
#include <QPixmap>
#include <QPoint>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "graph/model.h"

class QGraphicsView;
class QWidget;

namespace graft::ui {
class MainWindow;
class TrainingPanel;
}  // namespace graft::ui

// Readable QString / QStringList values in GoogleTest failure messages.
void PrintTo(const QString& value, std::ostream* out);
void PrintTo(const QStringList& value, std::ostream* out);

namespace graft::test {

class TempDir;

QApplication& guiApp();

// The part of the scene the view shows.
QRectF visibleScene(QGraphicsView* view);

// A folder "shapes" in `dir` with Graft's sample shapes (three classes, 32 x 32 pixels).
std::string shapesFolder(const TempDir& dir, int imagesPerClass);

// smallModel(3) open in `window` and its training panel reading `data` (a shapesFolder): where
// the training tests start.
ui::TrainingPanel* readyToTrain(ui::MainWindow& window, const std::string& data);

// Saves `widget.grab()` as NAME.png in $GRAFT_SCREENSHOT_DIR (when set) and returns the pixmap.
QPixmap screenshot(QWidget* widget, const QString& name);

// A menu entry's text as shown: its mnemonic's & gone, && read as &.
QString shownText(const QString& menuText);

// Processes events until `done` or the timeout; false on timeout.
bool waitFor(const std::function<bool()>& done, int timeoutMs = 20000);

// Left click on the view at a scene position.
void clickScene(QGraphicsView* view, const QPointF& scenePos,
                Qt::KeyboardModifiers modifiers = Qt::NoModifier);
void rightClickScene(QGraphicsView* view, const QPointF& scenePos);

// Drags a payload (MIME type and bytes) onto the view at a scene position, delivering the same
// enter / move / drop events a window system sends. Returns whether the drop was accepted.
bool dropOnScene(QGraphicsView* view, const QPointF& scenePos, const QString& mimeType,
                 const QByteArray& payload);

// Error dialogs go to a list instead of blocking the event loop while the object lives.
class CapturedErrors {
 public:
  CapturedErrors();
  ~CapturedErrors();
  const QStringList& messages() const { return messages_; }

 private:
  QStringList messages_;
};

// A small functional model: input 32x32x3 -> conv -> bn -> relu -> pool -> flatten -> dense
// (softmax over `classes`).
Model smallModel(int classes = 4);

// Clicks `button` of the first modal dialog of type D to appear (after `before` runs on it);
// polls until then, or until the returned timer goes away.
template <class D>
std::unique_ptr<QTimer> answerNextDialog(const std::function<QAbstractButton*(D*)>& button,
                                         const std::function<void(D*)>& before = {}) {
  auto poll = std::make_unique<QTimer>();
  QTimer* timer = poll.get();
  QObject::connect(timer, &QTimer::timeout, timer, [timer, button, before] {
    auto* dialog = qobject_cast<D*>(QApplication::activeModalWidget());
    if (!dialog) return;
    timer->stop();
    if (before) before(dialog);
    button(dialog)->click();
  });
  timer->start(20);
  return poll;
}

// Presses the left button at one scene point, moves in steps to another and releases there.
void dragScene(QGraphicsView* view, const QPointF& from, const QPointF& to);

}  // namespace graft::test

#pragma once
// The main window's status bar, whose message is elided ("…" in the middle) where it meets the
// permanent labels, at any width, instead of being cut off mid-word: QStatusBar paints its
// message clipped to the room the labels leave. The whole message is the bar's tooltip (the
// main window sets it), and currentMessage() stays the whole message.
#include <QStatusBar>

namespace graft::ui {

class ElidingStatusBar : public QStatusBar {
  Q_OBJECT
 public:
  explicit ElidingStatusBar(QWidget* parent = nullptr);

  // The room the message has: from the left edge to the first visible permanent widget (the
  // size grip, or the right edge, when none shows).
  QRect messageRect() const;
  // The message as painted: currentMessage(), elided to messageRect()'s width.
  QString shownMessage() const;

 protected:
  void paintEvent(QPaintEvent* event) override;
};

}  // namespace graft::ui

#pragma once
// Ctrl+F over the graph: type part of a layer name, Enter jumps to the next match (the view
// scrolls there and selects it), Shift+Enter to the previous, Esc closes. Names complete as
// you type, which helps with Keras names like conv_pw_13_bn.
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QStringListModel;

namespace graft::ui {

class FindBar : public QWidget {
  Q_OBJECT
 public:
  // "2 of 3", "no match": what the bar says about the text's matches.
  QString statusText() const;
  explicit FindBar(QWidget* parent = nullptr);
  void setLayerNames(const QStringList& names);
  QLineEdit* lineEdit() const { return edit_; }

 public Q_SLOTS:
  void activate();  // show, focus, select the text
  void findNext();
  void findPrevious();

 Q_SIGNALS:
  void layerFound(const QString& name);
  void closed();  // focus goes back to the graph

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QStringList matches() const;
  void step(int direction);
  QLineEdit* edit_;
  QLabel* status_;
  QStringListModel* completions_;
  QStringList names_;
  QString lastText_;
  int current_ = -1;
};

}  // namespace graft::ui

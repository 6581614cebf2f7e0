#pragma once
// One editor for one Keras config key, chosen from the registry's default value: a check box
// for booleans, a spin box for integers, a combo box for known choices (padding, activation),
// "3, 3" for tuples, JSON for initializers and the rest. It reports a finished edit once, with
// the new value; the properties panel turns that into a set_config operation.
#include <QObject>
#include <QString>

#include "graph/graph.h"

class QWidget;

namespace graft::ui {

class ConfigField : public QObject {
  Q_OBJECT
 public:
  ConfigField(const QString& key, const Json& defaultValue, QWidget* parent);
  QWidget* widget() const { return widget_; }
  const QString& key() const { return key_; }
  // Shows the document's value (not while the user is typing in this field).
  void setValue(const Json& value);
  const Json& value() const { return value_; }
  // Takes back text typed and not committed (as Escape does): true when there was some.
  bool discardTyping();

 Q_SIGNALS:
  void edited(const QString& key, const graft::Json& value);
  void invalid(const QString& key, const QString& message);

 private:
  enum class Kind { Bool, Int, Float, Choice, IntList, Json };
  bool eventFilter(QObject* watched, QEvent* event) override;
  void commitText(const QString& text);
  // The value `text` means, or a discarded Json after saying why (the field shows value_ again).
  Json parseText(const QString& text);
  Kind kind_;
  QString key_;
  QWidget* widget_ = nullptr;
  Json value_;
  bool updating_ = false;
  bool nullable_ = false;  // an empty IntList field is Keras's None
  bool committing_ = false;
};

}  // namespace graft::ui

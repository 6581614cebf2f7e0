#include "ui/config_field.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFocusEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QSpinBox>
#include <cmath>
#include <optional>

#include "graph/keras_json.h"
#include "graph/layer_helpers.h"
#include "ui/number_validator.h"
#include "ui/undo_pass_through.h"

namespace graft::ui {
namespace {

QStringList choicesFor(const QString& key) {
  if (key == "padding") return {"valid", "same"};
  if (key == "activation") {
    QStringList names;
    for (const std::string& name : layers::knownActivations())
      names << QString::fromStdString(name);
    return names;
  }
  if (key == "interpolation") return {"nearest", "bilinear"};
  if (key == "data_format") return {"channels_last"};
  return {};
}

// Keras tuples whose default is None (pooling's strides: the pool size): an empty field.
bool isNullableTuple(const QString& key, const Json& defaultValue) {
  return defaultValue.is_null() && key == QLatin1String("strides");
}

bool isIntList(const Json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const Json& v : value)
    if (!v.is_number_integer()) return false;
  return true;
}

QString listText(const Json& value) {
  QStringList parts;
  for (const Json& v : value) parts << QString::number(v.get<int64_t>());
  return parts.join(", ");
}

// Keras's tuples as Python writes them ("None, 1, 1, 128", "None"): what a JSON field holding a
// list of whole numbers and Nones, or None itself, shows and takes (Dropout's noise_shape).
bool isTupleValue(const Json& value) {
  if (value.is_null()) return true;
  if (!value.is_array() || value.empty()) return false;
  for (const Json& v : value)
    if (!v.is_null() && !v.is_number_integer()) return false;
  return true;
}

QString tupleText(const Json& value) {
  if (value.is_null()) return QStringLiteral("None");
  QStringList parts;
  for (const Json& v : value)
    parts << (v.is_null() ? QStringLiteral("None") : QString::number(v.get<int64_t>()));
  return parts.join(", ");
}

// Unset when `text` is not such a tuple (then it is read as JSON).
std::optional<Json> parseTuple(const QString& text) {
  // One level only: ZeroPadding2D's [[1, 1], [1, 1]] is JSON, not four numbers.
  if (text.count('[') + text.count('(') > 1) return std::nullopt;
  QString cleaned = text;
  cleaned.remove('[').remove(']').remove('(').remove(')').replace(',', ' ');
  const QStringList parts = cleaned.split(' ', Qt::SkipEmptyParts);
  if (parts.isEmpty()) return std::nullopt;
  Json tuple = Json::array();
  for (const QString& part : parts) {
    bool ok = false;
    const int v = part.toInt(&ok);
    if (ok)
      tuple.push_back(v);
    else if (part == QLatin1String("None") || part == QLatin1String("null"))
      tuple.push_back(nullptr);
    else
      return std::nullopt;
  }
  // A bare "None" (or "null") is None; a bare number stays what JSON makes of it.
  if (tuple.size() == 1 && !text.contains(',') && !text.contains('[') && !text.contains('('))
    return tuple[0];
  return tuple;
}

QString floatText(const Json& value) {
  return value.is_number() ? QString::number(value.get<double>(), 'g', 8) : QString();
}

}  // namespace

ConfigField::ConfigField(const QString& key, const Json& defaultValue, QWidget* parent)
    : QObject(parent), key_(key), value_(defaultValue) {
  const QStringList choices = choicesFor(key);
  if (defaultValue.is_boolean()) {
    kind_ = Kind::Bool;
    auto* box = new QCheckBox(parent);
    connect(box, &QCheckBox::toggled, this, [this](bool on) {
      if (!updating_ && Json(on) != value_) Q_EMIT edited(key_, Json(on));
    });
    widget_ = box;
  } else if (defaultValue.is_number_integer()) {
    kind_ = Kind::Int;
    auto* spin = new QSpinBox(parent);
    spin->setRange(-1'000'000, 1'000'000'000);
    // Report only finished values (Enter, focus out, arrow clicks), not every keystroke.
    spin->setKeyboardTracking(false);
    connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) {
      if (!updating_ && Json(v) != value_) Q_EMIT edited(key_, Json(v));
    });
    widget_ = spin;
  } else if (defaultValue.is_number_float()) {
    kind_ = Kind::Float;
    auto* edit = new QLineEdit(parent);
    edit->setValidator(plainNumberValidator(edit));
    connect(edit, &QLineEdit::editingFinished, this, [this, edit] { commitText(edit->text()); });
    widget_ = edit;
  } else if (!choices.isEmpty() && !defaultValue.is_array() && !defaultValue.is_object()) {
    // By name, a choice; ZeroPadding2D's "padding" is [[top, bottom], [left, right]], no choice.
    kind_ = Kind::Choice;
    auto* combo = new QComboBox(parent);
    combo->addItems(choices);
    connect(combo, &QComboBox::currentTextChanged, this, [this](const QString& text) {
      if (!updating_ && Json(text.toStdString()) != value_)
        Q_EMIT edited(key_, Json(text.toStdString()));
    });
    widget_ = combo;
  } else if (isIntList(defaultValue) || isNullableTuple(key, defaultValue)) {
    kind_ = Kind::IntList;
    nullable_ = defaultValue.is_null();
    auto* edit = new QLineEdit(parent);
    edit->setPlaceholderText(nullable_ ? tr("as the pool size") : QStringLiteral("e.g. 3, 3"));
    connect(edit, &QLineEdit::editingFinished, this, [this, edit] { commitText(edit->text()); });
    widget_ = edit;
  } else {
    kind_ = Kind::Json;
    auto* edit = new QLineEdit(parent);
    edit->setPlaceholderText(QStringLiteral("JSON, or e.g. None, 1, 1, 64"));
    connect(edit, &QLineEdit::editingFinished, this, [this, edit] { commitText(edit->text()); });
    widget_ = edit;
  }
  widget_->setObjectName(QStringLiteral("config_") + key);
  setValue(defaultValue);
  if (auto* edit = qobject_cast<QLineEdit*>(widget_)) {
    // A validated field emits nothing for text it does not accept (empty, 1e400): the finish
    // is caught here, so the value goes back with a word instead of staying on show.
    edit->installEventFilter(this);
    passUndoToWindowWhenCommitted(edit, [edit] { return edit->isModified(); });
  } else if (auto* spin = qobject_cast<QSpinBox*>(widget_)) {
    passUndoToWindowWhenCommitted(spin, [this, spin] {
      return !value_.is_number_integer() ||
             spin->cleanText() != QString::number(value_.get<int64_t>());
    });
  }
}

bool ConfigField::discardTyping() {
  auto* edit = qobject_cast<QLineEdit*>(widget_);
  if (!edit || !edit->isModified()) return false;
  setValue(value_);
  edit->setModified(false);
  return true;
}

bool ConfigField::eventFilter(QObject* watched, QEvent* event) {
  auto* edit = qobject_cast<QLineEdit*>(watched);
  // Escape takes back the typing: the model's value shows again and nothing is committed.
  if (edit && event->type() == QEvent::KeyPress &&
      static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape && discardTyping())
    return true;
  if (edit && !committing_ && edit->isModified() && !edit->hasAcceptableInput()) {
    const bool returnKey = event->type() == QEvent::KeyPress &&
                           (static_cast<QKeyEvent*>(event)->key() == Qt::Key_Return ||
                            static_cast<QKeyEvent*>(event)->key() == Qt::Key_Enter);
    // Not when a context menu (Paste) or another window takes the focus: the user is not done.
    const bool leftForGood =
        event->type() == QEvent::FocusOut &&
        static_cast<QFocusEvent*>(event)->reason() != Qt::PopupFocusReason &&
        static_cast<QFocusEvent*>(event)->reason() != Qt::ActiveWindowFocusReason;
    if (returnKey || leftForGood) commitText(edit->text());
  }
  return QObject::eventFilter(watched, event);
}

void ConfigField::setValue(const Json& value) {
  value_ = value;
  updating_ = true;
  switch (kind_) {
    case Kind::Bool:
      static_cast<QCheckBox*>(widget_)->setChecked(value.is_boolean() && value.get<bool>());
      break;
    case Kind::Int:
      if (value.is_number_integer()) static_cast<QSpinBox*>(widget_)->setValue(value.get<int>());
      break;
    case Kind::Float:
      static_cast<QLineEdit*>(widget_)->setText(floatText(value));
      break;
    case Kind::Choice: {
      auto* combo = static_cast<QComboBox*>(widget_);
      const QString text = value.is_string() ? QString::fromStdString(value.get<std::string>())
                                             : QStringLiteral("linear");
      if (combo->findText(text) < 0) combo->addItem(text);
      combo->setCurrentText(text);
      break;
    }
    case Kind::IntList:
      static_cast<QLineEdit*>(widget_)->setText(
          isIntList(value)                 ? listText(value)
          : value.is_number_integer()      ? QString::number(value.get<int64_t>())
          : (value.is_null() && nullable_) ? QString()
                                           : QString::fromStdString(value.dump()));
      break;
    case Kind::Json:
      static_cast<QLineEdit*>(widget_)->setText(
          isTupleValue(value) ? tupleText(value) : QString::fromStdString(value.dump()));
      break;
  }
  updating_ = false;
}

void ConfigField::commitText(const QString& text) {
  if (updating_ || committing_) return;
  // The refusal's dialog takes the focus: that focus-out is no second finish.
  committing_ = true;
  const Json parsed = parseText(text);
  committing_ = false;
  if (parsed.is_discarded()) return;
  // Committed: Ctrl+Z now undoes the model's edit, not this field's typing.
  if (auto* edit = qobject_cast<QLineEdit*>(widget_)) edit->setModified(false);
  if (parsed != value_) Q_EMIT edited(key_, parsed);
}

Json ConfigField::parseText(const QString& text) {
  const Json refused = Json::value_t::discarded;
  Json parsed;
  if (kind_ == Kind::Float) {
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v)) {
      Q_EMIT invalid(key_, text.trimmed().isEmpty()
                               ? tr("%1 needs a number").arg(key_)
                               : tr("'%1' is not a number %2 can take").arg(text, key_));
      setValue(value_);
      return refused;
    }
    parsed = v;
  } else if (kind_ == Kind::IntList) {
    // "3, 3", "3 3" or "[3, 3]"; a single number is kept as Keras accepts it (kernel_size=3).
    QString cleaned = text;
    cleaned.remove('[').remove(']').replace(',', ' ');
    parsed = Json::array();
    for (const QString& part : cleaned.split(' ', Qt::SkipEmptyParts)) {
      bool ok = false;
      const int v = part.toInt(&ok);
      if (!ok) {
        bool whole = false;
        part.toLongLong(&whole);
        Q_EMIT invalid(key_, whole ? tr("%1 is too large for %2").arg(part, key_)
                                   : tr("'%1' is not a list of whole numbers").arg(text));
        setValue(value_);
        return refused;
      }
      parsed.push_back(v);
    }
    if (parsed.empty() && nullable_) parsed = nullptr;  // Keras's None
    if (parsed.is_array() && parsed.empty()) {
      Q_EMIT invalid(key_, tr("%1 needs whole numbers, e.g. 3, 3").arg(key_));
      setValue(value_);
      return refused;
    }
    if (parsed.size() == 1) parsed = parsed[0];
  } else if (const std::optional<Json> tuple = parseTuple(text)) {
    parsed = *tuple;
  } else {
    try {
      // The depth guard every reader of user text has: a pasted "[[[[..." must not crash.
      parsed = Json::parse(text.toStdString(), jsonInputGuard(key_.toStdString()));
    } catch (const Error& e) {  // valid JSON with a key twice, or nested too deep
      Q_EMIT invalid(key_, QString::fromStdString(e.what()));
      setValue(value_);
      return refused;
    } catch (const std::exception&) {
      // Said in the field's own terms, with its value as the example ("not valid JSON" spoke of
      // a format the user never chose).
      const QString example =
          isTupleValue(value_) ? tupleText(value_) : QString::fromStdString(value_.dump());
      Q_EMIT invalid(key_, tr("'%1' is not a value %2 takes: write it as its value is written, "
                              "e.g. %3 (numbers, None, true / false, \"text\" in quotes)")
                               .arg(text, key_, example));
      setValue(value_);
      return refused;
    }
  }
  return parsed;
}

}  // namespace graft::ui

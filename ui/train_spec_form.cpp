#include "ui/train_spec_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <climits>

#include "graph/diagnostic.h"
#include "run/train_spec_text.h"
#include "runtime/system/device_names.h"

namespace graft::ui {
namespace {

// "lr_patience" -> "Lr patience": the key is what pipelines and the CLI call it; keeping it
// recognisable beats inventing a second name.
QString labelOf(const SpecField& field) {
  QString label = QString::fromLatin1(field.key).replace('_', ' ');
  label[0] = label[0].toUpper();
  return label;
}

}  // namespace

TrainSpecForm::TrainSpecForm(const std::set<std::string>& shownElsewhere, QWidget* parent)
    : QWidget(parent) {
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions || field.kind == SpecKind::Plan || shownElsewhere.count(field.key))
      continue;
    QWidget* editor = editorOf(field);
    editor->setObjectName(QStringLiteral("train_option_") + QString::fromLatin1(field.key));
    editor->setToolTip(
        QString::fromStdString(field.help) +
        QStringLiteral("\n(pipelines: \"%1\"; graft-cli train %2)")
            .arg(QString::fromLatin1(field.key), QString::fromStdString(specFlag(field))));
    rows_.push_back({&field, editor});
    form->addRow(labelOf(field), editor);
  }
  problem_ = new QLabel(this);
  problem_->setObjectName(QStringLiteral("train_option_problem"));
  problem_->setWordWrap(true);
  problem_->setStyleSheet(QStringLiteral("color: #c0392b"));
  problem_->hide();
  form->addRow(problem_);
}

QWidget* TrainSpecForm::editorOf(const SpecField& field) {
  static const TrainSpec defaults;
  const std::string initial = specValueText(field, defaults);
  switch (field.kind) {
    case SpecKind::Flag: {
      auto* check = new QCheckBox(this);
      check->setChecked(initial == "true");
      connect(check, &QCheckBox::toggled, this, &TrainSpecForm::validate);
      return check;
    }
    case SpecKind::Choice: {
      auto* box = new QComboBox(this);
      for (const std::string& choice : field.choices) box->addItem(QString::fromStdString(choice));
      box->setCurrentText(QString::fromStdString(initial));
      connect(box, &QComboBox::currentTextChanged, this, &TrainSpecForm::validate);
      return box;
    }
    case SpecKind::Device: {
      // The devices found here; cuda:N for another machine may be typed (a saved pipeline).
      auto* box = new QComboBox(this);
      box->setEditable(true);
      for (const std::string& choice : deviceChoicesHere())
        box->addItem(QString::fromStdString(choice));
      box->setCurrentText(QString::fromStdString(initial));
      connect(box, &QComboBox::currentTextChanged, this, &TrainSpecForm::validate);
      return box;
    }
    case SpecKind::Integer: {
      auto* spin = new QSpinBox(this);
      spin->setRange(field.range.min ? static_cast<int>(*field.range.min) : 0, INT_MAX);
      spin->setValue(std::stoi(initial));
      connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &TrainSpecForm::validate);
      return spin;
    }
    default: {  // numbers that may be unset, text, paths, lists: typed, checked by the table
      auto* line = new QLineEdit(this);
      line->setPlaceholderText(initial.empty() ? tr("default") : QString::fromStdString(initial));
      connect(line, &QLineEdit::textChanged, this, &TrainSpecForm::validate);
      return line;
    }
  }
}

std::string TrainSpecForm::textOf(const Row& row) const {
  if (auto* check = qobject_cast<QCheckBox*>(row.editor))
    return check->isChecked() ? "true" : "false";
  if (auto* box = qobject_cast<QComboBox*>(row.editor)) return box->currentText().toStdString();
  if (auto* spin = qobject_cast<QSpinBox*>(row.editor)) return std::to_string(spin->value());
  return qobject_cast<QLineEdit*>(row.editor)->text().trimmed().toStdString();
}

void TrainSpecForm::setText(const Row& row, const std::string& text) {
  static const TrainSpec defaults;
  const std::string value = text.empty() ? specValueText(*row.field, defaults) : text;
  if (auto* check = qobject_cast<QCheckBox*>(row.editor))
    check->setChecked(value == "true");
  else if (auto* box = qobject_cast<QComboBox*>(row.editor))
    box->setCurrentText(QString::fromStdString(value));
  else if (auto* spin = qobject_cast<QSpinBox*>(row.editor))
    spin->setValue(std::stoi(value));
  else
    qobject_cast<QLineEdit*>(row.editor)->setText(QString::fromStdString(text));
}

std::map<std::string, std::string> TrainSpecForm::values() const {
  static const TrainSpec defaults;
  std::map<std::string, std::string> values;
  for (const Row& row : rows_) {
    const std::string text = textOf(row);
    if (!text.empty() && text != specValueText(*row.field, defaults)) values[row.field->key] = text;
  }
  return values;
}

void TrainSpecForm::setValues(const std::map<std::string, std::string>& values) {
  for (const Row& row : rows_) {
    const auto it = values.find(row.field->key);
    setText(row, it == values.end() ? std::string() : it->second);
  }
  validate();
}

QString TrainSpecForm::problem() const {
  TrainSpec scratch;
  for (const Row& row : rows_) {
    try {
      setSpecValueFromText(*row.field, textOf(row), scratch);
    } catch (const Error& e) {
      return QString::fromStdString(e.what());
    }
  }
  return {};
}

std::vector<std::string> TrainSpecForm::keys() const {
  std::vector<std::string> keys;
  for (const Row& row : rows_) keys.emplace_back(row.field->key);
  return keys;
}

QWidget* TrainSpecForm::editorFor(const std::string& key) const {
  for (const Row& row : rows_)
    if (row.field->key == key) return row.editor;
  return nullptr;
}

void TrainSpecForm::validate() {
  const QString message = problem();
  problem_->setText(message);
  problem_->setVisible(!message.isEmpty());
  Q_EMIT changed();
}

}  // namespace graft::ui

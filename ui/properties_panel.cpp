#include "ui/properties_panel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "graph/summary.h"
#include "graph/surgery/ops.h"
#include "ui/apply_with_fixes.h"
#include "ui/category_style.h"
#include "ui/config_field.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/scroll_area.h"
#include "ui/secondary_text.h"
#include "ui/undo_pass_through.h"

namespace graft::ui {
namespace {

// Initializers, regularizers and constraints are rarely touched in transfer learning; they go
// into a folded section so the fields that matter stay on screen.
bool isAdvancedKey(const std::string& key) {
  auto endsWith = [&key](const std::string& suffix) {
    return key.size() >= suffix.size() &&
           key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return endsWith("_initializer") || endsWith("_regularizer") || endsWith("_constraint") ||
         key == "dtype" || key == "data_format";
}

QString labelFor(const std::string& key) {
  QString text = QString::fromStdString(key);
  text.replace('_', ' ');
  return text;
}

}  // namespace

PropertiesPanel::PropertiesPanel(Document* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  layout_ = new QVBoxLayout(this);
  layout_->setContentsMargins(0, 0, 0, 0);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setFocusPolicy(Qt::NoFocus);  // a frame for the fields, not a tab stop of its own
  keepFocusInView(scroll_);
  layout_->addWidget(scroll_);
  connect(document_, &Document::changed, this, [this] {
    // Drop layers that no longer exist (removed, renamed by undo); keep the rest on screen.
    QStringList alive;
    for (const QString& name : layers_)
      if (document_->hasModel() && document_->graph().find(name.toStdString())) alive << name;
    if (alive != layers_) {
      layers_ = alive;
      rebuild();
    } else {
      refreshValues();
    }
  });
  rebuild();
}

QWidget* PropertiesPanel::fieldEditor(const QString& key) const {
  for (ConfigField* field : fields_)
    if (field->key() == key) return field->widget();
  return nullptr;
}

QString PropertiesPanel::headline() const {
  return title_ ? title_->text() : QString();
}

void PropertiesPanel::showLayers(const QStringList& names) {
  if (names == layers_) return;
  layers_ = names;
  rebuild();
}

void PropertiesPanel::applyOperation(const Json& operation, const QString& text) {
  const Diagnostics problems = applyOfferingFixes(document_, this, Json::array({operation}), text);
  if (!problems.empty()) {
    refreshValues(/*includeFocused=*/true);  // put the document's value back into the editor
    // Once more after the editor's own key handling has finished: a spin box refused inside its
    // valueChanged kept showing the refused number (BatchNormalization axis 7).
    QMetaObject::invokeMethod(
        this, [this] { refreshValues(/*includeFocused=*/true); }, Qt::QueuedConnection);
  }
}

void PropertiesPanel::rebuild() {
  fields_.clear();
  title_ = details_ = problem_ = nullptr;
  nameEdit_ = nullptr;
  trainable_ = nullptr;
  shownClass_.clear();
  QWidget* content = nullptr;
  if (!document_->hasModel() || layers_.isEmpty()) {
    auto* hint =
        new QLabel(tr("Select a layer in the graph or the summary to see and edit its "
                      "configuration."));
    hint->setWordWrap(true);
    hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    hint->setContentsMargins(10, 10, 10, 10);
    showAsSecondaryText(hint);
    content = hint;
  } else if (layers_.size() == 1) {
    content = buildSingle(layers_.front());
  } else {
    content = buildMultiple();
  }
  scroll_->setWidget(content);  // deletes the previous content and its editors
  content_ = content;
  refreshValues();
}

QWidget* PropertiesPanel::buildSingle(const QString& name) {
  const Node& node = document_->graph().at(name.toStdString());
  const LayerType* type = LayerRegistry::standard().find(node.className);
  shownClass_ = QString::fromStdString(node.className);
  auto* content = new QWidget;
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(8, 8, 8, 8);

  title_ = new QLabel(content);
  title_->setTextFormat(Qt::RichText);
  // A long name and its class (Teachable Machine's "expanded_conv_depthwise DepthwiseConv2D")
  // take two lines instead of widening the panel past its dock.
  title_->setWordWrap(true);
  column->addWidget(title_);
  if (type) {
    auto* summary = new QLabel(QString::fromStdString(type->summary), content);
    summary->setWordWrap(true);
    showAsSecondaryText(summary);
    column->addWidget(summary);
  }
  problem_ = new QLabel(content);
  problem_->setWordWrap(true);
  problem_->setStyleSheet(QStringLiteral("color: #d62d20;"));
  column->addWidget(problem_);

  auto* layerBox = new QGroupBox(tr("Layer"), content);
  auto* form = new QFormLayout(layerBox);
  nameEdit_ = new QLineEdit(layerBox);
  nameEdit_->setObjectName(QStringLiteral("layer_name"));
  connect(nameEdit_, &QLineEdit::editingFinished, this, [this] {
    if (layers_.size() != 1) return;
    const QString to = nameEdit_->text().trimmed();
    if (to == layers_.front()) return;
    const QString from = layers_.front();
    layers_ = {to};  // follow the layer under its new name
    const Diagnostics problems = document_->apply1(
        ops::rename(from.toStdString(), to.toStdString()), tr("rename %1 to %2").arg(from, to));
    if (!problems.empty()) {
      layers_ = {from};
      // The core names the recipe's field ("to: layer names cannot contain '/'"); here the
      // name typed is what was refused.
      Diagnostics said = problems;
      for (Diagnostic& d : said)
        if (d.subject == "to" && to.isEmpty())
          d = Diagnostic{"", "a layer needs a name; it stays " + from.toStdString()};
        else if (d.subject == "to")
          d.subject = to.toStdString();
      showDiagnostics(this, tr("Cannot rename %1").arg(from), said);
      // The field has the focus again after the dialog: put the layer's name back anyway.
      refreshValues(/*includeFocused=*/true);
    } else {
      Q_EMIT layerRenamed(from, to);
    }
  });
  form->addRow(tr("Name"), nameEdit_);
  passUndoToWindowWhenCommitted(nameEdit_, [this] {
    return layers_.size() == 1 && nameEdit_->text().trimmed() != layers_.front();
  });
  trainable_ = new QCheckBox(tr("Trainable"), layerBox);
  trainable_->setObjectName(QStringLiteral("layer_trainable"));
  connect(trainable_, &QCheckBox::clicked, this, [this](bool on) {
    const ops::Selection layer = ops::layersNamed({layers_.front().toStdString()});
    applyOperation(on ? ops::unfreeze(layer) : ops::freeze(layer),
                   (on ? tr("unfreeze %1") : tr("freeze %1")).arg(layers_.front()));
  });
  form->addRow(QString(), trainable_);
  // An input has nothing to train: a check box there only suggests it does.
  trainable_->setVisible(node.className != "InputLayer");
  details_ = new QLabel(layerBox);
  details_->setTextFormat(Qt::RichText);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(details_);
  column->addWidget(layerBox);

  if (type && !type->defaults.empty()) {
    auto* configBox = new QGroupBox(tr("Configuration"), content);
    auto* configForm = new QFormLayout(configBox);
    auto* advancedBox = new QGroupBox(tr("Initializers, regularizers, constraints"), content);
    advancedBox->setCheckable(true);  // the check box folds the section
    advancedBox->setChecked(false);
    auto* advancedForm = new QFormLayout(advancedBox);
    auto* advancedHolder = new QWidget(advancedBox);
    auto* advancedInner = new QFormLayout(advancedHolder);
    advancedInner->setContentsMargins(0, 0, 0, 0);
    advancedForm->addRow(advancedHolder);
    advancedHolder->setVisible(false);
    connect(advancedBox, &QGroupBox::toggled, advancedHolder, &QWidget::setVisible);
    for (auto it = type->defaults.begin(); it != type->defaults.end(); ++it) {
      auto* field = new ConfigField(QString::fromStdString(it.key()), it.value(), content);
      connect(field, &ConfigField::edited, this, [this](const QString& key, const Json& value) {
        const QString layer = layers_.front();
        Json operation = ops::setConfig(layer.toStdString(), Json{{key.toStdString(), value}});
        // Layers after this one whose weights would no longer fit are offered as a fix
        // (applyOfferingFixes) instead of being reset without a word.
        operation["reinitialize"] = false;
        applyOperation(operation, tr("set %1.%2").arg(layer, key));
      });
      connect(field, &ConfigField::invalid, this,
              [this](const QString& key, const QString& message) {
                showError(this, tr("Invalid value for %1").arg(key), message);
              });
      fields_.append(field);
      // Named by its key, also where Qt would read a value (a combo box's) or nothing.
      field->widget()->setAccessibleName(labelFor(it.key()));
      (isAdvancedKey(it.key()) ? advancedInner : configForm)
          ->addRow(labelFor(it.key()), field->widget());
    }
    column->addWidget(configBox);
    if (advancedInner->rowCount() > 0) {
      column->addWidget(advancedBox);
    } else {
      delete advancedBox;
    }
  }
  column->addStretch(1);
  return content;
}

QWidget* PropertiesPanel::buildMultiple() {
  auto* content = new QWidget;
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(8, 8, 8, 8);
  title_ = new QLabel(tr("<b>%1 layers selected</b>").arg(layers_.size()), content);
  column->addWidget(title_);
  details_ = new QLabel(content);
  details_->setWordWrap(true);
  column->addWidget(details_);
  auto* buttons = new QHBoxLayout;
  auto* freeze = new QPushButton(tr("Freeze all"), content);
  auto* unfreeze = new QPushButton(tr("Unfreeze all"), content);
  buttons->addWidget(freeze);
  buttons->addWidget(unfreeze);
  column->addLayout(buttons);
  auto names = [this] {
    std::vector<std::string> list;
    for (const QString& name : layers_) list.push_back(name.toStdString());
    return ops::layersNamed(std::move(list));
  };
  connect(freeze, &QPushButton::clicked, this, [this, names] {
    applyOperation(ops::freeze(names()), tr("freeze %1 layers").arg(layers_.size()));
  });
  connect(unfreeze, &QPushButton::clicked, this, [this, names] {
    applyOperation(ops::unfreeze(names()), tr("unfreeze %1 layers").arg(layers_.size()));
  });
  column->addStretch(1);
  return content;
}

QString PropertiesPanel::discardUnfinishedEdit() {
  if (nameEdit_ && nameEdit_->isModified() && !layers_.isEmpty()) {
    nameEdit_->setText(layers_.front());
    nameEdit_->setModified(false);
    return QStringLiteral("name");
  }
  for (ConfigField* field : fields_)
    if (field->discardTyping()) return field->key();
  return QString();
}

void PropertiesPanel::refreshValues(bool includeFocused) {
  if (!document_->hasModel() || layers_.isEmpty() || !details_) return;
  const GraphAnalysis& analysis = document_->analysis();
  if (layers_.size() > 1) {
    int64_t params = 0;
    int frozen = 0;
    for (const QString& name : layers_) {
      if (const NodeInfo* info = analysis.find(name.toStdString())) params += info->params;
      if (!document_->graph().at(name.toStdString()).trainable) ++frozen;
    }
    details_->setText(tr("%1 parameters, %2 of %3 frozen.\n%4")
                          .arg(QString::fromStdString(withThousands(params)))
                          .arg(frozen)
                          .arg(layers_.size())
                          .arg(layers_.join(", ")));
    return;
  }
  const QString name = layers_.front();
  const Node& node = document_->graph().at(name.toStdString());
  if (QString::fromStdString(node.className) != shownClass_) {
    rebuild();  // undo turned the layer into another type (replace): new schema
    return;
  }
  const QColor accent = categoryColor(categoryOf(node.className));
  title_->setText(QStringLiteral("<span style='color:%1'>■</span> <b>%2</b> &nbsp;<i>%3</i>")
                      .arg(accent.name(), name.toHtmlEscaped(), shownClass_));
  if (includeFocused || !nameEdit_->hasFocus()) nameEdit_->setText(name);
  trainable_->setChecked(node.trainable);
  QString info;
  const NodeInfo* nodeInfo = analysis.find(node.name);
  if (nodeInfo) {
    info = tr("Output: <b>%1</b><br>Parameters: <b>%2</b>")
               .arg(QString::fromStdString(shapeToString(nodeInfo->outputShape)),
                    QString::fromStdString(withThousands(nodeInfo->params)));
    for (const WeightSpec& w : nodeInfo->weights)
      info +=
          QStringLiteral("<br>&nbsp;&nbsp;%1 %2")
              .arg(QString::fromStdString(w.name), QString::fromStdString(shapeToString(w.shape)));
  }
  QStringList inputs;
  for (const std::string& input : node.inputs) inputs << QString::fromStdString(input);
  if (!inputs.isEmpty()) info += tr("<br>Inputs: %1").arg(inputs.join(", ").toHtmlEscaped());
  details_->setText(info);
  QStringList problems;
  for (const Diagnostic& d : analysis.diagnostics)
    if (d.subject == node.name) problems << QString::fromStdString(d.message);
  problem_->setText(problems.join('\n'));
  problem_->setVisible(!problems.isEmpty());
  const LayerType* type = LayerRegistry::standard().find(node.className);
  for (ConfigField* field : fields_) {
    // A field being typed into keeps the user's text, unless the edit was just refused; a
    // focused field whose value is committed follows the model (Ctrl+Z there undoes the edit).
    const auto* edit = qobject_cast<const QLineEdit*>(field->widget());
    if (!includeFocused && edit && edit->hasFocus() && edit->isModified()) continue;
    const std::string key = field->key().toStdString();
    if (node.config.contains(key)) {
      field->setValue(node.config.at(key));
    } else if (type) {
      field->setValue(type->defaults.at(key));
    }
  }
}

}  // namespace graft::ui

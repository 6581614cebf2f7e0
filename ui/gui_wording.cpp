#include "ui/gui_wording.h"

#include <QRegularExpression>
#include <utility>
#include <vector>

#include "run/train_spec_text.h"

namespace graft::ui {
namespace {

// Whole phrases first (their flags would otherwise be replaced one by one into odd sentences).
const std::vector<std::pair<QString, QString>>& phrases() {
  static const std::vector<std::pair<QString, QString>> table = {
      {QStringLiteral("graft-cli fetch-weights, or --weights FILE"),
       QStringLiteral("the start page's Download ImageNet weights, or File > Load Weights…")},
      {QStringLiteral("leave out --train-batch-norm"),
       QStringLiteral("leave \"Train BatchNormalization\" off")},
      {QStringLiteral("(e.g. --input-size 224)"),
       QStringLiteral("(the Input layer's shape, in Properties)")},
      {QStringLiteral("a smaller --input-size"),
       QStringLiteral("a smaller input size (the Input layer's shape, in Properties)")},
      {QStringLiteral("graft-cli summary MODEL lists them"),
       QStringLiteral("the Summary panel lists them")},
      {QStringLiteral("(graft-cli probe --cut best -o OUT.graft)"),
       QStringLiteral("(the explorer's Cut Here with a New Head)")},
      {QStringLiteral("graft-cli probe"), QStringLiteral("Model > Explore Cut Points…")},
  };
  return table;
}

// The training panel's own rows (ui/training_panel.cpp); the other flags are the "More
// options" form's fields, labelled by their key (ui/train_spec_form.cpp).
QString panelLabel(const std::string& key) {
  static const std::vector<std::pair<std::string, QString>> labels = {
      {"augment", QStringLiteral("Augmentation")},
      {"batch_size", QStringLiteral("Epochs > batch size")},
      {"epochs", QStringLiteral("Epochs")},
      {"optimizer", QStringLiteral("Optimizer")},
      {"lr", QStringLiteral("Optimizer > lr")},
      {"freeze_upto", QStringLiteral("Freeze up to")},
      {"cache_frozen", QStringLiteral("Cache frozen features")},
      {"train_batch_norm", QStringLiteral("Train BatchNormalization")},
      {"val_split", QStringLiteral("Validation split")},
      {"plan", QStringLiteral("Plan")},
      {"data", QStringLiteral("Data")},
      {"device", QStringLiteral("Computes on")},
  };
  for (const auto& [k, label] : labels)
    if (k == key) return label;
  QString label = QString::fromStdString(key).replace('_', ' ');
  label[0] = label[0].toUpper();
  return QStringLiteral("More options > ") + label;
}

}  // namespace

QString inWindowTerms(const QString& text) {
  if (!text.contains(QStringLiteral("--")) && !text.contains(QStringLiteral("graft-cli")))
    return text;
  QString result = text;
  for (const auto& [from, to] : phrases()) result.replace(from, to);
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions) continue;
    // "--class-weights" but not "--class-weights-x": a flag ends where a word does.
    const QString flag = QString::fromStdString(specFlag(field));
    const QRegularExpression word(QRegularExpression::escape(flag) +
                                  QStringLiteral("(?![A-Za-z0-9-])"));
    result.replace(word, QStringLiteral("\"") + panelLabel(field.key) + QStringLiteral("\""));
  }
  return result;
}

}  // namespace graft::ui

#pragma once
// The training options the panel does not lay out by hand, generated from the training spec's
// field table (run/train_spec.h): one row per field, a widget by the field's kind, its help as
// the tooltip and the table's checks as the validation message. A new field in the table shows
// up here without a line of GUI code.
#include <QWidget>
#include <map>
#include <set>
#include <string>

#include "run/train_spec.h"

class QFormLayout;
class QLabel;

namespace graft::ui {

class TrainSpecForm : public QWidget {
  Q_OBJECT
 public:
  // Every field of the table except `shownElsewhere` (the keys the panel has its own widgets
  // for) and those the model options give (seed, input size).
  explicit TrainSpecForm(const std::set<std::string>& shownElsewhere, QWidget* parent = nullptr);

  // The fields the user set, as text by key (fields left at their default are absent).
  std::map<std::string, std::string> values() const;
  // Shows these values (keys not in the form are ignored; absent ones go back to default).
  void setValues(const std::map<std::string, std::string>& values);
  // The first value that fails the table's checks: "momentum: expected at most 1, found 2";
  // "" when all are valid.
  QString problem() const;
  // The keys of the fields in the form, in the table's order.
  std::vector<std::string> keys() const;
  QWidget* editorFor(const std::string& key) const;

 Q_SIGNALS:
  void changed();

 private:
  struct Row {
    const SpecField* field = nullptr;
    QWidget* editor = nullptr;
  };
  QWidget* editorOf(const SpecField& field);
  std::string textOf(const Row& row) const;
  void setText(const Row& row, const std::string& text);
  void validate();

  std::vector<Row> rows_;
  QLabel* problem_ = nullptr;
};

}  // namespace graft::ui

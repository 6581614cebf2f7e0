#pragma once
// Graft's main window: the open model's layers with their shapes and parameter counts.
#include <QMainWindow>

#include "io/model_source.h"

class QTableWidget;
class QLabel;

namespace graft::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  // Loads through the same core function as graft-cli; errors appear in a dialog.
  bool openModel(const ModelSpec& spec);
  const Model* model() const { return loaded_ ? &loaded_->model : nullptr; }
  QTableWidget* layerTable() const { return table_; }

 private Q_SLOTS:
  void chooseFile();

 private:
  void showModel();

  QTableWidget* table_ = nullptr;
  QLabel* totals_ = nullptr;
  std::optional<LoadedModel> loaded_;
};

}  // namespace graft::ui

#include "ui/main_window.h"

#include <QAction>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include "graph/summary.h"

namespace graft::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("Graft");
  resize(1000, 700);
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  table_ = new QTableWidget(0, 4, central);
  table_->setHorizontalHeaderLabels({"Layer", "Type", "Output shape", "Param #"});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->setVisible(false);
  totals_ = new QLabel(tr("Open a Keras .h5 file or a zoo model to begin."), central);
  layout->addWidget(table_);
  layout->addWidget(totals_);
  setCentralWidget(central);

  auto* fileMenu = menuBar()->addMenu(tr("&File"));
  auto* open = fileMenu->addAction(tr("&Open Keras model…"));
  open->setShortcut(QKeySequence::Open);
  connect(open, &QAction::triggered, this, &MainWindow::chooseFile);
  auto* quit = fileMenu->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::chooseFile() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open Keras model"), QString(),
                                   tr("Keras models (*.h5 *.hdf5 *.json);;All files (*)"));
  if (path.isEmpty()) return;
  ModelSpec spec;
  spec.source = path.toStdString();
  openModel(spec);
}

bool MainWindow::openModel(const ModelSpec& spec) {
  try {
    loaded_ = loadModel(spec);
  } catch (const std::exception& e) {
    QMessageBox::critical(this, tr("Cannot open model"), QString::fromStdString(e.what()));
    return false;
  }
  showModel();
  return true;
}

void MainWindow::showModel() {
  const Graph& graph = loaded_->model.graph;
  const GraphAnalysis analysis = analyze(graph);
  const Json summary = summaryJson(graph, analysis);
  table_->setRowCount(static_cast<int>(summary["layers"].size()));
  int row = 0;
  for (const auto& layer : summary["layers"]) {
    const NodeInfo* info = analysis.find(layer["name"].get<std::string>());
    const QString shape = info ? QString::fromStdString(shapeToString(info->outputShape)) : "?";
    const QString items[] = {QString::fromStdString(layer["name"].get<std::string>()),
                             QString::fromStdString(layer["type"].get<std::string>()), shape,
                             QString::fromStdString(withThousands(layer["params"].get<int64_t>()))};
    for (int col = 0; col < 4; ++col) table_->setItem(row, col, new QTableWidgetItem(items[col]));
    ++row;
  }
  totals_->setText(tr("%1 — total params: %2, trainable: %3, non-trainable: %4 — weights: %5")
                       .arg(QString::fromStdString(graph.name()))
                       .arg(QString::fromStdString(withThousands(analysis.totalParams)))
                       .arg(QString::fromStdString(withThousands(analysis.trainableParams)))
                       .arg(QString::fromStdString(withThousands(analysis.nonTrainableParams())))
                       .arg(QString::fromStdString(loaded_->model.weightsSource)));
  setWindowTitle(QString::fromStdString(graph.name()) + " — Graft");
  statusBar()->showMessage(QString::fromStdString(joinDiagnostics(analysis.diagnostics, "; ")));
}

}  // namespace graft::ui

#pragma once
// Deciding where to cut, from the window: choose a labelled image folder and press Explore; the
// cut-point explorer measures each candidate layer on a worker thread (progress with ETA,
// Cancel) while the window stays responsive. The result is a chart of validation accuracy
// against depth and a table (layer, accuracy, feature size, prefix parameters, ms per image);
// the candidates are marked on the graph by colour. A double-click on a row or a click on a
// point cuts the model there with a new head for the folder's classes, as one undoable step.
#include <QMap>
#include <QString>
#include <QWidget>

#include "ui/doc/cut_explorer_session.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace graft::ui {

class CutAccuracyChart;
class Document;

class CutExplorerPanel : public QWidget {
  Q_OBJECT
 public:
  CutExplorerPanel(Document* document, QWidget* parent = nullptr);

  void setDataDir(const QString& dir);
  QString dataDir() const;
  // "auto" (or empty) or layer names separated by commas, as graft-cli probe --layers.
  void setLayers(const QString& layers);
  QString layers() const;
  // Starts a run on the document's model; false (with the reason in the status line) when
  // none could start.
  bool explore();
  // Cuts at the result's candidate `index` (table row, chart point) with a new head; true
  // when the document applied it.
  bool cutAt(int index);
  // The current measurements apply to the document's model (not edited since).
  bool resultIsCurrent() const;
  // The candidate measured at `layer` while the result is current, else -1.
  int candidateIndex(const QString& layer) const;
  // The classes of the measured folder (a new head's outputs); 0 without a result.
  int classCount() const;
  // Sends the current result's marks again (the panel was closed, its marks cleared).
  void remark();

  // Model > Explore Cut Points opens the panel with the keyboard focus on its images folder.
  void focusFirstField();
  CutExplorerSession* session() const { return session_; }
  QPushButton* exploreButton() const { return explore_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* cutButton() const { return cut_; }
  QTableWidget* table() const { return table_; }
  CutAccuracyChart* chart() const { return chart_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }

 Q_SIGNALS:
  // Layers to mark on the graph with their validation accuracy; empty: clear the marks.
  void marksChanged(const QMap<QString, double>& accuracyByLayer);
  void statusMessage(const QString& text);
  // A cut's new head has the classes of `dataDir`: training should use that folder.
  void headCut(const QString& dataDir);

 private:
  void showProgress(const CutExplorerStep& step);
  void runFinished(bool cancelled, const QString& error);
  void showResult();
  void documentChanged();
  void setRunning(bool running);
  Document* document_;
  CutExplorerSession* session_;
  QLineEdit* dataDir_;
  QLineEdit* layers_;
  QComboBox* device_;  // where the network and the fits compute
  QPushButton* explore_;
  QPushButton* cancel_;
  QPushButton* cut_;
  QProgressBar* progress_;
  QLabel* status_;
  CutAccuracyChart* chart_;
  QTableWidget* table_;
  bool cancelledForAnotherModel_ = false;  // the run ending now was stopped by an open
};

}  // namespace graft::ui

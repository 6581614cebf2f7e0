#pragma once
// Graft's main window: the start page or the workbench (graph view) in the middle, the layer
// palette and overview on the left, properties, Keras summary and edit history on the right.
// It owns the document and wires the views to it; the views never talk to each other directly
// except to share the selection. Its parts live in files of their own: main_window_menus.cpp
// (menus and toolbar), _docks, _open (opening, recent files, drops), _save, _exports (recipes,
// pipelines, exported models), _weights (the download offer) and _autosave.
#include <QByteArray>
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>

#include "io/model_source.h"

class QDockWidget;
class QLabel;
class QStackedWidget;
class QTableWidget;
class QUndoView;

namespace graft::ui {

class AutosaveController;
class CutExplorerPanel;
class Document;
class ExportDialog;
class GraphEditor;
class LayerPalette;
class ModelLoader;
class OverviewWidget;
class PipelineDialog;
class PredictionPanel;
class PropertiesPanel;
class StartPage;
class SummaryTable;
class TrainingPanel;
class Workbench;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading on a worker thread; the window stays responsive and shows the model when
  // it arrives (errors in a dialog naming the file or option).
  void openModelAsync(const ModelSpec& spec, const QString& description);
  // Loads and waits for the result while the event loop keeps running: true when it opened.
  bool openModel(const ModelSpec& spec);
  void openPath(const QString& path);

  Document* document() const { return document_; }
  Workbench* workbench() const { return workbench_; }
  StartPage* startPage() const { return start_; }
  SummaryTable* summary() const { return summary_; }
  PropertiesPanel* properties() const { return properties_; }
  LayerPalette* layerPalette() const { return palette_; }
  OverviewWidget* overview() const { return overview_; }
  GraphEditor* editor() const { return editor_; }
  QUndoView* historyView() const { return history_; }
  TrainingPanel* trainingPanel() const { return training_; }
  PredictionPanel* predictionPanel() const { return predictions_; }
  CutExplorerPanel* cutExplorer() const { return explorer_; }
  QTableWidget* layerTable() const;
  bool isLoading() const;
  QString kerasCache() const { return kerasCacheDir_; }
  // Null when the autosave folder cannot be used (said in the status bar).
  AutosaveController* autosave() const { return autosave_; }
  // At start: offers the sessions a crashed Graft left (recover / discard / later); true when
  // one was opened.
  bool offerAutosaveRecovery();

 public Q_SLOTS:
  void showStartPage();
  void showWorkbench();
  void showTraining();
  // Shows the cut-point explorer (its folder taken from the training panel's when empty).
  void showCutExplorer();
  // Shows the prediction panel and runs the current model on the images.
  void predictImages(const QStringList& files);
  void chooseFile();
  bool exportRecipe(const QString& path = QString());
  // File → Export Model: opens the dialog (non-modal; returned for tests).
  ExportDialog* openExportDialog();
  // File → Save Session as Pipeline: opens the dialog (non-modal; returned for tests).
  PipelineDialog* savePipeline();
  bool applyRecipeFile(const QString& path = QString());
  // File → Load Weights: a Keras weights file (.h5, .weights.h5, .keras) onto the open model,
  // by layer name, as one undoable step (read on a worker thread). False when nothing started.
  bool loadWeightsFile(const QString& path = QString());
  // Writes the .graft project on a worker thread; with `wait` the call returns when it is
  // written (tests, the unsaved-changes prompt). True when it was (or is being) saved.
  bool saveProject(bool wait = false);
  bool saveProjectAs(const QString& path = QString(), bool wait = false);
  // A model that is not the document's (a run's result the user keeps beside the current model)
  // as a .graft project: asks where (a Qt file dialog), writes on a worker thread.
  void saveModelAsProject(const graft::Model& model, const QString& suggestedName);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  // Tab and Shift+Tab skip the widgets Qt parks outside the window instead of hiding them
  // (main_window_focus.cpp).
  bool focusNextPrevChild(bool next) override;

 private:
  // The window's frame (main_window.cpp).
  void createPages();
  void connectStartPage();
  void connectDocument();
  void connectSelection();
  void createStatusLabels();
  void restoreSettings();
  void fitOnScreen();
  bool fittedOnShow_ = false;
  // The focus on what the page shown is for (the start page's Open button, the graph) unless
  // a dock's field has it: Qt put it on the page's first control, the banner's ✕.
  void focusShownPage();
  QSize restoredSize_;  // the size restoreSettings left
  // Hides the visible docks while the start page shows (shown = false), or shows those again.
  void setModelDocksShown(bool shown);
  void updateTitle();
  // The name new files of the document are proposed under, without folder or suffix: the
  // project's, else the opened model file's (mobilenet025_catvsdog.h5 proposed
  // mobilenet_0.25_224.pt), else the model's. Folders stay where exports go (a model may have
  // been opened from a download or Keras's cache).
  QString proposedName() const;
  void updateStatus();

  // Docks (main_window_docks.cpp): creates and places the panels around the graph.
  void createDocks();
  // The training panel's and the cut-point explorer's links to the window and each other.
  void connectRunPanels();
  // A run panel opened in a window too short for it beside two rows of docks on either side
  // (960 x 540, 1080p at 200 %: it got two rows of its form) takes the room: the docks of each
  // side share one tab group. Once no run panel is open, they are put back as they were.
  void makeRoomForRunPanel(QDockWidget* run);
  void giveBackRoomOfRunPanels();
  QByteArray docksBeforeRunPanel_;  // while the side docks are tabbed for a run panel
  bool restoringDocks_ = false;

  // Opening (main_window_open.cpp).
  void connectLoader();
  void modelLoaded(const std::shared_ptr<LoadedModel>& loaded, const QString& description);
  void loadFailed(const QString& message, const QString& description);
  // While a run trains, asks to stop it before `description` opens; true when no run is going.
  // When the user agrees the run is stopped and `open` called once it has ended.
  bool stopTrainingBeforeOpening(const QString& description, std::function<void()> open);
  // While a run trains: asks whether to stop it (`question`, the stop button's `stopLabel` and
  // object name); true when the user chose to stop.
  bool askToStopTraining(const QString& question, const QString& consequence,
                         const QString& stopLabel, const QString& stopName);

  // Saving (main_window_save.cpp).
  // Asks what to do with unsaved edits; false when the user cancels.
  bool maybeDiscardChanges();
  // Save As .keras: the model as a Keras 3 archive (a checked export); the project stays as it is.
  bool writeKerasModel(const QString& path, bool wait);
  bool writeProject(const QString& path, bool wait);
  // Runs `write` on a worker thread, the status bar saying so; then, on the GUI thread, a
  // failure is shown under `failureTitle` and success runs `saved`. With `wait` it returns once
  // the write ended (true when it worked), else at once with true.
  bool saveInBackground(const QString& path, std::function<void()> write,
                        const QString& failureTitle, std::function<void()> saved, bool wait);

  // Keras's published weights for a zoo model opened without them (main_window_weights.cpp):
  // the notes banner's offer, and the model opened again once they are installed.
  void offerWeightsDownload(const graft::Model& model);
  void weightsInstalled();

  // Autosave (main_window_autosave.cpp).
  void createAutosave();

  QString kerasCacheDir_;
  Document* document_;
  ModelLoader* loader_;
  QStackedWidget* stack_;
  StartPage* start_;
  Workbench* workbench_;
  GraphEditor* editor_ = nullptr;
  LayerPalette* palette_ = nullptr;
  OverviewWidget* overview_ = nullptr;
  PropertiesPanel* properties_ = nullptr;
  SummaryTable* summary_ = nullptr;
  QUndoView* history_ = nullptr;
  TrainingPanel* training_ = nullptr;
  PredictionPanel* predictions_ = nullptr;
  CutExplorerPanel* explorer_ = nullptr;
  QLabel* paramsLabel_ = nullptr;
  QLabel* deviceLabel_ = nullptr;  // what `auto` computes on
  QLabel* zoomLabel_ = nullptr;
  QLabel* problemsLabel_ = nullptr;
  QString pendingPath_;  // the file being loaded, for the recent list
  // How the model being loaded / the document's model was opened (file or zoo): a saved
  // pipeline opens it again, and a zoo choice without a weights file is reopened once its Keras
  // file is downloaded from the notes banner.
  std::optional<ModelSpec> pendingSpec_;
  std::optional<ModelSpec> openedSpec_;
  int runningTasks_ = 0;  // saves in flight; closing waits for them
  // The edit (undo index) a project save in flight writes: quitting then waits for it rather
  // than calling those edits unsaved.
  std::optional<int> projectSaveIndex_;
  QByteArray layoutBeforeStartPage_;  // the workbench's, while the start page hides the docks
  // An export dialog whose export is in flight (open, or closed and finishing), or nullptr.
  const ExportDialog* runningExport() const;
  AutosaveController* autosave_ = nullptr;
};

}  // namespace graft::ui

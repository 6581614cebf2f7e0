#pragma once
// The central area once a model is open: the loader's notes, the find bar and the graph view.
#include <QStringList>
#include <QWidget>
#include <string>
#include <vector>

namespace graft::ui {

class Document;
class FindBar;
class GraphScene;
class GraphView;
class NotesBanner;

class Workbench : public QWidget {
  Q_OBJECT
 public:
  explicit Workbench(Document* document, QWidget* parent = nullptr);
  GraphView* view() const { return view_; }
  GraphScene* scene() const { return scene_; }
  FindBar* findBar() const { return find_; }
  NotesBanner* banner() const { return banner_; }

 private:
  // What the banner says of the weights: the model's source, or for a project the project
  // that keeps them now.
  QString weightsLine() const;
  Document* document_;
  GraphScene* scene_;
  GraphView* view_;
  FindBar* find_;
  NotesBanner* banner_;
  // The model's class names as it opened, and what the banner shows now (the loader's notes less
  // what an edit made untrue; where the weights came from, a run's training included).
  std::vector<std::string> labelsAtOpen_;
  QStringList shownNotes_;
  QString shownWeights_;
};

}  // namespace graft::ui

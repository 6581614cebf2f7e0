#pragma once
// The central area once a model is open: the loader's notes, the find bar and the graph view.
#include <QWidget>

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
  Document* document_;
  GraphScene* scene_;
  GraphView* view_;
  FindBar* find_;
  NotesBanner* banner_;
};

}  // namespace graft::ui

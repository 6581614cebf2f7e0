#include "ui/workbench.h"

#include <QVBoxLayout>

#include "ui/doc/document.h"
#include "ui/doc/model_notes.h"
#include "ui/find_bar.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/notes_banner.h"

namespace graft::ui {

Workbench::Workbench(Document* document, QWidget* parent) : QWidget(parent), document_(document) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  banner_ = new NotesBanner(this);
  find_ = new FindBar(this);
  find_->hide();
  scene_ = new GraphScene(document_, this);
  view_ = new GraphView(scene_, this);
  layout->addWidget(banner_);
  layout->addWidget(find_);
  layout->addWidget(view_, 1);

  connect(find_, &FindBar::layerFound, view_, &GraphView::revealLayer);
  connect(find_, &FindBar::closed, view_, [this] { view_->setFocus(); });
  connect(document_, &Document::changed, this, [this] {
    QStringList names;
    if (document_->hasModel())
      for (const Node& node : document_->graph().nodes())
        names << QString::fromStdString(node.name);
    find_->setLayerNames(names);
    if (!document_->hasModel()) return;
    // A training run's weights ("trained by Graft from ...") and an edit's class names.
    const QString weights = weightsLine();
    const QStringList notes =
        notesForModelNow(document_->notes(), labelsAtOpen_, document_->model().labels);
    if (notes == shownNotes_ && weights == shownWeights_) return;
    shownNotes_ = notes;
    shownWeights_ = weights;
    banner_->refreshNotes(weights, notes);
  });
  connect(document_, &Document::projectPathChanged, this, [this] {
    if (!document_->hasModel() || weightsLine() == shownWeights_) return;
    shownWeights_ = weightsLine();
    banner_->refreshNotes(shownWeights_, shownNotes_);
  });
  connect(document_, &Document::opened, this, [this] {
    labelsAtOpen_ = document_->hasModel() ? document_->model().labels : std::vector<std::string>{};
    shownNotes_ = document_->notes();
    shownWeights_ = weightsLine();
    banner_->showNotes(shownWeights_, shownNotes_);
  });
}

QString Workbench::weightsLine() const {
  const QString source = QString::fromStdString(document_->model().weightsSource);
  // A project keeps its own weights: "Weights: cvd.h5" over a reopened, retrained project
  // named a file it no longer reads.
  const QString project = document_->projectPath();
  if (project.isEmpty() || source.isEmpty() || source.contains(project)) return source;
  // "trained by Graft from random initialization, now kept in x.graft" (it read "kept in
  // x.graft (first from trained by Graft ...)").
  return tr("%1, now kept in %2").arg(source, project);
}

}  // namespace graft::ui

#include "ui/graph_editor.h"

#include <QApplication>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStatusBar>
#include <map>

#include "graph/layer_names.h"
#include "graph/layer_registry.h"
#include "graph/summary.h"
#include "graph/surgery/fusable_chain.h"
#include "graph/surgery/ops.h"
#include "runtime/fusion/fuse_with_samples.h"
#include "ui/apply_with_fixes.h"
#include "ui/category_style.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/node_item.h"

namespace graft::ui {
namespace {

// A layer's name in a menu entry: an & in it is shown, not taken as the entry's mnemonic.
QString inMenu(const QString& name) {
  return QString(name).replace('&', QStringLiteral("&&"));
}

// What a context menu is about, as its first line. QMenu::addSection shows its text only in
// styles that support it (Fusion, the default here, draws a bare separator).
void addMenuTitle(QMenu* menu, const QString& text) {
  QAction* title = menu->addAction(QString(text).replace('&', QStringLiteral("&&")));
  title->setEnabled(false);
  QFont bold = title->font();
  bold.setBold(true);
  title->setFont(bold);
  menu->addSeparator();
}

std::vector<std::string> nameList(const QStringList& names) {
  std::vector<std::string> list;
  for (const QString& name : names) list.push_back(name.toStdString());
  return list;
}

bool fusable(const std::string& className) {
  return className == "Conv2D" || className == "DepthwiseConv2D" || className == "Dense" ||
         className == "SeparableConv2D";
}

// A layer the arrow and canvas menus can add: a merge needs a second input they cannot name.
bool takesOneInput(const LayerType& type) {
  return type.minInputs <= 1;
}

}  // namespace

GraphEditor::GraphEditor(Document* document, GraphView* view, QWidget* dialogParent)
    : QObject(dialogParent),
      document_(document),
      view_(view),
      dialogParent_(dialogParent),
      chooseSamples_([dialogParent](const QString& why) {
        return SampleImagesDialog::ask(dialogParent, why, kFusionSamples);
      }),
      confirmLargeError_([dialogParent](const QString& question) {
        return QMessageBox::question(dialogParent, tr("Apply an inexact fusion?"), question,
                                     QMessageBox::Apply | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Apply;
      }) {
  connect(view_, &GraphView::layerDroppedOnEdge, this, &GraphEditor::insertOnEdge);
  connect(view_, &GraphView::layerDroppedOnNode, this, &GraphEditor::addAfter);
  connect(view_, &GraphView::layerDroppedOnSpace, this, &GraphEditor::addAtOutput);
  connect(view_->graphScene(), &GraphScene::freezeBoundaryMoved, this,
          &GraphEditor::moveFreezeBoundary);
  connect(view_->graphScene(), &GraphScene::outputDroppedOn, this,
          [this](const QString&, const QString& layer) { cutAt(layer); });
  connect(view_, &GraphView::contextMenuOnGroup, this,
          [this](const QString& path, const QPoint& pos) {
            QMenu menu(view_);
            populateGroupMenu(&menu, path);
            menu.exec(pos);
          });
  connect(view_, &GraphView::contextMenuOnEdge, this,
          [this](const QString& from, const QString& to, const QPoint& pos) {
            QMenu menu(view_);
            populateEdgeMenu(&menu, from, to);
            if (!menu.isEmpty()) menu.exec(pos);
          });
  connect(view_, &GraphView::contextMenuOnSpace, this, [this](const QPoint& pos) {
    QMenu menu(view_);
    populateSpaceMenu(&menu);
    if (!menu.isEmpty()) menu.exec(pos);
  });
  connect(view_, &GraphView::contextMenuOnNode, this,
          [this](const QString& node, const QPoint& pos) {
            QMenu menu(view_);
            populateContextMenu(&menu, node);
            menu.exec(pos);
          });
}

QString GraphEditor::freshName(const QString& className) const {
  const std::string base = kerasSnakeCase(className.toStdString());
  if (!document_->hasModel()) return QString::fromStdString(base);
  const Graph& graph = document_->graph();
  // Nested models' names are taken too (the core refuses a layer under one).
  return QString::fromStdString(uniqueLayerName(base, [&graph](const std::string& name) {
    if (graph.find(name)) return true;
    for (const NodeGroup& group : graph.groups())
      if (group.name() == name) return true;
    return false;
  }));
}

Json GraphEditor::layerJson(const QString& className, const QString& name) const {
  const LayerType* type = LayerRegistry::standard().find(className.toStdString());
  return ops::layer(className.toStdString(), name.toStdString(),
                    type ? type->newLayerConfig : Json::object());
}

Json GraphEditor::layerJsonAfter(const QString& className, const QString& name,
                                 const QString& from) const {
  Json layer = layerJson(className, name);
  // Between two layers a new Conv2D or Dense keeps the channels it reads: with Keras's default
  // (32) the layers after it no longer fit their weights, and every insert asked to draw them
  // anew.
  static const std::map<QString, const char*> kChannelKeys = {{"Conv2D", "filters"},
                                                              {"SeparableConv2D", "filters"},
                                                              {"Conv2DTranspose", "filters"},
                                                              {"Dense", "units"}};
  const auto key = kChannelKeys.find(className);
  if (key == kChannelKeys.end() || !document_->hasModel()) return layer;
  const NodeInfo* info = document_->analysis().find(from.toStdString());
  if (info && !info->outputShape.empty() && info->outputShape.back() > 0)
    layer["config"][key->second] = info->outputShape.back();
  return layer;
}

bool GraphEditor::apply(const Json& operations, const QString& text) {
  return applyOfferingFixes(document_, dialogParent_, operations, text).empty();
}

void GraphEditor::selectAfterApply(const QString& name) {
  view_->graphScene()->selectLayers({name});
  // On screen too: a layer added from the keyboard (Return in Layers) could land out of view.
  if (NodeItem* item = view_->graphScene()->nodeItem(name)) view_->ensureVisible(item, 60, 60);
}

bool GraphEditor::insertOnEdge(const QString& className, const QString& from, const QString& to) {
  const QString name = freshName(className);
  const bool ok = apply(Json::array({ops::insertBetween(from.toStdString(), to.toStdString(),
                                                        layerJsonAfter(className, name, from))}),
                        tr("insert %1 between %2 and %3").arg(name, from, to));
  if (ok) selectAfterApply(name);
  return ok;
}

bool GraphEditor::addAfter(const QString& className, const QString& node) {
  if (!document_->hasModel()) return false;
  const QString name = freshName(className);
  // On a layer nobody consumes the new one extends the model (stack); elsewhere it goes
  // between the layer and what follows it (insert).
  const bool isEnd = document_->graph().consumers(node.toStdString()).empty();
  const Json op = isEnd
                      ? ops::stack(node.toStdString(), {layerJson(className, name)})
                      : ops::insertAfter(node.toStdString(), layerJsonAfter(className, name, node));
  const bool ok = apply(Json::array({op}), tr("add %1 after %2").arg(name, node));
  if (ok) selectAfterApply(name);
  return ok;
}

bool GraphEditor::addAtOutput(const QString& className) {
  if (!document_->hasModel()) return false;
  const auto& outputs = document_->graph().outputs();
  if (outputs.size() != 1) {
    showError(
        dialogParent_, tr("Cannot add %1").arg(className),
        tr("The model has %1 outputs; drop the layer on the one to build on.").arg(outputs.size()));
    return false;
  }
  return addAfter(className, QString::fromStdString(outputs.front()));
}

bool GraphEditor::cutAt(const QString& node) {
  return apply(Json::array({ops::cut(node.toStdString())}), tr("cut the model at %1").arg(node));
}

bool GraphEditor::removeLayers(const QStringList& names) {
  if (names.isEmpty()) return false;
  // The selection moves to the layer that now reads what the removed ones read (else to
  // their input), so the arrow keys and Delete go on from there.
  QString next;
  const Graph& graph = document_->graph();
  for (const QString& name : names)
    for (const std::string& consumer : graph.consumers(name.toStdString()))
      if (next.isEmpty() && !names.contains(QString::fromStdString(consumer)))
        next = QString::fromStdString(consumer);
  for (const QString& name : names)
    if (const Node* node = graph.find(name.toStdString()); node && next.isEmpty())
      for (const std::string& input : node->inputs)
        if (next.isEmpty() && !names.contains(QString::fromStdString(input)))
          next = QString::fromStdString(input);
  const bool ok = apply(Json::array({ops::remove(nameList(names))}),
                        names.size() == 1 ? tr("remove %1").arg(names.front())
                                          : tr("remove %1 layers").arg(names.size()));
  if (ok && !next.isEmpty()) selectAfterApply(next);
  return ok;
}

bool GraphEditor::replaceLayers(const QStringList& names, const QString& className) {
  if (names.isEmpty()) return false;
  const QString name = freshName(className);
  // The new layer takes over the settings of the layer it replaces where it has the same ones
  // (the last of a chain: its output shape is the one to keep).
  const Node* last = document_->graph().find(names.back().toStdString());
  const Json with = last ? ops::layerLike(className.toStdString(), name.toStdString(), *last)
                         : layerJson(className, name);
  const bool ok = apply(Json::array({ops::replace(nameList(names), with)}),
                        tr("replace %1 with %2").arg(names.join(", "), className));
  if (ok) selectAfterApply(name);
  return ok;
}

bool GraphEditor::fuse(const QStringList& names) {
  if (names.size() < 2) return false;
  const Json operation = ops::fuse(nameList(names));
  const QString text = tr("fuse %1").arg(names.join(" + "));
  const Diagnostics refused = document_->apply(Json::array({operation}), text);
  if (refused.empty()) return true;
  if (!wantsLeastSquares(document_->model(), operation, true)) {
    showDiagnostics(dialogParent_, tr("Cannot %1").arg(text), refused);
    return false;
  }
  // Asked for images only where least squares can merge them (not across a pooling).
  if (auto structure = leastSquaresRefusal(document_->model(), operation.at("layers"))) {
    Diagnostics both = refused;
    both.insert(both.end(), structure->begin(), structure->end());
    showDiagnostics(dialogParent_, tr("Cannot %1").arg(text), both);
    return false;
  }
  // The core's refusal tells a command-line user how to give images; this dialog is how.
  QString why = QString::fromStdString(joinDiagnostics(refused));
  why.remove(QRegularExpression(QStringLiteral(R"( \(with sample images[^)]*\))")));
  const SampleImages samples = chooseSamples_(why);
  if (samples.folder.isEmpty()) return false;
  const auto device = parseDeviceChoice(samples.device.toStdString());
  if (!device) {
    showError(dialogParent_, tr("Cannot %1").arg(text),
              QString::fromStdString(deviceChoiceProblem(samples.device.toStdString())));
    return false;
  }
  fuseBySamples(operation, samples, text);
  return true;
}

void GraphEditor::fuseBySamples(const Json& operation, const SampleImages& samples,
                                const QString& text) {
  // The fit reads images and runs the layers: seconds on a large model, so off the UI thread.
  const Model model = document_->model();
  const uint64_t revision = document_->revision();
  auto result = std::make_shared<Expected<EditResult>>(Diagnostic{"", ""});
  QApplication::setOverrideCursor(Qt::BusyCursor);
  runInBackground(
      this,
      [model, operation, samples, result] {
        const RecipeStepRunner step =
            stepsWithFolderSamples(samples.folder.toStdString(), samples.count, 224,
                                   parseDeviceChoice(samples.device.toStdString()).value());
        *result = step(model, operation, EditOptions{});
      },
      [this, text, revision, result, samples](const QString& error) {
        QApplication::restoreOverrideCursor();
        const QString title = tr("Cannot %1").arg(text);
        if (!error.isEmpty()) return showError(dialogParent_, title, error);
        if (!*result) return showDiagnostics(dialogParent_, title, result->diagnostics());
        QStringList notes;
        for (const std::string& note : (*result)->notes) notes << QString::fromStdString(note);
        // The error stays in the History (the status bar said it for a few seconds): on
        // images the fit did not see when it has them.
        const Json& recorded = (*result)->operation;
        const char* errorKey =
            recorded.contains("held_out_error") ? "held_out_error" : "relative_error";
        const bool measured = recorded.contains(errorKey) && recorded[errorKey].is_number();
        const double fitError = measured ? recorded[errorKey].get<double>() : 0.0;
        const QString label =
            measured
                ? tr("%1 (least squares, relative error %2)").arg(text).arg(fitError, 0, 'g', 2)
                : tr("%1 (least squares)").arg(text);
        if (fitError > kLargeFusionError &&
            !confirmLargeError_(
                tr("The fused layer reproduces the two layers with a relative error of %1%2 "
                   "(fitted to %3 images): the model will compute noticeably different "
                   "features from here on, and its accuracy may drop until it is fine-tuned.\n\n"
                   "More sample images, or images like those the model will see, may fit it "
                   "better. Apply the fusion anyway?")
                    .arg(fitError, 0, 'g', 2)
                    .arg(recorded.contains("held_out_error") ? tr(" on images it did not see")
                                                             : QString())
                    .arg(recorded.value("samples", 0)))) {
          if (auto* window = qobject_cast<QMainWindow*>(dialogParent_))
            window->statusBar()->showMessage(tr("Fusion not applied: %1").arg(label), 8000);
          return;
        }
        if (!document_->commitResultOf(revision, (*result)->model, label, notes))
          return showError(dialogParent_, title,
                           document_->canEdit()
                               ? tr("The model changed while the fusion was being fitted; fuse "
                                    "again.")
                               : document_->editLock());
        lastSamples_ = samples;
      });
}

bool GraphEditor::freezeUpTo(const QString& node) {
  return apply(Json::array({ops::freeze(ops::upTo(node.toStdString()))}),
               tr("freeze up to %1").arg(node));
}

bool GraphEditor::unfreezeFrom(const QString& node) {
  return apply(Json::array({ops::unfreeze(ops::fromLayer(node.toStdString()))}),
               tr("unfreeze from %1").arg(node));
}

bool GraphEditor::setTrainable(const QStringList& names, bool trainable) {
  if (names.isEmpty()) return false;
  const QString what = names.size() == 1 ? names.front() : tr("%1 layers").arg(names.size());
  const ops::Selection layers = ops::layersNamed(nameList(names));
  return apply(Json::array({trainable ? ops::unfreeze(layers) : ops::freeze(layers)}),
               (trainable ? tr("unfreeze %1") : tr("freeze %1")).arg(what));
}

bool GraphEditor::rename(const QString& from, const QString& to) {
  const bool ok = apply(Json::array({ops::rename(from.toStdString(), to.toStdString())}),
                        tr("rename %1 to %2").arg(from, to));
  if (ok) selectAfterApply(to);
  return ok;
}

bool GraphEditor::moveFreezeBoundary(const QPointF& at) {
  if (!document_->hasModel()) return false;
  const Graph& graph = document_->graph();
  const QStringList above = view_->graphScene()->layersBefore(at);
  QStringList below;
  int freezing = 0;
  int unfreezing = 0;
  int weightedChanges = 0;
  for (const Node& node : graph.nodes()) {
    const QString name = QString::fromStdString(node.name);
    const bool frozenWanted = above.contains(name);
    if (!frozenWanted) below << name;
    if (node.trainable && frozenWanted) ++freezing;
    if (!node.trainable && !frozenWanted) ++unfreezing;
    const NodeInfo* info = document_->analysis().find(node.name);
    if (info && !info->weights.empty() && node.trainable != !frozenWanted) ++weightedChanges;
  }
  // Only layers with weights make it an edit: the bar dropped just below the input "froze 1
  // layer", an undo step that changed nothing a run trains.
  if (weightedChanges == 0) return false;
  Json steps = Json::array();
  auto order = graph.topologicalOrder();
  QStringList prefix;
  if (order && !above.isEmpty()) {
    for (size_t index : *order) {
      if (prefix.size() == above.size()) break;
      prefix << QString::fromStdString(graph.nodes()[index].name);
    }
  }
  QStringList sortedPrefix = prefix, sortedAbove = above;
  sortedPrefix.sort();
  sortedAbove.sort();
  if (above.isEmpty()) {
    steps.push_back(ops::unfreeze(ops::layersNamed(nameList(below))));
  } else if (sortedPrefix == sortedAbove) {
    steps.push_back(ops::freeze(ops::upTo(prefix.back().toStdString())));
    if (!below.isEmpty())
      steps.push_back(ops::unfreeze(
          ops::fromLayer(graph.nodes()[(*order)[static_cast<size_t>(prefix.size())]].name)));
  } else {
    steps.push_back(ops::freeze(ops::layersNamed(nameList(above))));
    if (!below.isEmpty()) steps.push_back(ops::unfreeze(ops::layersNamed(nameList(below))));
  }
  const bool ok = apply(steps, above.isEmpty() ? tr("unfreeze all layers")
                               : above.size() == 1
                                   ? tr("freeze 1 layer above the boundary")
                                   : tr("freeze %1 layers above the boundary").arg(above.size()));
  // One move, one sentence: the freeze and unfreeze underneath said "nothing to freeze" first.
  if (ok) {
    QStringList changes;
    if (freezing > 0) changes << tr("froze %n layer(s)", nullptr, freezing);
    if (unfreezing > 0) changes << tr("unfroze %n layer(s)", nullptr, unfreezing);
    document_->sayEdit(tr("Freeze boundary moved: %1; %n layer(s) above it are frozen.", nullptr,
                          static_cast<int>(above.size()))
                           .arg(changes.join(tr(" and "))));
  }
  return ok;
}

QString GraphEditor::followingBatchNorm(const QString& node) const {
  if (!document_->hasModel()) return {};
  const Graph& graph = document_->graph();
  const auto consumers = graph.consumers(node.toStdString());
  if (consumers.size() != 1) return {};
  const Node* next = graph.find(consumers.front());
  return next && next->className == "BatchNormalization" ? QString::fromStdString(next->name)
                                                         : QString();
}

void GraphEditor::renameInteractively(const QString& node) {
  bool ok = false;
  const QString to =
      QInputDialog::getText(dialogParent_, tr("Rename layer"), tr("New name for %1:").arg(node),
                            QLineEdit::Normal, node, &ok)
          .trimmed();
  if (ok && !to.isEmpty() && to != node) rename(node, to);
}

void GraphEditor::removeSelection() {
  removeLayers(view_->graphScene()->selectedLayers());
}

void GraphEditor::fuseSelection() {
  QStringList names = view_->graphScene()->selectedLayers();
  if (names.size() == 1) {
    const QString bn = followingBatchNorm(names.front());
    if (!bn.isEmpty()) names << bn;
  }
  if (names.size() < 2) {
    showError(dialogParent_, tr("Nothing to fuse"),
              tr("Select a convolution or dense layer followed by BatchNormalization, or a "
                 "linear chain of layers."));
    return;
  }
  fuse(names);
}

void GraphEditor::populateGroupMenu(QMenu* menu, const QString& path) {
  if (!document_->hasModel()) return;
  const Graph& graph = document_->graph();
  QStringList layers;
  bool anyTrainable = false;
  for (const Node& node : graph.nodes())
    if (groupWithin(node.group, path.toStdString())) {
      layers << QString::fromStdString(node.name);
      anyTrainable |= node.trainable;
    }
  if (layers.isEmpty()) return;
  const QString output = QString::fromStdString(
      summarizeGroup(graph, document_->analysis(), path.toStdString()).output);
  const QString name = path.section('/', -1);
  addMenuTitle(menu, tr("%1 (%2 layers)").arg(name).arg(layers.size()));
  GraphView* view = view_;
  const bool collapsed = view->graphScene()->isGroupCollapsed(path);
  menu->addAction(collapsed ? tr("&Expand") : tr("&Collapse"), this,
                  [view, path, collapsed] { view->setGroupCollapsed(path, !collapsed); });
  // Already the model's only output: a cut there changes nothing.
  const bool isOutput = graph.outputs() == std::vector<std::string>{output.toStdString()};
  if (!output.isEmpty() && !isOutput)
    menu->addAction(QIcon(QStringLiteral(":/icons/cut.svg")),
                    tr("Cu&t after %1 (make %2 the output)").arg(inMenu(name), inMenu(output)),
                    this, [this, output] { cutAt(output); });
  menu->addAction(QIcon(QStringLiteral(":/icons/lock.svg")),
                  anyTrainable ? tr("&Freeze all of %1").arg(inMenu(name))
                               : tr("&Unfreeze all of %1").arg(inMenu(name)),
                  this, [this, layers, anyTrainable] { setTrainable(layers, !anyTrainable); });
}

void GraphEditor::addLayerClassMenus(QMenu* parent,
                                     const std::function<bool(const LayerType&)>& offered,
                                     const std::function<void(const QString&)>& chosen) {
  std::map<int, QMenu*> groups;
  const LayerRegistry& registry = LayerRegistry::standard();
  for (const std::string& className : registry.classNames()) {
    const LayerType& type = registry.at(className);
    if (type.category == LayerCategory::Input || !offered(type)) continue;
    QMenu*& group = groups[static_cast<int>(type.category)];
    if (!group) group = parent->addMenu(categoryIcon(type.category), categoryLabel(type.category));
    const QString name = QString::fromStdString(className);
    QAction* action = group->addAction(name, this, [chosen, name] { chosen(name); });
    action->setToolTip(QString::fromStdString(type.summary));
  }
}

void GraphEditor::populateEdgeMenu(QMenu* menu, const QString& from, const QString& to) {
  if (!document_->hasModel()) return;
  addMenuTitle(menu, tr("%1 → %2").arg(from, to));
  QMenu* insert = menu->addMenu(tr("&Insert layer here"));
  addLayerClassMenus(insert, takesOneInput, [this, from, to](const QString& className) {
    insertOnEdge(className, from, to);
  });
  menu->addAction(QIcon(QStringLiteral(":/icons/cut.svg")),
                  tr("&Cut here (make %1 the output)").arg(inMenu(from)), this,
                  [this, from] { cutAt(from); });
}

void GraphEditor::populateSpaceMenu(QMenu* menu) {
  if (!document_->hasModel()) return;
  const auto& outputs = document_->graph().outputs();
  QMenu* add = menu->addMenu(
      outputs.size() == 1
          ? tr("&Add layer at the output (%1)").arg(inMenu(QString::fromStdString(outputs.front())))
          : tr("&Add layer at the output"));
  addLayerClassMenus(add, takesOneInput,
                     [this](const QString& className) { addAtOutput(className); });
  menu->addSeparator();
  menu->addAction(tr("&Fit the model in the window"), view_, &GraphView::fitAll);
}

void GraphEditor::populateContextMenu(QMenu* menu, const QString& node) {
  const QStringList selection = view_->graphScene()->selectedLayers();
  const QStringList targets = selection.contains(node) ? selection : QStringList{node};
  const Node* layer = document_->graph().find(node.toStdString());
  if (!layer) return;
  const bool single = targets.size() == 1;
  addMenuTitle(menu, single ? node : tr("%1 layers").arg(targets.size()));
  for (const ContextMenuExtension& extension : menuExtensions_) extension(menu, node);

  QAction* cutHere = menu->addAction(QIcon(QStringLiteral(":/icons/cut.svg")),
                                     tr("&Cut here (make %1 the output)").arg(inMenu(node)), this,
                                     [this, node] { cutAt(node); });
  // The model's only output already: a cut there changes nothing.
  cutHere->setEnabled(document_->graph().outputs() != std::vector<std::string>{node.toStdString()});
  menu->addAction(QIcon(QStringLiteral(":/icons/delete.svg")),
                  single ? tr("&Remove and reconnect")
                         : tr("&Remove %1 layers and reconnect").arg(targets.size()),
                  QKeySequence::Delete, this, [this, targets] { removeLayers(targets); });
  QMenu* replace = menu->addMenu(single ? tr("Re&place with") : tr("Re&place chain with"));
  const std::string ownClass = layer->className;
  addLayerClassMenus(
      replace,
      [single, ownClass](const LayerType& type) {
        // A layer "replaced" by its own type would only lose its weights; what is replaced is a
        // chain with one input, which a merge (two inputs or more) cannot take over.
        return type.category != LayerCategory::Merge && type.minInputs <= 1 &&
               !(single && type.className == ownClass);
      },
      [this, targets](const QString& className) { replaceLayers(targets, className); });
  const QString bn = single && fusable(layer->className) ? followingBatchNorm(node) : QString();
  // Offered where a fusion can start: a selected chain, or a layer a BatchNormalization folds
  // into (greyed when none follows it); not on a BatchNormalization or an activation.
  if (!single || fusable(layer->className)) {
    QAction* fuseAction = menu->addAction(
        bn.isEmpty() ? (single ? tr("Fu&se with next BatchNormalization") : tr("Fu&se chain"))
                     : tr("Fu&se with %1").arg(inMenu(bn)),
        this, [this, node, bn, targets] {
          fuse(bn.isEmpty() ? targets : QStringList{node, bn});
        });
    fuseAction->setEnabled(!bn.isEmpty() || targets.size() >= 2);
  }
  menu->addSeparator();
  menu->addAction(QIcon(QStringLiteral(":/icons/lock.svg")), tr("&Freeze up to here"), this,
                  [this, node] { freezeUpTo(node); });
  menu->addAction(tr("&Unfreeze from here"), this, [this, node] { unfreezeFrom(node); });
  bool anyTrainable = false;
  for (const QString& name : targets)
    if (const Node* n = document_->graph().find(name.toStdString())) anyTrainable |= n->trainable;
  menu->addAction(anyTrainable ? tr("Free&ze") : tr("Unfree&ze"), this,
                  [this, targets, anyTrainable] { setTrainable(targets, !anyTrainable); });
  menu->addSeparator();
  QAction* renameAction =
      menu->addAction(tr("Re&name…"), this, [this, node] { renameInteractively(node); });
  renameAction->setShortcut(Qt::Key_F2);
  renameAction->setEnabled(single);
}

}  // namespace graft::ui

#include "ui/graph_view_accessible.h"

#include <QAccessibleWidget>
#include <QHash>
#include <QPointer>
#include <QWindow>
#include <algorithm>

#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/node_item.h"

namespace graft::ui {
namespace {

// The view's scene while both live: asked through QGraphicsView::scene(), which the scene's
// destructor clears (the view's own pointer would dangle while the parent deletes its
// children, the scene before the view, and a screen reader may ask in between).
const GraphScene* liveScene(const GraphView* view) {
  return view ? qobject_cast<const GraphScene*>(view->scene()) : nullptr;
}

// The visible cards, in the graph's order (the summary's and the arrow keys' order).
QStringList cardNames(const GraphView* view) {
  QStringList names;
  const GraphScene* scene = liveScene(view);
  if (!scene) return names;
  QList<const NodeItem*> cards;
  for (const NodeItem* card : scene->nodeItems())
    if (card->isVisible()) cards << card;
  // Reading order: top to bottom, then left to right (as the layout ranks them).
  std::sort(cards.begin(), cards.end(), [](const NodeItem* a, const NodeItem* b) {
    return a->pos().y() != b->pos().y() ? a->pos().y() < b->pos().y() : a->pos().x() < b->pos().x();
  });
  for (const NodeItem* card : cards) names << card->name();
  return names;
}

// One card, found by its layer's name each time it is asked (the scene rebuilds its items on
// every change of the wiring).
class CardAccessible : public QAccessibleInterface {
 public:
  CardAccessible(GraphView* view, QString layer) : view_(view), layer_(std::move(layer)) {}
  bool isValid() const override { return card() != nullptr; }
  QObject* object() const override { return nullptr; }
  QWindow* window() const override { return view_ ? view_->window()->windowHandle() : nullptr; }
  QAccessibleInterface* parent() const override {
    return view_ ? QAccessible::queryAccessibleInterface(view_) : nullptr;
  }
  // The view's interface is going: a card must not reach the dying view afterwards.
  void detach() { view_ = nullptr; }
  QAccessibleInterface* child(int) const override { return nullptr; }
  int childCount() const override { return 0; }
  int indexOfChild(const QAccessibleInterface*) const override { return -1; }
  QAccessibleInterface* childAt(int, int) const override { return nullptr; }
  QAccessibleInterface* focusChild() const override { return nullptr; }
  QString text(QAccessible::Text t) const override {
    const NodeItem* item = card();
    if (!item) return {};
    if (t == QAccessible::Name)
      return QStringLiteral("%1, %2").arg(item->name(), item->view().className);
    if (t == QAccessible::Description) return item->toolTip();
    return {};
  }
  void setText(QAccessible::Text, const QString&) override {}
  QRect rect() const override {
    const NodeItem* item = card();
    if (!item || !view_) return {};
    const QRect inView =
        view_->mapFromScene(item->mapToScene(item->shape().boundingRect())).boundingRect();
    return QRect(view_->viewport()->mapToGlobal(inView.topLeft()), inView.size());
  }
  QAccessible::Role role() const override { return QAccessible::ListItem; }
  QAccessible::State state() const override {
    QAccessible::State state;
    const NodeItem* item = card();
    if (!item) {
      state.invalid = true;
      return state;
    }
    state.selectable = true;
    state.focusable = true;
    state.selected = item->isSelected();
    // The keyboard works on the selection: the focused card is the selected one.
    state.focused =
        item->isSelected() && view_->hasFocus() && liveScene(view_)->selectedLayers().size() == 1;
    state.offscreen = !view_->viewport()->rect().intersects(
        view_->mapFromScene(item->sceneBoundingRect()).boundingRect());
    return state;
  }

 private:
  const NodeItem* card() const {
    const GraphScene* scene = liveScene(view_);
    return scene ? scene->nodeItem(layer_) : nullptr;
  }
  QPointer<GraphView> view_;
  QString layer_;
};

// The view: its own widgets (viewport, scroll bars) first, then a child per visible card.
class GraphViewAccessible : public QAccessibleWidget {
 public:
  explicit GraphViewAccessible(GraphView* view) : QAccessibleWidget(view) {}
  ~GraphViewAccessible() override {
    for (const QAccessible::Id id : std::as_const(cards_)) {
      if (auto* card = static_cast<CardAccessible*>(QAccessible::accessibleInterface(id)))
        card->detach();
      QAccessible::deleteAccessibleInterface(id);
    }
  }
  int childCount() const override {
    return QAccessibleWidget::childCount() + static_cast<int>(cardNames(view()).size());
  }
  QAccessibleInterface* child(int index) const override {
    const int own = QAccessibleWidget::childCount();
    if (index < own) return QAccessibleWidget::child(index);
    const QStringList names = cardNames(view());
    if (index - own >= names.size()) return nullptr;
    return cardInterface(names[index - own]);
  }
  int indexOfChild(const QAccessibleInterface* child) const override {
    const int own = QAccessibleWidget::indexOfChild(child);
    if (own >= 0) return own;
    for (auto it = cards_.cbegin(); it != cards_.cend(); ++it)
      if (QAccessible::accessibleInterface(it.value()) == child) {
        const int at = static_cast<int>(cardNames(view()).indexOf(it.key()));
        return at < 0 ? -1 : QAccessibleWidget::childCount() + at;
      }
    return -1;
  }
  QAccessibleInterface* focusChild() const override {
    const GraphScene* scene = liveScene(view());
    const QStringList selected = scene ? scene->selectedLayers() : QStringList();
    if (scene && view()->hasFocus() && selected.size() == 1) return cardInterface(selected.front());
    return QAccessibleWidget::focusChild();
  }

 private:
  GraphView* view() const { return static_cast<GraphView*>(widget()); }
  // Registered once per layer name: Qt's cache owns it, this interface deletes it.
  QAccessibleInterface* cardInterface(const QString& name) const {
    if (const auto it = cards_.constFind(name); it != cards_.cend())
      return QAccessible::accessibleInterface(it.value());
    auto* card = new CardAccessible(view(), name);
    cards_.insert(name, QAccessible::registerAccessibleInterface(card));
    return card;
  }
  mutable QHash<QString, QAccessible::Id> cards_;
};

QAccessibleInterface* graphViewFactory(const QString& className, QObject* object) {
  if (className != QLatin1String(GraphView::staticMetaObject.className())) return nullptr;
  auto* view = qobject_cast<GraphView*>(object);
  return view ? new GraphViewAccessible(view) : nullptr;
}

}  // namespace

void installGraphViewAccessibility() {
  static const bool installed = (QAccessible::installFactory(graphViewFactory), true);
  (void)installed;
}

}  // namespace graft::ui

#include "ui/layer_palette.h"

#include <QDrag>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <functional>
#include <map>

#include "ui/category_style.h"
#include "ui/graph_view.h"

namespace graft::ui {
namespace {

constexpr int kClassRole = Qt::UserRole + 1;

// A tree whose leaves drag their class name; the view accepts that MIME type. Return on an
// entry does what a double-click does (a keyboard user has no other way to add a layer).
class PaletteTree : public QTreeWidget {
 public:
  using QTreeWidget::QTreeWidget;
  std::function<void(QTreeWidgetItem*)> chosen;

 protected:
  void keyPressEvent(QKeyEvent* event) override {
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentItem() &&
        chosen) {
      chosen(currentItem());
      event->accept();
      return;
    }
    QTreeWidget::keyPressEvent(event);
  }
  QStringList mimeTypes() const override { return {kLayerMimeType}; }
  QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
    if (items.isEmpty() || items.front()->data(0, kClassRole).toString().isEmpty()) return nullptr;
    auto* data = new QMimeData;
    data->setData(kLayerMimeType, items.front()->data(0, kClassRole).toString().toUtf8());
    data->setText(items.front()->data(0, kClassRole).toString());
    return data;
  }
  Qt::DropActions supportedDropActions() const override { return Qt::CopyAction; }
};

}  // namespace

LayerPalette::LayerPalette(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(4);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Filter layer types…"));
  search_->setClearButtonEnabled(true);
  search_->setAccessibleName(tr("Filter layer types"));
  tree_ = new PaletteTree(this);
  tree_->setAccessibleName(tr("Layer types"));
  tree_->setHeaderHidden(true);
  tree_->setDragEnabled(true);
  tree_->setDragDropMode(QAbstractItemView::DragOnly);
  tree_->setRootIsDecorated(false);
  tree_->setIndentation(8);
  tree_->setUniformRowHeights(true);
  layout->addWidget(search_);
  layout->addWidget(tree_, 1);

  // Generated from the registry: a new layer type appears here without UI changes.
  std::map<int, QTreeWidgetItem*> groups;
  const LayerRegistry& registry = LayerRegistry::standard();
  for (const std::string& className : registry.classNames()) {
    const LayerType& type = registry.at(className);
    if (type.category == LayerCategory::Input) continue;  // a model has its input already
    QTreeWidgetItem*& group = groups[static_cast<int>(type.category)];
    if (!group) {
      group = new QTreeWidgetItem(QStringList{categoryLabel(type.category)});
      QFont font = group->font(0);
      font.setBold(true);
      group->setFont(0, font);
      group->setFlags(Qt::ItemIsEnabled);
    }
    auto* item = new QTreeWidgetItem(group, QStringList{QString::fromStdString(className)});
    item->setIcon(0, categoryIcon(type.category));
    item->setData(0, kClassRole, QString::fromStdString(className));
    item->setToolTip(
        0, QStringLiteral("<b>%1</b><br>%2<br><i>%3</i>")
               .arg(QString::fromStdString(className), QString::fromStdString(type.summary),
                    tr("Drag onto a connection to insert, onto a layer to add after it")));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  for (auto& [category, group] : groups) tree_->addTopLevelItem(group);
  tree_->expandAll();

  connect(search_, &QLineEdit::textChanged, this, &LayerPalette::filter);
  const auto choose = [this](QTreeWidgetItem* item) {
    const QString className = item ? item->data(0, kClassRole).toString() : QString();
    if (!className.isEmpty()) Q_EMIT layerActivated(className);
  };
  connect(tree_, &QTreeWidget::itemDoubleClicked, this, choose);
  static_cast<PaletteTree*>(tree_)->chosen = choose;
  // From the filter: Return adds the first match, Down walks into the matches.
  connect(search_, &QLineEdit::returnPressed, this, [this, choose] { choose(firstMatch()); });
  search_->installEventFilter(this);
}

QTreeWidgetItem* LayerPalette::firstMatch() const {
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    if (group->isHidden()) continue;
    for (int i = 0; i < group->childCount(); ++i)
      if (!group->child(i)->isHidden()) return group->child(i);
  }
  return nullptr;
}

bool LayerPalette::eventFilter(QObject* watched, QEvent* event) {
  if (watched == search_ && event->type() == QEvent::KeyPress &&
      static_cast<QKeyEvent*>(event)->key() == Qt::Key_Down) {
    if (QTreeWidgetItem* first = firstMatch()) {
      tree_->setCurrentItem(first);
      tree_->setFocus(Qt::TabFocusReason);
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void LayerPalette::filter(const QString& typed) {
  const QString text = typed.trimmed();  // "Dense " (a pasted name) still finds Dense
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    int visible = 0;
    for (int i = 0; i < group->childCount(); ++i) {
      QTreeWidgetItem* item = group->child(i);
      const bool match = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                         item->toolTip(0).contains(text, Qt::CaseInsensitive);
      item->setHidden(!match);
      visible += match ? 1 : 0;
    }
    group->setHidden(visible == 0);
  }
}

}  // namespace graft::ui

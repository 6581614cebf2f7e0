#include "ui/zoo_browser.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "io/zoo/zoo.h"

namespace graft::ui {
namespace {

enum Column { Name, Parameters, Input, Top1, Cached, ColumnCount };

QString percent(double share) {
  return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

}  // namespace

ZooBrowser::ZooBrowser(const QString& kerasCacheDir, QWidget* parent)
    : QWidget(parent), kerasCacheDir_(kerasCacheDir) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("start_zoo_filter"));
  filter_->setPlaceholderText(tr("Filter: name or family, e.g. resnet v2, mobile, efficient"));
  filter_->setClearButtonEnabled(true);
  filter_->setAccessibleName(tr("Filter architectures"));
  layout->addWidget(filter_);
  tree_ = new QTreeWidget(this);
  tree_->setObjectName(QStringLiteral("start_zoo_list"));
  tree_->setAccessibleName(tr("Keras Applications architectures"));
  tree_->setColumnCount(ColumnCount);
  tree_->setHeaderLabels(
      {tr("Architecture"), tr("Parameters"), tr("Input"), tr("Top-1"), tr("Weights")});
  tree_->headerItem()->setToolTip(
      Top1, tr("ImageNet validation top-1 accuracy as Keras's table gives it"));
  tree_->headerItem()->setToolTip(Cached, tr("Keras's ImageNet weight files in the Keras cache"));
  tree_->setRootIsDecorated(true);
  tree_->setUniformRowHeights(true);
  tree_->setAlternatingRowColors(true);
  tree_->header()->setStretchLastSection(false);
  tree_->header()->setSectionResizeMode(Name, QHeaderView::Stretch);
  for (int c = Parameters; c < ColumnCount; ++c)
    tree_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  layout->addWidget(tree_, 1);
  populate();
  connect(filter_, &QLineEdit::textChanged, this, &ZooBrowser::applyFilter);
  connect(filter_, &QLineEdit::returnPressed, this, [this] {
    if (!currentArchitecture().isEmpty()) Q_EMIT architectureActivated(currentArchitecture());
  });
  connect(tree_, &QTreeWidget::currentItemChanged, this,
          [this] { Q_EMIT currentArchitectureChanged(currentArchitecture()); });
  connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
    const QString name = item->data(Name, Qt::UserRole).toString();
    if (!name.isEmpty()) Q_EMIT architectureActivated(name);
  });
}

void ZooBrowser::populate() {
  // Keras's rounded counts: the page opens at once (building every graph takes longer).
  listing_ = zoo::zooListing(kerasCacheDir_.toStdString(), zoo::ParameterCounts::Published);
  tree_->clear();
  QTreeWidgetItem* family = nullptr;
  for (const auto& entry : listing_) {
    const QString familyName = QString::fromStdString(entry.family);
    if (!family || family->text(Name) != familyName) {
      family = new QTreeWidgetItem(tree_, {familyName});
      family->setFlags(Qt::ItemIsEnabled);  // a heading: not selectable
      QFont bold = family->font(Name);
      bold.setBold(true);
      family->setFont(Name, bold);
    }
    auto* item = new QTreeWidgetItem(family);
    const QString name = QString::fromStdString(entry.architecture);
    item->setText(Name, name);
    item->setData(Name, Qt::UserRole, name);
    item->setText(Parameters, QString::fromStdString(zoo::readableCount(entry.parameters)));
    item->setText(Input, QStringLiteral("%1 px").arg(entry.defaultInputSize));
    item->setText(Top1, entry.published ? percent(entry.published->top1) : QStringLiteral("–"));
    for (int c = Parameters; c < ColumnCount; ++c)
      item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    QString tip = name;
    if (!entry.alias.empty()) tip += tr(" (also %1)").arg(QString::fromStdString(entry.alias));
    tip += (entry.parametersExact ? tr("\n%L1 parameters with the top")
                                  : tr("\nAbout %L1 parameters with the top (Keras's table)"))
               .arg(entry.parameters);
    tip += tr("; %1 preprocessing")
               .arg(QString::fromStdString(preprocessingName(entry.preprocessing)));
    if (entry.published && entry.published->top5)
      tip += tr("\nImageNet top-1 %1, top-5 %2 (Keras)")
                 .arg(percent(entry.published->top1), percent(*entry.published->top5));
    for (int c = Name; c < Cached; ++c) item->setToolTip(c, tip);
    describeCache(item, entry);
  }
  tree_->expandAll();
}

void ZooBrowser::describeCache(QTreeWidgetItem* item, const zoo::ZooListingEntry& entry) {
  const auto found = static_cast<int>(entry.weightsFound.size());
  const auto total = found + static_cast<int>(entry.weightsMissing.size());
  item->setText(Cached, found ? QStringLiteral("✔ %1").arg(found) : QString());
  QString tip =
      found
          ? tr("%1 of Keras's %2 weight files for it are in the Keras cache:").arg(found).arg(total)
          : tr("None of Keras's %1 weight files for it is in the Keras cache; the "
               "form below can download one.")
                .arg(total);
  for (const auto& file : entry.weightsFound) tip += "\n  " + QString::fromStdString(file);
  item->setToolTip(Cached, tip);
}

void ZooBrowser::refreshCache() {
  // Only the cache column changes: the rows, the filter and the selection (and with it the
  // start page's form) stay as the user left them.
  listing_ = zoo::zooListing(kerasCacheDir_.toStdString(), zoo::ParameterCounts::Published);
  size_t index = 0;
  for (int f = 0; f < tree_->topLevelItemCount(); ++f)
    for (int i = 0; i < tree_->topLevelItem(f)->childCount(); ++i)
      describeCache(tree_->topLevelItem(f)->child(i), listing_[index++]);
}

QTreeWidgetItem* ZooBrowser::itemOf(const QString& architecture) const {
  const QString canonical =
      QString::fromStdString(zoo::canonicalArchitecture(architecture.toLower().toStdString()));
  for (int f = 0; f < tree_->topLevelItemCount(); ++f) {
    QTreeWidgetItem* family = tree_->topLevelItem(f);
    for (int i = 0; i < family->childCount(); ++i)
      if (family->child(i)->data(Name, Qt::UserRole).toString() == canonical)
        return family->child(i);
  }
  return nullptr;
}

QString ZooBrowser::currentArchitecture() const {
  const QTreeWidgetItem* item = tree_->currentItem();
  if (!item || item->isHidden()) return {};
  return item->data(Name, Qt::UserRole).toString();
}

bool ZooBrowser::selectArchitecture(const QString& name) {
  QTreeWidgetItem* item = itemOf(name);
  if (!item) return false;
  if (item->isHidden()) filter_->clear();
  tree_->setCurrentItem(item);
  tree_->scrollToItem(item);
  return true;
}

int ZooBrowser::visibleCount() const {
  int count = 0;
  for (int f = 0; f < tree_->topLevelItemCount(); ++f) {
    const QTreeWidgetItem* family = tree_->topLevelItem(f);
    for (int i = 0; i < family->childCount(); ++i) count += family->child(i)->isHidden() ? 0 : 1;
  }
  return count;
}

void ZooBrowser::applyFilter(const QString& text) {
  const std::string filter = text.toStdString();
  QTreeWidgetItem* const itemBefore = tree_->currentItem();
  const QString before = currentArchitecture();
  QTreeWidgetItem* firstVisible = nullptr;
  size_t index = 0;
  for (int f = 0; f < tree_->topLevelItemCount(); ++f) {
    QTreeWidgetItem* family = tree_->topLevelItem(f);
    bool any = false;
    for (int i = 0; i < family->childCount(); ++i, ++index) {
      const bool shown = zoo::matchesFilter(listing_[index], filter);
      family->child(i)->setHidden(!shown);
      any = any || shown;
      if (shown && !firstVisible) firstVisible = family->child(i);
    }
    family->setHidden(!any);
  }
  // Keep a visible selection so the form below always describes what Open would open.
  if (firstVisible && (!tree_->currentItem() || tree_->currentItem()->isHidden()))
    tree_->setCurrentItem(firstVisible);  // announced by currentItemChanged
  // The same item hidden or shown again: say so ("" while the filter hides every one).
  if (tree_->currentItem() == itemBefore && currentArchitecture() != before)
    Q_EMIT currentArchitectureChanged(currentArchitecture());
}

}  // namespace graft::ui

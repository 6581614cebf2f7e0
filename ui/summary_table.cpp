#include "ui/summary_table.h"

#include <QHeaderView>
#include <QItemSelection>
#include <QLabel>
#include <QScrollBar>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

#include "graph/summary.h"
#include "ui/category_style.h"
#include "ui/doc/document.h"

namespace graft::ui {
namespace {

enum Column { kName, kType, kShape, kParams, kTrainable, kColumns };
// The name column's item holds the layer's name, or a nested model's path on its own row.
constexpr int kLayerRole = Qt::UserRole;
constexpr int kGroupRole = Qt::UserRole + 1;

QTableWidgetItem* cell(const QString& text, Qt::Alignment alignment = Qt::AlignLeft) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(alignment | Qt::AlignVCenter);
  item->setToolTip(text);  // the whole text when a narrow column elides it
  return item;
}

}  // namespace

SummaryTable::SummaryTable(Document* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  table_ = new QTableWidget(0, kColumns, this);
  table_->setHorizontalHeaderLabels(
      {tr("Layer"), tr("Type"), tr("Output shape"), tr("Param #"), tr("Trainable")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setAlternatingRowColors(true);
  table_->setAccessibleName(tr("Model summary"));
  // Tab leaves the table, as it leaves every other field: moving cell by cell it never did.
  table_->setTabKeyNavigation(false);
  table_->setWordWrap(false);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  // Two rows at least: with the training dock open on a small screen the right column's docks
  // shrank to their minimum, and the Summary showed its header and no layer at all.
  setMinimumRows(2);
  totals_ = new QLabel(this);
  totals_->setWordWrap(true);  // a narrow dock wraps the totals instead of cutting numbers off
  totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  totals_->setContentsMargins(6, 2, 6, 4);
  layout->addWidget(table_, 1);
  layout->addWidget(totals_);
  connect(document_, &Document::changed, this, &SummaryTable::refresh);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (syncing_) return;
    Q_EMIT layersSelected(selectedLayers());
  });
  refresh();
}

QString SummaryTable::totalsText() const {
  return totals_->text();
}

void SummaryTable::refresh() {
  syncing_ = true;
  const QStringList selected = selectedLayers();
  if (!document_->hasModel()) {
    table_->setRowCount(0);
    totals_->clear();
    syncing_ = false;
    return;
  }
  const Graph& graph = document_->graph();
  const GraphAnalysis& analysis = document_->analysis();
  const std::vector<SummaryRow> rows = summaryRows(graph, analysis);
  table_->setRowCount(static_cast<int>(rows.size()));
  const QColor problem(0xd6, 0x2d, 0x20);
  int row = 0;
  for (const SummaryRow& entry : rows) {
    const QString indent = QStringLiteral("\u2502 ").repeated(entry.depth);
    auto* nameItem = cell(indent + QString::fromStdString(entry.label));
    auto* typeItem = cell(QString::fromStdString(entry.className));
    if (entry.isGroup) {
      // A nested model's row: its totals, as Keras's summary; clicking it selects its layers.
      QFont bold = nameItem->font();
      bold.setBold(true);
      nameItem->setFont(bold);
      typeItem->setFont(bold);
      nameItem->setData(kGroupRole, QString::fromStdString(entry.name));
    } else {
      nameItem->setIcon(categoryIcon(categoryOf(entry.className)));
      nameItem->setData(kLayerRole, QString::fromStdString(entry.name));
    }
    table_->setItem(row, kName, nameItem);
    table_->setItem(row, kType, typeItem);
    table_->setItem(row, kShape,
                    cell(entry.known ? QString::fromStdString(shapeToString(entry.outputShape))
                                     : tr("(cannot infer)")));
    table_->setItem(row, kParams,
                    cell(QString::fromStdString(withThousands(entry.params)), Qt::AlignRight));
    QString trainable = entry.trainable ? tr("yes") : tr("frozen");
    if (entry.isGroup && entry.weightedLayers > 0)
      trainable = entry.trainableWeightedLayers == entry.weightedLayers ? tr("yes")
                  : entry.trainableWeightedLayers == 0                  ? tr("frozen")
                                                                        : tr("partly");
    table_->setItem(row, kTrainable, cell(trainable));
    if (!entry.known && !entry.isGroup) {
      for (const Diagnostic& d : analysis.diagnostics)
        if (d.subject == entry.name) {
          for (int c = 0; c < kColumns; ++c)
            table_->item(row, c)->setToolTip(QString::fromStdString(d.message));
        }
      for (int c = 0; c < kColumns; ++c) table_->item(row, c)->setForeground(problem);
    }
    ++row;
  }
  selectRows(QSet<QString>(selected.begin(), selected.end()));
  totals_->setText(tr("Total params: <b>%1</b> &nbsp; Trainable: <b>%2</b> &nbsp; Non-trainable: "
                      "<b>%3</b>")
                       .arg(QString::fromStdString(withThousands(analysis.totalParams)),
                            QString::fromStdString(withThousands(analysis.trainableParams)),
                            QString::fromStdString(withThousands(analysis.nonTrainableParams()))));
  table_->resizeColumnsToContents();
  fitTotals();
  syncing_ = false;
}

void SummaryTable::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitTotals();
}

void SummaryTable::fitTotals() {
  // Docks are laid out without heightForWidth: a narrow dock wrapped the totals onto more lines
  // than its minimum height held, the table got less than its own minimum, kept it, and ran
  // under the totals (its scroll bar hidden behind them). Their wrapped height is their minimum.
  const int was = totals_->minimumHeight();
  totals_->setMinimumHeight(0);  // QLabel's heightForWidth is never below its minimum
  const int height = totals_->heightForWidth(width());
  totals_->setMinimumHeight(height > 0 ? height : was);
}

QStringList SummaryTable::selectedLayers() const {
  QStringList names;
  QSet<QString> seen;
  for (int row = 0; row < table_->rowCount(); ++row) {
    const QTableWidgetItem* item = table_->item(row, kName);
    if (!item || !item->isSelected()) continue;
    const QString layer = item->data(kLayerRole).toString();
    if (!layer.isEmpty() && !seen.contains(layer)) {
      names << layer;
      seen.insert(layer);
    }
    // A nested model's row stands for all of its layers.
    const std::string group = item->data(kGroupRole).toString().toStdString();
    if (!group.empty() && document_->hasModel())
      for (const Node& node : document_->graph().nodes())
        if (groupWithin(node.group, group)) {
          const QString name = QString::fromStdString(node.name);
          if (!seen.contains(name)) {
            names << name;
            seen.insert(name);
          }
        }
  }
  return names;
}

void SummaryTable::setMinimumRows(int rows) {
  table_->setMinimumHeight(table_->horizontalHeader()->sizeHint().height() +
                           rows * table_->verticalHeader()->defaultSectionSize() +
                           table_->horizontalScrollBar()->sizeHint().height() +
                           2 * table_->frameWidth());
}

void SummaryTable::selectLayers(const QStringList& names) {
  syncing_ = true;
  const int first = selectRows(QSet<QString>(names.begin(), names.end()));
  if (first >= 0) table_->scrollToItem(table_->item(first, kName));
  syncing_ = false;
}

bool SummaryTable::allLayersIn(const QString& group, const QSet<QString>& names) const {
  if (!document_->hasModel() || names.isEmpty()) return false;
  bool any = false;
  const std::string path = group.toStdString();
  for (const Node& node : document_->graph().nodes())
    if (groupWithin(node.group, path)) {
      if (!names.contains(QString::fromStdString(node.name))) return false;
      any = true;
    }
  return any;
}

int SummaryTable::selectRows(const QSet<QString>& names) {
  // One selection of row ranges, set at once: selecting cell by cell merged each cell into the
  // growing selection, which took half a minute for the 1041 layers of NASNetLarge.
  QItemSelection selection;
  int first = -1;
  int rangeStart = -1;
  const auto closeRange = [&](int end) {
    if (rangeStart < 0) return;
    selection.select(table_->model()->index(rangeStart, 0),
                     table_->model()->index(end, kColumns - 1));
    rangeStart = -1;
  };
  for (int row = 0; row < table_->rowCount(); ++row) {
    const QTableWidgetItem* item = table_->item(row, kName);
    const QString group = item->data(kGroupRole).toString();
    if (group.isEmpty() ? !names.contains(item->data(kLayerRole).toString())
                        : !allLayersIn(group, names)) {
      closeRange(row - 1);
      continue;
    }
    if (rangeStart < 0) rangeStart = row;
    if (first < 0) first = row;
  }
  closeRange(table_->rowCount() - 1);
  table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
  // The current row follows: tabbing into a table without one made the view pick its first row
  // (the input layer), which replaced the graph's selection.
  if (first >= 0)
    table_->selectionModel()->setCurrentIndex(table_->model()->index(first, kName),
                                              QItemSelectionModel::NoUpdate);
  return first;
}

}  // namespace graft::ui

#pragma once
// The Keras Applications zoo as a list to browse on the start page: families as groups, each
// architecture with its parameter count, input size, Keras's published top-1 accuracy and
// whether its weights are in the Keras cache; a filter box narrows it by name, alias or family
// (io/zoo/zoo_listing.h, the listing `graft-cli zoo` prints).
#include <QWidget>
#include <vector>

#include "io/zoo/zoo_listing.h"

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace graft::ui {

class ZooBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit ZooBrowser(const QString& kerasCacheDir, QWidget* parent = nullptr);

  // The selected architecture's canonical name, or "" when the filter hides every one.
  QString currentArchitecture() const;
  // Selects it (clearing a filter that hides it); false for a name the zoo does not have.
  bool selectArchitecture(const QString& name);
  // Looks again for weight files in the Keras cache (after a download).
  void refreshCache();
  // Architectures the filter leaves visible.
  int visibleCount() const;
  QLineEdit* filterBox() const { return filter_; }
  QTreeWidget* tree() const { return tree_; }

 Q_SIGNALS:
  // "" when the filter hides the selected one and every other.
  void currentArchitectureChanged(const QString& architecture);
  void architectureActivated(const QString& architecture);  // double-click or Enter

 private:
  void populate();
  void applyFilter(const QString& text);
  void describeCache(QTreeWidgetItem* item, const zoo::ZooListingEntry& entry);
  QTreeWidgetItem* itemOf(const QString& architecture) const;

  QString kerasCacheDir_;
  std::vector<zoo::ZooListingEntry> listing_;
  QLineEdit* filter_ = nullptr;
  QTreeWidget* tree_ = nullptr;
};

}  // namespace graft::ui

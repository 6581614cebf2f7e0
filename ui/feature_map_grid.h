#pragma once
// A layer's activations for one image, painted: the strongest channels as a grid of grey maps
// with their channel index, or the values of a flat output (Dense, pooled) as bars.
#include <QWidget>
#include <memory>

namespace graft {
struct FeatureMaps;
}

namespace graft::ui {

class FeatureMapGrid : public QWidget {
  Q_OBJECT
 public:
  explicit FeatureMapGrid(QWidget* parent = nullptr);
  ~FeatureMapGrid() override;

  void setMaps(const FeatureMaps& maps);
  void clear();
  // Channel maps painted (0 for bars or nothing).
  int mapCount() const;
  // Bars painted (0 for maps or nothing).
  int barCount() const;

  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  int columns() const;

  std::unique_ptr<FeatureMaps> maps_;
};

}  // namespace graft::ui

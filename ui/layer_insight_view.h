#pragma once
// What a layer sees in the selected image of the prediction preview: a layer chooser, the
// layer's strongest feature maps (or bars for a flat output), and a Grad-CAM overlay with a
// class chooser and an opacity slider. The maps are computed on a worker thread through the
// core's LayerMaps (runtime/prediction/layer_maps.h), one job at a time; a choice made while one
// runs is computed when it ends.
#include <QImage>
#include <QString>
#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QSlider;

namespace graft {
class LayerMaps;
struct GradCamMap;
struct RgbImage;
}  // namespace graft

namespace graft::ui {

class Document;
class FeatureMapGrid;
struct InsightResult;

class LayerInsightView : public QWidget {
  Q_OBJECT
 public:
  explicit LayerInsightView(Document* document, QWidget* parent = nullptr);
  ~LayerInsightView() override;

  // Shows the maps of `file` (empty: nothing) for the chosen layer and class.
  void showImage(const QString& file);

  QComboBox* layerChooser() const { return layer_; }
  QComboBox* classChooser() const { return class_; }
  QSlider* opacitySlider() const { return opacity_; }
  FeatureMapGrid* grid() const { return grid_; }
  bool isComputing() const { return busy_; }
  // The Grad-CAM overlay on screen at the image's size (null when there is none), and what it
  // shows ("Grad-CAM at conv5: class 3 (dog)") or why there is none.
  QImage overlay() const { return overlay_; }
  QString note() const;

 Q_SIGNALS:
  // The maps for the latest choice are on screen (or could not be computed).
  void updated();

 private:
  void modelChanged();
  void request();
  void start();
  void showResult(const InsightResult& result);
  void repaintOverlay();

  Document* document_;
  QComboBox* layer_;
  QComboBox* class_;
  QSlider* opacity_;
  QLabel* overlayLabel_;
  QLabel* note_;
  FeatureMapGrid* grid_;
  std::shared_ptr<LayerMaps> maps_;  // the current model's; jobs share it
  QString file_;
  bool busy_ = false;
  bool pending_ = false;
  std::shared_ptr<const InsightResult> shown_;
  QImage overlay_;
};

}  // namespace graft::ui

#include "ui/category_style.h"

#include <QPainter>
#include <QPixmap>

namespace graft::ui {

QColor categoryColor(LayerCategory category) {
  switch (category) {
    case LayerCategory::Input:
      return QColor(0x6b, 0x7a, 0x8f);
    case LayerCategory::Convolution:
      return QColor(0x3b, 0x7d, 0xd8);
    case LayerCategory::Pooling:
      return QColor(0x2a, 0xa1, 0x98);
    case LayerCategory::Dense:
      return QColor(0x8e, 0x5c, 0xc9);
    case LayerCategory::Normalization:
      return QColor(0xe0, 0x8a, 0x1e);
    case LayerCategory::Activation:
      return QColor(0xc9, 0xa8, 0x15);
    case LayerCategory::Merge:
      return QColor(0xa0, 0x6b, 0x4a);
    case LayerCategory::Reshape:
      return QColor(0x4f, 0x9f, 0xc8);
    case LayerCategory::Regularization:
      return QColor(0xc8, 0x5f, 0x93);
    case LayerCategory::Preprocessing:
      return QColor(0x5d, 0x9c, 0x4e);
  }
  return Qt::gray;
}

bool isDarkPalette(const QPalette& palette) {
  return palette.color(QPalette::Base).lightness() < 128;
}

QColor categoryFill(LayerCategory category, const QPalette& palette) {
  const QColor base = palette.color(QPalette::Base);
  const QColor tint = categoryColor(category);
  const double share = isDarkPalette(palette) ? 0.28 : 0.16;
  return QColor::fromRgbF(base.redF() * (1 - share) + tint.redF() * share,
                          base.greenF() * (1 - share) + tint.greenF() * share,
                          base.blueF() * (1 - share) + tint.blueF() * share);
}

QIcon categoryIcon(LayerCategory category) {
  QPixmap pixmap(32, 32);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(Qt::NoPen);
  painter.setBrush(categoryColor(category));
  painter.drawRoundedRect(QRectF(5, 5, 22, 22), 5, 5);
  return QIcon(pixmap);
}

QString categoryLabel(LayerCategory category) {
  QString name = QString::fromStdString(categoryName(category));
  if (!name.isEmpty()) name[0] = name[0].toUpper();
  return name;
}

LayerCategory categoryOf(const std::string& className) {
  const LayerType* type = LayerRegistry::standard().find(className);
  return type ? type->category : LayerCategory::Reshape;
}

}  // namespace graft::ui

#include "ui/overlay_label.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

namespace graft::ui {
namespace {

constexpr double kOverlayPoints = 8.5;
constexpr double kMinOverlayPixels = 7.0;  // as the zoomed-out cards' labels
constexpr int kCompactPixels = 11;
constexpr double kCompactHeight = 18;
constexpr double kCompactPadding = 6;  // each side of the text

QFont compactOverlayFont(int pixels) {
  QFont font = QApplication::font();
  font.setPixelSize(pixels);
  font.setBold(true);
  return font;
}

}  // namespace

QFont overlayFont() {
  QFont font = QApplication::font();
  font.setPointSizeF(kOverlayPoints);
  font.setBold(true);
  return font;
}

bool overlayIsCompact(double scale) {
  return scale * QFontMetricsF(overlayFont()).height() < kMinOverlayPixels;
}

QSizeF compactOverlaySize(const QString& text) {
  return QSizeF(QFontMetricsF(compactOverlayFont(kCompactPixels)).horizontalAdvance(text) +
                    2 * kCompactPadding,
                kCompactHeight);
}

void drawCompactLabel(QPainter* painter, const QRectF& box, const QString& text) {
  const QRectF onScreen = painter->worldTransform().mapRect(box);
  const int pixels = std::min(kCompactPixels, static_cast<int>(onScreen.height() / 1.4));
  if (pixels < kMinOverlayPixels) return;
  painter->save();
  painter->resetTransform();
  painter->setFont(compactOverlayFont(pixels));
  painter->drawText(onScreen, Qt::AlignCenter | Qt::TextDontClip, text);
  painter->restore();
}

}  // namespace graft::ui

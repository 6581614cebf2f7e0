#include "ui/secondary_text.h"

#include <QLabel>
#include <cmath>

namespace graft::ui {
namespace {

double linearChannel(double srgb) {
  return srgb <= 0.04045 ? srgb / 12.92 : std::pow((srgb + 0.055) / 1.055, 2.4);
}

double relativeLuminance(const QColor& color) {
  return 0.2126 * linearChannel(color.redF()) + 0.7152 * linearChannel(color.greenF()) +
         0.0722 * linearChannel(color.blueF());
}

QColor blend(const QColor& from, const QColor& to, double t) {
  return QColor::fromRgbF(static_cast<float>(from.redF() + (to.redF() - from.redF()) * t),
                          static_cast<float>(from.greenF() + (to.greenF() - from.greenF()) * t),
                          static_cast<float>(from.blueF() + (to.blueF() - from.blueF()) * t));
}

}  // namespace

double contrastRatio(const QColor& a, const QColor& b) {
  const double la = relativeLuminance(a);
  const double lb = relativeLuminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor secondaryTextColor(const QPalette& palette) {
  const QColor text = palette.color(QPalette::Active, QPalette::WindowText);
  const QColor window = palette.color(QPalette::Active, QPalette::Window);
  // 4.5:1 plus a margin for the rounding of colour channels to 8 bits.
  constexpr double kWanted = 4.6;
  // At most 45 % of the way: lighter still would read as disabled even where contrast allows.
  for (double t = 0.45; t > 0.0; t -= 0.05) {
    const QColor candidate = blend(text, window, t);
    if (contrastRatio(candidate, window) >= kWanted) return candidate;
  }
  return text;
}

void showAsSecondaryText(QLabel* label) {
  QPalette palette = label->palette();
  palette.setColor(QPalette::WindowText, secondaryTextColor(palette));
  label->setPalette(palette);
}

}  // namespace graft::ui

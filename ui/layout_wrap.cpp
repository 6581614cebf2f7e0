#include "ui/layout_wrap.h"

#include <algorithm>
#include <cmath>

namespace graft::ui {
namespace {

// The distinct y of the layout's ranks, top first.
std::vector<double> rankLevels(const GraphLayout& layout) {
  std::vector<double> ys;
  for (const QPointF& c : layout.centers) ys.push_back(c.y());
  std::sort(ys.begin(), ys.end());
  std::vector<double> levels;
  for (double y : ys)
    if (levels.empty() || y - levels.back() > 1.0) levels.push_back(y);
  return levels;
}

// Cut lines (scene y) between ranks, each the gap nearest to an equal share of the height.
std::vector<double> cutLines(const std::vector<double>& levels, const QRectF& bounds, int columns) {
  std::vector<double> gaps;
  for (size_t i = 0; i + 1 < levels.size(); ++i) gaps.push_back((levels[i] + levels[i + 1]) / 2);
  std::vector<double> cuts;
  for (int j = 1; j < columns; ++j) {
    const double target = bounds.top() + bounds.height() * j / columns;
    double best = -1;
    for (double gap : gaps)
      if ((cuts.empty() || gap > cuts.back()) &&
          (best < 0 || std::abs(gap - target) < std::abs(best - target)))
        best = gap;
    if (best >= 0) cuts.push_back(best);
  }
  return cuts;
}

int bandOf(double y, const std::vector<double>& cuts) {
  return static_cast<int>(std::upper_bound(cuts.begin(), cuts.end(), y) - cuts.begin());
}

}  // namespace

int wrapColumnCount(const GraphLayout& layout, double aspect, double gutter) {
  const double w = layout.bounds.width();
  const double h = layout.bounds.height();
  if (aspect <= 0 || w <= 0 || h <= 0) return 1;
  const int ranks = static_cast<int>(rankLevels(layout).size());
  int best = 1;
  double bestError = 1e18;
  for (int k = 1; k <= std::max(1, ranks / 3); ++k) {
    const double ratio = (k * w + (k - 1) * gutter) / (h / k);
    const double error = std::abs(std::log(ratio / aspect));
    if (error < bestError) {
      best = k;
      bestError = error;
    }
  }
  return best;
}

void wrapIntoColumns(GraphLayout& layout, QSizeF size, double aspect) {
  // Room between columns for the connections and the freeze boundary's handle.
  const double gutter = size.width() * 0.8;
  const int columns = wrapColumnCount(layout, aspect, gutter);
  if (columns <= 1) return;
  const QRectF bounds = layout.bounds;
  const std::vector<double> cuts = cutLines(rankLevels(layout), bounds, columns);
  if (cuts.empty()) return;
  const double step = bounds.width() + gutter;
  auto bandTop = [&](int band) { return band == 0 ? bounds.top() : cuts[band - 1]; };
  auto bandBottom = [&](int band) {
    return band == static_cast<int>(cuts.size()) ? bounds.bottom() : cuts[band];
  };
  auto offsetOf = [&](int band) { return QPointF(band * step, bounds.top() - bandTop(band)); };

  std::vector<int> band(layout.centers.size());
  for (size_t i = 0; i < layout.centers.size(); ++i) band[i] = bandOf(layout.centers[i].y(), cuts);

  const double half = size.height() / 2;
  const double clearance = 14;
  for (LayoutEdge& edge : layout.edges) {
    const int from = band[edge.from];
    const int to = band[edge.to];
    if (from == to) {
      edge.path.translate(offsetOf(from));
      continue;
    }
    const QPointF p = layout.centers[edge.from] + offsetOf(from) + QPointF(0, half);
    const QPointF q = layout.centers[edge.to] + offsetOf(to) - QPointF(0, half);
    const double gutterX = bounds.left() + from * step + bounds.width() + gutter / 2;
    const double top = bounds.top() - clearance;
    QPainterPath path(p);
    path.lineTo(p.x(), p.y() + clearance);
    path.lineTo(gutterX, p.y() + clearance);
    path.lineTo(gutterX, top);
    path.lineTo(q.x(), top);
    path.lineTo(q);
    edge.path = path;
  }
  for (size_t i = 0; i < layout.centers.size(); ++i) layout.centers[i] += offsetOf(band[i]);

  for (LayoutGroup& group : layout.groups) {
    std::vector<QRectF> pieces;
    for (int b = 0; b <= static_cast<int>(cuts.size()); ++b) {
      const double top = std::max(group.rect.top(), bandTop(b));
      const double bottom = std::min(group.rect.bottom(), bandBottom(b));
      if (bottom - top < 1) continue;
      pieces.push_back(
          QRectF(group.rect.left(), top, group.rect.width(), bottom - top).translated(offsetOf(b)));
    }
    if (pieces.empty()) continue;
    group.rect = pieces.front();
    group.continued.assign(pieces.begin() + 1, pieces.end());
  }

  QRectF wrapped;
  for (const QPointF& c : layout.centers)
    wrapped |= QRectF(c - QPointF(size.width() / 2, half), size);
  for (const LayoutEdge& edge : layout.edges) wrapped |= edge.path.boundingRect();
  for (const LayoutGroup& group : layout.groups) {
    wrapped |= group.rect;
    for (const QRectF& piece : group.continued) wrapped |= piece;
  }
  layout.bounds = wrapped;
  layout.wrapped = true;
  layout.columns = static_cast<int>(cuts.size()) + 1;
  layout.columnLeft = bounds.left();
  layout.columnWidth = bounds.width();
  layout.columnStep = step;
}

}  // namespace graft::ui

#include "ui/graph_keyboard.h"

#include <QStringList>

namespace graft::ui {

QString neighbourLayer(const QList<QPair<QString, QString>>& edges, const QString& layer,
                       GraphStep step) {
  QStringList producers, consumers;
  for (const auto& [from, to] : edges) {
    if (to == layer && !producers.contains(from)) producers << from;
    if (from == layer && !consumers.contains(to)) consumers << to;
  }
  switch (step) {
    case GraphStep::Up:
      return producers.isEmpty() ? QString() : producers.front();
    case GraphStep::Down:
      return consumers.isEmpty() ? QString() : consumers.front();
    case GraphStep::Left:
    case GraphStep::Right: {
      // Beside it: what its (first) input feeds besides it, in the edges' order.
      if (producers.isEmpty()) return QString();
      QStringList siblings;
      for (const auto& [from, to] : edges)
        if (from == producers.front() && !siblings.contains(to)) siblings << to;
      const int at = siblings.indexOf(layer);
      const int next = at + (step == GraphStep::Left ? -1 : 1);
      return at < 0 || next < 0 || next >= siblings.size() ? QString() : siblings[next];
    }
  }
  return QString();
}

}  // namespace graft::ui

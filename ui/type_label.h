#pragma once
// The short type label a zoomed-out card shows ("Conv", "BN", "DWConv", "Add"): a few
// characters that stay readable at a small font, where "BatchNormalization" would be elided to
// nothing. An Activation layer shows its function ("relu", "swish"), which says more than
// "Activation" does.
#include <QString>

namespace graft::ui {

QString shortTypeName(const QString& className, const QString& activation = {});

}  // namespace graft::ui

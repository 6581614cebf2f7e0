#pragma once
// Core messages are written for the command line and pipelines: "add augmentation (--augment)",
// "start from pretrained weights (graft-cli fetch-weights, or --weights FILE)". Shown in the
// window, the advice names what the user clicks instead: the training form's fields, the menus.
#include <QString>

namespace graft::ui {

// `text` with command-line flags and commands replaced by where the window offers them:
// "--augment" -> "Augmentation", a flag of the training options' "More options" part by its
// field there, "graft-cli probe" -> "Model > Explore Cut Points…". Text without any is returned
// as it is.
QString inWindowTerms(const QString& text);

}  // namespace graft::ui

// Advice written for the command line reads, in the window, as the fields and menus to use:
// the doctor's "(--augment)" and "graft-cli fetch-weights" sent GUI users to a terminal.
#include <gtest/gtest.h>

#include <QString>

#include "run/train_spec.h"
#include "ui/gui_wording.h"

namespace graft {
namespace {

TEST(GuiWording, FlagsBecomeTheTrainingFormsFields) {
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("add images or augmentation (--augment)")),
            QStringLiteral("add images or augmentation (\"Augmentation\")"));
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("weight them (--class-weights)")),
            QStringLiteral("weight them (\"More options > Class weights\")"));
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("larger batches (--batch-size)")),
            QStringLiteral("larger batches (\"Epochs > batch size\")"));
  // A flag is replaced only whole.
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("--lr-factor 0.5, --lr 0.1")),
            QStringLiteral("\"More options > Lr factor\" 0.5, \"Optimizer > lr\" 0.1"));
}

TEST(GuiWording, CommandsBecomeWhereTheWindowOffersThem) {
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral(
                "start from pretrained weights (graft-cli fetch-weights, or --weights FILE)")),
            QStringLiteral("start from pretrained weights (the start page's Download ImageNet "
                           "weights, or File > Load Weights…)"));
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("or measure where to cut (graft-cli probe)")),
            QStringLiteral("or measure where to cut (Model > Explore Cut Points…)"));
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("at once (graft-cli probe --cut best -o OUT.graft);")),
            QStringLiteral("at once (the explorer's Cut Here with a New Head);"));
  EXPECT_EQ(ui::inWindowTerms(QStringLiteral("the default: leave out --train-batch-norm, or ...")),
            QStringLiteral("the default: leave \"Train BatchNormalization\" off, or ..."));
  const QString plain = QStringLiteral("no flags here -- none");
  EXPECT_EQ(ui::inWindowTerms(plain), plain);
}

// Every flag of the training options is replaced: none reaches the window as a flag.
TEST(GuiWording, NoTrainingFlagIsLeft) {
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions) continue;
    const QString flag = QString::fromStdString(specFlag(field));
    EXPECT_FALSE(ui::inWindowTerms(QStringLiteral("(") + flag + QStringLiteral(")")).contains(flag))
        << flag.toStdString();
  }
}

}  // namespace
}  // namespace graft

// Secondary text (hints, layer descriptions, notes) reads: at least WCAG's 4.5:1 against the
// window in light and dark palettes, and stays enabled. It was drawn disabled: #bebebe on
// #efefef, 1.6:1, in Fusion.
#include <gtest/gtest.h>

#include <QLabel>
#include <QPalette>

#include "ui/main_window.h"
#include "ui/secondary_text.h"
#include "ui_test_support.h"

namespace graft {
namespace {

TEST(SecondaryText, ContrastRatioIsWcagsFormula) {
  EXPECT_NEAR(ui::contrastRatio(Qt::black, Qt::white), 21.0, 1e-9);
  EXPECT_NEAR(ui::contrastRatio(Qt::white, Qt::white), 1.0, 1e-9);
  // The disabled label colour the tester measured.
  EXPECT_NEAR(ui::contrastRatio(QColor("#bebebe"), QColor("#efefef")), 1.62, 0.01);
}

TEST(SecondaryText, ReadsInLightAndDarkPalettes) {
  QPalette light;
  light.setColor(QPalette::WindowText, QColor("#000000"));
  light.setColor(QPalette::Window, QColor("#efefef"));
  QPalette dark;
  dark.setColor(QPalette::WindowText, QColor("#ffffff"));
  dark.setColor(QPalette::Window, QColor("#353535"));
  for (const QPalette& palette : {light, dark}) {
    const QColor text = palette.color(QPalette::WindowText);
    const QColor window = palette.color(QPalette::Window);
    const QColor secondary = ui::secondaryTextColor(palette);
    EXPECT_GE(ui::contrastRatio(secondary, window), 4.5) << secondary.name().toStdString();
    // Set apart from the main text, not the same colour.
    EXPECT_NE(secondary.name(), text.name());
  }
}

TEST(SecondaryText, TheStartPagesHintReadsAndIsEnabled) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  const QLabel* hint = nullptr;
  for (const QLabel* label : window.findChildren<QLabel*>())
    if (label->text().startsWith("Keras .h5 (full model")) hint = label;
  ASSERT_NE(hint, nullptr);
  EXPECT_TRUE(hint->isEnabled());
  EXPECT_GE(ui::contrastRatio(hint->palette().color(QPalette::WindowText),
                              hint->palette().color(QPalette::Window)),
            4.5);
}

}  // namespace
}  // namespace graft

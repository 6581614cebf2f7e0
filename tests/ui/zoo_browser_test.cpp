// The start page's zoo: every architecture grouped by family with its size and Keras's accuracy,
// a filter box, the weights found in the Keras cache, and MobileNetV3's options reaching the
// model that opens.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QTreeWidget>
#include <fstream>

#include "io/zoo/zoo.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/start_page.h"
#include "ui/zoo_browser.h"
#include "ui_test_support.h"

namespace graft {
namespace {

QTreeWidgetItem* rowOf(QTreeWidget* tree, const QString& name) {
  for (int f = 0; f < tree->topLevelItemCount(); ++f)
    for (int i = 0; i < tree->topLevelItem(f)->childCount(); ++i)
      if (tree->topLevelItem(f)->child(i)->text(0) == name) return tree->topLevelItem(f)->child(i);
  return nullptr;
}

TEST(ZooBrowser, ListsEveryArchitectureUnderItsFamilyWithSizeAccuracyAndCache) {
  test::guiApp();
  test::TempDir cache;
  std::ofstream(cache.path() / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5") << "x";
  ui::ZooBrowser browser(QString::fromStdString(cache.path().string()));
  QTreeWidget* tree = browser.tree();
  EXPECT_EQ(browser.visibleCount(), static_cast<int>(zoo::architectures().size()));
  for (const std::string& name : zoo::architectures()) {
    QTreeWidgetItem* row = rowOf(tree, QString::fromStdString(name));
    ASSERT_NE(row, nullptr) << name;
    EXPECT_EQ(row->parent()->text(0).toStdString(), zoo::familyOf(name));
  }
  QTreeWidgetItem* vgg16 = rowOf(tree, "vgg16");
  EXPECT_EQ(vgg16->text(1), "138.4 M");
  EXPECT_EQ(vgg16->text(2), "224 px");
  EXPECT_EQ(vgg16->text(3), "71.3%");
  EXPECT_TRUE(vgg16->text(4).isEmpty());
  QTreeWidgetItem* resnet50 = rowOf(tree, "resnet50");
  EXPECT_EQ(resnet50->text(4), "✔ 1");
  EXPECT_NE(resnet50->toolTip(4).indexOf("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
            -1);
  EXPECT_EQ(rowOf(tree, "inception_v3")->text(2), "299 px");
  // A download elsewhere shows after refreshCache, the selection kept.
  ASSERT_TRUE(browser.selectArchitecture("vgg16"));
  std::ofstream(cache.path() / "vgg16_weights_tf_dim_ordering_tf_kernels.h5") << "x";
  browser.refreshCache();
  EXPECT_EQ(rowOf(tree, "vgg16")->text(4), "✔ 1");
  EXPECT_EQ(browser.currentArchitecture(), "vgg16");
}

TEST(ZooBrowser, FilterNarrowsTheListAndKeepsAVisibleSelection) {
  test::guiApp();
  test::TempDir cache;
  ui::ZooBrowser browser(QString::fromStdString(cache.path().string()));
  ASSERT_TRUE(browser.selectArchitecture("vgg16"));
  QTest::keyClicks(browser.filterBox(), "resnet v2");
  EXPECT_EQ(browser.visibleCount(), 4);  // with inception_resnet_v2
  EXPECT_EQ(browser.currentArchitecture(), "resnet50v2") << "the first match is selected";
  for (int f = 0; f < browser.tree()->topLevelItemCount(); ++f) {
    const QTreeWidgetItem* family = browser.tree()->topLevelItem(f);
    EXPECT_EQ(family->isHidden(),
              family->text(0) != "ResNetV2" && family->text(0) != "InceptionResNetV2")
        << family->text(0).toStdString();
  }
  browser.filterBox()->setText("mobilenet_v3");  // an alias
  EXPECT_EQ(browser.visibleCount(), 2);
  browser.filterBox()->setText("no such network");
  EXPECT_EQ(browser.visibleCount(), 0);
  EXPECT_TRUE(browser.currentArchitecture().isEmpty());
  // Selecting a hidden architecture clears the filter; unknown names are refused.
  EXPECT_TRUE(browser.selectArchitecture("densenet121"));
  EXPECT_TRUE(browser.filterBox()->text().isEmpty());
  EXPECT_EQ(browser.currentArchitecture(), "densenet121");
  EXPECT_TRUE(browser.selectArchitecture("mobilenet_v2"));  // aliases too
  EXPECT_EQ(browser.currentArchitecture(), "mobilenetv2");
  EXPECT_FALSE(browser.selectArchitecture("resnet18"));
}

TEST(ZooBrowser, StartPageDisablesOpenWhenNothingMatches) {
  test::guiApp();
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  page.zooBrowser()->filterBox()->setText("no such network");
  EXPECT_FALSE(page.openArchitectureButton()->isEnabled());
  page.zooBrowser()->filterBox()->setText("dense");
  EXPECT_TRUE(page.openArchitectureButton()->isEnabled());
  EXPECT_EQ(page.zooSpec().source, "densenet121");
}

TEST(ZooBrowser, MobileNetV3OptionsReachTheModelThatOpens) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  ui::StartPage* page = window.startPage();
  ASSERT_TRUE(page->zooBrowser()->selectArchitecture("mobilenet_v3_small"));
  for (auto* check : page->findChildren<QCheckBox*>())
    if (check->text() == "Minimalistic") check->setChecked(true);
  for (auto* spin : page->findChildren<QSpinBox*>())
    if (spin->suffix() == " px") spin->setValue(96);
  const ModelSpec spec = page->zooSpec();
  EXPECT_EQ(spec.source, "mobilenetv3small");
  EXPECT_EQ(spec.alpha, 1.0) << "the published width by default";
  EXPECT_EQ(spec.minimalistic, true);
  EXPECT_EQ(spec.inputSize, 96);
  EXPECT_FALSE(test::screenshot(&window, "start_page_zoo").isNull());
  QTest::mouseClick(page->openArchitectureButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return window.document()->hasModel(); }, 60000));
  // Minimalistic MobileNetV3 has no squeeze-and-excitation and no hard-swish.
  bool squeezeExcite = false;
  for (const auto& node : window.document()->graph().nodes())
    squeezeExcite = squeezeExcite || node.name.find("squeeze_excite") != std::string::npos;
  EXPECT_FALSE(squeezeExcite);
  EXPECT_GT(window.document()->graph().size(), 50u);
}

// include_preprocessing is offered where Keras's builder takes it (ConvNeXt, EfficientNetV2,
// MobileNetV3) and reaches the spec; elsewhere the box is disabled and the spec leaves it unset.
TEST(ZooBrowser, PreprocessingLayersOptionFollowsTheArchitecture) {
  test::guiApp();
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  auto* box = page.findChild<QCheckBox*>("start_include_preprocessing");
  ASSERT_NE(box, nullptr);
  ASSERT_TRUE(page.zooBrowser()->selectArchitecture("convnext_tiny"));
  EXPECT_TRUE(box->isEnabled());
  EXPECT_TRUE(box->toolTip().contains("Normalization")) << box->toolTip().toStdString();
  box->setChecked(false);
  EXPECT_EQ(page.zooSpec().includePreprocessing, std::optional<bool>(false));
  ASSERT_TRUE(page.zooBrowser()->selectArchitecture("efficientnetv2s"));
  EXPECT_TRUE(box->isEnabled());
  EXPECT_EQ(page.zooSpec().includePreprocessing, std::optional<bool>(false));
  ASSERT_TRUE(page.zooBrowser()->selectArchitecture("resnet50"));
  EXPECT_FALSE(box->isEnabled());
  EXPECT_FALSE(page.zooSpec().includePreprocessing.has_value());
  EXPECT_NO_THROW(zooOptionsOf(page.zooSpec()));
}

}  // namespace
}  // namespace graft

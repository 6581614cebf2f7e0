// The Properties panel's fields as a user types into them: Ctrl+Z after a committed edit undoes
// the model's edit (it reverted only the field's text), a field never keeps showing a value the
// model does not have (an emptied number, a refused spin box), pooling strides take "1, 1" or
// nothing (Keras's None) instead of JSON, and an edit that changes nothing is no undo step.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>
#include <QUndoStack>
#include <memory>

#include "graph/surgery/ops.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/properties_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

class PropertiesFields : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1400, 900);
    window_->show();
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    window_->document()->open(test::smallModel(3), "small", {});
  }
  // The editor of `key` for `layer`, with the keyboard focus in it.
  template <class Editor>
  Editor* field(const char* layer, const char* key) {
    window_->workbench()->view()->revealLayer(QString::fromLatin1(layer));
    auto* editor = qobject_cast<Editor*>(window_->properties()->fieldEditor(key));
    if (editor) {
      editor->setFocus();
      QApplication::processEvents();
    }
    return editor;
  }
  const Json& config(const char* layer, const char* key) const {
    return window_->document()->graph().at(layer).config.at(key);
  }
  static void typeAndReturn(QWidget* editor, const QString& text) {
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(editor, Qt::Key_Backspace);
    if (!text.isEmpty()) QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    QApplication::processEvents();  // the queued refresh after a refusal
  }
  int steps() const { return window_->document()->undoStack()->index(); }

  std::unique_ptr<ui::MainWindow> window_;
};

TEST_F(PropertiesFields, CtrlZAfterACommittedEditUndoesTheModelsEdit) {
  auto* epsilon = field<QLineEdit>("conv1_bn", "epsilon");
  ASSERT_NE(epsilon, nullptr);
  const int before = steps();
  typeAndReturn(epsilon, QStringLiteral("0.01"));
  ASSERT_DOUBLE_EQ(config("conv1_bn", "epsilon").get<double>(), 0.01);
  ASSERT_TRUE(epsilon->hasFocus());
  QTest::keyClick(epsilon, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(steps(), before);
  EXPECT_DOUBLE_EQ(config("conv1_bn", "epsilon").get<double>(), 0.001);
  EXPECT_EQ(epsilon->text(), QStringLiteral("0.001"));
  QTest::keyClick(epsilon, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_DOUBLE_EQ(config("conv1_bn", "epsilon").get<double>(), 0.01);

  // While typing, Ctrl+Z undoes the typing and the model stays as it is.
  const int typed = steps();
  QTest::keyClicks(epsilon, QStringLiteral("5"));
  QTest::keyClick(epsilon, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(steps(), typed);
  EXPECT_EQ(epsilon->text(), QStringLiteral("0.01"));

  // A spin box too.
  auto* units = field<QSpinBox>("fc", "units");
  ASSERT_NE(units, nullptr);
  typeAndReturn(units, QStringLiteral("4"));
  ASSERT_EQ(config("fc", "units"), 4);
  QTest::keyClick(units, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(config("fc", "units"), 3);
  EXPECT_EQ(units->value(), 3);
}

TEST_F(PropertiesFields, ANumberThatIsNoneOrTooLargeSaysWhyAndShowsTheModelsValue) {
  test::CapturedErrors errors;
  auto* epsilon = field<QLineEdit>("conv1_bn", "epsilon");
  ASSERT_NE(epsilon, nullptr);
  const int before = steps();
  typeAndReturn(epsilon, QString());
  ASSERT_EQ(errors.messages().size(), 1);
  EXPECT_TRUE(errors.messages().front().endsWith(QStringLiteral(": epsilon needs a number")))
      << errors.messages().front().toStdString();
  EXPECT_EQ(epsilon->text(), QStringLiteral("0.001"));
  typeAndReturn(epsilon, QStringLiteral("1e400"));
  ASSERT_EQ(errors.messages().size(), 2);
  EXPECT_NE(errors.messages().back().indexOf("'1e400'"), -1)
      << errors.messages().back().toStdString();
  EXPECT_EQ(epsilon->text(), QStringLiteral("0.001"));
  EXPECT_EQ(steps(), before);
}

TEST_F(PropertiesFields, ARefusedValueGoesBackToTheModelsAndMomentumIsAShare) {
  test::CapturedErrors errors;
  auto* axis = field<QSpinBox>("conv1_bn", "axis");
  ASSERT_NE(axis, nullptr);
  const Json axisBefore = config("conv1_bn", "axis");
  typeAndReturn(axis, QStringLiteral("7"));
  ASSERT_EQ(errors.messages().size(), 1);
  EXPECT_EQ(config("conv1_bn", "axis"), axisBefore);
  EXPECT_EQ(axis->value(), axisBefore.get<int>()) << "the refused 7 stayed on show";

  auto* momentum = field<QLineEdit>("conv1_bn", "momentum");
  ASSERT_NE(momentum, nullptr);
  typeAndReturn(momentum, QStringLiteral("5"));
  ASSERT_EQ(errors.messages().size(), 2);
  EXPECT_NE(errors.messages().back().indexOf("'momentum' must be a number from 0 to 1"), -1)
      << errors.messages().back().toStdString();
  EXPECT_DOUBLE_EQ(config("conv1_bn", "momentum").get<double>(), 0.99);
  EXPECT_EQ(momentum->text(), QStringLiteral("0.99"));
}

// Text that is no value at all is refused in the field's terms, its value as the example (it
// said "'abc' is not valid JSON").
TEST_F(PropertiesFields, TextThatIsNoValueIsRefusedWithTheFieldsValueAsTheExample) {
  test::CapturedErrors errors;
  auto* shape = field<QLineEdit>("input_1", "batch_input_shape");
  ASSERT_NE(shape, nullptr);
  typeAndReturn(shape, QStringLiteral("abc"));
  ASSERT_EQ(errors.messages().size(), 1);
  EXPECT_NE(errors.messages().front().indexOf(
                "'abc' is not a value batch_input_shape takes: write it as its value is written, "
                "e.g. None, 32, 32, 3"),
            -1)
      << errors.messages().front().toStdString();
  EXPECT_EQ(config("input_1", "batch_input_shape"), Json({nullptr, 32, 32, 3}));
}

TEST_F(PropertiesFields, PoolingStridesTakeAPairOrNothing) {
  auto* strides = field<QLineEdit>("pool1", "strides");
  ASSERT_NE(strides, nullptr) << "a JSON field";
  EXPECT_TRUE(strides->text().isEmpty());
  EXPECT_FALSE(strides->placeholderText().isEmpty());
  // 2, 2: what None means for a 2x2 pool, so the layers after it keep their weights.
  typeAndReturn(strides, QStringLiteral("2, 2"));
  EXPECT_EQ(config("pool1", "strides"), Json::array({2, 2}));
  EXPECT_EQ(strides->text(), QStringLiteral("2, 2"));
  typeAndReturn(strides, QString());
  EXPECT_TRUE(config("pool1", "strides").is_null());
}

// Dropout's noise_shape as Python writes the tuple; a mask that cannot broadcast over the input
// is refused when typed (training failed on it at the first batch).
TEST_F(PropertiesFields, NoiseShapeTakesATupleThatFitsTheInput) {
  ASSERT_TRUE(window_->document()
                  ->apply1(ops::insertAfter("pool1", ops::layer("Dropout", "drop")), "insert")
                  .empty());
  auto* noise = field<QLineEdit>("drop", "noise_shape");
  ASSERT_NE(noise, nullptr);
  EXPECT_EQ(noise->text(), QStringLiteral("None"));
  typeAndReturn(noise, QStringLiteral("None, 1, 1, 8"));
  EXPECT_EQ(config("drop", "noise_shape"), Json::array({nullptr, 1, 1, 8}));
  EXPECT_EQ(noise->text(), QStringLiteral("None, 1, 1, 8"));
  const int before = steps();
  test::CapturedErrors errors;
  typeAndReturn(noise, QStringLiteral("9, 9, 9, 9"));
  EXPECT_EQ(steps(), before) << "refused";
  EXPECT_EQ(config("drop", "noise_shape"), Json::array({nullptr, 1, 1, 8}));
  ASSERT_FALSE(errors.messages().empty());
  EXPECT_TRUE(errors.messages().back().contains(QStringLiteral("noise_shape")))
      << errors.messages().back().toStdString();
  typeAndReturn(noise, QStringLiteral("None"));
  EXPECT_TRUE(config("drop", "noise_shape").is_null());

  // Escape takes the typing back: the model's value shows, and leaving commits nothing.
  QTest::keyClick(noise, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(noise, QStringLiteral("None, 1, 1, 1"));
  QTest::keyClick(noise, Qt::Key_Escape);
  EXPECT_EQ(noise->text(), QStringLiteral("None"));
  const int unchanged = steps();
  window_->workbench()->view()->setFocus();
  QApplication::processEvents();
  EXPECT_EQ(steps(), unchanged);
  EXPECT_TRUE(config("drop", "noise_shape").is_null());
}

TEST_F(PropertiesFields, AnEditThatChangesNothingIsNoStep) {
  ui::Document* document = window_->document();
  ASSERT_TRUE(document->apply1(ops::freeze(ops::upTo("conv1_bn")), "freeze").empty());
  const int frozen = steps();
  const int count = document->undoStack()->count();
  document->undoStack()->setClean();  // as after a save
  ASSERT_TRUE(document->apply1(ops::freeze(ops::upTo("conv1_bn")), "freeze again").empty());
  EXPECT_EQ(steps(), frozen);
  EXPECT_EQ(document->undoStack()->count(), count);
  EXPECT_TRUE(document->undoStack()->isClean()) << "a no-op marked the model modified";
  // A cut at the output: the menu offers none, and asked anyway it is no step.
  window_->editor()->cutAt(QStringLiteral("fc"));
  EXPECT_EQ(document->undoStack()->count(), count);
}

}  // namespace
}  // namespace graft

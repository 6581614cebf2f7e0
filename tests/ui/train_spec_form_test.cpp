// The training panel shows every field of the training spec's table (run/train_spec.h): the
// ones it lays out itself and, under "More options", a form generated from the table. A field
// added to the table reaches the GUI without GUI code, and its value reaches the run.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

#include "support/test_support.h"
#include "support/train_spec_values.h"
#include "ui/doc/document.h"
#include "ui/doc/training_options.h"
#include "ui/train_spec_form.h"
#include "ui/training_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

void setEditorText(QWidget* editor, const std::string& text) {
  const QString value = QString::fromStdString(text);
  if (auto* check = qobject_cast<QCheckBox*>(editor))
    check->setChecked(text == "true");
  else if (auto* box = qobject_cast<QComboBox*>(editor))
    box->setCurrentText(value);
  else if (auto* spin = qobject_cast<QSpinBox*>(editor))
    spin->setValue(value.toInt());
  else
    qobject_cast<QLineEdit*>(editor)->setText(value);
}

TEST(TrainSpecForm, EveryFieldOfTheTableHasAPlaceInTheTrainingPanel) {
  test::guiApp();
  ui::Document document;
  ui::TrainingPanel panel(&document);
  const auto& own = ui::TrainingPanel::fieldsShownByThePanel();
  const std::vector<std::string> generated = panel.moreOptions()->keys();
  for (const SpecField& field : trainSpecFields()) {
    const bool inForm = std::find(generated.begin(), generated.end(), field.key) != generated.end();
    // The model options (seed, input size) come with the model, not the run.
    EXPECT_EQ(int(inForm) + int(own.count(field.key)) + int(field.fromModelOptions), 1)
        << field.key << ": shown by the panel, by the generated form or by the model options "
        << "— exactly one";
    if (inForm) {
      QWidget* editor = panel.moreOptions()->editorFor(field.key);
      ASSERT_NE(editor, nullptr);
      EXPECT_NE(editor->toolTip().indexOf(QString::fromStdString(field.help)), -1) << field.key;
    }
  }
  for (const std::string& key : own) EXPECT_NO_THROW(trainSpecField(key)) << key;
}

TEST(TrainSpecForm, EveryGeneratedFieldReachesTheRunsSpec) {
  test::guiApp();
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const std::string& key : ui::TrainSpecForm({}).keys()) {
    const SpecField& field = trainSpecField(key);
    if (field.kind == SpecKind::Plan) continue;
    ui::Document document;
    ui::TrainingPanel panel(&document);
    QWidget* editor = panel.moreOptions()->editorFor(key);
    if (!editor) continue;  // laid out by the panel itself
    const std::string text = test::nonDefaultText(field, base);
    setEditorText(editor, text);
    const TrainSpec spec = ui::trainSpecOf(panel.settings());
    TrainSpec expected;
    test::setFromText(field, text, expected);
    EXPECT_TRUE(test::sameValue(field, spec, expected)) << key << " = " << text;
    EXPECT_EQ(panel.settings().moreOptions.size(), 1u) << key;
    if (field.choosesHowToTrain) {
      EXPECT_TRUE(spec.chosen) << key;
    }
  }
}

TEST(TrainSpecForm, BadValuesAreNamedWithTheTablesWordsAndDefaultsAreNotSent) {
  test::guiApp();
  ui::Document document;
  ui::TrainingPanel panel(&document);
  ui::TrainSpecForm* form = panel.moreOptions();
  EXPECT_TRUE(panel.settings().moreOptions.empty()) << "nothing changed, nothing sent";
  EXPECT_TRUE(form->problem().isEmpty());
  setEditorText(form->editorFor("momentum"), "2");
  EXPECT_EQ(form->problem(), "momentum: expected at least 0 and at most 1, found 2");
  auto* message = form->findChild<QLabel*>("train_option_problem");
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->text(), form->problem());
  EXPECT_FALSE(message->isHidden());
  setEditorText(form->editorFor("momentum"), "0.8");
  EXPECT_TRUE(form->problem().isEmpty());
  EXPECT_TRUE(message->isHidden());
  // Set back to the default: not sent, so the run's own defaults (and the advisor) decide.
  setEditorText(form->editorFor("schedule"), "cosine");
  setEditorText(form->editorFor("schedule"), "constant");
  EXPECT_EQ(panel.settings().moreOptions,
            (std::map<std::string, std::string>{{"momentum", "0.8"}}));
  // setValues shows saved values and resets the rest.
  form->setValues({{"schedule", "plateau"}, {"early_stopping", "4"}});
  EXPECT_EQ(panel.settings().moreOptions,
            (std::map<std::string, std::string>{{"early_stopping", "4"}, {"schedule", "plateau"}}));
  // The form is folded away until asked for.
  panel.resize(600, 900);
  panel.show();
  EXPECT_FALSE(form->isVisible());
  panel.findChild<QToolButton*>("train_more_options")->click();
  EXPECT_TRUE(form->isVisible());
  EXPECT_FALSE(test::screenshot(&panel, "training_more_options").isNull());
}

}  // namespace
}  // namespace graft

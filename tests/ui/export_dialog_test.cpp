// The export dialog's options are bound to the export spec's field table (run/export_spec.h):
// a field without its widget, a format choice without its button, or a check that does not
// reach the dialog with the table's words fails here.
#include <gtest/gtest.h>

#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <algorithm>
#include <filesystem>

#include "export/export.h"
#include "graph/graph_builder.h"
#include "run/export_spec.h"
#include "support/test_support.h"
#include "ui/export_dialog.h"
#include "ui_test_support.h"

namespace graft {
namespace {

QString optionName(const ExportSpecField& field) {
  return QStringLiteral("export_option_") + QString::fromLatin1(field.key);
}

QPushButton* exportButton(ui::ExportDialog& dialog) {
  for (QPushButton* button : dialog.findChildren<QPushButton*>())
    if (button->text() == QStringLiteral("Export")) return button;
  return nullptr;
}

TEST(ExportDialog, EveryFieldOfTheExportTableHasAWidgetWithItsHelp) {
  test::guiApp();
  test::TempDir dir;
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  for (const ExportSpecField& field : exportSpecFields()) {
    auto* widget = dialog.findChild<QWidget*>(optionName(field));
    ASSERT_NE(widget, nullptr) << field.key << " has no widget in the export dialog";
    EXPECT_TRUE(widget->toolTip().contains(QString::fromStdString(field.help))) << field.key;
    if (field.kind != SpecKind::Choice) continue;
    // Every choice is a button, and choosing it is what the dialog exports (the file follows).
    for (const std::string& choice : field.choices) {
      auto* radio = widget->findChild<QRadioButton*>(optionName(field) + "_" +
                                                     QString::fromStdString(choice));
      ASSERT_NE(radio, nullptr) << field.key << " " << choice;
      radio->click();
      const std::string suffix = exportFormatSuffix(exportFormatFromName(choice));
      EXPECT_EQ(dialog.path(), QString::fromStdString(dir.file("model" + suffix))) << choice;
    }
  }
}

TEST(ExportDialog, TheTablesChecksAreShownInItsWordsAndKeepExportDisabled) {
  test::guiApp();
  test::TempDir dir;
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  auto* path = dialog.findChild<QLineEdit*>(optionName(exportSpecField("output")));
  ASSERT_NE(path, nullptr);
  auto* problem = dialog.findChild<QLabel*>(QStringLiteral("export_option_problem"));
  ASSERT_NE(problem, nullptr);
  QPushButton* button = exportButton(dialog);
  ASSERT_NE(button, nullptr);
  dialog.setFormat(1);
  EXPECT_EQ(dialog.path(), QString::fromStdString(dir.file("model.onnx")));
  EXPECT_TRUE(problem->isHidden()) << problem->text().toStdString();
  EXPECT_TRUE(button->isEnabled());

  path->setText(QStringLiteral("   "));
  EXPECT_EQ(problem->text(), QStringLiteral("output: missing: ") +
                                 QString::fromStdString(exportSpecField("output").help));
  EXPECT_FALSE(problem->isHidden());
  EXPECT_FALSE(button->isEnabled());
  dialog.startExport();  // refused: nothing runs
  EXPECT_FALSE(dialog.isRunning());

  path->setText(QString::fromStdString(dir.file("again.onnx")));
  EXPECT_TRUE(problem->isHidden());
  EXPECT_TRUE(button->isEnabled());
}

// Exports take one input and one output: a model with more is refused in the dialog, for every
// format, instead of ending Graft when the dialog opens (it used to throw out of formatChanged).
TEST(ExportDialog, AModelWithTwoOutputsIsRefusedInTheDialog) {
  test::guiApp();
  test::TempDir dir;
  Model model = test::smallModel();
  std::vector<std::string> outputs = model.graph.outputs();
  outputs.push_back(model.graph.nodes().at(1).name);  // an inner layer as a second output
  model.graph = Graph(model.graph.name(), model.graph.nodes(), outputs, model.graph.groups());
  ui::ExportDialog dialog(model, QString::fromStdString(dir.file("model")));
  auto* refusals = dialog.findChild<QLabel*>(QStringLiteral("export_refusals"));
  ASSERT_NE(refusals, nullptr);
  QPushButton* button = exportButton(dialog);
  ASSERT_NE(button, nullptr);
  for (int format = 0; format < static_cast<int>(exportSpecField("format").choices.size());
       ++format) {
    dialog.setFormat(format);
    EXPECT_FALSE(refusals->isHidden()) << format;
    EXPECT_TRUE(refusals->text().contains(
        QStringLiteral("exports need a model with one output; 'small' has 2 (")))
        << refusals->text().toStdString();
    EXPECT_FALSE(button->isEnabled()) << format;
  }
}

// The note under the formats says what the chosen file takes and holds: Keras files are NHWC
// and hold no labels (it said "NCHW ... stored in the file" for every format).
TEST(ExportDialog, TheInputNoteFollowsTheFormat) {
  test::guiApp();
  test::TempDir dir;
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  auto* note = dialog.findChild<QLabel*>(QStringLiteral("export_input_note"));
  ASSERT_NE(note, nullptr);
  const auto& choices = exportSpecField("format").choices;
  const auto noteFor = [&](const std::string& name) {
    const auto at = std::find(choices.begin(), choices.end(), name);
    EXPECT_NE(at, choices.end()) << name;
    dialog.setFormat(static_cast<int>(at - choices.begin()));
    return note->text().toStdString();
  };
  EXPECT_NE(noteFor("torchscript").find("NCHW"), std::string::npos);
  EXPECT_NE(noteFor("onnx").find("labels are stored in the file"), std::string::npos);
  const std::string keras = noteFor("keras");
  EXPECT_NE(keras.find("NHWC"), std::string::npos) << keras;
  EXPECT_NE(keras.find("Keras reads the model, not the preprocessing"), std::string::npos) << keras;
  EXPECT_EQ(noteFor("keras-h5").rfind("Weights only", 0), 0u);
  EXPECT_EQ(noteFor("keras-weights").rfind("Weights only", 0), 0u);
}

// Close while an export runs used to abandon it unseen (the dialog was deleted, the outcome
// lost): the dialog hides, the export finishes, the outcome is announced, the dialog goes.
TEST(ExportDialog, ClosedWhileExportingFinishesAndSaysHow) {
  test::guiApp();
  test::TempDir dir;
  QPointer<ui::ExportDialog> dialog =
      new ui::ExportDialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setFormat(0);  // TorchScript
  dialog->show();
  QSignalSpy finished(dialog.data(), &ui::ExportDialog::finishedAfterClose);
  dialog->startExport();
  ASSERT_TRUE(dialog->isRunning());
  dialog->close();  // the title bar's close: through closeEvent and reject
  EXPECT_TRUE(dialog->isHidden());
  // Deleted by the close, the dialog would never report: the outcome arrives.
  ASSERT_TRUE(test::waitFor([&] { return !finished.isEmpty(); }, 60000));
  EXPECT_TRUE(finished.front().at(1).toBool()) << finished.front().at(0).toString().toStdString();
  EXPECT_TRUE(finished.front().at(0).toString().startsWith(QStringLiteral("Exported ")))
      << finished.front().at(0).toString().toStdString();
  EXPECT_TRUE(std::filesystem::exists(dir.file("model.pt")));
  EXPECT_TRUE(test::waitFor([&] { return dialog.isNull(); }));
}

// File set to a folder: refused at once, as graft-cli refuses it, not asked "Replace it?" and
// refused after Yes.
TEST(ExportDialog, AFolderAsTheFileIsRefusedWithoutAskingToReplaceIt) {
  test::guiApp();
  test::TempDir dir;
  std::filesystem::create_directory(dir.file("ex.pt"));
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  dialog.setFormat(0);  // TorchScript
  dialog.setPath(QString::fromStdString(dir.file("ex.pt")));
  dialog.show();
  QString said;
  const auto answer = test::answerNextDialog<QMessageBox>(
      [](QMessageBox* box) {
        return box->button(QMessageBox::Ok) ? box->button(QMessageBox::Ok)
                                            : box->button(QMessageBox::Cancel);
      },
      [&](QMessageBox* box) { said = box->text(); });
  dialog.startExport();
  EXPECT_TRUE(said.contains(QStringLiteral("ex.pt is a folder, not a file name")))
      << said.toStdString();
  EXPECT_FALSE(said.contains(QStringLiteral("Replace"))) << said.toStdString();
  EXPECT_FALSE(dialog.isRunning());
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("ex.pt")));
}

// The check's result, a long line that wraps, is shown whole: the dialog kept its size and
// squeezed the format rows, clipping the underscores of "save_weights" and "load_weights".
TEST(ExportDialog, TheCheckResultIsShownWholeWithoutSqueezingTheFormats) {
  test::guiApp();
  test::TempDir dir;
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  // Keras HDF5: its check's result is the longest (three lines at this width).
  const auto& choices = exportSpecField("format").choices;
  dialog.setFormat(
      static_cast<int>(std::find(choices.begin(), choices.end(), "keras-h5") - choices.begin()));
  dialog.show();
  QApplication::processEvents();
  const int before = dialog.height();
  const QPoint exportAt = exportButton(dialog)->mapTo(&dialog, QPoint(0, 0));
  dialog.startExport();
  ASSERT_TRUE(test::waitFor([&] { return !dialog.isRunning(); }, 60000));
  QApplication::processEvents();
  ASSERT_NE(dialog.result().indexOf(QStringLiteral("✔")), -1) << dialog.result().toStdString();
  test::screenshot(&dialog, "export_dialog_result");
  // The buttons stay where they were (the dialog grew and moved them from under the pointer).
  EXPECT_EQ(dialog.height(), before);
  EXPECT_EQ(exportButton(dialog)->mapTo(&dialog, QPoint(0, 0)), exportAt);
  QLabel* result = nullptr;
  for (QLabel* label : dialog.findChildren<QLabel*>())
    if (label->text() == dialog.result()) result = label;
  ASSERT_NE(result, nullptr);
  EXPECT_GE(result->height(), result->heightForWidth(result->width()));
  for (QRadioButton* format : dialog.findChildren<QRadioButton*>())
    EXPECT_GE(format->height(), format->sizeHint().height()) << format->text().toStdString();
}

// A model whose output does not depend on its input passes the check, which then proves
// nothing: the result says so first, in its own colour, above the check's line.
TEST(ExportDialog, AnOutputThatIgnoresTheInputIsShownAsAWarning) {
  test::guiApp();
  test::TempDir dir;
  GraphBuilder b("flat");
  std::string x = b.input("images", {kUnknown, 8, 8, 3});
  x = b.add("ReLU", "gate", {{"threshold", 1000.0}}, x);
  b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  Model model;
  model.graph = b.build();
  ui::ExportDialog dialog(model, QString::fromStdString(dir.file("flat")));
  dialog.setFormat(1);  // ONNX
  dialog.show();
  dialog.startExport();
  ASSERT_TRUE(test::waitFor([&] { return !dialog.isRunning(); }, 60000));
  QApplication::processEvents();
  const QString result = dialog.result();
  const int warning = result.indexOf(QStringLiteral("⚠"));
  EXPECT_TRUE(result.contains(QStringLiteral("output is the same for both check inputs")))
      << result.toStdString();
  const int check = result.indexOf(QStringLiteral("✔"));
  ASSERT_NE(warning, -1) << result.toStdString();
  ASSERT_NE(check, -1) << result.toStdString();
  EXPECT_LT(warning, check);
  EXPECT_TRUE(std::filesystem::exists(dir.file("flat.onnx")));
  // Both lines read without scrolling (the check's line was below the area's edge).
  const auto* area = dialog.findChild<QScrollArea*>(QStringLiteral("export_result_area"));
  ASSERT_NE(area, nullptr);
  EXPECT_EQ(area->verticalScrollBar()->maximum(), 0);
  test::screenshot(&dialog, "export_dialog_constant_output");
}

// Choosing a format never moves the Export button: the dialog grew at the click on a format
// with a longer note (Keras's), and the button went from under the pointer.
TEST(ExportDialog, ChoosingAFormatKeepsTheExportButtonWhereItIs) {
  test::guiApp();
  test::TempDir dir;
  ui::ExportDialog dialog(test::smallModel(), QString::fromStdString(dir.file("model")));
  dialog.show();
  QApplication::processEvents();
  QPushButton* button = exportButton(dialog);
  ASSERT_NE(button, nullptr);
  const QSize size = dialog.size();
  const QPoint at = button->mapTo(&dialog, QPoint(0, 0));
  const auto count = static_cast<int>(exportSpecField("format").choices.size());
  for (int format = count - 1; format >= 0; --format) {
    dialog.setFormat(format);
    QApplication::processEvents();
    const std::string name = exportSpecField("format").choices[static_cast<size_t>(format)];
    EXPECT_EQ(dialog.size(), size) << name;
    EXPECT_EQ(button->mapTo(&dialog, QPoint(0, 0)), at) << name;
    for (QRadioButton* radio : dialog.findChildren<QRadioButton*>())
      EXPECT_GE(radio->height(), radio->sizeHint().height()) << name;
  }
}

}  // namespace
}  // namespace graft

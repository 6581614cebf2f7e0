// Autosave and crash recovery: an edit is autosaved and loads back as the edited model; a
// session left by a Graft killed mid-session is offered at the next start and recovered with
// its edits, unsaved; a normal close leaves nothing; two running Grafts keep their own.
#include <gtest/gtest.h>

#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTimer>
#include <csignal>
#include <memory>

#include "io/project_file.h"
#include "support/test_support.h"
#include "ui/doc/autosave_controller.h"
#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/recovery_dialog.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using ui::AutosaveController;
using ui::AutosaveStore;
using ui::MainWindow;
using ui::RecoveryDialog;

constexpr const char* kCrashDirVariable = "GRAFT_TEST_AUTOSAVE_CRASH_DIR";

// Every MainWindow made while this lives autosaves into `dir`, a moment after each edit.
class AutosaveFolder {
 public:
  AutosaveFolder() { use(QString::fromStdString(scratch_.path().string())); }
  explicit AutosaveFolder(const QString& dir) { use(dir); }
  ~AutosaveFolder() {
    QSettings settings;
    settings.setValue("autosave/directory", previous_);
    settings.remove("autosave/afterEditSeconds");
  }
  const QString& dir() const { return dir_; }
  QStringList files() const { return QDir(dir_).entryList(QDir::Files | QDir::Hidden); }

 private:
  void use(const QString& dir) {
    dir_ = dir;
    test::guiApp();
    QSettings settings;
    previous_ = settings.value("autosave/directory");
    settings.setValue("autosave/directory", dir_);
    settings.setValue("autosave/afterEditSeconds", 0.05);
  }

  test::TempDir scratch_;
  QString dir_;
  QVariant previous_;
};

void openAndRename(MainWindow& window, const std::string& to) {
  window.document()->open(test::smallModel(), "small test model", {});
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "rename"}, {"layer", "conv1"}, {"to", to}}, "rename")
                  .empty());
}

TEST(Autosave, AnEditIsAutosavedAndLoadsBackAsTheEditedModel) {
  AutosaveFolder folder;
  MainWindow window;
  ASSERT_NE(window.autosave(), nullptr);
  QSignalSpy written(window.autosave(), &AutosaveController::autosaved);
  openAndRename(window, "stem");
  ASSERT_TRUE(test::waitFor([&] { return !written.isEmpty(); }));

  const QString path = written.front().front().toString();
  EXPECT_EQ(QFileInfo(path).absolutePath(), QFileInfo(folder.dir()).absoluteFilePath());
  const Model saved = loadProject(path.toStdString());
  EXPECT_NE(saved.graph.find("stem"), nullptr);
  EXPECT_EQ(saved.graph.find("conv1"), nullptr);
  EXPECT_EQ(saved.recipe, window.document()->model().recipe);
  ASSERT_EQ(saved.recipe.size(), 1u);
  EXPECT_EQ(saved.recipe[0].at("op"), "rename");

  // Saving the project makes the autosave pointless: it goes.
  test::TempDir projects;
  ASSERT_TRUE(window.saveProjectAs(QString::fromStdString(projects.file("m.graft")), true));
  EXPECT_FALSE(QFile::exists(path));
  // A later edit brings it back; undoing to the saved state removes it again.
  written.clear();
  ASSERT_TRUE(window.document()->apply1(Json{{"op", "freeze"}, {"upto", "conv1_bn"}}, "f").empty());
  ASSERT_TRUE(test::waitFor([&] { return !written.isEmpty(); }));
  EXPECT_TRUE(QFile::exists(path));
  window.document()->undoStack()->undo();
  EXPECT_FALSE(window.document()->isModified());
  EXPECT_FALSE(QFile::exists(path));
}

// Ctrl+S then at once Ctrl+Q: quitting waits for the save in flight; it asked whether to save
// the edits being saved (Save wrote the file a second time, Discard discarded nothing).
TEST(Autosave, QuittingWhileTheProjectIsBeingSavedWaitsForTheSave) {
  AutosaveFolder folder;
  test::TempDir projects;
  const QString project = QString::fromStdString(projects.file("m.graft"));
  MainWindow window;
  window.show();
  openAndRename(window, "stem");
  ASSERT_TRUE(window.saveProjectAs(project, true));
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "rename"}, {"layer", "stem"}, {"to", "stem2"}}, "rename")
                  .empty());
  ASSERT_TRUE(window.saveProject(false));  // returns with the write in flight
  // A question now would be answered Cancel, and the window would stay.
  const auto answer = test::answerNextDialog<QMessageBox>(
      [](QMessageBox* box) { return box->button(QMessageBox::Cancel); });
  EXPECT_TRUE(window.close());
  EXPECT_FALSE(window.document()->isModified());
  EXPECT_NE(loadProject(project.toStdString()).graph.find("stem2"), nullptr);
}

TEST(Autosave, ANormalCloseLeavesNoAutosave) {
  AutosaveFolder folder;
  {
    MainWindow window;
    window.show();
    QSignalSpy written(window.autosave(), &AutosaveController::autosaved);
    openAndRename(window, "stem");
    ASSERT_TRUE(test::waitFor([&] { return !written.isEmpty(); }));
    EXPECT_FALSE(folder.files().filter(".graft").isEmpty());
    // Closing with unsaved edits: the user discards them.
    const auto answer = test::answerNextDialog<QMessageBox>(
        [](QMessageBox* box) { return box->button(QMessageBox::Discard); });
    EXPECT_TRUE(window.close());
    EXPECT_TRUE(folder.files().filter(".graft").isEmpty())
        << folder.files().join(", ").toStdString();
  }
  EXPECT_TRUE(folder.files().isEmpty()) << folder.files().join(", ").toStdString();
}

TEST(Autosave, TwoRunningInstancesKeepTheirOwnAutosaves) {
  AutosaveFolder folder;
  MainWindow first, second;
  QSignalSpy firstWritten(first.autosave(), &AutosaveController::autosaved);
  QSignalSpy secondWritten(second.autosave(), &AutosaveController::autosaved);
  openAndRename(first, "first_stem");
  openAndRename(second, "second_stem");
  ASSERT_TRUE(test::waitFor([&] { return !firstWritten.isEmpty() && !secondWritten.isEmpty(); }));
  const QString firstPath = first.autosave()->store().modelPath();
  const QString secondPath = second.autosave()->store().modelPath();
  EXPECT_NE(firstPath, secondPath);

  // A third Graft starting now finds nothing to recover: both owners are alive.
  AutosaveStore third(folder.dir());
  EXPECT_TRUE(third.claimOrphans().empty());
  bool asked = false;
  const auto answer = test::answerNextDialog<RecoveryDialog>([&asked](RecoveryDialog* d) {
    asked = true;
    return d->discardButton();
  });
  EXPECT_FALSE(first.offerAutosaveRecovery());
  QApplication::processEvents();
  EXPECT_FALSE(asked);
  EXPECT_NE(loadProject(firstPath.toStdString()).graph.find("first_stem"), nullptr);
  EXPECT_NE(loadProject(secondPath.toStdString()).graph.find("second_stem"), nullptr);
}

// Not a test on its own: the child process of the next one. It edits, waits for the autosave
// and dies the way a crash does, without any clean-up.
TEST(AutosaveCrash, DISABLED_EditThenDie) {
  const QByteArray dir = qgetenv(kCrashDirVariable);
  if (dir.isEmpty()) GTEST_SKIP() << kCrashDirVariable << " is not set";
  AutosaveFolder folder{QString::fromLocal8Bit(dir)};
  MainWindow window;
  openAndRename(window, "stem_before_crash");
  ASSERT_TRUE(window.autosave()->saveNow());
  std::raise(SIGKILL);
}

TEST(Autosave, ASessionLeftByAKilledGraftIsOfferedAndRecovered) {
  AutosaveFolder folder;
  const test::CommandResult child = test::runProgram(
      "/proc/self/exe",
      {"--gtest_also_run_disabled_tests", "--gtest_filter=AutosaveCrash.DISABLED_EditThenDie"},
      {std::string(kCrashDirVariable) + "=" + folder.dir().toStdString()});
  ASSERT_EQ(child.exitCode, 128 + SIGKILL) << child.out << child.err;
  ASSERT_EQ(folder.files().filter(".graft").size(), 1) << folder.files().join(", ").toStdString();
  const QString crashedModel = QDir(folder.dir()).filePath(folder.files().filter(".graft")[0]);

  MainWindow window;
  window.show();
  QSignalSpy written(window.autosave(), &AutosaveController::autosaved);
  QString shownText;
  const auto answer =
      test::answerNextDialog<RecoveryDialog>([](RecoveryDialog* d) { return d->recoverButton(); },
                                             [&shownText](RecoveryDialog* d) {
                                               test::screenshot(d, "recovery_dialog");
                                               for (auto* label : d->findChildren<QLabel*>())
                                                 shownText += label->text();
                                             });
  ASSERT_TRUE(window.offerAutosaveRecovery());
  EXPECT_NE(shownText.indexOf("small test model"), -1) << shownText.toStdString();

  // The edited model is open, still unsaved, and the window shows it.
  ASSERT_TRUE(window.document()->hasModel());
  EXPECT_NE(window.document()->graph().find("stem_before_crash"), nullptr);
  EXPECT_TRUE(window.document()->isModified());
  EXPECT_EQ(window.document()->source(), "small test model");
  EXPECT_TRUE(window.isWindowModified());
  // It is now this Graft's session: written under its own name, the crashed one's files gone.
  ASSERT_TRUE(test::waitFor([&] { return !written.isEmpty(); }));
  EXPECT_FALSE(QFile::exists(crashedModel));
  EXPECT_EQ(folder.files().filter(".graft"),
            QStringList{QFileInfo(window.autosave()->store().modelPath()).fileName()});
  // And nobody else offers it again.
  AutosaveStore another(folder.dir());
  EXPECT_TRUE(another.claimOrphans().empty());
}

TEST(Autosave, DiscardDeletesTheLeftSession) {
  AutosaveFolder folder;
  ASSERT_EQ(test::runProgram("/proc/self/exe",
                             {"--gtest_also_run_disabled_tests",
                              "--gtest_filter=AutosaveCrash.DISABLED_EditThenDie"},
                             {std::string(kCrashDirVariable) + "=" + folder.dir().toStdString()})
                .exitCode,
            128 + SIGKILL);
  MainWindow window;
  const auto answer =
      test::answerNextDialog<RecoveryDialog>([](RecoveryDialog* d) { return d->discardButton(); });
  EXPECT_FALSE(window.offerAutosaveRecovery());
  EXPECT_FALSE(window.document()->hasModel());
  EXPECT_TRUE(folder.files().filter(".graft").isEmpty()) << folder.files().join(", ").toStdString();
}

}  // namespace
}  // namespace graft

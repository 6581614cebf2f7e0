// The start page's download button: fetches the Keras weights file from a local server (via
// GRAFT_WEIGHTS_BASE_URL) on a worker thread, and the weights line then says it was found; a bad
// download or a cancel installs nothing.
#include <gtest/gtest.h>

#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_http_server.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/notes_banner.h"
#include "ui/start_page.h"
#include "ui/weights_download_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {
namespace fs = std::filesystem;

constexpr const char* kMobileNetPath = "/mobilenet/mobilenet_2_5_224_tf_no_top.h5";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Points the download base at the test server for the lifetime of the object.
struct BaseUrlOverride {
  explicit BaseUrlOverride(const std::string& url) {
    qputenv("GRAFT_WEIGHTS_BASE_URL", QByteArray::fromStdString(url));
  }
  ~BaseUrlOverride() { qunsetenv("GRAFT_WEIGHTS_BASE_URL"); }
};

TEST(WeightsDownload, TheStartPageButtonInstallsTheFileAndTheWeightsLineFindsIt) {
  GRAFT_REQUIRE_FIXTURE(fixture, "keras/mobilenet_2_5_224_tf_no_top.h5");
  test::guiApp();
  test::TestHttpServer server;
  server.serve(kMobileNetPath, readFile(fixture));
  BaseUrlOverride base(server.baseUrl());
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  page.show();
  // Defaults: MobileNet alpha 0.25, 224, no top.
  ASSERT_NE(page.weightsLabel()->text().indexOf("not in the Keras cache"), -1);
  ui::WeightsDownloadPanel* panel = page.downloadPanel();
  ASSERT_TRUE(panel->isVisible());
  QTest::mouseClick(panel->downloadButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !panel->isDownloading(); }));
  EXPECT_NE(page.weightsLabel()->text().indexOf("ImageNet weights from the Keras cache"), -1)
      << page.weightsLabel()->text().toStdString() << " / "
      << panel->statusLabel()->text().toStdString();
  EXPECT_EQ(readFile(cache.file("mobilenet_2_5_224_tf_no_top.h5")), readFile(fixture));
  EXPECT_FALSE(panel->isVisible());  // nothing left to download for these options
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, kMobileNetPath);
}

TEST(WeightsDownload, ABadFileShowsWhyAndInstallsNothing) {
  test::guiApp();
  test::TestHttpServer server;
  server.serve(kMobileNetPath, test::generatedBytes(4096, 5));
  BaseUrlOverride base(server.baseUrl());
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  page.show();
  ui::WeightsDownloadPanel* panel = page.downloadPanel();
  QTest::mouseClick(panel->downloadButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !panel->isDownloading(); }));
  const QString status = panel->statusLabel()->text();
  EXPECT_NE(status.indexOf("Download failed"), -1) << status.toStdString();
  EXPECT_NE(status.indexOf("mobilenet_2_5_224_tf_no_top.h5"), -1) << status.toStdString();
  EXPECT_TRUE(fs::is_empty(cache.path()));
  EXPECT_NE(page.weightsLabel()->text().indexOf("not in the Keras cache"), -1);
}

TEST(WeightsDownload, CancelStopsAStalledDownloadAndInstallsNothing) {
  test::guiApp();
  test::TestHttpServer server;
  server.serve(kMobileNetPath, test::generatedBytes(4096, 5));
  server.setMode(test::TestHttpServer::Mode::Stall);
  BaseUrlOverride base(server.baseUrl());
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  page.show();
  ui::WeightsDownloadPanel* panel = page.downloadPanel();
  QTest::mouseClick(panel->downloadButton(), Qt::LeftButton);
  ASSERT_TRUE(panel->isDownloading());
  EXPECT_TRUE(panel->progressBar()->isVisible());
  ASSERT_TRUE(test::waitFor([&] { return !server.requests().empty(); }));
  page.resize(1100, 700);
  EXPECT_FALSE(test::screenshot(&page, "start_page_downloading").isNull());
  QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !panel->isDownloading(); }, 10000));
  EXPECT_NE(panel->statusLabel()->text().indexOf("cancelled"), -1)
      << panel->statusLabel()->text().toStdString();
  EXPECT_FALSE(fs::exists(cache.file("mobilenet_2_5_224_tf_no_top.h5")));
}

// KERAS_HOME pointed at a scratch folder while the object lives (restored afterwards).
struct KerasHomeOverride {
  explicit KerasHomeOverride(const std::string& path)
      : had_(qEnvironmentVariableIsSet("KERAS_HOME")), previous_(qgetenv("KERAS_HOME")) {
    qputenv("KERAS_HOME", QByteArray::fromStdString(path));
  }
  ~KerasHomeOverride() {
    if (had_)
      qputenv("KERAS_HOME", previous_);
    else
      qunsetenv("KERAS_HOME");
  }
  bool had_;
  QByteArray previous_;
};

TEST(WeightsDownload, TheNotesBannerOffersTheFileAndReopensTheModelWithIt) {
  GRAFT_REQUIRE_FIXTURE(fixture, "keras/mobilenet_2_5_224_tf_no_top.h5");
  test::guiApp();
  test::TestHttpServer server;
  server.serve(kMobileNetPath, readFile(fixture));
  BaseUrlOverride base(server.baseUrl());
  test::TempDir home;
  KerasHomeOverride kerasHome(home.path().string());
  ui::MainWindow window;
  window.show();
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.includeTop = false;
  spec.inputSize = 224;
  ASSERT_TRUE(window.openModel(spec));
  ASSERT_EQ(window.document()->model().weightsSource.rfind("random", 0), 0u);
  ui::WeightsDownloadPanel* panel = window.workbench()->banner()->downloadPanel();
  ASSERT_TRUE(panel->isVisible());
  QTest::mouseClick(panel->downloadButton(), Qt::LeftButton);
  const std::string installed = home.file("models/mobilenet_2_5_224_tf_no_top.h5");
  ASSERT_TRUE(test::waitFor([&] { return window.document()->model().weightsSource == installed; }))
      << window.document()->model().weightsSource << " / "
      << panel->statusLabel()->text().toStdString();
  EXPECT_EQ(readFile(installed), readFile(fixture));
  EXPECT_FALSE(panel->isVisible());  // the reopened model has its weights: nothing to offer
}

}  // namespace
}  // namespace graft

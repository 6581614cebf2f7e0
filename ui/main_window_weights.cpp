// MainWindow's offer of Keras's published weights: a zoo architecture opened without its weights
// file gets random weights, the notes banner offers the download, and the model opens again with
// the downloaded weights once they are installed.
#include "io/fetch/fetch_weights.h"
#include "ui/main_window.h"
#include "ui/notes_banner.h"
#include "ui/start_page.h"
#include "ui/weights_download_panel.h"
#include "ui/workbench.h"

namespace graft::ui {
namespace {

// A zoo architecture whose weights are looked up in the Keras cache (no weights file named): a
// download through the notes banner can give it its pretrained weights.
bool weightsComeFromTheCache(const ModelSpec& spec) {
  return zooOptionsOf(spec).has_value() && spec.weightsFile.empty();
}

}  // namespace

void MainWindow::offerWeightsDownload(const graft::Model& model) {
  // Random weights because Keras's file is missing: the banner offers to download it.
  std::optional<fetch::FetchRequest> download;
  if (openedSpec_ && weightsComeFromTheCache(*openedSpec_) &&
      model.weightsSource.rfind("random", 0) == 0) {
    const zoo::ZooOptions options = *zooOptionsOf(*openedSpec_);
    if (fetch::publishedWeights(options))
      download =
          fetch::zooFetchRequest(options, kerasCacheDir_.toStdString(), configuredWeightsBaseUrl());
  }
  workbench_->banner()->offerDownload(download);
}

void MainWindow::weightsInstalled() {
  start_->refreshWeights();
  if (openedSpec_ && weightsComeFromTheCache(*openedSpec_))
    openModelAsync(*openedSpec_, describeZooSpec(*openedSpec_));
}

}  // namespace graft::ui

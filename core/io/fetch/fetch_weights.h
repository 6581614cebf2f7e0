#pragma once
// Gets a Keras Applications weights file into Keras's cache the way Keras's get_file would:
// download to <cache>/<name>.part (resumed if it is there), check it, then rename it into place.
// A file that fails the check is deleted and never installed.
#include <atomic>
#include <optional>
#include <string>

#include "io/fetch/http_download.h"
#include "io/fetch/weights_catalogue.h"

namespace graft::fetch {

struct FetchRequest {
  std::string url;
  std::string cacheDir;  // created when missing
  std::string fileName;  // the name installed in cacheDir
  // Keras's published hash (sha256 or md5 by length). Empty: the file must instead read as
  // Keras weights of `expectedArchitecture` (Graft's recognition of zoo weight files).
  std::string expectedHash;
  std::string expectedArchitecture;
  // With no hash, also what the variant's weights show: the width (architectures with alpha)
  // and whether the classification top is in the file.
  std::optional<double> expectedAlpha;
  std::optional<bool> expectedTop;
  DownloadOptions download;
};

struct FetchResult {
  std::string path;               // the installed file
  bool alreadyInstalled = false;  // nothing was downloaded (the installed file passed the check)
  std::string replacedDamaged;    // the installed file that failed the check, and why; replaced
  std::string check;  // what was verified, for the user: "md5 6d6bbae1…" or "read as mobilenet"
};

// The request for a zoo variant: Keras's file, address (below `baseUrl`, empty: Keras's hosts)
// and hash. Throws graft::Error naming the option when Keras publishes no such file.
FetchRequest zooFetchRequest(const zoo::ZooOptions& options, const std::string& cacheDir,
                             const std::string& baseUrl);

// Returns without network access when the file is already installed and passes the check a
// download gets (a damaged one is downloaded again and replaced). Throws
// graft::Error (the URL and HTTP status, or the file and both hashes) on failure and
// DownloadCancelled when `cancel` was raised (the .part stays for a resume).
FetchResult fetchWeights(const FetchRequest& request, const ProgressCallback& progress,
                         const std::atomic<bool>* cancel);

// Where a download in progress is kept.
std::string partialPath(const FetchRequest& request);

}  // namespace graft::fetch

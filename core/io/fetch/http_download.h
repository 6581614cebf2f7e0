#pragma once
// One HTTP(S) download into a partial file with libcurl: resumes what the file already holds
// with a Range request, reports progress, can be cancelled from another thread, and gives up on
// a server that stalls. No Qt: the CLI and the GUI's worker thread call the same function.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace graft::fetch {

struct DownloadProgress {
  int64_t received = 0;       // bytes in the partial file, including what was resumed
  int64_t total = -1;         // the whole file's size; -1 while unknown
  int64_t resumedFrom = 0;    // bytes that were already there when this transfer started
  double bytesPerSecond = 0;  // over this transfer
  double secondsLeft = -1;    // -1 while unknown
};
using ProgressCallback = std::function<void(const DownloadProgress&)>;

struct DownloadOptions {
  long connectTimeoutSeconds = 30;
  // A transfer slower than lowSpeedBytesPerSecond for stallSeconds is abandoned (a stalled
  // server must not hang the caller).
  long stallSeconds = 30;
  long lowSpeedBytesPerSecond = 1;
};

// Thrown when the cancel flag was raised; the partial file stays for a later resume.
class DownloadCancelled : public std::runtime_error {
 public:
  DownloadCancelled() : std::runtime_error("download cancelled") {}
};

// Appends the rest of `url` to `partPath` (from its current size; a server that ignores the
// Range request starts it over). Throws graft::Error naming the URL and the HTTP status or the
// network failure; what arrived stays in `partPath` so the next call resumes.
void downloadToFile(const std::string& url, const std::string& partPath,
                    const DownloadOptions& options, const ProgressCallback& progress,
                    const std::atomic<bool>* cancel);

}  // namespace graft::fetch

#include "io/fetch/http_download.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "graph/diagnostic.h"

namespace graft::fetch {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// curl_global_init is not thread-safe; run it once before the first handle.
void initialiseCurlOnce() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialised;
}

struct Transfer {
  CURL* curl = nullptr;
  std::string partPath;
  std::FILE* file = nullptr;
  int64_t resumedFrom = 0;
  bool checkedStatus = false;
  bool writeFailed = false;
  const ProgressCallback* progress = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  Clock::time_point started = Clock::now();
  Clock::time_point lastReport{};
  int64_t lastTotal = -1;
};

// The first body bytes tell whether the server honoured the Range request: 206 appends, 200
// sends the whole file again, so what was there is dropped.
bool prepareFileForBody(Transfer& t) {
  t.checkedStatus = true;
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool append = t.resumedFrom > 0 && status == 206;
  if (!append) t.resumedFrom = 0;
  t.file = std::fopen(t.partPath.c_str(), append ? "ab" : "wb");
  return t.file != nullptr;
}

size_t writeBody(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  if (!t.checkedStatus && !prepareFileForBody(t)) {
    t.writeFailed = true;
    return 0;
  }
  const size_t n = size * count;
  if (std::fwrite(data, 1, n, t.file) != n) {
    t.writeFailed = true;
    return 0;
  }
  return n;
}

void report(Transfer& t, curl_off_t total, curl_off_t now, bool force) {
  if (!t.progress || !*t.progress) return;
  const auto clock = Clock::now();
  if (!force && clock - t.lastReport < std::chrono::milliseconds(100)) return;
  t.lastReport = clock;
  DownloadProgress p;
  p.resumedFrom = t.resumedFrom;
  p.received = t.resumedFrom + static_cast<int64_t>(now);
  p.total = total > 0 ? t.resumedFrom + static_cast<int64_t>(total) : -1;
  const double seconds = std::chrono::duration<double>(clock - t.started).count();
  p.bytesPerSecond = seconds > 0 ? static_cast<double>(now) / seconds : 0;
  if (p.total > 0 && p.bytesPerSecond > 0)
    p.secondsLeft = static_cast<double>(p.total - p.received) / p.bytesPerSecond;
  (*t.progress)(p);
}

int onProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.cancel && t.cancel->load()) return 1;  // curl stops with CURLE_ABORTED_BY_CALLBACK
  t.lastTotal = total;
  report(t, total, now, false);
  return 0;
}

std::string sizeText(int64_t bytes) {
  return std::to_string(bytes) + " bytes";
}

}  // namespace

void downloadToFile(const std::string& url, const std::string& partPath,
                    const DownloadOptions& options, const ProgressCallback& progress,
                    const std::atomic<bool>* cancel) {
  initialiseCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), &curl_easy_cleanup);
  if (!handle) throw Error(Diagnostic{url, "cannot start a download (libcurl)"});
  Transfer t;
  t.curl = handle.get();
  t.partPath = partPath;
  t.progress = &progress;
  t.cancel = cancel;
  std::error_code ec;
  t.resumedFrom = fs::exists(partPath, ec) ? static_cast<int64_t>(fs::file_size(partPath, ec)) : 0;
  if (ec) t.resumedFrom = 0;

  char curlError[CURL_ERROR_SIZE] = {0};
  CURL* c = handle.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // GitHub release assets redirect
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS time-outs
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlError);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.stallSeconds);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "graft/" GRAFT_VERSION);
  // CURLOPT_RANGE rather than RESUME_FROM: a server that ignores it and sends the whole file
  // (200) is not an error; writeBody starts the file over.
  const std::string range = std::to_string(t.resumedFrom) + "-";
  if (t.resumedFrom > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &writeBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &onProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);

  const CURLcode result = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t received = 0;
  curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &received);
  if (t.file && std::fclose(t.file) != 0) t.writeFailed = true;
  t.file = nullptr;
  if (result == CURLE_OK && !t.checkedStatus) {
    // An empty body still decides what the partial file holds.
    if (prepareFileForBody(t)) std::fclose(t.file);
    t.file = nullptr;
  }
  if (result == CURLE_OK) {
    report(t, t.lastTotal, received, true);
    return;
  }
  if (result == CURLE_ABORTED_BY_CALLBACK) throw DownloadCancelled();
  if (t.writeFailed || result == CURLE_WRITE_ERROR)
    throw Error(Diagnostic{partPath, "cannot write the download (is the disk full?)"});
  if (result == CURLE_HTTP_RETURNED_ERROR && status == 416 && t.resumedFrom > 0) {
    // The partial file is not a prefix the server can continue (larger than the file, or the
    // file changed): start over once from nothing.
    fs::remove(partPath, ec);
    downloadToFile(url, partPath, options, progress, cancel);
    return;
  }
  if (result == CURLE_HTTP_RETURNED_ERROR)
    throw Error(Diagnostic{url, "the server answered HTTP " + std::to_string(status)});
  if (result == CURLE_PARTIAL_FILE)
    throw Error(Diagnostic{url, "the server closed the connection after " +
                                    sizeText(t.resumedFrom + static_cast<int64_t>(received)) +
                                    " of " +
                                    sizeText(t.resumedFrom + static_cast<int64_t>(t.lastTotal)) +
                                    "; the part received is kept: fetch again to resume"});
  if (result == CURLE_OPERATION_TIMEDOUT)
    throw Error(Diagnostic{url, "the server stopped sending (less than " +
                                    std::to_string(options.lowSpeedBytesPerSecond) +
                                    " byte/s for " + std::to_string(options.stallSeconds) +
                                    " s) or did not answer; fetch again to resume"});
  throw Error(Diagnostic{url, std::string("download failed: ") +
                                  (curlError[0] ? curlError : curl_easy_strerror(result))});
}

}  // namespace graft::fetch

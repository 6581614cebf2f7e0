#include "io/fetch/fetch_weights.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "graph/diagnostic.h"
#include "io/fetch/file_digest.h"
#include "io/keras_h5_reader.h"
#include "io/recognize.h"

namespace graft::fetch {
namespace fs = std::filesystem;

namespace {

std::string formatAlpha(double alpha) {
  std::ostringstream out;
  out << alpha;
  return out.str();
}

void removeQuietly(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

// Throws (after deleting the partial file) unless it is the file that was asked for.
// What the file at `path` is, checked against the request: the hash Keras publishes, or else
// the architecture, width and top its weights show. `problem` says what is wrong (empty: good).
std::string checkFile(const FetchRequest& request, const std::string& path, std::string& problem) {
  if (!request.expectedHash.empty()) {
    const DigestAlgorithm algorithm = digestAlgorithmFor(request.expectedHash);
    const std::string actual = fileDigestHex(path, algorithm);
    std::string expected = request.expectedHash;
    for (char& ch : expected) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (actual != expected)
      problem =
          std::string("has ") + digestName(algorithm) + " " + actual + ", expected " + expected;
    return std::string(digestName(algorithm)) + " " + actual;
  }
  try {
    const auto recognized = recognizeZooWeights(KerasH5Reader(path));
    if (!recognized)
      problem = "is not Keras weights of any zoo architecture";
    else if (recognized->options.architecture != request.expectedArchitecture)
      problem = "holds " + recognized->options.architecture + " weights, expected " +
                request.expectedArchitecture;
    else if (request.expectedAlpha &&
             std::abs(recognized->options.alpha - *request.expectedAlpha) > 1e-6)
      problem = "holds " + request.expectedArchitecture + " weights of alpha " +
                formatAlpha(recognized->options.alpha) + ", expected alpha " +
                formatAlpha(*request.expectedAlpha);
    else if (request.expectedTop && recognized->options.includeTop != *request.expectedTop)
      problem = std::string("holds ") + request.expectedArchitecture + " weights " +
                (recognized->options.includeTop ? "with" : "without") +
                " the classification top, expected them " +
                (*request.expectedTop ? "with" : "without");
  } catch (const Error& e) {
    problem = "cannot be read as Keras weights (truncated or not HDF5): " + std::string(e.what());
  }
  return "read as " + request.expectedArchitecture + " weights (Keras publishes no hash)";
}

std::string verify(const FetchRequest& request, const std::string& part) {
  std::string problem;
  const std::string check = checkFile(request, part, problem);
  if (!problem.empty()) {
    removeQuietly(part);
    throw Error(Diagnostic{request.fileName, "downloaded file (from " + request.url + ") " +
                                                 problem +
                                                 "; it was deleted, nothing was installed"});
  }
  return check;
}

// fsync, then rename: the cache never holds a half-written file under the real name.
void installAtomically(const std::string& part, const std::string& target) {
  const int fd = ::open(part.c_str(), O_RDONLY);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced) throw Error(Diagnostic{part, "cannot flush the download to disk"});
  std::error_code ec;
  fs::rename(part, target, ec);
  if (ec)
    throw Error(
        Diagnostic{target, "cannot move the verified download into place: " + ec.message()});
}

// Two downloads of one file (the start page and the banner, or the GUI and graft-cli) would
// append to the same .part: the second one is refused while the first holds this lock. An
// open-file-description lock, because it conflicts within one process too and stays apart from
// the flock() HDF5 takes when the check reads the file.
class PartialFileLock {
 public:
  explicit PartialFileLock(const std::string& part)
      : fd_(::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw Error(Diagnostic{part, "cannot create the partial download file"});
    struct flock whole = {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(fd_, F_OFD_SETLK, &whole) != 0) {
      ::close(fd_);
      throw Error(Diagnostic{part, "another download of this file is in progress"});
    }
  }
  ~PartialFileLock() { ::close(fd_); }  // closing releases the lock
  PartialFileLock(const PartialFileLock&) = delete;
  PartialFileLock& operator=(const PartialFileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

FetchRequest zooFetchRequest(const zoo::ZooOptions& options, const std::string& cacheDir,
                             const std::string& baseUrl) {
  if (!zoo::isArchitecture(options.architecture))
    throw Error(Diagnostic{"NAME", "unknown architecture '" + options.architecture + "'"});
  const auto published = publishedWeights(options);
  if (!published) {
    std::ostringstream why;
    why << "Keras publishes no weights for " << options.architecture;
    if (options.includeTop && options.classes != 1000)
      why << " with a " << options.classes << "-class top (only 1000 ImageNet classes)";
    else if (zoo::hasAlpha(options.architecture)) {
      why << " alpha " << options.alpha << " (";
      const auto alphas = zoo::publishedAlphas(options.architecture);
      for (size_t i = 0; i < alphas.size(); ++i)
        why << (i ? ", " : "") << alphas[alphas.size() - 1 - i];
      why << ")";
    }
    throw Error(
        Diagnostic{zoo::hasAlpha(options.architecture) ? "--alpha" : "--classes", why.str()});
  }
  FetchRequest request;
  request.url = downloadUrl(*published, baseUrl);
  request.cacheDir = cacheDir;
  request.fileName = published->fileName;
  request.expectedHash = published->hash;
  request.expectedArchitecture = zoo::canonicalArchitecture(options.architecture);
  if (zoo::hasAlpha(options.architecture)) request.expectedAlpha = options.alpha;
  request.expectedTop = options.includeTop;
  return request;
}

std::string partialPath(const FetchRequest& request) {
  return (fs::path(request.cacheDir) / (request.fileName + ".part")).string();
}

FetchResult fetchWeights(const FetchRequest& request, const ProgressCallback& progress,
                         const std::atomic<bool>* cancel) {
  const std::string target = (fs::path(request.cacheDir) / request.fileName).string();
  FetchResult result;
  result.path = target;
  // An installed file is checked as a download is: a truncated or damaged one (an interrupted
  // copy, a disk error) is replaced instead of being called installed, which left the user
  // with a model that would not open and no way to repair it through Graft.
  std::string damaged;
  if (fs::exists(target)) {
    const std::string check = checkFile(request, target, damaged);
    if (damaged.empty()) {
      result.alreadyInstalled = true;
      result.check = "already in the Keras cache (" + check + ")";
      return result;
    }
    result.replacedDamaged = target + ", which " + damaged;
  }
  std::error_code ec;
  fs::create_directories(request.cacheDir, ec);
  if (ec)
    throw Error(
        Diagnostic{request.cacheDir, "cannot create the Keras cache folder: " + ec.message()});
  const std::string part = partialPath(request);
  const PartialFileLock lock(part);
  try {
    downloadToFile(request.url, part, request.download, progress, cancel);
  } catch (const Error& e) {
    // Nothing arrived (a 404, no connection): leave no empty .part behind.
    if (fs::exists(part, ec) && fs::file_size(part, ec) == 0) removeQuietly(part);
    if (damaged.empty()) throw;
    throw Error(target + " is in the Keras cache but " + damaged +
                "; downloading it again failed: " + e.what() +
                " (delete the file, or copy a good one there)");
  } catch (...) {
    if (fs::exists(part, ec) && fs::file_size(part, ec) == 0) removeQuietly(part);
    throw;
  }
  try {
    result.check = verify(request, part);
  } catch (const Error& e) {
    if (damaged.empty()) throw;
    throw Error(target + " is in the Keras cache but " + damaged +
                "; the download to replace it failed its check too: " + e.what() +
                " (delete the file, or copy a good one there)");
  }
  installAtomically(part, target);
  return result;
}

}  // namespace graft::fetch

// A full disk for tests, loaded into a child process with LD_PRELOAD: writes to files under
// $GRAFT_DISK_FULL_DIR succeed until $GRAFT_DISK_FULL_BUDGET bytes have gone there in total;
// then, as on a real full disk, the write that crosses the budget is short and every later
// one fails with ENOSPC. Files elsewhere (stdout, logs outside that folder) are untouched, so
// the program under test takes its real error path and nothing else changes.
//
// Interposes the libc entry points HDF5's sec2 driver and POSIX code call (write, pwrite,
// pwrite64, writev). stdio's fwrite reaches the kernel through glibc's internal calls, which
// cannot be interposed; nothing Graft saves goes through stdio.
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mutex>

namespace {

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
using WritevFn = ssize_t (*)(int, const struct iovec*, int);

template <class Fn>
Fn real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

std::mutex budgetMutex;
long long bytesWritten = 0;

// True when fd is a file under the full folder (the path is resolved through /proc).
bool onFullDisk(int fd) {
  const char* dir = getenv("GRAFT_DISK_FULL_DIR");
  if (!dir || !*dir) return false;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  const size_t len = strlen(dir);
  return strncmp(target, dir, len) == 0 && (target[len] == '/' || target[len] == '\0');
}

long long budget() {
  const char* text = getenv("GRAFT_DISK_FULL_BUDGET");
  return text ? atoll(text) : 0;
}

// How many of `want` bytes may go to disk now: -1 (errno ENOSPC) when none.
ssize_t allowance(int fd, size_t want) {
  if (!onFullDisk(fd)) return static_cast<ssize_t>(want);
  std::lock_guard<std::mutex> lock(budgetMutex);
  const long long left = budget() - bytesWritten;
  if (left <= 0 && want > 0) {
    errno = ENOSPC;
    return -1;
  }
  const auto granted = static_cast<ssize_t>(want < static_cast<size_t>(left) ? want : left);
  bytesWritten += granted;
  return granted;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static const WriteFn next = real<WriteFn>("write");
  const ssize_t n = allowance(fd, count);
  return n < 0 ? -1 : next(fd, buf, static_cast<size_t>(n));
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static const PwriteFn next = real<PwriteFn>("pwrite");
  const ssize_t n = allowance(fd, count);
  return n < 0 ? -1 : next(fd, buf, static_cast<size_t>(n), offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  static const PwriteFn next = real<PwriteFn>("pwrite64");
  const ssize_t n = allowance(fd, count);
  return n < 0 ? -1 : next(fd, buf, static_cast<size_t>(n), offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static const WritevFn next = real<WritevFn>("writev");
  if (!onFullDisk(fd)) return next(fd, iov, iovcnt);
  // Rare on this path: write the vectors one by one under the same budget.
  ssize_t total = 0;
  for (int i = 0; i < iovcnt; ++i) {
    const ssize_t n = write(fd, iov[i].iov_base, iov[i].iov_len);
    if (n < 0) return total > 0 ? total : -1;
    total += n;
    if (static_cast<size_t>(n) < iov[i].iov_len) break;
  }
  return total;
}

}  // extern "C"

#include "cli/interrupt.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.h"

namespace graft::cli {

namespace {

// A signal handler may only touch lock-free atomics and async-signal-safe calls: the state is
// process-wide and fixed in size, filled before the handlers are installed.
std::atomic<bool> interrupted{false};
constexpr size_t kMaxFolders = 8;
std::array<std::atomic<int>, kMaxFolders> sweptFolders{};  // open descriptors, -1 when unused
char mark[48] = {};                                        // ".tmp-<pid>-"
alignas(8) char entries[8192];                             // getdents64's buffer

// linux_dirent64, as the kernel fills getdents64's buffer.
struct DirectoryEntry {
  uint64_t inode;
  int64_t offset;
  unsigned short length;
  unsigned char type;
  char name[1];
};

bool contains(const char* text, const char* part) {
  for (; *text; ++text) {
    size_t i = 0;
    while (part[i] && text[i] == part[i]) ++i;
    if (!part[i]) return true;
  }
  return false;
}

// Only async-signal-safe calls: lseek, getdents64 (a raw syscall), unlinkat.
void removeTemporaryFiles() {
  for (auto& slot : sweptFolders) {
    const int folder = slot.load();
    if (folder < 0 || !mark[0]) continue;
    ::lseek(folder, 0, SEEK_SET);
    long filled = 0;
    while ((filled = ::syscall(SYS_getdents64, folder, entries, sizeof entries)) > 0)
      for (long at = 0; at < filled;) {
        const auto* entry = reinterpret_cast<const DirectoryEntry*>(entries + at);
        if (entry->name[0] == '.' && contains(entry->name, mark))
          ::unlinkat(folder, entry->name, 0);
        at += entry->length;
      }
  }
}

extern "C" void sweepAndEnd(int signalNumber) {
  removeTemporaryFiles();
  std::signal(signalNumber, SIG_DFL);
  std::raise(signalNumber);
}

extern "C" void onInterrupt(int signalNumber) {
  interrupted.store(true);
  std::signal(signalNumber, sweepAndEnd);  // the second one ends the process at once
}

// Whether the process was started with the signal ignored (a background job of a
// non-interactive shell ignores SIGINT, nohup-like launchers SIGTERM): it stays ignored.
bool ignored(int signalNumber) {
  struct sigaction now {};
  return sigaction(signalNumber, nullptr, &now) == 0 && now.sa_handler == SIG_IGN;
}

// SIGINT and SIGTERM's handler outside an InterruptScope, and whether one lives (its own
// handler then stays, sweeping at the second signal).
void (*outsideScope)(int) = SIG_DFL;
bool insideScope = false;

}  // namespace

void onStopSignals(void (*handler)(int)) {
  for (const int signalNumber : {SIGINT, SIGTERM})
    if (!ignored(signalNumber)) std::signal(signalNumber, handler);
}

InterruptScope::InterruptScope() {
  interrupted.store(false);
  insideScope = true;
  onStopSignals(onInterrupt);
}

InterruptScope::~InterruptScope() {
  insideScope = false;
  onStopSignals(outsideScope);
}

const std::atomic<bool>* InterruptScope::flag() {
  return &interrupted;
}

TemporaryFileSweep::TemporaryFileSweep(const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  for (auto& slot : sweptFolders) slot.store(-1);
  std::strncpy(mark, temporaryFileMark().c_str(), sizeof mark - 1);
  std::vector<std::string> folders;
  for (const auto& file : files) {
    const fs::path target(fileSavedThrough(file));
    const std::string folder = target.has_parent_path() ? target.parent_path().string() : ".";
    bool known = false;
    for (const auto& f : folders) known = known || f == folder;
    if (!known && folders.size() < kMaxFolders) folders.push_back(folder);
  }
  for (size_t i = 0; i < folders.size(); ++i)
    sweptFolders[i].store(::open(folders[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  outsideScope = sweepAndEnd;
  if (!insideScope) onStopSignals(sweepAndEnd);
}

TemporaryFileSweep::~TemporaryFileSweep() {
  outsideScope = SIG_DFL;
  if (!insideScope) onStopSignals(SIG_DFL);
  for (auto& slot : sweptFolders)
    if (const int folder = slot.exchange(-1); folder >= 0) ::close(folder);
}

}  // namespace graft::cli

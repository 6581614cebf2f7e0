#include "cli/interrupt.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.h"

namespace graft::cli {

namespace {

// A signal handler may only touch lock-free atomics and async-signal-safe calls: the state is
// process-wide and fixed in size, filled before the handlers are installed.
std::atomic<bool> interrupted{false};
constexpr size_t kMaxFolders = 8;
// Open descriptors of the folders to sweep; -1 when unused.
std::array<std::atomic<int>, kMaxFolders> sweptFolders = {-1, -1, -1, -1, -1, -1, -1, -1};
char mark[80] = {};             // temporaryFileMark(), copied before any handler can read it
alignas(8) char entries[8192];  // getdents64's buffer, used by one handler at a time
std::atomic_flag sweeping = ATOMIC_FLAG_INIT;  // SIGINT and SIGTERM on two threads: one sweeps
bool sweepLives = false;
// Signals that end the process which a TemporaryFileSweep also sweeps for (never a stop asked
// of a run: only SIGINT and SIGTERM are).
constexpr int kAlsoEnding[] = {SIGHUP, SIGQUIT};

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
  if (sweeping.test_and_set()) return;
  for (auto& slot : sweptFolders) {
    const int folder = slot.load();
    if (folder < 0 || !mark[0]) continue;
    ::lseek(folder, 0, SEEK_SET);
    long filled = 0;
    while ((filled = ::syscall(SYS_getdents64, folder, entries, sizeof entries)) > 0)
      for (long at = 0; at < filled;) {
        const auto* entry = reinterpret_cast<const DirectoryEntry*>(entries + at);
        if (entry->length == 0) break;  // never from a kernel; no endless loop in a handler
        if (entry->name[0] == '.' && contains(entry->name, mark))
          ::unlinkat(folder, entry->name, 0);
        at += entry->length;
      }
  }
}

// sigaction (async-signal-safe) with SIGINT and SIGTERM blocked while the handler runs.
void install(int signalNumber, void (*handler)(int),
             void (*informed)(int, siginfo_t*, void*) = nullptr) {
  struct sigaction action {};
  if (informed) {
    action.sa_sigaction = informed;
    action.sa_flags = SA_SIGINFO;
  } else {
    action.sa_handler = handler;
  }
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGHUP);
  sigaddset(&action.sa_mask, SIGQUIT);
  sigaction(signalNumber, &action, nullptr);
}

// Ends the process as the signal would (delivered when the handler returns), the temporary
// files gone. A writer on another thread may recreate one in between: a narrow window.
extern "C" void sweepAndEnd(int signalNumber) {
  removeTemporaryFiles();
  install(signalNumber, SIG_DFL);
  std::raise(signalNumber);
}

// GNU timeout sends its signal twice, to the process and then to its process group,
// microseconds apart (other supervisors do alike): the same sender within a second asks for
// the same stop, not for an end at once.
constexpr int64_t kSameRequestNanoseconds = 1'000'000'000;
std::atomic<pid_t> firstSender{0};
std::atomic<int64_t> firstSignalAt{0};

int64_t monotonicNanoseconds() {  // clock_gettime is async-signal-safe
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

pid_t senderOf(const siginfo_t* info) {
  return info && info->si_code <= 0 ? info->si_pid : 0;  // sent by kill(): a process's
}

extern "C" void onSecondSignal(int signalNumber, siginfo_t* info, void*) {
  const pid_t sender = senderOf(info);
  if (sender != 0 && sender == firstSender.load() &&
      monotonicNanoseconds() - firstSignalAt.load() < kSameRequestNanoseconds)
    return;
  sweepAndEnd(signalNumber);
}

extern "C" void onInterrupt(int signalNumber, siginfo_t* info, void*) {
  firstSender.store(senderOf(info));
  firstSignalAt.store(monotonicNanoseconds());
  interrupted.store(true);
  install(signalNumber, nullptr, onSecondSignal);  // another one ends the process at once
}

// Whether the process was started with the signal ignored (a background job of a
// non-interactive shell ignores SIGINT, nohup-like launchers SIGTERM): it stays ignored.
bool ignored(int signalNumber) {
  struct sigaction now {};
  return sigaction(signalNumber, nullptr, &now) == 0 && now.sa_handler == SIG_IGN;
}

// Outside an InterruptScope SIGINT and SIGTERM end the process (sweeping where a
// TemporaryFileSweep lives), unless one repeats the stop just asked for: timeout's second
// signal can come after a quick stop has ended the scope.
void endOnStopSignals() {
  for (const int signalNumber : {SIGINT, SIGTERM})
    if (!ignored(signalNumber)) install(signalNumber, nullptr, onSecondSignal);
}

// Whether an InterruptScope lives (its own handler then stays, sweeping at the second signal).
bool insideScope = false;

}  // namespace

InterruptScope::InterruptScope() {
  interrupted.store(false);
  insideScope = true;
  for (const int signalNumber : {SIGINT, SIGTERM})
    if (!ignored(signalNumber)) install(signalNumber, nullptr, onInterrupt);
}

InterruptScope::~InterruptScope() {
  insideScope = false;
  endOnStopSignals();
}

const std::atomic<bool>* InterruptScope::flag() {
  return &interrupted;
}

TemporaryFileSweep::TemporaryFileSweep(const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  // One at a time: a nested sweep would replace the outer one's folders and, ending, its
  // handler.
  if (sweepLives) throw std::logic_error("TemporaryFileSweep scopes do not nest");
  sweepLives = true;
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
  if (!insideScope) endOnStopSignals();
  // A closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) ends the process too: no half file left
  // (a 47 MB hidden ONNX file stayed).
  for (const int signalNumber : kAlsoEnding)
    if (!ignored(signalNumber)) install(signalNumber, sweepAndEnd);
}

TemporaryFileSweep::~TemporaryFileSweep() {
  sweepLives = false;
  // Nothing to sweep now; a stop asked for a moment ago may still be repeated (timeout).
  if (!insideScope) endOnStopSignals();
  for (const int signalNumber : kAlsoEnding)
    if (!ignored(signalNumber)) install(signalNumber, SIG_DFL);
  for (auto& slot : sweptFolders)
    if (const int folder = slot.exchange(-1); folder >= 0) ::close(folder);
}

}  // namespace graft::cli

#pragma once
// Shared by the tests: where the real Keras fixtures are, scratch folders, running graft-cli.
#include <gtest/gtest.h>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/diagnostic.h"

namespace graft::test {

// ../shared/fixtures beside the checkout, and the checkout itself.
std::string fixturesDir();
std::string sourceDir();
// The graft-cli this build made.
std::string cliPath();

// ../shared/fixtures/<relative>, or empty when that file is not there.
std::string fixture(const std::string& relative);

// Skips the current test with a message naming where it looked.
#define GRAFT_REQUIRE_FIXTURE(var, relative)                                                     \
  const std::string var = ::graft::test::fixture(relative);                                      \
  if (var.empty()) {                                                                             \
    GTEST_SKIP() << "fixture " << (relative) << " not found under "                              \
                 << ::graft::test::fixturesDir() << " (../shared/fixtures beside the checkout)"; \
  }                                                                                              \
  static_assert(true, "")

// A fresh folder removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// What `f` throws as graft::Error (its message), or "" when it returns.
inline std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The environment of a graft-cli whose Keras cache (KERAS_HOME) is the folder `keras` in `dir`,
// so a test neither reads nor fills the user's cache.
inline std::vector<std::string> kerasCacheIn(const TempDir& dir) {
  return {"KERAS_HOME=" + dir.file("keras")};
}

struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs graft-cli with the arguments (no shell involved); extra environment as NAME=VALUE.
CommandResult runCli(const std::vector<std::string>& args,
                     const std::vector<std::string>& environment = {});
// Runs any program the same way.
CommandResult runProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& environment = {});

// A program running alongside the test (distributed runs need several at once); output goes to
// files that finish() reads. The destructor kills (SIGKILL) and reaps it if it still runs.
class BackgroundProgram {
 public:
  BackgroundProgram(const std::string& program, const std::vector<std::string>& args,
                    const std::vector<std::string>& environment = {});
  ~BackgroundProgram();
  BackgroundProgram(const BackgroundProgram&) = delete;
  BackgroundProgram& operator=(const BackgroundProgram&) = delete;

  void signal(int signalNumber);
  // Its result once it exits, waiting at most `limit`; nullopt when it still runs then.
  std::optional<CommandResult> finish(std::chrono::milliseconds limit);

 private:
  TempDir scratch_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago (the kernel's choice).
int freeLoopbackPort();

}  // namespace graft::test

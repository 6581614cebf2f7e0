#include "support/test_support.h"

#include "support/disk_full.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace graft::test {

std::string fixturesDir() {
  return GRAFT_FIXTURES_DIR;
}

std::string sourceDir() {
  return GRAFT_SOURCE_DIR;
}

std::string cliPath() {
  return GRAFT_CLI_PATH;
}

std::string diskFullPreloadPath() {
  return GRAFT_DISK_FULL_PRELOAD;
}

std::string fixture(const std::string& relative) {
  const auto path = std::filesystem::path(fixturesDir()) / relative;
  return std::filesystem::exists(path) ? path.string() : std::string();
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("graft-test-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Forks and runs `program` with stdout and stderr going to those files.
pid_t startProgram(const std::string& program, const std::vector<std::string>& args,
                   const std::vector<std::string>& environment, const std::string& outPath,
                   const std::string& errPath) {
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(out, 1);
    dup2(err, 2);
    dup2(in, 0);
    for (const auto& e : environment) putenv(const_cast<char*>(e.c_str()));
    // A test run as a background job of a non-interactive shell would pass on SIGINT ignored:
    // the program starts as it would from a terminal.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

CommandResult resultOf(int status, const std::string& outPath, const std::string& errPath) {
  CommandResult r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(outPath);
  r.err = slurp(errPath);
  return r;
}

}  // namespace

CommandResult runProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& environment) {
  TempDir scratch;
  const std::string outPath = scratch.file("out"), errPath = scratch.file("err");
  const pid_t pid = startProgram(program, args, environment, outPath, errPath);
  int status = 0;
  waitpid(pid, &status, 0);
  return resultOf(status, outPath, errPath);
}

BackgroundProgram::BackgroundProgram(const std::string& program,
                                     const std::vector<std::string>& args,
                                     const std::vector<std::string>& environment)
    : pid_(startProgram(program, args, environment, scratch_.file("out"), scratch_.file("err"))) {}

BackgroundProgram::~BackgroundProgram() {
  if (reaped_ || pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
}

void BackgroundProgram::signal(int signalNumber) {
  if (!reaped_) kill(pid_, signalNumber);
}

std::optional<CommandResult> BackgroundProgram::finish(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return resultOf(status, scratch_.file("out"), scratch_.file("err"));
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int freeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

CommandResult runCli(const std::vector<std::string>& args,
                     const std::vector<std::string>& environment) {
  return runProgram(cliPath(), args, environment);
}

}  // namespace graft::test

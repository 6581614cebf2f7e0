#pragma once
// A small HTTP/1.1 server for download tests: a thread listening on 127.0.0.1 at an ephemeral
// port, serving files held in memory, honouring "Range: bytes=N-", and told to misbehave
// (404, a connection dropped midway, a stall) so the client's handling of each can be checked.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace graft::test {

class TestHttpServer {
 public:
  enum class Mode {
    Serve,        // 200, or 206 for a Range request
    NotFound,     // 404 for everything
    DropMidway,   // announces the full length, sends half of the body, closes
    Stall,        // announces the full length, sends nothing, keeps the connection open
    IgnoreRange,  // always 200 with the whole file
  };

  struct Request {
    std::string path;
    std::string range;  // the Range header's value, empty when absent
  };

  TestHttpServer();  // starts listening; throws std::runtime_error when it cannot
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  void serve(const std::string& path, std::string body);  // path starts with '/'
  void setMode(Mode mode) { mode_ = mode; }

  std::string baseUrl() const;  // "http://127.0.0.1:PORT/"
  std::vector<Request> requests() const;

 private:
  void run();
  void handle(int client);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<Mode> mode_{Mode::Serve};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::vector<Request> requests_;
  std::thread thread_;
};

// Deterministic bytes that are not all alike (a hash changes if any one is wrong).
std::string generatedBytes(size_t size, unsigned seed);

}  // namespace graft::test

#include "support/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>
#include <stdexcept>

namespace graft::test {

namespace {

bool sendAll(int socket, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(socket, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string headerValue(const std::string& head, const std::string& name) {
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key != name) continue;
    const auto start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

}  // namespace

std::string generatedBytes(size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& b : bytes) b = static_cast<char>(random() & 0xff);
  return bytes;
}

TestHttpServer::TestHttpServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("test server: socket() failed");
  const int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // the kernel picks a free port
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0) {
    ::close(listener_);
    throw std::runtime_error("test server: cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

TestHttpServer::~TestHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void TestHttpServer::serve(const std::string& path, std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  files_[path] = std::move(body);
}

std::string TestHttpServer::baseUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/";
}

std::vector<TestHttpServer::Request> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void TestHttpServer::run() {
  while (!stop_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;  // wakes up to notice stop_
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    handle(client);
    ::close(client);
  }
}

void TestHttpServer::handle(int client) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    pollfd readable{client, POLLIN, 0};
    if (::poll(&readable, 1, 2000) <= 0) return;
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
  std::istringstream firstLine(head.substr(0, head.find("\r\n")));
  std::string method, path;
  firstLine >> method >> path;
  const std::string range = headerValue(head, "range");
  std::string body;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back({path, range});
    const auto file = files_.find(path);
    if (file != files_.end()) body = file->second, found = true;
  }
  const Mode mode = mode_;
  if (mode == Mode::NotFound || !found) {
    sendAll(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  size_t from = 0;
  if (mode != Mode::IgnoreRange && range.rfind("bytes=", 0) == 0)
    from = static_cast<size_t>(std::stoull(range.substr(6)));
  if (from > body.size()) {
    sendAll(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                        std::to_string(body.size()) +
                        "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  const std::string rest = body.substr(from);
  std::string response = from > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n";
  if (from > 0)
    response += "Content-Range: bytes " + std::to_string(from) + "-" +
                std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n";
  response += "Content-Length: " + std::to_string(rest.size()) +
              "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
  if (!sendAll(client, response)) return;
  if (mode == Mode::DropMidway) {
    sendAll(client, rest.substr(0, rest.size() / 2));
    return;  // the caller closes the socket with the body unfinished
  }
  if (mode == Mode::Stall) {
    while (!stop_) {
      pollfd closed{client, POLLIN, 0};
      if (::poll(&closed, 1, 50) > 0 && ::recv(client, buffer, sizeof buffer, 0) <= 0) return;
    }
    return;
  }
  sendAll(client, rest);
}

}  // namespace graft::test

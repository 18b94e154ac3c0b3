#pragma once
// A registry stand-in for unit tests: answers GET /v2/ and the manifests it was given, on a
// free 127.0.0.1 port, from its own thread, until destroyed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

namespace bb::testing {

class FakeRegistry {
 public:
  std::map<std::string, std::string> manifests;  // path ("/v2/<repo>/manifests/<ref>") -> JSON

  FakeRegistry() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeRegistry() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char buffer[4096];
      ssize_t n = recv(client, buffer, sizeof buffer, 0);
      std::string request(buffer, n > 0 ? n : 0);
      auto start = request.find(' ') + 1;
      std::string path = request.substr(start, request.find(' ', start) - start);
      auto found = manifests.find(path);
      std::string body = path == "/v2/" ? "{}" : found == manifests.end() ? "" : found->second;
      std::string status = path == "/v2/" || found != manifests.end() ? "200 OK" : "404 Not Found";
      std::string reply =
          "HTTP/1.0 " + status + "\r\nContent-Type: application/json\r\n\r\n" + body;
      send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      close(client);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bb::testing

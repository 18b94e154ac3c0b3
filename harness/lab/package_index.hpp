#pragma once
// Serves a PEP 503 "simple" index from a folder on 127.0.0.1 for the length of
// a run, so hermetic builds install Python packages without PyPI.
#include <filesystem>
#include <memory>
#include <string>

namespace bb {

class PackageIndexServer {
 public:
  // root holds simple/; port 0 picks a free one.
  PackageIndexServer(const std::filesystem::path& root, int port);
  ~PackageIndexServer();
  PackageIndexServer(const PackageIndexServer&) = delete;
  PackageIndexServer& operator=(const PackageIndexServer&) = delete;
  std::string url() const;  // http://127.0.0.1:PORT/simple (the advertised port, when set)
  int port() const { return port_; }
  // Builds reach the index through a shaping proxy on this port (see RunNetwork).
  void advertise(int port) { advertised_port_ = port; }

 private:
  struct Child;
  std::unique_ptr<Child> child_;
  int port_ = 0;
  int advertised_port_ = 0;
};

}  // namespace bb

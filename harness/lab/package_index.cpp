#include "lab/package_index.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include <fmt/format.h>
#include <boost/process.hpp>

#include "util/error.hpp"

namespace bb {
namespace bp = boost::process;

struct PackageIndexServer::Child {
  bp::child process;
};

namespace {

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw EnvironmentError("cannot find a free port on 127.0.0.1 for the package index");
  }
  int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

bool answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

}  // namespace

PackageIndexServer::PackageIndexServer(const std::filesystem::path& root, int port) {
  if (!std::filesystem::is_directory(root / "simple")) {
    throw EnvironmentError(
        fmt::format("package index '{}' has no simple/ folder; build it with scripts/make-index",
                    root.string()));
  }
  port_ = port == 0 ? free_loopback_port() : port;
  if (port != 0 && answers(port_)) {
    throw EnvironmentError(fmt::format(
        "port 127.0.0.1:{} for the package index is taken; stop what listens there or set "
        "index_port in the suite",
        port_));
  }
  auto python = bp::search_path("python3");
  if (python.empty()) throw EnvironmentError("python3 not found; it serves the package index");
  std::error_code error;
  child_ = std::make_unique<Child>(Child{
      bp::child(python,
                bp::args({"-m", "http.server", "--bind", "127.0.0.1", std::to_string(port_),
                          "--directory", root.string()}),
                bp::std_out > bp::null, bp::std_err > bp::null, bp::std_in < bp::null, error)});
  if (error) throw EnvironmentError("cannot start the package index server: " + error.message());
  for (int i = 0; i < 100; ++i) {
    if (answers(port_)) return;
    std::error_code ignored;
    if (!child_->process.running(ignored)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw EnvironmentError(fmt::format("package index server on 127.0.0.1:{} did not answer", port_));
}

PackageIndexServer::~PackageIndexServer() {
  if (child_) {
    std::error_code ignored;
    child_->process.terminate(ignored);
    child_->process.wait(ignored);
  }
}

std::string PackageIndexServer::url() const {
  return fmt::format("http://127.0.0.1:{}/simple", advertised_port_ ? advertised_port_ : port_);
}

}  // namespace bb

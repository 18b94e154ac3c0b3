#pragma once
// A Docker daemon of the test's own: its own socket, data root, exec root and pid file under
// a scratch folder, so a test that kills a daemon never touches the machine's. Killed by pid.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include <boost/process.hpp>

#include "util/process.hpp"

namespace bb::e2e {

namespace proc {
inline std::string read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}
inline pid_t parent_of(pid_t pid) {
  // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'.
  std::string stat = read_first_line("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  pid_t parent = 0;
  rest >> state >> parent;
  return parent;
}
}  // namespace proc

// Whether a process named `name` runs (below `ancestor`, when given): how a test knows that
// a build has reached its RUN step without sleeping a fixed time.
inline bool process_running(const std::string& name, pid_t ancestor = 0) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string id = entry.path().filename().string();
    if (id.find_first_not_of("0123456789") != std::string::npos) continue;
    if (proc::read_first_line(entry.path() / "comm") != name) continue;
    if (ancestor == 0) return true;
    for (pid_t p = std::stoi(id); p > 1; p = proc::parent_of(p)) {
      if (p == ancestor) return true;
    }
  }
  return false;
}

// Polls `condition` until it holds or `limit` passes; returns whether it held.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

struct DaemonOptions {
  bool containerd_store = false;  // the containerd image store (cache export on docker driver)
};

class OwnDaemon {
 public:
  // Starts dockerd and copies `images` into it from the machine's daemon.
  explicit OwnDaemon(const std::vector<std::string>& images, DaemonOptions options = {}) {
    namespace bp = boost::process;
    static int count = 0;  // two daemons of one test get folders of their own
    dir_ = std::filesystem::path("/tmp") /
           ("bb-dockerd-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    std::filesystem::create_directories(dir_);
    host_ = "unix://" + (dir_ / "sock").string();
    std::ofstream(dir_ / "daemon.json")
        << (options.containerd_store ? R"({"features": {"containerd-snapshotter": true}})" : "{}");
    child_ = bp::child(bp::search_path("dockerd"), "--data-root", (dir_ / "root").string(),
                       "--exec-root", (dir_ / "exec").string(), "--pidfile",
                       (dir_ / "pid").string(), "-H", host_, "--bridge=none", "--iptables=false",
                       "--ip-masq=false", "--config-file", (dir_ / "daemon.json").string(),
                       bp::std_out > (dir_ / "log").string(),
                       bp::std_err > (dir_ / "err.log").string(), bp::std_in < bp::null);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!answers() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (const auto& image : images) {
      auto tar = (dir_ / "image.tar").string();
      run_process({{"docker", "save", "-o", tar, image}});
      docker({"load", "-i", tar});
      std::filesystem::remove(tar);
    }
  }
  ~OwnDaemon() {
    stop(SIGTERM);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  OwnDaemon(const OwnDaemon&) = delete;
  OwnDaemon& operator=(const OwnDaemon&) = delete;

  const std::string& host() const { return host_; }
  bool answers() const { return docker({"info"}).exit_code == 0; }
  pid_t pid() const { return child_.id(); }
  // Sends `signal` to this daemon (by pid) and waits until it has exited.
  void stop(int signal) {
    if (!child_.running()) return;
    ::kill(child_.id(), signal);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (child_.running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (child_.running()) ::kill(child_.id(), SIGKILL);
    child_.wait();
  }
  // Whether a process named `name` runs below this daemon (e.g. inside one of its builds).
  bool runs_descendant(const std::string& name) const { return process_running(name, child_.id()); }
  ProcessResult docker(std::vector<std::string> args) const {
    ProcessOptions options;
    options.argv = {"docker", "-H", host_};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.timeout = std::chrono::minutes(5);
    return run_process(options);
  }

 private:
  std::filesystem::path dir_;
  std::string host_;
  boost::process::child child_;
};

}  // namespace bb::e2e

#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/interrupt.hpp"

namespace bb {

FileLock::FileLock(const std::filesystem::path& path, bool wait,
                   const std::function<void(const std::string&)>& on_wait) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw EnvironmentError(fmt::format("cannot open lock file '{}'", path.string()));
  }
  bool told = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buffer[256] = {};
    ssize_t n = ::pread(fd_, buffer, sizeof buffer - 1, 0);
    std::string holder = n > 0 ? std::string(buffer, n) : "another process";
    if (!wait) {
      ::close(fd_);
      fd_ = -1;
      throw EnvironmentError(fmt::format(
          "the Docker daemon is in use by another buildbench run ({}); two runs on one daemon "
          "spoil each other's timings and caches. Wait for it, or drop --no-wait to queue",
          holder));
    }
    if (!told && on_wait) {
      on_wait(holder);
      told = true;
    }
    if (interrupt::requested()) {
      ::close(fd_);
      fd_ = -1;
      throw Interrupted();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::string note = fmt::format("pid {}", ::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] auto written = ::pwrite(fd_, note.data(), note.size(), 0);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

std::string current_docker_host() {
  const char* host = std::getenv("DOCKER_HOST");
  return host && *host ? host : "unix:///var/run/docker.sock";
}

std::filesystem::path daemon_lock_path(const std::string& host) {
  return std::filesystem::temp_directory_path() /
         fmt::format("buildbench-daemon-{:016x}.lock", std::hash<std::string>{}(host));
}

std::filesystem::path daemon_lock_path() {
  return daemon_lock_path(current_docker_host());
}

}  // namespace bb

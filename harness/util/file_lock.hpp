#pragma once
// An advisory lock on a file (flock), released when the object goes or the process dies.
#include <filesystem>
#include <functional>
#include <string>

namespace bb {

class FileLock {
 public:
  // Takes the lock; when another process holds it: throws EnvironmentError if !wait,
  // otherwise calls on_wait once with the holder's note and waits (Ctrl-C still works).
  FileLock(const std::filesystem::path& path, bool wait,
           const std::function<void(const std::string& holder)>& on_wait = {});
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// The lock file for one Docker daemon (from DOCKER_HOST, or the default socket).
std::filesystem::path daemon_lock_path();
// The lock file for the daemon at `host` (a DOCKER_HOST value).
std::filesystem::path daemon_lock_path(const std::string& host);
// The DOCKER_HOST the docker CLI uses here (the default socket when unset).
std::string current_docker_host();

}  // namespace bb

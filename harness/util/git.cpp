#include "util/git.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

ProcessResult run_git(const std::filesystem::path& dir, const std::vector<std::string>& args,
                      const GitOptions& git) {
  ProcessOptions options;
  options.argv = {"git", "-C", dir.string()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.timeout = git.timeout;
  options.ignore_interrupt = git.cleanup;
  return run_process(options);
}

GitResult read_git(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  try {
    auto result = run_git(dir, args);
    if (result.ok()) return {true, std::string(trim(result.out))};
    std::string err(trim(result.err));
    return {false, err.substr(0, err.find('\n'))};
  } catch (const EnvironmentError& error) {
    return {false, error.what()};  // no git on this host
  }
}

}  // namespace bb

#include "docker/cli_engine.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "docker/image_archive.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

CliDockerEngine::CliDockerEngine(std::string builder, std::string host)
    : builder_(std::move(builder)), host_(std::move(host)) {
  if (builder_.empty()) return;
  ProcessOptions options;
  options.argv = {"docker", "buildx", "inspect", "--builder", builder_};
  options.timeout = 60s;
  auto result = run_process(options);
  if (!result.ok()) {
    throw UsageError(
        fmt::format("--builder '{}': no such buildx builder ({}); list them with "
                    "'docker buildx ls'",
                    printable(builder_), trim(result.err)));
  }
  std::smatch match;
  std::string text = result.out;
  if (std::regex_search(text, match, std::regex(R"(Driver:\s*(\S+))")) && match[1] == "docker") {
    context_ = builder_;  // the docker driver only answers through its context
  }
}

std::vector<std::string> CliDockerEngine::docker(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv = {"docker"};
  // A docker-driver builder is a daemon reached through its context: every call goes there.
  if (!context_.empty()) argv.insert(argv.end(), {"--context", context_});
  if (!host_.empty()) argv.insert(argv.end(), {"--host", host_});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> CliDockerEngine::buildx(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv = docker({"buildx"});
  std::size_t at = argv.size() + 1;
  argv.insert(argv.end(), args.begin(), args.end());
  // `docker builder prune` would always target the default builder; pass ours everywhere.
  if (!builder_.empty() && context_.empty()) {
    argv.insert(argv.begin() + at, {"--builder", builder_});
  }
  return argv;
}

std::vector<std::string> CliDockerEngine::build_argv(const BuildRequest& request,
                                                     const std::string& metadata_file) const {
  std::vector<std::string> argv = buildx({"build"});
  for (const auto& arg :
       std::vector<std::string>{"--progress=rawjson", "--metadata-file", metadata_file, "--file",
                                request.dockerfile.string()}) {
    argv.push_back(arg);
  }
  if (!request.target.empty()) {
    argv.push_back("--target");
    argv.push_back(request.target);
  }
  if (!request.network.empty()) {
    argv.push_back("--network");
    argv.push_back(request.network);
  }
  for (const auto& [key, value] : request.build_args) {
    argv.push_back("--build-arg");
    argv.push_back(key + "=" + value);
  }
  for (const auto& secret : request.secrets) {
    argv.push_back("--secret");
    argv.push_back(secret);
  }
  for (const auto& from : request.cache_from) argv.insert(argv.end(), {"--cache-from", from});
  for (const auto& to : request.cache_to) argv.insert(argv.end(), {"--cache-to", to});
  argv.push_back("--tag");
  argv.push_back(request.tag);
  if (!builder_.empty() && context_.empty()) argv.push_back("--load");  // non-docker drivers
  argv.push_back(request.context.string());
  return argv;
}

namespace {

// The images the build's FROM lines named, from BuildKit's "load metadata for" steps.
std::vector<std::string> base_images_of(const std::vector<BuildStep>& steps) {
  static const std::regex metadata_for(R"(load metadata for (\S+))");
  std::vector<std::string> images;
  for (const auto& step : steps) {
    std::smatch match;
    if (std::regex_search(step.name, match, metadata_for)) images.push_back(match[1]);
  }
  return images;
}

// Why a build failed, in one paragraph: buildx's error lines, each failed step with the
// last lines of its log, and a timeout or interrupt first.
std::string build_error(const RawJsonParser& parser, const BuildOutcome& outcome,
                        const ProcessResult& result, std::chrono::milliseconds timeout) {
  std::string error;
  for (const auto& line : parser.text_lines()) {
    if (line.rfind("ERROR", 0) == 0 || line.find("error") != std::string::npos) {
      error += line + "\n";
    }
  }
  for (const auto& step : outcome.steps) {
    if (step.error.empty()) continue;
    error += fmt::format("step '{}' failed: {}\n", step.name, step.error);
    auto tail = trim(step.log_tail);
    if (tail.empty()) continue;
    auto lines = split(tail, '\n');
    std::size_t from = lines.size() > 15 ? lines.size() - 15 : 0;
    for (std::size_t i = from; i < lines.size(); ++i) error += "  | " + lines[i] + "\n";
  }
  if (outcome.timed_out) {
    error = fmt::format("build timed out after {} and was killed\n{}",
                        format_seconds(timeout.count() / 1000.0), error);
  } else if (outcome.interrupted) {
    error = "build interrupted (SIGINT/SIGTERM)\n" + error;
  }
  if (error.empty()) error = result.tail_text();
  if (error.empty()) error = fmt::format("docker buildx build exited {}", result.exit_code);
  return std::string(trim(error));
}

}  // namespace

BuildOutcome CliDockerEngine::build(const BuildRequest& request) {
  auto metadata =
      fs::temp_directory_path() / fmt::format("buildbench-meta-{}-{}.json", getpid(), std::rand());
  RawJsonParser parser;
  ProcessOptions options;
  options.argv = build_argv(request, metadata.string());
  options.timeout = request.timeout;
  options.on_stderr_line = [&](std::string_view line) {
    parser.feed(line);
    parser.feed("\n");
    if (request.on_progress) request.on_progress(parser);
    return LineAction::kContinue;
  };
  auto result = run_process(options);
  parser.finish();
  std::error_code ignored;
  fs::remove(metadata, ignored);

  BuildOutcome outcome;
  outcome.exit_code = result.exit_code;
  outcome.timed_out = result.timed_out;
  outcome.interrupted = result.interrupted;
  outcome.seconds = result.seconds();
  outcome.steps = parser.steps();
  outcome.metrics = parser.metrics();
  outcome.ok = result.ok();
  outcome.base_images = base_images_of(outcome.steps);
  if (!outcome.ok) outcome.error = build_error(parser, outcome, result, request.timeout);
  if (outcome.ok) {
    if (auto info = inspect_image(request.tag)) outcome.image_id = info->id;
  }
  return outcome;
}

void CliDockerEngine::prune_build_cache() {
  run_checked(buildx({"prune", "--all", "--force"}), 10min);
}

void CliDockerEngine::remove_image(const std::string& ref) {
  ProcessOptions options;
  options.argv = docker({"image", "rm", "--force", ref});
  options.timeout = 5min;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  if (!result.ok() && result.err.find("No such image") == std::string::npos) {
    throw EnvironmentError(fmt::format("cannot remove image '{}': {}", ref, trim(result.err)));
  }
}

std::vector<std::string> CliDockerEngine::image_refs() {
  auto out = run_checked(docker({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"}), 1min);
  std::vector<std::string> refs;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.find("<none>") == std::string::npos) refs.push_back(line);
  }
  return refs;
}

void CliDockerEngine::remove_if_unused(const std::string& image_id) {
  ProcessOptions options;
  // `docker image rm ID` would untag an image that one other tag still names and delete it:
  // only an image with no tag left is removed (a container still holding it makes rm refuse).
  options.argv = docker({"image", "inspect", "--format", "{{len .RepoTags}}", image_id});
  options.timeout = 1min;
  auto tags = run_process(options);
  if (tags.interrupted) throw Interrupted();
  if (!tags.ok() || trim(tags.out) != "0") return;
  options.argv = docker({"image", "rm", image_id});
  options.timeout = 5min;
  if (run_process(options).interrupted) throw Interrupted();
}

std::optional<ImageInfo> CliDockerEngine::inspect_image(const std::string& ref) {
  ProcessOptions options;
  options.argv = docker({"image", "inspect", "--format", "{{json .}}", ref});
  options.timeout = 2min;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  if (!result.ok()) {
    if (result.err.find("No such") != std::string::npos) return std::nullopt;
    throw EnvironmentError(
        fmt::format("docker image inspect {} failed: {}", ref, trim(result.err)));
  }
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  if (json.is_discarded()) throw EnvironmentError("docker image inspect printed invalid JSON");
  ImageInfo info;
  info.id = json.value("Id", "");
  info.size_bytes = json.value("Size", std::int64_t{0});
  const auto& config = json.value("Config", nlohmann::json::object());
  if (!config.is_object()) return info;
  // Named copies: a range-for over a temporary's items() would outlive the temporary.
  const auto labels = config.value("Labels", nlohmann::json::object());
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) info.labels[key] = value.get<std::string>();
  }
  auto strings = [&](const char* key) {
    std::vector<std::string> values;
    const auto array = config.value(key, nlohmann::json::array());
    if (!array.is_array()) return values;
    for (const auto& value : array) {
      if (value.is_string()) values.push_back(value.get<std::string>());
    }
    return values;
  };
  info.env = strings("Env");
  info.entrypoint = strings("Entrypoint");
  info.cmd = strings("Cmd");
  return info;
}

std::vector<LayerStats> CliDockerEngine::layer_stats(const std::string& ref) {
  ImageArchiveStats stats(&layer_cache_);
  ProcessOptions options;
  options.argv = docker({"image", "save", ref});
  options.timeout = 30min;
  std::string stream_error;
  options.on_stdout_bytes = [&](std::string_view bytes) {
    if (!stream_error.empty()) return;
    try {
      stats.feed(bytes);
    } catch (const std::exception& error) {
      stream_error = error.what();
    }
  };
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  if (!result.ok()) {
    throw EnvironmentError(fmt::format("docker image save {} failed: {}", ref, trim(result.err)));
  }
  if (!stream_error.empty()) {
    throw EnvironmentError(fmt::format("cannot read docker save output: {}", stream_error));
  }
  return stats.finish();
}

namespace {

TransferOutcome transfer(const std::vector<std::string>& argv, const std::string& what) {
  ProcessOptions options;
  options.argv = argv;
  options.timeout = std::chrono::minutes(30);
  auto result = run_process(options);
  TransferOutcome outcome;
  outcome.ok = result.ok();
  outcome.interrupted = result.interrupted;
  outcome.seconds = result.seconds();
  // Non-terminal output: one "<12 hex>: Pushed" line per layer the registry did not hold.
  static const std::regex pushed(R"(^([0-9a-f]{12}): Pushed\s*$)");
  for (const auto& line : split(result.out, '\n')) {
    std::smatch match;
    if (std::regex_match(line, match, pushed)) outcome.uploaded.push_back(match[1]);
  }
  if (!outcome.ok) {
    outcome.error = fmt::format("{} failed: {}", what,
                                trim(result.err.empty() ? result.tail_text() : result.err));
  }
  return outcome;
}

}  // namespace

TransferOutcome CliDockerEngine::push_image(const std::string& image,
                                            const std::string& remote_ref) {
  run_checked(docker({"image", "tag", image, remote_ref}), std::chrono::minutes(1));
  auto outcome = transfer(docker({"image", "push", remote_ref}), "docker push " + remote_ref);
  ProcessOptions untag;
  untag.argv = docker({"image", "rm", remote_ref});  // the image itself stays
  untag.timeout = std::chrono::minutes(1);
  untag.ignore_interrupt = true;
  run_process(untag);
  return outcome;
}

TransferOutcome CliDockerEngine::pull_image(const std::string& remote_ref) {
  return transfer(docker({"image", "pull", remote_ref}), "docker pull " + remote_ref);
}

std::string CliDockerEngine::restore_image(const std::string& remote_ref,
                                           const std::string& local_ref) {
  std::vector<std::vector<std::string>> steps = {docker({"image", "pull", "--quiet", remote_ref}),
                                                 docker({"image", "tag", remote_ref, local_ref}),
                                                 docker({"image", "rm", remote_ref})};
  for (auto& argv : steps) {
    ProcessOptions options;
    options.argv = argv;
    options.timeout = std::chrono::minutes(30);
    options.ignore_interrupt = true;  // an interrupted run must not leave the image missing
    auto result = run_process(options);
    if (!result.ok())
      return fmt::format("{} failed: {}", fmt::join(argv, " "),
                         trim(result.err.empty() ? result.tail_text() : result.err));
  }
  return "";
}

namespace {

std::string read_text(const fs::path& path) {
  return read_text_file(path).value_or("");
}

std::string first_match(const std::string& text, const std::regex& pattern) {
  std::smatch match;
  return std::regex_search(text, match, pattern) ? std::string(trim(match[1].str())) : "";
}

nlohmann::json try_json(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.argv = argv;
  options.timeout = 60s;
  auto result = run_process(options);
  if (!result.ok()) return nullptr;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

std::string try_text(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.argv = argv;
  options.timeout = 60s;
  auto result = run_process(options);
  return result.ok() ? std::string(trim(result.out)) : "";
}

}  // namespace

std::optional<std::string> embedded_buildkit(std::string_view engine_version) {
  static const std::vector<std::pair<std::string, std::string>> lines = {
      {"20.10.", "v0.8.x"}, {"23.0.", "v0.10.x"}, {"24.0.", "v0.11.x"},
      {"25.0.", "v0.12.x"}, {"26.0.", "v0.13.x"}, {"26.1.", "v0.13.x"}};
  for (const auto& [engine, buildkit] : lines) {
    if (engine_version.rfind(engine, 0) == 0) return buildkit;
  }
  return std::nullopt;
}

nlohmann::json CliDockerEngine::fingerprint() {
  nlohmann::json fp;
  auto version = try_json(docker({"version", "--format", "{{json .}}"}));
  if (version.is_object()) {
    fp["docker_client"] = version["Client"].value("Version", "");
    if (version["Server"].is_object()) {
      fp["docker_server"] = version["Server"].value("Version", "");
      for (const auto& component : version["Server"].value("Components", nlohmann::json::array())) {
        std::string name = component.value("Name", "");
        if (name == "containerd" || name == "runc") fp[name] = component.value("Version", "");
      }
    }
  }
  auto info = try_json(docker({"info", "--format", "{{json .}}"}));
  if (info.is_object()) {
    fp["storage_driver"] = info.value("Driver", "");
    fp["docker_os"] = info.value("OperatingSystem", "");
    fp["docker_ncpu"] = info.value("NCPU", 0);
    fp["docker_mem_bytes"] = info.value("MemTotal", std::int64_t{0});
    // The containerd image store reports its snapshotter as the driver type.
    bool containerd_store = false;
    for (const auto& pair : info.value("DriverStatus", nlohmann::json::array())) {
      if (pair.is_array() && pair.size() == 2 && pair[0] == "driver-type" &&
          pair[1].get<std::string>().find("containerd.snapshotter") != std::string::npos) {
        containerd_store = true;
      }
    }
    fp["containerd_image_store"] = containerd_store;
  }
  fp["buildx"] = try_text({"docker", "buildx", "version"});
  std::string inspect = try_text(buildx({"inspect"}));
  fp["builder"] = first_match(inspect, std::regex(R"(Name:\s*(\S+))"));
  fp["builder_driver"] = first_match(inspect, std::regex(R"(Driver:\s*(\S+))"));
  fp["buildkit"] =
      first_match(inspect, std::regex(R"(BuildKit(?: version)?:\s*(\S+))", std::regex::icase));
  fp["buildkit_source"] = "builder";
  if (fp["buildkit"] == "" || fp["buildkit"] == "v0.0.0+unknown") {
    // Distribution builds (Debian's) are not stamped: name the release line the engine vendors.
    if (auto derived = embedded_buildkit(fp.value("docker_server", ""))) {
      fp["buildkit"] = *derived;
      fp["buildkit_source"] = "derived from the engine version (moby's vendor.mod of that release)";
    }
  }
  struct utsname uts {};
  if (uname(&uts) == 0) {
    fp["kernel"] = fmt::format("{} {}", uts.sysname, uts.release);
    fp["arch"] = uts.machine;
    fp["hostname"] = uts.nodename;
  }
  fp["cpu_model"] =
      first_match(read_text("/proc/cpuinfo"), std::regex(R"(model name\s*:\s*([^\n]+))"));
  fp["cores"] = std::thread::hardware_concurrency();
  auto mem_kb = first_match(read_text("/proc/meminfo"), std::regex(R"(MemTotal:\s*(\d+))"));
  fp["memory_bytes"] = mem_kb.empty() ? 0 : std::stoll(mem_kb) * 1024;
  return fp;
}

bool CliDockerEngine::ping() {
  ProcessOptions options;
  options.argv = docker({"version", "--format", "{{.Server.Version}}"});
  options.timeout = 20s;
  auto result = run_process(options);
  return result.ok() && !trim(result.out).empty();
}

void require_engine() {
  ProcessOptions options;
  options.argv = {"docker", "version", "--format", "{{.Server.Version}}"};
  options.timeout = 30s;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  if (!result.ok()) {
    throw EnvironmentError(
        fmt::format("no Docker engine answers ({}); start one with scripts/lab-dockerd, or run "
                    "'buildbench doctor'",
                    trim(result.err.empty() ? result.out : result.err)));
  }
}

}  // namespace bb

// The lab's stand-in reproduces what the tutorial's extra-1 turns on: pip reuses a wheel it
// built from source, kept in a cache mount, in a hash-checked install after a dependency edit
// (pip 23.1 and later; the stand-ins' Debian pip 23.0.1 built it again). Read from pip's own
// output, not from a timing.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "lab/package_index.hpp"
#include "util/text.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

namespace {

// pqinfo: a C extension of the lab's index, built from its sdist against libpq.
constexpr const char* kPqinfo =
    "pqinfo==1.0.0 \\\n"
    "    --hash=sha256:c2c4dcbfef67352e04b090e5e3143a8585026a5573fbde0516a5ad95ea664b00\n";
constexpr const char* kMultipart =
    "python-multipart==0.0.5 \\\n"
    "    --hash=sha256:749ec99f5a8af01785938ff2c148acd69f9214f5baff760913c7377f0d747d77\n"
    "six==1.16.0 \\\n"
    "    --hash=sha256:65dc4ba302154cf193fd7d438e95dbb09459fb1f015300be49623cabd7b00b84\n";

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

ProcessResult build(const fs::path& context, const std::string& index_url, const std::string& tag) {
  ProcessOptions options;
  options.argv = {"docker",     "buildx",      "build",
                  "--progress", "plain",       "--network",
                  "host",       "--build-arg", "PIP_INDEX_URL=" + index_url,
                  "--tag",      tag,           context.string()};
  options.timeout = std::chrono::minutes(10);
  return run_process(options);
}

}  // namespace

TEST_CASE(
    "stand-ins: a wheel built from source is reused from the cache mount after a "
    "dependency edit, hash-checked") {
  fs::path index = source_dir() / ".cache/index";
  INFO("the lab's package index is made by scripts/make-index (scripts/setup runs it)");
  REQUIRE(fs::exists(index / "simple/pqinfo"));
  PackageIndexServer server(index, 0);

  // A cache mount and layers of this test's own: nothing an earlier build left can serve it.
  std::string nonce = random_hex(12);
  fs::path context = fs::temp_directory_path() / ("bb-wheel-cache-" + nonce);
  fs::create_directories(context);
  write(context / "Dockerfile",
        fmt::format("FROM python:3.11\n"
                    "ARG PIP_INDEX_URL\n"
                    "ENV BUILDBENCH_TEST={0}\n"
                    "COPY requirements.txt .\n"
                    "RUN --mount=type=cache,id=bb-wheel-cache-{0},target=/root/.cache/pip \\\n"
                    "    pip install --require-hashes -r requirements.txt\n",
                    nonce));
  std::string tag = "buildbench-test/wheel-cache:" + nonce;

  write(context / "requirements.txt", kPqinfo);
  auto first = build(context, server.url(), tag);
  INFO(first.out + first.err);
  REQUIRE(first.ok());
  std::string first_log = first.out + first.err;
  CHECK(first_log.find("Building wheel for pqinfo") != std::string::npos);

  // The dependency edit: two more packages; pqinfo's pin and hash unchanged.
  write(context / "requirements.txt", std::string(kPqinfo) + kMultipart);
  auto second = build(context, server.url(), tag);
  std::string second_log = second.out + second.err;
  INFO(second_log);
  REQUIRE(second.ok());
  CHECK(second_log.find("Successfully installed") != std::string::npos);
  CHECK(second_log.find("pqinfo-1.0.0") != std::string::npos);
  CHECK(second_log.find("Building wheel for pqinfo") == std::string::npos);

  ProcessOptions remove;
  remove.argv = {"docker", "image", "rm", "--force", tag};
  remove.timeout = std::chrono::minutes(1);
  run_process(remove);
  fs::remove_all(context);
}

// Stored names read back as typed values: unknown text is an error naming run and column.
#include "store/columns.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "store/store.hpp"
#include "util/error.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

// The message of the UsageError that `read` throws, or "" when it throws none.
template <typename Read>
std::string usage_error(Read read) {
  try {
    read();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("store columns: known names read back as their values") {
  CHECK(stored_sample_kind("build", 1, "samples.kind") == SampleKind::kBuild);
  CHECK(stored_sample_kind("startup", 1, "summaries.kind") == SampleKind::kStartup);
  CHECK(stored_sample_status("ok", 1) == SampleStatus::kOk);
  CHECK(stored_sample_status("failed", 1) == SampleStatus::kFailed);
  CHECK(stored_sample_status("interrupted", 1) == SampleStatus::kInterrupted);
}

TEST_CASE("store columns: an unknown name is an error naming the run, the column and the text") {
  auto kind = usage_error([] { stored_sample_kind("bulid", 42, "summaries.kind"); });
  CHECK(kind.find("run 42") != std::string::npos);
  CHECK(kind.find("summaries.kind") != std::string::npos);
  CHECK(kind.find("'bulid'") != std::string::npos);
  auto status = usage_error([] { stored_sample_status("", 7); });
  CHECK(status.find("run 7") != std::string::npos);
  CHECK(status.find("samples.status") != std::string::npos);
}

TEST_CASE("store columns: a sample whose stored kind is unknown fails the read, not defaults") {
  fs::path dir = fs::temp_directory_path() / ("bb-columns-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / "b.db";
  std::int64_t id = 0;
  {
    Store store(path, Store::Mode::kReadWrite);
    RunRecord run;
    run.suite_name = "s";
    id = store.begin_run(run);
    Sample sample;
    sample.scenario = "a";
    sample.state = "cold";
    store.add_sample(id, sample);
    // The text written is the name, unchanged.
    SQLite::Statement stored(store.database(), "SELECT kind, status FROM samples");
    REQUIRE(stored.executeStep());
    CHECK(stored.getColumn(0).getString() == "build");
    CHECK(stored.getColumn(1).getString() == "ok");
    store.database().exec("UPDATE samples SET kind = 'container'");
  }
  Store store(path, Store::Mode::kReadOnly);
  auto message = usage_error([&] { store.samples({id}); });
  CHECK(message.find("run " + std::to_string(id)) != std::string::npos);
  CHECK(message.find("samples.kind") != std::string::npos);
  CHECK(message.find("'container'") != std::string::npos);
  fs::remove_all(dir);
}

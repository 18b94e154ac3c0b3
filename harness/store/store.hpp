#pragma once
// The store: runs, scenarios, samples (with metrics and build steps), images and their
// layers, and the pairs of A/B sessions, in an SQLite file (the default) or a PostgreSQL
// database (a postgresql:// URL). Every sample is committed, in one transaction, as soon as
// it is taken.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/group_key.hpp"
#include "model/image.hpp"
#include "model/run.hpp"

namespace SQLite {
class Database;
}

namespace bb {

namespace sql {
class Connection;
}

inline constexpr int kSchemaVersion = 5;
inline constexpr int kApplicationId = 0x62626e63;  // "bbnc"
inline constexpr int kSampleAttempts = 3;

class Store {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  // `path` is a file or a postgresql://USER@HOST:PORT/DATABASE URL (libpq options such as
  // ?sslmode=require pass through; a password in it is refused). Creates the file, or the
  // schema in the database, in kReadWrite mode when missing. Throws UsageError for a file or
  // database that is not buildbench's or has a newer schema, EnvironmentError for I/O and
  // connection faults.
  Store(const std::filesystem::path& path, Mode mode, int busy_timeout_ms = 10000);
  ~Store();
  Store(Store&&) noexcept;

  std::int64_t begin_run(RunRecord& run);
  // The same, inside a transaction the caller holds (merge).
  std::int64_t begin_run_in_transaction(RunRecord& run);
  std::int64_t add_sample_in_transaction(std::int64_t run_id, const Sample& sample);
  void add_image_in_transaction(const ImageRecord& image);
  nlohmann::json scenario_manifest(std::int64_t run_id, const std::string& name);

  // Summaries: what a run keeps of its samples after prune-history.
  struct SummaryRow {
    std::int64_t run_id = 0;
    MetricKey key;
    std::size_t count = 0, failures = 0;
    double median = 0, mean = 0, stddev = 0, mad = 0, min = 0, max = 0, ci_low = 0, ci_high = 0;
  };
  void add_summary(const SummaryRow& row);
  std::vector<SummaryRow> summaries(std::int64_t run_id);
  void copy_summaries(Store& from, std::int64_t from_run, std::int64_t to_run);
  // Stores the summaries and drops the run's raw samples, in one transaction.
  void vacuum();
  std::size_t prune_run(std::int64_t run_id, const std::vector<SummaryRow>& summaries);
  void finish_run(std::int64_t run_id, const std::string& status);
  // The groups the run's budget ended short of their target (replacing any stored before).
  void mark_short(std::int64_t run_id, const std::vector<ShortGroup>& groups);
  // Sets one key of the run's stored options (what a session learns of itself as it goes,
  // such as the look each claim's pairs stopped at), keeping the others.
  void set_run_option(std::int64_t run_id, const std::string& key, const nlohmann::json& value);
  // For --resume: the run is running again; samples cut short by an interrupt are dropped
  // (they are taken again).
  void reopen_run(std::int64_t run_id);
  void add_scenario(std::int64_t run_id, const std::string& name, int position,
                    const nlohmann::json& manifest);
  // One transaction; on PostgreSQL a connection the server cuts meanwhile (a restart) is
  // reopened and the sample written again, at most kSampleAttempts times, never twice.
  std::int64_t add_sample(std::int64_t run_id, const Sample& sample);
  bool has_image(const std::string& image_id);
  void add_image(const ImageRecord& image);

  std::vector<RunRecord> runs();
  std::optional<RunRecord> run(std::int64_t id);
  // Run ids for "latest", a number, or KEY=VALUE (all runs with that label).
  std::vector<std::int64_t> select_runs(const std::string& selector);
  // Build steps are loaded only when asked for (reports need them; compare does not).
  std::vector<StoredSample> samples(const std::vector<std::int64_t>& run_ids,
                                    bool with_steps = true);
  std::optional<ImageRecord> image(const std::string& image_id);
  // (run, group and metric, value) of successful, non-warm-up samples, for the given
  // (state, metric) pairs: what trend charts need, without loading whole runs.
  struct SeriesValue {
    std::int64_t run_id;
    MetricKey key;
    double value;
  };
  std::vector<SeriesValue> metric_series(
      const std::vector<std::int64_t>& run_ids,
      const std::vector<std::pair<std::string, std::string>>& pairs);
  // The same for these metrics in every state their samples (or summaries) have.
  std::vector<SeriesValue> metric_series_of(const std::vector<std::int64_t>& run_ids,
                                            const std::vector<std::string>& metrics);
  std::vector<std::pair<std::string, int>> scenarios(std::int64_t run_id);
  void add_pair(const PairRecord& pair);
  // Pairs whose baseline sample is in one of `baseline_runs` and candidate sample in one of
  // `candidate_runs`, in the order they were taken.
  std::vector<PairRecord> pairs(const std::vector<std::int64_t>& baseline_runs,
                                const std::vector<std::int64_t>& candidate_runs);
  std::vector<PairRecord> all_pairs();

  // The file, or the URL without any password.
  const std::filesystem::path& path() const { return path_; }
  std::string location() const { return path_.string(); }
  sql::Connection& connection() { return *db_; }
  // The SQLite handle of a file store (SQLite-only tools); throws std::logic_error for
  // PostgreSQL.
  SQLite::Database& database();

 private:
  // A sample whose commit's outcome a cut connection left unknown, if it is stored: the same
  // run, group, repetition, start and metrics.
  std::optional<std::int64_t> stored_sample_id(std::int64_t run_id, const Sample& sample);
  void finish_run_once(std::int64_t run_id, const std::string& status);
  void open_file(const std::filesystem::path& path, Mode mode, int busy_timeout_ms);
  void open_server(const std::string& url, Mode mode);
  void migrate();
  std::filesystem::path path_;
  std::unique_ptr<sql::Connection> db_;
};

// Where `db` (a --db value) is, for messages: a file made absolute, or a URL without any
// password.
std::string printable_location(const std::string& db);
// Whether `db` holds a store already: the file exists, or the server's database has the
// schema (connecting to find out; a password in the URL is refused).
bool store_exists(const std::string& db);

}  // namespace bb

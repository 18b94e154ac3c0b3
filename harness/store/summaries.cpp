// What a run keeps after prune-history (summaries) and the per-run series trend charts and
// nightly read, from samples or, for a pruned run, from its summaries.
#include "store/store.hpp"

#include "store/sql.hpp"

#include <cmath>
#include <set>

#include "model/metrics.hpp"
#include "store/columns.hpp"

namespace bb {

std::vector<Store::SeriesValue> Store::metric_series(
    const std::vector<std::int64_t>& run_ids,
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<SeriesValue> out;
  sql::Statement query(*db_,
                       "SELECT s.scenario, s.kind, m.value FROM samples s JOIN metrics m ON "
                       "m.sample_id "
                       "= s.id WHERE s.run_id = ? AND s.state = ? AND m.name = ? AND s.status "
                       "= 'ok' AND s.warmup = 0 ORDER BY s.scenario, s.kind, s.id");
  for (auto run_id : run_ids) {
    for (const auto& [state, metric] : pairs) {
      query.reset();
      query.bind(1, run_id);
      query.bind(2, state);
      query.bind(3, metric);
      bool any = false;
      while (query.step()) {
        any = true;
        auto kind = stored_sample_kind(query.column(1).text(), run_id, "samples.kind");
        out.push_back(
            {run_id, {{query.column(0).text(), kind, state}, metric}, query.column(2).real()});
      }
      if (!any) {
        // A pruned run keeps its medians in summaries.
        sql::Statement kept(*db_,
                            "SELECT scenario, kind, median FROM summaries WHERE run_id = ? AND "
                            "state "
                            "= ? AND metric = ? AND median IS NOT NULL ORDER BY scenario, kind");
        kept.bind(1, run_id);
        kept.bind(2, state);
        kept.bind(3, metric);
        while (kept.step()) {
          auto kind = stored_sample_kind(kept.column(1).text(), run_id, "summaries.kind");
          out.push_back(
              {run_id, {{kept.column(0).text(), kind, state}, metric}, kept.column(2).real()});
        }
      }
    }
  }
  return out;
}

std::vector<Store::SeriesValue> Store::metric_series_of(const std::vector<std::int64_t>& run_ids,
                                                        const std::vector<std::string>& metrics) {
  // Pairs only where a state's samples can carry the metric (builds or start-ups).
  std::set<std::pair<std::string, std::string>> pairs;
  sql::Statement states(*db_,
                        "SELECT DISTINCT kind, state FROM samples WHERE run_id = ? UNION "
                        "SELECT DISTINCT '', state FROM summaries WHERE run_id = ?");
  for (auto run_id : run_ids) {
    states.reset();
    states.bind(1, run_id);
    states.bind(2, run_id);
    while (states.step()) {
      std::string kind = states.column(0).text();
      for (const auto& metric : metrics) {
        const MetricInfo* info = find_metric(metric);
        if (kind.empty() || !info || to_string(info->sample_kind) == kind)
          pairs.insert({states.column(1).text(), metric});
      }
    }
  }
  return metric_series(
      run_ids, std::vector<std::pair<std::string, std::string>>(pairs.begin(), pairs.end()));
}

void Store::copy_summaries(Store& from, std::int64_t from_run, std::int64_t to_run) {
  for (auto summary : from.summaries(from_run)) {
    summary.run_id = to_run;
    add_summary(summary);
  }
}

void Store::add_summary(const SummaryRow& r) {
  sql::Statement insert(*db_, sql::replace_into(db_->dialect(), "summaries",
                                                {"run_id", "scenario", "kind", "state", "metric",
                                                 "count", "failures", "median", "mean", "stddev",
                                                 "mad", "min", "max", "ci_low", "ci_high"},
                                                {"run_id", "scenario", "kind", "state", "metric"}));
  insert.bind(1, r.run_id);
  insert.bind(2, r.key.group.scenario);
  insert.bind(3, std::string(to_string(r.key.group.kind)));
  insert.bind(4, r.key.group.state);
  insert.bind(5, r.key.metric);
  insert.bind(6, static_cast<std::int64_t>(r.count));
  insert.bind(7, static_cast<std::int64_t>(r.failures));
  int column = 8;
  for (double v : {r.median, r.mean, r.stddev, r.mad, r.min, r.max, r.ci_low, r.ci_high}) {
    if (std::isfinite(v))
      insert.bind(column, v);
    else
      insert.bind(column);
    ++column;
  }
  insert.exec();
}

std::vector<Store::SummaryRow> Store::summaries(std::int64_t run_id) {
  std::vector<SummaryRow> rows;
  sql::Statement query(*db_,
                       "SELECT scenario, kind, state, metric, count, failures, median, mean, "
                       "stddev, mad, min, max, ci_low, ci_high FROM summaries WHERE run_id = ? "
                       "ORDER BY scenario, kind, state, metric");
  query.bind(1, run_id);
  while (query.step()) {
    SummaryRow r;
    r.run_id = run_id;
    r.key.group.scenario = query.column(0).text();
    r.key.group.kind = stored_sample_kind(query.column(1).text(), run_id, "summaries.kind");
    r.key.group.state = query.column(2).text();
    r.key.metric = query.column(3).text();
    r.count = query.column(4).int64();
    r.failures = query.column(5).int64();
    double* fields[] = {&r.median, &r.mean, &r.stddev, &r.mad,
                        &r.min,    &r.max,  &r.ci_low, &r.ci_high};
    for (int i = 0; i < 8; ++i) {
      *fields[i] = query.column(6 + i).is_null() ? NAN : query.column(6 + i).real();
    }
    rows.push_back(r);
  }
  return rows;
}

void Store::vacuum() {
  db_->exec("VACUUM");
}

std::size_t Store::prune_run(std::int64_t run_id, const std::vector<SummaryRow>& summaries) {
  sql::Transaction transaction(*db_);
  for (const auto& s : summaries) add_summary(s);
  sql::Statement count(*db_, "SELECT count(*) FROM samples WHERE run_id = ?");
  count.bind(1, run_id);
  count.step();
  std::size_t removed = count.column(0).int64();
  for (const char* sql :
       {"DELETE FROM pairs WHERE baseline_sample_id IN (SELECT id FROM samples WHERE run_id = ?1) "
        "OR candidate_sample_id IN (SELECT id FROM samples WHERE run_id = ?1)",
        "DELETE FROM metrics WHERE sample_id IN (SELECT id FROM samples WHERE run_id = ?)",
        "DELETE FROM steps WHERE sample_id IN (SELECT id FROM samples WHERE run_id = ?)",
        "DELETE FROM samples WHERE run_id = ?", "UPDATE runs SET pruned = 1 WHERE id = ?"}) {
    sql::Statement statement(*db_, sql);
    statement.bind(1, run_id);
    statement.exec();
  }
  transaction.commit();
  return removed;
}

}  // namespace bb

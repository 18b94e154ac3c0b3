#include "report/page.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/metrics.hpp"
#include "model/testbed.hpp"
#include "report/format.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb::bench_page {

namespace {

std::string date_of(const std::string& iso) {
  return iso.substr(0, 10);
}

std::string thin_claims_warning(const std::vector<ClaimResult>& claims) {
  std::vector<std::string> thin;
  for (const auto& c : claims) {
    if (c.verdict == ClaimVerdict::kInconclusive && c.subject_count && c.subject_count < 5)
      thin.push_back(
          fmt::format("{} ({} against {})", c.claim.id, c.subject_count, c.baseline_count));
  }
  if (thin.empty()) return "";
  return fmt::format(
      "{} claim(s) inconclusive on too few samples: {}; rerun with --precision or --runs 5 or "
      "more",
      thin.size(), fmt::join(thin, ", "));
}

std::vector<std::string> grouped_warnings(const SampleGroups& groups,
                                          const std::vector<ClaimResult>& claims,
                                          const std::vector<Claim>& suite_claims) {
  std::vector<std::string> warnings;
  for (auto warning :
       {failed_warning(groups), noisy_warning(groups, timed_claim_groups(suite_claims)),
        thin_claims_warning(claims)}) {
    if (!warning.empty()) warnings.push_back(warning);
  }
  return warnings;
}

std::string startup_note(const std::vector<ModeColumn>& modes) {
  if (modes.empty()) return "";
  std::string note =
      " Start-up is from the container's own main process start (stamped inside the container) "
      "to the moment buildbench reads the service's ready line; docker's create and start are "
      "outside it (startup_seconds, from docker start, has them).";
  for (const auto& mode : modes) {
    if (mode.name != kAsBuilt && !mode.description.empty()) note += " " + mode.description + ".";
  }
  return note;
}

// From the catalog: a build time per cache state, a start-up metric per measured mode, any
// other metric (deterministic: the same in every state) once.
std::vector<ScenarioColumn> headline_columns(const std::vector<ModeColumn>& modes) {
  std::vector<ScenarioColumn> columns;
  for (const MetricInfo* info : headline_metrics()) {
    std::string metric(info->name), title(info->headline_title);
    if (info->sample_kind == SampleKind::kStartup) {
      for (const auto& mode : modes) {
        columns.push_back(
            {modes.size() == 1 ? title : title + ", " + mode.label, mode.name, metric});
      }
    } else if (!info->deterministic) {
      for (const auto& state : kStates) {
        columns.push_back(
            {title.empty() ? state_title(state) : fmt::format("{} ({})", title, state), state,
             metric});
      }
    } else {
      columns.push_back({title, "", metric});
    }
  }
  return columns;
}

}  // namespace

std::string claim_verdict_words(const ClaimResult& c) {
  switch (c.verdict) {
    case ClaimVerdict::kConfirmed:
      return c.beyond_delta ? fmt::format("✅ confirmed, by at least {:g}%", c.delta_percent)
                            : "✅ confirmed";
    case ClaimVerdict::kRefutedOtherWay:
      return "❌ refuted — the other way";
    case ClaimVerdict::kRefutedNoDifference:
      return fmt::format("❌ refuted — no practical difference (within ±{:g}%)", c.delta_percent);
    case ClaimVerdict::kInconclusive:
      return "❔ inconclusive";
  }
  return to_string(c.verdict);
}

std::string claim_design_words(const ClaimResult& c) {
  if (c.pairs == 0) return c.deterministic || !c.subject_count ? "" : "unpaired";
  std::string words = fmt::format("paired, {} pair{}", c.pairs, c.pairs == 1 ? "" : "s");
  if (c.looks > 0) words += fmt::format(", stopped at look {} of {}", c.look, c.looks);
  return words;
}

std::string claim_title(const Claim& claim) {
  if (claim.setting.empty()) return claim.text;
  return fmt::format("{} — {} ({})", claim.text, claim.setting, claim.state);
}

namespace {

std::vector<std::string> claim_row(const ClaimResult& c) {
  std::string verdict = claim_verdict_words(c);
  std::string what = c.claim.state.empty() ? c.claim.metric
                                           : fmt::format("{} ({})", c.claim.metric, c.claim.state);
  auto side = [&](const std::string& name, double median, std::size_t count) {
    return count ? fmt::format("{}: {} (n={})", name, format_value(median, c.unit), count)
                 : name + ": no data";
  };
  bool both = c.subject_count && c.baseline_count;
  std::string change = both ? format_percent(c.change_percent) : "–";
  if (c.ci_available && !c.deterministic) {
    change += fmt::format(" [{:+.1f}, {:+.1f}]", c.ci_low_percent, c.ci_high_percent);
  }
  std::string p = c.deterministic || !both ? "–" : fmt::format("{:.3f}", c.p_value);
  std::string design = claim_design_words(c);
  return {claim_title(c.claim),
          verdict,
          side(c.claim.subject, c.subject_median, c.subject_count),
          side(c.claim.baseline, c.baseline_median, c.baseline_count),
          change,
          p,
          fmt::format("{}{}; {}{}", c.claim.why.empty() ? "" : c.claim.why + "; ", what,
                      design.empty() ? "" : design + "; ", c.reason)};
}

// "30-minute", "90-second", "2-hour": a budget as the page names it.
std::string budget_phrase(const RunRecord& run) {
  auto budget = run.options.find("budget_ms");
  if (budget == run.options.end() || !budget->is_number()) return "the budget";
  auto seconds = std::llround(budget->get<double>() / 1000);
  if (seconds >= 3600 && seconds % 3600 == 0)
    return fmt::format("the {}-hour budget", seconds / 3600);
  if (seconds >= 60 && seconds % 60 == 0) return fmt::format("the {}-minute budget", seconds / 60);
  return fmt::format("the {}-second budget", seconds);
}

// "Python 3.11.2, pip 25.1.1, setuptools 66.1.1, no wheel", as read off the image.
std::string tools_of(const nlohmann::json& fact) {
  if (!fact.contains("tools") || !fact["tools"].is_object()) return "";
  const auto& tools = fact["tools"];
  // Unread (not a Python image, most often): the fingerprint keeps why; the page says nothing.
  if (tools.contains("error")) return "";
  std::vector<std::string> parts;
  for (const char* name : {"python", "pip", "setuptools", "wheel"}) {
    std::string shown = std::string(name) == "python" ? "Python" : name;
    if (tools.contains(name) && tools[name].is_string())
      parts.push_back(shown + " " + tools[name].get<std::string>());
    else
      parts.push_back("no " + shown);
  }
  return fmt::format("; {}", fmt::join(parts, ", "));
}

// A suite that is not Python reads in its own words: its images' Python tools are not shown.
doc::Table environment_table(const RunRecord& run, bool python_suite) {
  doc::Table env;
  env.header = {"Fact", "Value"};
  bool named = run.options.is_object() && run.options.contains("testbed");
  env.rows.push_back({"Testbed", testbed_of(run) + (named ? " (named with --testbed)"
                                                          : " (derived from the fingerprint)")});
  env.rows.push_back({"Date", run.started_at});
  env.rows.push_back({"Status", run.status});
  env.rows.push_back({"Commit", run.git_commit.empty()
                                    ? "(not a git checkout)"
                                    : run.git_commit + (run.git_dirty ? " (dirty)" : "")});
  for (const auto& [key, value] : run.labels) env.rows.push_back({"label " + key, value});
  std::vector<std::string> keys;
  for (const auto& [key, value] : run.fingerprint.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    const auto& value = run.fingerprint[key];
    if (key == "fidelity") continue;  // its own section
    if (key != "base_images") {
      env.rows.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
      continue;
    }
    for (const auto& [ref, fact] : value.items()) {
      env.rows.push_back(
          {"base image " + ref,
           fmt::format("{}{}{}", fact.value("id", std::string("absent")).substr(0, 19),
                       fact.value("stand_in", false) ? " (stand-in)" : "",
                       python_suite ? tools_of(fact) : "")});
    }
  }
  return env;
}

}  // namespace

// "3 failed sample(s) in 2 group(s): ..." or "" when none failed.
std::string failed_warning(const SampleGroups& groups) {
  if (groups.failures.empty()) return "";
  std::size_t total = 0;
  std::vector<std::string> names;
  for (const auto& [key, count] : groups.failures) {
    total += count;
    names.push_back(fmt::format("{} ({})", to_string(key), count));
  }
  return fmt::format(
      "{} failed sample(s) in {} group(s): {}; each is stored with its reason, see 'buildbench "
      "export'",
      total, names.size(), fmt::join(names, ", "));
}

// "12 groups noisy (CV > 10%): a, b, ..." rather than a line per group; groups that a claim
// compares come first, then the noisiest.
std::string noisy_warning(const SampleGroups& groups, const std::set<GroupKey>& claimed) {
  struct Noisy {
    bool claimed;
    double cv;
    std::string name;
  };
  std::vector<Noisy> noisy;
  for (const auto& [key, values] : groups.values) {
    if (values.size() < 3 || (key.metric != kBuildSeconds && key.metric != kReadySeconds)) continue;
    auto s = stats::summarize(values);
    if (s.cv <= 0.10) continue;
    bool is_claimed = claimed.count(key.group) > 0;
    noisy.push_back(
        {is_claimed, s.cv, fmt::format("{} {:.0f}%", to_string(key.group), s.cv * 100)});
  }
  if (noisy.empty()) return "";
  std::sort(noisy.begin(), noisy.end(), [](const Noisy& a, const Noisy& b) {
    return std::tie(b.claimed, b.cv) < std::tie(a.claimed, a.cv);
  });
  std::vector<std::string> claimed_names, other_names;
  for (const auto& n : noisy) (n.claimed ? claimed_names : other_names).push_back(n.name);
  std::vector<std::string> parts;
  if (!claimed_names.empty())
    parts.push_back(fmt::format("{} compared by a claim ({})", claimed_names.size(),
                                fmt::join(claimed_names, ", ")));
  if (!other_names.empty())
    parts.push_back(
        fmt::format("{} other(s) ({})", other_names.size(), fmt::join(other_names, ", ")));
  return fmt::format(
      "{} group(s) noisy (CV > 10%): {}; an adaptive run (--precision) repeats a noisy group "
      "up to its maximum, † marks a median still short of its target",
      noisy.size(), fmt::join(parts, "; "));
}

void add_intro(doc::Document& d, const Page& page) {
  const ReportInput& input = page.input;
  d.title = fmt::format("Benchmark: {}", input.suite_name);
  std::vector<std::string> run_ids;
  for (const auto& r : input.runs) run_ids.push_back(std::to_string(r.id));
  std::vector<doc::Span> intro = {{input.suite_description + " "}};
  intro.push_back({fmt::format("Measured by buildbench, run {} ({}).", fmt::join(run_ids, ", "),
                               page.run ? date_of(page.run->started_at) : "?")});
  d.paragraph(intro);
  auto testbeds = testbeds_of(input.runs);
  if (testbeds.size() > 1) {
    d.paragraph({{"Across testbeds:", true},
                 {" "},
                 {fmt::format("{} (report --across-testbeds). The tables pool the samples of "
                              "these testbeds' runs; the environment lists each testbed apart.",
                              describe_testbeds(input.runs))}});
  }
  if (page.stand_ins.empty()) return;
  d.paragraph({{"Note:", true},
               {" "},
               {fmt::format("measured on stand-in base images ({}) built from Debian packages "
                            "(no registry access), not the official images of those names; "
                            "compare scenarios with each other, not these absolute numbers "
                            "with yours.",
                            fmt::join(page.stand_ins, ", "))}});
}

void add_headline(doc::Document& d, const Page& page) {
  d.heading(2, "Results");
  bool marked = false;
  d.table(scenario_table(page, headline_columns(page.modes), marked));
  std::string short_note = marked ? " " + short_of_target_note(page) : "";
  d.paragraph(fmt::format("Medians ± scaled MAD. ▲/▼: a change against the previous row that "
                          "is significant (Mann-Whitney U, tested together with all of the "
                          "page's such changes) and beyond 5% for times (for builds also ±{:.0f} "
                          "ms, two medians' precision floor) or 1% for sizes; sizes are compared "
                          "exactly. {}.",
                          change_floor_for(std::string(kBuildSeconds), page.options) * 1000,
                          describe_family(page.step_family, "comparisons")) +
              short_note + startup_note(page.modes));
  d.image("build-time.svg", "Build time per scenario and cache state");
  if (!page.modes.empty()) d.image("startup.svg", "Start-up time per scenario and start-up mode");
  d.image("image-size.svg", "Image size per scenario");
}

std::string budget_undecided(const Claim& claim, const RunRecord& run) {
  auto groups = timed_claim_groups({claim});
  std::vector<const ShortGroup*> short_groups;
  for (const auto& group : run.short_of_target)
    if (groups.count(group.group)) short_groups.push_back(&group);
  if (short_groups.empty()) return "";
  std::vector<std::string> names, runs, runs_of;
  bool one_wanted = true;
  for (const auto* group : short_groups) {
    names.push_back(to_string(group->group));
    runs.push_back(std::to_string(group->runs));
    runs_of.push_back(fmt::format("{} runs of {}", group->runs, group->wanted));
    one_wanted &= group->wanted == short_groups.front()->wanted;
  }
  std::string at = one_wanted ? fmt::format("{} runs of {}", fmt::join(runs, " and "),
                                            short_groups.front()->wanted)
                              : fmt::format("{}", fmt::join(runs_of, " and "));
  return fmt::format("{} ended its group{} ({}) at {}", budget_phrase(run),
                     short_groups.size() == 1 ? "" : "s", fmt::join(names, ", "), at);
}

namespace {

// Each claim pooled over this run and the earlier ones with the same engine, stand-ins,
// network profile and inputs (report --pool).
// Which testbeds the pool kept to, and how many runs it left out for theirs.
std::string pool_testbed_note(const ReportInput& input) {
  if (input.across_testbeds) {
    std::vector<RunRecord> runs = input.runs;
    for (const auto& p : input.pool_runs) runs.push_back(p.run);
    return testbeds_of(runs).size() > 1
               ? fmt::format(" Across testbeds (--across-testbeds): {}.", describe_testbeds(runs))
               : "";
  }
  if (input.pool_other_testbeds == 0 || input.runs.empty()) return "";
  return fmt::format(
      " {} earlier run{} on other testbeds than {} left out (report --across-testbeds pools "
      "them).",
      input.pool_other_testbeds, input.pool_other_testbeds == 1 ? "" : "s",
      testbed_of(input.runs.back()));
}

void add_pooled_claims(doc::Document& d, const Page& page) {
  std::size_t most = 0;
  for (const auto& p : page.pooled) most = std::max(most, p.runs);
  std::string testbeds = pool_testbed_note(page.input);
  if (most < 2) {
    if (!testbeds.empty()) d.paragraph("No earlier run pooled:" + testbeds);
    return;
  }
  d.paragraph(
      fmt::format("Pooled over this run and the suite's earlier stored runs on the same {}"
                  "engine, stand-in images, network profile and inputs (at most {} runs, "
                  "report --pool): each run's change weighted by the inverse of its variance on "
                  "the log scale, and random effects (DerSimonian-Laird) where Cochran's Q says "
                  "the runs disagree (p < 0.10).",
                  page.input.across_testbeds ? "" : "testbed, ", page.input.pool) +
      testbeds);
  doc::Table t;
  t.header = {"Claim", "Pooled verdict", "Runs", "Change [95% CI]", "Q (df), p", "Why"};
  t.align = {doc::Align::kLeft,  doc::Align::kLeft,  doc::Align::kRight,
             doc::Align::kRight, doc::Align::kRight, doc::Align::kLeft};
  for (const auto& p : page.pooled) {
    const ClaimResult& c = p.result;
    if (p.runs == 0) {
      t.rows.push_back({claim_title(c.claim), "–", "0", "–", "–", c.reason});
      continue;
    }
    std::string q = p.runs < 2 ? "–"
                               : fmt::format("{:.2f} ({}), {:.2f}{}", p.q, p.runs - 1, p.q_p_value,
                                             p.random_effects ? ", random effects" : "");
    t.rows.push_back({claim_title(c.claim), claim_verdict_words(c), fmt::format("{}", p.runs),
                      fmt::format("{} [{:+.1f}, {:+.1f}]", format_percent(c.change_percent),
                                  c.ci_low_percent, c.ci_high_percent),
                      q, c.reason});
  }
  d.table(t);
}

}  // namespace

void add_claims(doc::Document& d, const Page& page) {
  if (page.claims.empty()) return;
  d.heading(2, page.input.claims_title);
  doc::Table t;
  t.header = {"Claim", "Verdict", "Subject", "Compared with", "Change [95% CI]", "p", "Why"};
  t.align = {doc::Align::kLeft,  doc::Align::kLeft,  doc::Align::kRight, doc::Align::kRight,
             doc::Align::kRight, doc::Align::kRight, doc::Align::kLeft};
  bool marked = false;
  for (const auto& c : page.claims) {
    t.rows.push_back(claim_row(c));
    // A verdict on a property the lab does not reproduce is the lab's, not the tutorial's.
    auto differs = unfaithful_for(page.fidelity, c.claim.id);
    if (differs.empty()) continue;
    marked = true;
    t.rows.back()[1] += " ⚠";
    t.rows.back().back() += fmt::format(
        "; ⚠ the lab's base image differs from the official one "
        "in: {}",
        fmt::join(differs, "; "));
  }
  d.table(t);
  if (marked)
    d.paragraph(
        "⚠: the claim turns on a property in which the lab's base image is not the official one "
        "(see the fidelity table below); its verdict speaks of the lab.");
  d.paragraph(fmt::format(
      "A claim is confirmed when the difference is significant (p < {0:g}) and its 95% interval "
      "lies on the claimed side (\"by at least δ\" when the whole interval lies beyond the "
      "claim's smallest effect of interest δ), or, for deterministic metrics such as image "
      "size, when the exact values show it; refuted — the other way when significant in the "
      "opposite direction; refuted — no practical difference when the {1}% interval lies "
      "within ±δ (two one-sided tests); inconclusive otherwise, with the runs a side that would "
      "decide it at 80% power. δ is the claim's delta in suite.toml; by default 3% for build "
      "times, 5% for start-up times, 1% for sizes and 0 for counts.",
      page.options.alpha, std::lround((1 - 2 * page.options.alpha) * 100)));
  if (std::any_of(page.claims.begin(), page.claims.end(),
                  [](const ClaimResult& c) { return c.pairs > 0; })) {
    d.paragraph(
        "A paired claim's two scenarios were built back to back in each pair, in an order drawn "
        "and stored (abba), so drift within the run hits both alike; it is judged on the "
        "per-pair log ratios (Walsh Hodges-Lehmann, exact Wilcoxon signed-rank). In the "
        "adaptive design its pairs were looked at as they came in, against a Lan-DeMets "
        "O'Brien-Fleming boundary that keeps the chance of a false verdict at alpha over all "
        "the looks; \"stopped at look k of K\" says which look decided it.");
  }
  add_pooled_claims(d, page);
  // What the run's time budget left undecided: the verdict stays the data's, the cause is told.
  doc::List undecided;
  for (const auto& c : page.claims) {
    if (!page.run || c.verdict != ClaimVerdict::kInconclusive) continue;
    std::string why = budget_undecided(c.claim, *page.run);
    std::string id =
        c.claim.setting.empty() ? c.claim.id : fmt::format("{} ({})", c.claim.id, c.claim.state);
    if (!why.empty()) undecided.items.push_back({{id, true}, {": inconclusive: " + why}});
  }
  if (!undecided.items.empty()) {
    d.paragraph(
        "Left undecided by the time budget (a longer --budget gives their groups the runs "
        "they need):");
    d.list(undecided);
  }
}

namespace {

std::string lab_value(const FidelityRow& row) {
  if (!row.lab) return "not read (" + row.error + ")";
  if (row.check.read == "compressed-size") return format_bytes(std::stod(*row.lab));
  if (row.check.read == "pyc-count") return *row.lab + " .pyc files";
  return *row.lab;
}

std::string fidelity_word(const FidelityRow& row) {
  switch (row.fidelity) {
    case Fidelity::kFaithful:
      return "✅ " + (row.check.needs == "same" ? std::string("same") : row.check.needs);
    case Fidelity::kDiffers:
      return "⚠ differs (claims need " + row.check.needs + ")";
    case Fidelity::kInformational:
      return "for information";
    case Fidelity::kUnread:
      return "❔ not read";
  }
  return "?";
}

}  // namespace

void add_fidelity(doc::Document& d, const Page& page) {
  if (page.fidelity.empty()) return;
  d.heading(2, "Fidelity of the base images");
  d.paragraph(
      "Each property a claim turns on, in the official image (with the source of its value) and "
      "in the image this run built on, as read off it.");
  doc::Table t;
  t.header = {"Property", "Image", "Official", "This run", "Faithful", "Claims"};
  for (const auto& row : page.fidelity) {
    t.rows.push_back(
        {row.check.property, row.check.image.empty() ? "–" : row.check.image,
         fmt::format("{} ({})", row.check.official, row.check.source), lab_value(row),
         fidelity_word(row),
         row.check.claims.empty() ? "–" : fmt::format("{}", fmt::join(row.check.claims, ", "))});
  }
  d.table(t);
}

void add_environment(doc::Document& d, const Page& page) {
  d.heading(2, "Environment");
  auto testbeds = testbeds_of(page.input.runs);
  if (testbeds.size() > 1) {
    // Each testbed's facts apart, from its latest run on the page.
    for (const auto& name : testbeds) {
      const RunRecord* latest = nullptr;
      for (const auto& r : page.input.runs) {
        if (testbed_of(r) == name) latest = &r;
      }
      d.heading(3, "Testbed " + name);
      d.table(environment_table(*latest, page.input.python_suite));
    }
  } else if (page.run) {
    d.table(environment_table(*page.run, page.input.python_suite));
  }
  if (!page.input.reproduce.empty()) {
    d.paragraph("Reproduce:");
    d.code(page.input.reproduce);
  }
}

// Warnings: grouped, what a claim depends on first.
void add_warnings(doc::Document& d, const Page& page) {
  auto warnings = grouped_warnings(page.groups, page.claims, page.input.claims);
  for (const auto& drift : find_drift(page.input.samples, page.options)) {
    warnings.push_back(
        fmt::format("drift within a run: {}; look for other work or throttling on the machine",
                    describe_drift(drift)));
  }
  if (!page.stand_ins.empty())
    warnings.push_back("results come from stand-in base images (scripts/lab-images)");
  if (!warnings.empty()) {
    d.heading(2, "Warnings");
    doc::List list;
    for (const auto& w : warnings) list.items.push_back({{w}});
    d.list(list);
  }
  d.paragraph("Data: data.json and data.csv next to this page hold every group's statistics.");
}

void add_scenario_notes(doc::Document& d, const ReportInput& input) {
  d.heading(2, "Scenarios");
  doc::Table notes;
  bool any_differs = std::any_of(input.differs.begin(), input.differs.end(),
                                 [](const auto& entry) { return !entry.second.empty(); });
  notes.header = {"Scenario", "What it does"};
  if (any_differs) notes.header.push_back(input.differs_title);
  for (const auto& scenario : input.scenario_order) {
    auto desc = input.descriptions.find(scenario);
    auto diff = input.differs.find(scenario);
    notes.rows.push_back({scenario, desc == input.descriptions.end() ? "" : desc->second});
    if (any_differs) notes.rows.back().push_back(diff == input.differs.end() ? "" : diff->second);
  }
  d.table(notes);
}

}  // namespace bb::bench_page

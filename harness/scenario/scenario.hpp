#pragma once
// A scenario is one Dockerfile variant to measure; a suite is an ordered list
// of scenarios plus the claims that the suite's documentation makes.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/cache_state.hpp"  // CacheState, once declared here
#include "model/group_key.hpp"

namespace bb {

// A real content change made to files of the scratch context before a warm build:
// either text appended to one file, or files swapped with alternatives and back on
// each edit (e.g. a lock file that adds a dependency), so every edit changes content.
struct FileEdit {
  std::string file;                         // append mode: relative to the context
  std::string append;                       // text appended; "{n}" becomes the edit counter
  std::map<std::string, std::string> swap;  // swap mode: file -> alternative, in the context
  bool is_swap() const { return !swap.empty(); }
};

// How to tell that a started container is ready (used by start-up measurement).
struct Probe {
  std::string ready_line;            // regular expression matched against output lines
  std::vector<std::string> command;  // or: a command run in the container until it succeeds
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::map<std::string, std::string> env;  // e.g. a fixed worker count
  bool defined() const { return !ready_line.empty() || !command.empty(); }
};

// A named way to start a scenario's image for start-up measurement: the image as built,
// plus environment variables and read-only mounts. Its name is the start-up sample's state.
struct StartupMode {
  std::string name;
  std::string label;        // the page's column heading, e.g. "no .pyc"
  std::string description;  // one sentence for the page's notes
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> mounts;  // container path -> host path, read-only
  bool python = false;  // a Python mode: the in-container probe adds the interpreter's side
};

inline constexpr std::string_view kAsBuilt = "as-built";
// as-built (always measured) and no-bytecode (Python: no stored .pyc is read or written).
const std::vector<StartupMode>& builtin_startup_modes();
// Names stored before modes existed: "bytecode" is as-built, "none" is no-bytecode.
std::string current_mode_name(std::string_view name);

struct Scenario {
  std::string name;
  std::string description;
  std::string differs;               // how it differs from the published step, and why
  std::filesystem::path manifest;    // file the scenario was read from
  std::filesystem::path context;     // absolute
  std::filesystem::path dockerfile;  // absolute
  std::string target;
  std::string network;  // "" (hermetic: none), "none", "host", or "default" (the daemon's own)
  std::map<std::string, std::string> build_args;  // values may hold {index_url}
  std::optional<FileEdit> code_edit;
  std::optional<FileEdit> deps_edit;
  Probe probe;
  // Start-up modes, as-built first. detect_python: none were named, so the Python modes are
  // added when the probe finds that the service is a Python program.
  std::vector<StartupMode> startup_modes;
  bool detect_python = true;
  // scenario.toml's `opt_in`: opt-in states (cold-pull, the CI states) measured by default, on
  // the same terms as those a claim of the suite reads on the scenario (session/plan).
  std::vector<CacheState> opt_in;

  std::vector<CacheState> supported_states() const;
  // supported_states(), cold-pull, or, for the CI cache states (built after a code edit), a
  // code edit (ci-registry-deps: a dependency edit).
  bool supports(CacheState state) const;
};

struct Claim {
  std::string id;
  std::string text;      // the tutorial's words
  std::string subject;   // scenario
  std::string baseline;  // scenario it is compared with
  std::string metric;    // e.g. build_seconds, image_bytes, startup_seconds
  std::string state;     // cache state for build metrics, or start-up mode
  std::string relation;  // "less" or "greater": subject's metric against the baseline's
  // The smallest effect of interest, percent (suite.toml's `delta`); unset: the metric's
  // default_claim_delta_percent.
  std::optional<double> delta_percent;
  // A suite claim naming several states (`states`) is one Claim per state, each judged on its
  // own: where such a build runs ("on a fresh runner") and why the verdict may differ there
  // (the suite's `why.<state>`, else default_setting's). Empty for a one-state claim.
  std::string setting;
  std::string why;
};
// A claim's identity in its suite: its id, or "id (state)" for one of several states (what a
// claim's pairs, its recorded looks and its paired verdict are keyed by).
std::string claim_key(const Claim& claim);

// Where a build in a cache state runs, and what that means for a claim on it: the default of
// a claim's setting (README, claims per setting).
struct ClaimSetting {
  std::string where;
  std::string why;
};
ClaimSetting default_setting(CacheState state);

// The groups that a claim compares on a time: the groups whose repetitions a verdict needs, so
// the runner gives them the claim's target and the page judges their medians against it.
std::set<GroupKey> timed_claim_groups(const std::vector<Claim>& claims);

// A property of a base image that claims turn on, with the official image's value and its
// source; the lab's value is read off the image the run used, so the page can say whether the
// stand-in is faithful in it.
struct FidelityCheck {
  std::string property;
  std::string image;                 // a base image the suite's scenarios name
  std::vector<std::string> command;  // run in the image (no network): its output is the value
  // "output", "exit" (yes when it exits 0), off the layers ("compressed-size", "pyc-count"), or
  // "stated": a fact of the suite's own files rather than of an image (a pinned version), in `lab`
  std::string read = "output";
  std::string lab;
  std::string official;
  std::string source;
  // What the claims need of the lab's value: "" (nothing, shown for information), "same" (the
  // official value), "at least X" (a version), "yes" or "no" (with read = "exit").
  std::string needs;
  std::vector<std::string> claims;  // ids of the claims it affects
};

struct Suite {
  std::string name;
  std::string description;
  std::filesystem::path manifest;
  std::optional<std::filesystem::path> index;  // folder with a PEP 503 simple/ tree to serve
  // Fixed, so lock files that name the index URL (poetry.lock) stay valid; 0 picks any.
  int index_port = 3141;
  std::vector<Scenario> scenarios;
  std::vector<Claim> claims;
  std::vector<FidelityCheck> fidelity;
  std::vector<StartupMode> modes;  // the built-in ones and the suite's own [mode.NAME]
  // The page's wording, the suite's own (e.g. "The tutorial's claims").
  std::string claims_title = "Claims";
  std::string differs_title = "Notes";

  const Scenario* find(std::string_view name) const;
  const StartupMode* find_mode(std::string_view name) const;
  std::vector<std::string> names() const;
};

}  // namespace bb

#include "scenario/manifest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "model/metrics.hpp"
#include "scenario/edit_format.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

// Paths come from outside input: a name too long or otherwise unusable is "not there",
// never an exception that escapes the parser.
bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}
bool is_dir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}
bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// Typed access to one TOML table, with errors that say where and how to fix.
class Fields {
 public:
  Fields(const toml::table& table, fs::path file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw UsageError(fmt::format("{}: field '{}{}': {}", file_.string(), prefix_, key, problem));
  }

  void allow_only(const std::vector<std::string>& keys) const {
    for (const auto& [key, node] : table_) {
      std::string name(key.str());
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        auto hint = did_you_mean(name, keys);
        fail(name, hint ? fmt::format("unknown field; did you mean '{}'?", *hint)
                        : fmt::format("unknown field; known fields: {}", fmt::join(keys, ", ")));
      }
    }
  }

  bool has(std::string_view key) const { return table_.contains(key); }
  const toml::node* get(std::string_view key) const { return table_.get(key); }

  std::optional<std::string> string(std::string_view key, bool required = false) const {
    const toml::node* node = table_.get(key);
    if (!node) {
      if (required) fail(key, "missing; add it (a string)");
      return std::nullopt;
    }
    if (!node->is_string()) fail(key, fmt::format("must be a string, not {}", type_name(*node)));
    return std::string(**node->as_string());
  }

  std::string nonempty_string(std::string_view key) const {
    auto value = string(key, true);
    if (trim(*value).empty()) fail(key, "must not be empty");
    return *value;
  }

  std::vector<std::string> string_array(std::string_view key) const {
    std::vector<std::string> values;
    const toml::node* node = table_.get(key);
    if (!node) return values;
    const toml::array* array = node->as_array();
    if (!array) fail(key, fmt::format("must be an array of strings, not {}", type_name(*node)));
    for (const auto& element : *array) {
      if (!element.is_string()) {
        fail(key, fmt::format("must be an array of strings; found {}", type_name(element)));
      }
      values.emplace_back(**element.as_string());
    }
    return values;
  }

  std::map<std::string, std::string> string_map(std::string_view key) const {
    std::map<std::string, std::string> values;
    const toml::node* node = table_.get(key);
    if (!node) return values;
    const toml::table* table = node->as_table();
    if (!table) fail(key, fmt::format("must be a table of strings, not {}", type_name(*node)));
    for (const auto& [name, value] : *table) {
      if (!value.is_string()) {
        fail(fmt::format("{}.{}", key, name.str()),
             fmt::format("must be a string, not {} (quote it)", type_name(value)));
      }
      values.emplace(std::string(name.str()), std::string(**value.as_string()));
    }
    return values;
  }

  const toml::table* table(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail(key, fmt::format("must be a table, not {}", type_name(*node)));
    return node->as_table();
  }

  const toml::array* array_of_tables(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_array_of_tables()) {
      fail(key, fmt::format("must be an array of tables ([[{}]]), not {}", key, type_name(*node)));
    }
    return node->as_array();
  }

  std::string child(std::string_view key) const { return fmt::format("{}{}.", prefix_, key); }
  const fs::path& file() const { return file_; }

 private:
  const toml::table& table_;
  fs::path file_;
  std::string prefix_;
};

toml::table parse_toml(std::string_view text, const fs::path& file) {
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    throw UsageError(fmt::format("{}:{}:{}: invalid TOML: {}", file.string(),
                                 error.source().begin.line, error.source().begin.column,
                                 error.description()));
  }
}

std::string read_file(const fs::path& file, std::string_view what) {
  auto text = read_text_file(file);
  if (!text) {
    throw UsageError(fmt::format("{}: cannot read {}; check the path", file.string(), what));
  }
  return *text;
}

// Expands {source}; a relative result is anchored at `base`.
fs::path resolve_path(const Fields& fields, std::string_view key, std::string text,
                      const fs::path& base, const ManifestVars& vars) {
  const std::string token = "{source}";
  if (auto pos = text.find(token); pos != std::string::npos) {
    if (!vars.source) {
      fields.fail(key, "uses {source}; pass the checkout it refers to with --source DIR");
    }
    text.replace(pos, token.size(), vars.source->string());
  }
  fs::path path(text);
  if (path.is_relative()) path = base / path;
  return path.lexically_normal();
}

bool is_inside(const fs::path& child, const fs::path& parent) {
  auto rel = child.lexically_normal().lexically_relative(parent.lexically_normal());
  return !rel.empty() && *rel.begin() != ".." && !rel.is_absolute();
}

std::optional<FileEdit> parse_edit(const Fields& parent, std::string_view kind,
                                   const fs::path& context) {
  const toml::table* edits = parent.table("edit");
  if (!edits) return std::nullopt;
  Fields edit_fields(*edits, parent.file(), parent.child("edit"));
  edit_fields.allow_only({"code", "deps"});
  const toml::table* table = edit_fields.table(kind);
  if (!table) return std::nullopt;
  Fields fields(*table, parent.file(), edit_fields.child(kind));
  fields.allow_only({"file", "append", "swap"});
  auto check_file = [&](std::string_view key, const std::string& file) {
    fs::path target = (context / file).lexically_normal();
    if (fs::path(file).is_absolute() || !is_inside(target, context)) {
      fields.fail(key, fmt::format("'{}' escapes the build context '{}'; name a file inside it",
                                   printable(file), context.string()));
    }
    if (!is_file(target)) {
      fields.fail(key, fmt::format("'{}' does not exist in the build context '{}'; name an "
                                   "existing file relative to the context",
                                   printable(file), context.string()));
    }
  };
  FileEdit edit;
  edit.swap = fields.string_map("swap");
  for (const auto& [file, alternative] : edit.swap) {
    check_file(fmt::format("swap.{}", file), file);
    check_file(fmt::format("swap.{}", file), alternative);
    if (read_file(context / file, "edit file") == read_file(context / alternative, "edit file")) {
      fields.fail(fmt::format("swap.{}", file),
                  fmt::format("'{}' and '{}' have the same content, so the edit would change "
                              "nothing; make the alternative differ (e.g. add a dependency)",
                              printable(file), printable(alternative)));
    }
  }
  if (!edit.swap.empty() && !fields.has("file")) {
    // A swap alone returns to content the builder has cached from the second edit on: each
    // edit also writes a unique comment into the swapped files whose format takes one.
    bool commentable = false;
    for (const auto& [file, alternative] : edit.swap)
      commentable |= nonce_comment(file, "").has_value();
    if (!commentable) {
      fields.fail("swap",
                  "none of the swapped files takes a comment (e.g. package-lock.json, go.sum), so "
                  "from the second edit on the build would return to cached content; add file = "
                  "\"F\" and append = \"...{n}...\" naming a file that the same COPY reads "
                  "and whose format allows the appended text");
    }
    return edit;
  }
  if (edit.swap.empty() || fields.has("file")) {
    edit.file = fields.nonempty_string("file");
    edit.append = fields.string("append").value_or("\n# buildbench edit {n}\n");
    check_file("file", edit.file);
    if (edit.append.find("{n}") == std::string::npos) {
      fields.fail("append", "must contain {n}, so that each edit changes the content");
    }
  }
  return edit;
}

Probe parse_probe(const Fields& parent) {
  Probe probe;
  const toml::table* table = parent.table("probe");
  if (!table) return probe;
  Fields fields(*table, parent.file(), parent.child("probe"));
  fields.allow_only({"ready_line", "command", "timeout", "env"});
  probe.ready_line = fields.string("ready_line").value_or("");
  probe.command = fields.string_array("command");
  probe.env = fields.string_map("env");
  if (!probe.ready_line.empty()) {
    try {
      std::regex check(probe.ready_line, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      fields.fail("ready_line", fmt::format("not a valid regular expression ({})", error.what()));
    }
  }
  if (probe.ready_line.empty() && probe.command.empty()) {
    fields.fail("ready_line", "a probe needs ready_line (a pattern) or command (an argv array)");
  }
  if (!probe.ready_line.empty() && !probe.command.empty()) {
    fields.fail("command", "give either ready_line or command, not both");
  }
  if (auto timeout = fields.string("timeout")) {
    auto parsed = parse_duration(*timeout);
    if (!parsed || parsed->count() <= 0) {
      fields.fail("timeout", fmt::format("'{}' is not a duration; write e.g. \"60s\"", *timeout));
    }
    probe.timeout = *parsed;
  }
  return probe;
}

// [startup] modes = [...]: as-built always comes first; naming modes turns detection off.
void parse_startup(const Fields& parent, const std::vector<StartupMode>& known,
                   Scenario& scenario) {
  scenario.startup_modes = {known.front()};
  const toml::table* table = parent.table("startup");
  if (!table) return;
  Fields fields(*table, parent.file(), parent.child("startup"));
  fields.allow_only({"modes"});
  if (!fields.has("modes")) return;
  scenario.detect_python = false;
  std::vector<std::string> names;
  for (const auto& mode : known) names.push_back(mode.name);
  for (const auto& given : fields.string_array("modes")) {
    std::string name = current_mode_name(given);
    auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
      fields.fail("modes", fmt::format("unknown mode '{}'{}; define it in the suite as "
                                       "[mode.{}] or use one of {}",
                                       printable(given), did_you_mean_suffix(given, names),
                                       printable(given), fmt::join(names, ", ")));
    }
    const StartupMode& mode = known[found - names.begin()];
    bool listed = std::any_of(scenario.startup_modes.begin(), scenario.startup_modes.end(),
                              [&](const StartupMode& m) { return m.name == name; });
    if (!listed) scenario.startup_modes.push_back(mode);
  }
}

// `opt_in`: opt-in states the scenario measures by default, as if a claim read them here.
void parse_opt_in(const Fields& fields, Scenario& scenario) {
  std::vector<std::string> names = names_of(ci_cache_states());
  for (const auto& name : fields.string_array("opt_in")) {
    auto state = parse_cache_state(name);
    if (!state || std::find(names.begin(), names.end(), name) == names.end()) {
      fields.fail("opt_in", fmt::format("'{}' is not an opt-in state{} (they are {}; the "
                                        "default states are measured anyway)",
                                        printable(name), did_you_mean_suffix(name, names),
                                        fmt::join(names, ", ")));
    }
    if (!scenario.supports(*state)) {
      fields.fail("opt_in", fmt::format("'{}' rebuilds after {}; add it or remove the state", name,
                                        *state == CacheState::kCiRegistryDeps
                                            ? "a dependency edit ([edit.deps])"
                                            : "a code edit ([edit.code])"));
    }
    if (std::find(scenario.opt_in.begin(), scenario.opt_in.end(), *state) != scenario.opt_in.end())
      fields.fail("opt_in", fmt::format("'{}' is listed twice; list each state once", name));
    scenario.opt_in.push_back(*state);
  }
}

Scenario parse_scenario(const toml::table& table, const fs::path& file, const std::string& prefix,
                        const fs::path& base, const ManifestVars& vars,
                        const std::vector<StartupMode>& modes) {
  Fields fields(table, file, prefix);
  fields.allow_only({"name", "description", "differs", "dockerfile", "context", "target", "network",
                     "build_args", "edit", "probe", "startup", "path", "opt_in"});
  Scenario scenario;
  scenario.manifest = file;
  scenario.name = fields.nonempty_string("name");
  if (scenario.name.find_first_of("\n\r") != std::string::npos) {
    fields.fail("name", "must be a single line");
  }
  scenario.description = fields.string("description").value_or("");
  scenario.differs = fields.string("differs").value_or("");
  scenario.context =
      resolve_path(fields, "context", fields.string("context").value_or("."), base, vars);
  if (!is_dir(scenario.context)) {
    fields.fail("context", fmt::format("'{}' is not a directory; point it at the build context",
                                       scenario.context.string()));
  }
  scenario.dockerfile =
      resolve_path(fields, "dockerfile", fields.string("dockerfile").value_or("Dockerfile"),
                   scenario.context, vars);
  if (!is_file(scenario.dockerfile)) {
    fields.fail("dockerfile", fmt::format("'{}' does not exist; name the Dockerfile relative to "
                                          "the context",
                                          scenario.dockerfile.string()));
  }
  scenario.target = fields.string("target").value_or("");
  scenario.network = fields.string("network").value_or("");
  if (scenario.network != "" && scenario.network != "host" && scenario.network != "none" &&
      scenario.network != "default") {
    fields.fail("network", fmt::format("'{}' is not one of default, host, none", scenario.network));
  }
  scenario.build_args = fields.string_map("build_args");
  for (const auto& [key, value] : scenario.build_args) {
    if (key.empty() || key.find_first_of("= \t\n") != std::string::npos) {
      fields.fail("build_args", fmt::format("'{}' is not a valid build-arg name", printable(key)));
    }
  }
  scenario.code_edit = parse_edit(fields, "code", scenario.context);
  scenario.deps_edit = parse_edit(fields, "deps", scenario.context);
  scenario.probe = parse_probe(fields);
  parse_startup(fields, modes, scenario);
  parse_opt_in(fields, scenario);
  return scenario;
}

// A claim's `delta`: the smallest change that matters, in percent, as 3, 2.5 or "3%".
std::optional<double> parse_delta(const Fields& fields, const std::string& claim_id) {
  const toml::node* node = fields.get("delta");
  if (!node) return std::nullopt;
  auto fail = [&](const std::string& problem) {
    fields.fail("delta", fmt::format("claim '{}': {}; write the smallest change that matters in "
                                     "percent, e.g. delta = \"3%\" or delta = 3",
                                     claim_id, problem));
  };
  double value = 0;
  if (node->is_integer()) {
    value = static_cast<double>(**node->as_integer());
  } else if (node->is_floating_point()) {
    value = **node->as_floating_point();
  } else if (node->is_string()) {
    std::string text(trim(**node->as_string()));
    std::string number = text;
    if (!number.empty() && number.back() == '%')
      number = std::string(trim(number.substr(0, number.size() - 1)));
    const char* begin = number.c_str();
    char* end = nullptr;
    value = std::strtod(begin, &end);
    if (end == begin) fail(fmt::format("'{}' is not a number", text));
    if (*end != '\0') {
      fail(fmt::format("'{}' has the unit '{}', but delta is relative: a share of the baseline",
                       text, trim(end)));
    }
  } else {
    fail(fmt::format("must be a number or a string like \"3%\", not {}", type_name(*node)));
  }
  if (!std::isfinite(value)) fail("not a finite number");
  if (value < 0) {
    fail(fmt::format("{:g}% is negative; delta is a size, and `relation` gives the direction",
                     value));
  }
  if (value >= 100) fail(fmt::format("{:g}% is not below 100%", value));
  return value;
}

// `state` or `states`, each a cache state or a start-up mode; one Claim per state.
std::vector<std::string> claim_states(const Fields& fields, const std::string& id,
                                      const std::vector<StartupMode>& modes) {
  if (fields.has("state") && fields.has("states"))
    fields.fail("states", fmt::format("claim '{}' names both `state` and `states`; keep one "
                                      "(`states` for a verdict per setting)",
                                      id));
  std::vector<std::string> named =
      fields.has("states") ? fields.string_array("states")
                           : std::vector<std::string>{fields.string("state").value_or("")};
  if (named.empty())
    fields.fail("states", fmt::format("claim '{}' names no state; list one or more, e.g. "
                                      "states = [\"warm-deps\", \"cold-pull\"]",
                                      id));
  std::vector<std::string> known = cache_state_names();
  for (const auto& mode : modes) known.push_back(mode.name);
  const char* key = fields.has("states") ? "states" : "state";
  std::vector<std::string> states;
  for (const auto& name : named) {
    std::string state = current_mode_name(name);
    if (!state.empty() && std::find(known.begin(), known.end(), state) == known.end()) {
      fields.fail(key, fmt::format("claim '{}': unknown state '{}'{}; one of {}", id, state,
                                   did_you_mean_suffix(state, known), fmt::join(known, ", ")));
    }
    if (std::find(states.begin(), states.end(), state) != states.end())
      fields.fail(key, fmt::format("claim '{}' names '{}' twice; list each state once", id, state));
    states.push_back(state);
  }
  return states;
}

// The suite's `why.<state>` for each of the claim's states, else the state's default.
void add_settings(const Fields& fields, std::vector<Claim>& claims) {
  auto why = fields.string_map("why");
  for (const auto& [state, text] : why) {
    const std::string& named_state = state;  // clang 14 cannot capture a structured binding
    bool named = std::any_of(claims.begin(), claims.end(),
                             [&](const Claim& c) { return c.state == named_state; });
    if (!named)
      fields.fail("why." + state, fmt::format("claim '{}' does not name the state '{}'; add it "
                                              "to `states` or remove this line",
                                              claims.front().id, state));
  }
  if (claims.size() < 2 && why.empty()) return;
  for (auto& claim : claims) {
    auto state = parse_cache_state(claim.state);
    ClaimSetting setting = state ? default_setting(*state) : ClaimSetting{claim.state, ""};
    claim.setting = setting.where;
    claim.why = why.count(claim.state) ? why.at(claim.state) : setting.why;
  }
}

std::vector<Claim> parse_claims(const Fields& fields,
                                const std::vector<std::string>& scenario_names,
                                const std::vector<StartupMode>& modes) {
  fields.allow_only({"id", "text", "subject", "baseline", "metric", "state", "states", "why",
                     "relation", "delta"});
  Claim claim;
  claim.id = fields.nonempty_string("id");
  claim.text = fields.nonempty_string("text");
  claim.subject = fields.nonempty_string("subject");
  claim.baseline = fields.nonempty_string("baseline");
  claim.metric = fields.nonempty_string("metric");
  claim.relation = fields.nonempty_string("relation");
  for (auto* key : {"subject", "baseline"}) {
    const std::string& name = std::string(key) == "subject" ? claim.subject : claim.baseline;
    if (std::find(scenario_names.begin(), scenario_names.end(), name) == scenario_names.end()) {
      fields.fail(key, fmt::format("no scenario named '{}' in this suite{}", name,
                                   did_you_mean_suffix(name, scenario_names)));
    }
  }
  const MetricInfo* metric = find_metric(claim.metric);
  if (!metric) {
    fields.fail("metric", fmt::format("unknown metric '{}'{}", claim.metric,
                                      did_you_mean_suffix(claim.metric, metric_names())));
  }
  if (claim.relation != "less" && claim.relation != "greater") {
    fields.fail("relation", fmt::format("'{}' must be \"less\" or \"greater\"", claim.relation));
  }
  claim.delta_percent = parse_delta(fields, claim.id);
  std::vector<Claim> claims;
  for (const auto& state : claim_states(fields, claim.id, modes)) {
    claims.push_back(claim);
    claims.back().state = state;
  }
  add_settings(fields, claims);
  return claims;
}

StartupMode parse_mode(const Fields& fields, const std::string& name, const fs::path& base,
                       const ManifestVars& vars) {
  fields.allow_only({"label", "description", "env", "mounts"});
  StartupMode mode;
  mode.name = name;
  mode.label = fields.string("label").value_or(name);
  mode.description = fields.string("description").value_or("");
  mode.env = fields.string_map("env");
  for (const auto& [target, source] : fields.string_map("mounts")) {
    fs::path host = resolve_path(fields, "mounts." + target, source, base, vars);
    if (!path_exists(host)) {
      fields.fail("mounts." + target, fmt::format("'{}' does not exist; name a file or folder "
                                                  "relative to the suite",
                                                  host.string()));
    }
    if (target.empty() || target[0] != '/') {
      fields.fail("mounts." + target, "the container path must be absolute");
    }
    mode.mounts[target] = host.string();
  }
  if (mode.description.empty()) {
    std::vector<std::string> parts;
    for (const auto& [key, value] : mode.env) parts.push_back(key + "=" + value);
    for (const auto& [target, source] : mode.mounts) parts.push_back(target + " mounted");
    mode.description =
        fmt::format("\"{}\" starts the same image with {}", mode.label,
                    parts.empty() ? "nothing changed" : fmt::format("{}", fmt::join(parts, ", ")));
  }
  return mode;
}

// The built-in modes, then the suite's own [mode.NAME] tables.
std::vector<StartupMode> parse_modes(const Fields& fields, const fs::path& base,
                                     const ManifestVars& vars) {
  std::vector<StartupMode> modes = builtin_startup_modes();
  const toml::table* table = fields.table("mode");
  if (!table) return modes;
  static const std::regex valid("[a-z0-9][a-z0-9-]*");
  for (const auto& [key, node] : *table) {
    std::string name(key.str());
    if (!node.is_table()) fields.fail("mode." + name, "must be a table ([mode." + name + "])");
    Fields mode_fields(*node.as_table(), fields.file(), fields.child("mode") + name + ".");
    if (!std::regex_match(name, valid)) {
      fields.fail("mode." + name, "a mode name is lower-case letters, digits and '-'");
    }
    if (current_mode_name(name) != name ||
        std::any_of(modes.begin(), modes.end(), [&](const auto& m) { return m.name == name; })) {
      fields.fail("mode." + name, "is a built-in mode; give yours another name");
    }
    modes.push_back(parse_mode(mode_fields, name, base, vars));
  }
  return modes;
}

FidelityCheck parse_fidelity(const Fields& fields, const std::vector<Claim>& claims) {
  fields.allow_only(
      {"property", "image", "command", "read", "lab", "official", "source", "needs", "claims"});
  FidelityCheck check;
  check.property = fields.nonempty_string("property");
  check.read = fields.string("read").value_or(check.read);
  bool stated = check.read == "stated";
  check.image = stated ? fields.string("image").value_or("") : fields.nonempty_string("image");
  if (stated) check.lab = fields.nonempty_string("lab");
  if (!stated && fields.has("lab"))
    fields.fail("lab", "only a read = \"stated\" check gives its value; this one reads it");
  check.command = fields.string_array("command");
  check.official = fields.nonempty_string("official");
  check.source = fields.nonempty_string("source");
  check.needs = fields.string("needs").value_or("");
  check.claims = fields.string_array("claims");
  bool from_layers = check.read == "compressed-size" || check.read == "pyc-count";
  if (check.read != "output" && check.read != "exit" && !from_layers && !stated)
    fields.fail("read", fmt::format("'{}' must be \"output\", \"exit\", \"compressed-size\", "
                                    "\"pyc-count\" or \"stated\"",
                                    check.read));
  if (from_layers || stated ? !check.command.empty() : check.command.empty())
    fields.fail("command", from_layers || stated
                               ? "this value is not read by a command; drop the command"
                               : "give the command that reads the value, e.g. [\"python3\", "
                                 "\"-c\", \"import pip; print(pip.__version__)\"]");
  bool version_needs = check.needs.rfind("at least ", 0) == 0 && check.needs.size() > 9;
  bool exit_needs = check.needs == "yes" || check.needs == "no";
  if (!check.needs.empty() && check.needs != "same" && !version_needs && !exit_needs)
    fields.fail("needs", fmt::format("'{}' must be \"same\", \"at least VERSION\", \"yes\" or "
                                     "\"no\" (or left out)",
                                     check.needs));
  if (exit_needs != (check.read == "exit") && !check.needs.empty() && check.needs != "same")
    fields.fail("needs", "\"yes\" and \"no\" go with read = \"exit\", and only they do");
  for (const auto& id : check.claims) {
    if (std::none_of(claims.begin(), claims.end(), [&](const Claim& c) { return c.id == id; }))
      fields.fail("claims", fmt::format("no claim has the id '{}'", id));
  }
  return check;
}

void parse_report_wording(const Fields& fields, Suite& suite) {
  const toml::table* table = fields.table("report");
  if (!table) return;
  Fields report(*table, fields.file(), fields.child("report"));
  report.allow_only({"claims_title", "differs_title"});
  suite.claims_title = report.string("claims_title").value_or(suite.claims_title);
  suite.differs_title = report.string("differs_title").value_or(suite.differs_title);
}

// One [[scenario]] of a suite: inline, or `path` to a folder with its own scenario.toml.
Scenario parse_suite_entry(const toml::table& table, const fs::path& file,
                           const std::string& prefix, const fs::path& base,
                           const ManifestVars& vars, const std::vector<StartupMode>& modes) {
  if (!table.get("path")) return parse_scenario(table, file, prefix, base, vars, modes);
  Fields entry(table, file, prefix);
  entry.allow_only({"path"});
  fs::path folder = resolve_path(entry, "path", entry.nonempty_string("path"), base, vars);
  fs::path scenario_file = folder / "scenario.toml";
  if (!is_file(scenario_file)) {
    entry.fail("path", fmt::format("'{}' has no scenario.toml; create it or fix the path",
                                   folder.string()));
  }
  toml::table scenario_table =
      parse_toml(read_file(scenario_file, "scenario manifest"), scenario_file);
  return parse_scenario(scenario_table, scenario_file, "", folder, vars, modes);
}

}  // namespace

Suite parse_suite(std::string_view text, const fs::path& file, const ManifestVars& vars) {
  toml::table root = parse_toml(text, file);
  Fields fields(root, file, "");
  fields.allow_only({"name", "description", "index", "index_port", "scenario", "claim", "fidelity",
                     "mode", "report"});
  Suite suite;
  suite.manifest = file;
  suite.name = fields.nonempty_string("name");
  suite.description = fields.string("description").value_or("");
  fs::path base = fs::absolute(file).parent_path();
  if (auto index = fields.string("index")) {
    suite.index = resolve_path(fields, "index", *index, base, vars);
  }
  if (const toml::node* port = root.get("index_port")) {
    if (!port->is_integer() || **port->as_integer() < 0 || **port->as_integer() > 65535) {
      fields.fail("index_port", "must be a port number (0 to 65535; 0 picks a free one)");
    }
    suite.index_port = static_cast<int>(**port->as_integer());
  }
  suite.modes = parse_modes(fields, base, vars);
  parse_report_wording(fields, suite);
  const toml::array* scenarios = fields.array_of_tables("scenario");
  if (!scenarios || scenarios->empty()) {
    fields.fail("scenario", "the suite lists no scenarios; add [[scenario]] tables");
  }
  std::set<std::string> seen;
  std::size_t index = 0;
  for (const auto& node : *scenarios) {
    const toml::table& table = *node.as_table();
    std::string prefix = fmt::format("scenario[{}].", index++);
    Scenario scenario = parse_suite_entry(table, file, prefix, base, vars, suite.modes);
    if (!seen.insert(scenario.name).second) {
      throw UsageError(
          fmt::format("{}: field '{}name': scenario '{}' appears twice; names must "
                      "be unique in a suite",
                      scenario.manifest.string(), prefix, scenario.name));
    }
    suite.scenarios.push_back(std::move(scenario));
  }
  if (const toml::array* claims = fields.array_of_tables("claim")) {
    std::size_t n = 0;
    for (const auto& node : *claims) {
      Fields claim_fields(*node.as_table(), file, fmt::format("claim[{}].", n++));
      auto settings = parse_claims(claim_fields, suite.names(), suite.modes);
      suite.claims.insert(suite.claims.end(), settings.begin(), settings.end());
    }
  }
  if (const toml::array* checks = fields.array_of_tables("fidelity")) {
    std::size_t n = 0;
    for (const auto& node : *checks) {
      Fields check_fields(*node.as_table(), file, fmt::format("fidelity[{}].", n++));
      suite.fidelity.push_back(parse_fidelity(check_fields, suite.claims));
    }
  }
  return suite;
}

Suite load_suite(const fs::path& file, const ManifestVars& vars) {
  if (!path_exists(file)) {
    throw UsageError(
        fmt::format("suite '{}' does not exist; pass --suite with a suite.toml or "
                    "the folder holding one",
                    file.string()));
  }
  if (is_dir(file)) return load_suite(file / "suite.toml", vars);
  return parse_suite(read_file(file, "suite manifest"), file, vars);
}

}  // namespace bb

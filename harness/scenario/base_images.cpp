#include "scenario/base_images.hpp"

#include <algorithm>
#include <regex>
#include <sstream>
#include <utility>

#include "util/text.hpp"

namespace bb {
namespace {

// The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped.
std::vector<std::string> instructions(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte-order mark
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    bool continues = !line.empty() && line.back() == '\\';
    if (continues) line.pop_back();
    pending += line + " ";
    if (!continues) out.push_back(std::exchange(pending, ""));
  }
  if (!pending.empty()) out.push_back(pending);
  return out;
}

// "$NAME" and "${NAME}" replaced from `args`; unknown names are left as they are.
std::string expand(std::string ref, const std::map<std::string, std::string>& args) {
  static const std::regex var(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)");
  std::string out;
  auto begin = std::sregex_iterator(ref.begin(), ref.end(), var);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    auto found = args.find((*it)[1].str());
    out += ref.substr(last, it->position() - last);
    out += found != args.end() ? found->second : it->str();
    last = it->position() + it->length();
  }
  return out + ref.substr(last);
}

}  // namespace

BaseImages read_base_images(std::string_view dockerfile,
                            const std::map<std::string, std::string>& build_args) {
  static const std::regex from(R"(^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?)",
                               std::regex::icase);
  static const std::regex arg(R"(^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?)",
                              std::regex::icase);
  std::map<std::string, std::string> args;  // global ARGs: declared before the first FROM
  std::vector<std::pair<std::string, std::string>> stages;  // (ref, lower-case name)
  for (const auto& line : instructions(dockerfile)) {
    std::smatch match;
    if (stages.empty() && std::regex_search(line, match, arg)) {
      auto given = build_args.find(match[1]);
      if (given != build_args.end())
        args[match[1]] = given->second;
      else if (match[2].matched)
        args[match[1]] = match[2];
      continue;
    }
    if (!std::regex_search(line, match, from)) continue;
    stages.emplace_back(expand(match[1], args), match[2].matched ? lower(match[2].str()) : "");
  }
  auto stage_named = [&](const std::string& ref, std::size_t before) -> std::optional<std::size_t> {
    for (std::size_t i = before; i-- > 0;) {
      if (!stages[i].second.empty() && stages[i].second == lower(ref)) return i;
    }
    return std::nullopt;
  };
  BaseImages bases;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& ref = stages[i].first;
    if (stage_named(ref, i) || lower(ref) == "scratch" || ref.find('$') != std::string::npos ||
        std::find(bases.all.begin(), bases.all.end(), ref) != bases.all.end()) {
      continue;
    }
    bases.all.push_back(ref);
  }
  for (std::size_t i = stages.size(); i > 0;) {
    const auto& ref = stages[i - 1].first;
    if (auto stage = stage_named(ref, i - 1)) {
      i = *stage + 1;
      continue;
    }
    if (ref.find('$') != std::string::npos)
      bases.unresolved = ref;
    else if (lower(ref) != "scratch")
      bases.final_base = ref;
    break;
  }
  return bases;
}

}  // namespace bb

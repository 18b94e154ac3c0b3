#include "dockerfile/reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/text.hpp"

namespace bb::dockerfile {
namespace {

constexpr std::string_view kBlank = " \t\v\f\r";
constexpr std::string_view kBlankOrNewline = " \t\v\f\r\n";

bool is_blank(char c) {
  return kBlankOrNewline.find(c) != std::string_view::npos;
}

std::string_view trim_newline(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

std::string_view trim_left(std::string_view line) {
  auto first = line.find_first_not_of(kBlank);
  return first == std::string_view::npos ? std::string_view() : line.substr(first);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_comment(std::string_view line) {
  line = trim_left(line);
  return !line.empty() && line[0] == '#';
}

std::vector<std::string_view> lines_of(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte-order mark
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    lines.push_back(text.substr(0, end == std::string_view::npos ? text.size() : end + 1));
    text.remove_prefix(lines.back().size());
  }
  return lines;
}

// `# key=value` before every instruction; only escape, syntax and check are directives.
struct Directive {
  std::string key, value;
};

std::optional<Directive> directive_of(std::string_view line) {
  line = trim_left(trim_newline(line));
  if (line.empty() || line[0] != '#') return std::nullopt;
  line = trim_left(line.substr(1));
  std::size_t key_end = 0;
  while (key_end < line.size() && std::isalnum(static_cast<unsigned char>(line[key_end])))
    ++key_end;
  if (key_end == 0 || !std::isalpha(static_cast<unsigned char>(line[0]))) return std::nullopt;
  std::string_view rest = trim_left(line.substr(key_end));
  if (rest.empty() || rest[0] != '=') return std::nullopt;
  std::string_view value = trim(rest.substr(1));
  if (value.empty()) return std::nullopt;
  return Directive{lower(line.substr(0, key_end)), std::string(value)};
}

char read_directives(const std::vector<std::string_view>& lines) {
  static const std::array<std::string_view, 3> known = {"escape", "syntax", "check"};
  char escape = '\\';
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto directive = directive_of(lines[i]);
    if (!directive || std::find(known.begin(), known.end(), directive->key) == known.end()) break;
    int line = static_cast<int>(i) + 1;
    if (std::find(seen.begin(), seen.end(), directive->key) != seen.end()) {
      throw ParseError(line, fmt::format("only one '{}' parser directive can be used; remove "
                                         "the repeated one",
                                         directive->key));
    }
    seen.push_back(directive->key);
    if (directive->key != "escape") continue;
    if (directive->value != "\\" && directive->value != "`") {
      throw ParseError(line, fmt::format("invalid escape character '{}'; use \\ or `",
                                         printable(directive->value)));
    }
    escape = directive->value[0];
  }
  return escape;
}

// The line without its continuation mark, and whether the instruction ends on it. An
// escaped escape character (`\\`) at the end is no continuation mark.
std::pair<std::string_view, bool> without_continuation(std::string_view line, char escape) {
  auto last = line.find_last_not_of(" \t");
  if (last == std::string_view::npos || line[last] != escape) return {line, true};
  if (last > 0 && line[last - 1] == escape) return {line, true};
  return {line.substr(0, last), false};
}

bool takes_heredoc(std::string_view keyword, std::string_view args) {
  if (keyword == "ONBUILD") {
    auto parts = words(args);
    if (parts.empty()) return false;
    auto space = args.find_first_of(kBlankOrNewline);
    std::string sub = upper(parts[0]);
    return sub != "ONBUILD" &&
           takes_heredoc(sub, space == std::string_view::npos ? "" : args.substr(space));
  }
  if (keyword != "RUN" && keyword != "COPY" && keyword != "ADD") return false;
  return !json_array(split_flags(args).rest).has_value();  // the JSON form has no heredoc
}

// Reads each heredoc's body from the lines after `next`; returns the first line after them.
std::size_t read_heredocs(Instruction& ins, const std::vector<std::string_view>& lines,
                          std::size_t next) {
  for (const auto& word : shell_words(ins.keyword + " " + ins.args)) {
    auto heredoc = heredoc_marker(word);
    if (!heredoc) continue;
    bool ended = false;
    for (; next < lines.size() && !ended; ++next) {
      std::string_view candidate = trim_newline(lines[next]);
      if (heredoc->chomp)
        candidate.remove_prefix(std::min(candidate.find_first_not_of('\t'), candidate.size()));
      ended = candidate == heredoc->name;
      if (!ended) heredoc->body += lines[next];
    }
    if (!ended) {
      throw ParseError(
          ins.line, fmt::format("the heredoc <<{} of `{}` never ends; add a line "
                                "holding only {} after its text",
                                printable(heredoc->name), ins.keyword, printable(heredoc->name)));
    }
    ins.heredocs.push_back(std::move(*heredoc));
  }
  return next;
}

Instruction split_command(std::string_view line, int first, int last) {
  line = trim(line);
  auto space = line.find_first_of(kBlank);
  Instruction ins;
  ins.keyword = upper(line.substr(0, space));
  if (space != std::string_view::npos) ins.args = std::string(trim(line.substr(space)));
  ins.line = first;
  ins.end_line = last;
  return ins;
}

}  // namespace

ParseError::ParseError(int line, const std::string& what)
    : UsageError(fmt::format("line {}: {}", line, what)), line_(line) {}

Dockerfile parse(std::string_view text) {
  auto lines = lines_of(text);
  Dockerfile out;
  out.escape = read_directives(lines);
  for (std::size_t i = 0; i < lines.size();) {
    std::string_view first = trim_left(trim_newline(lines[i++]));
    if (first.empty() || first[0] == '#') continue;
    int start = static_cast<int>(i);
    auto [piece, ended] = without_continuation(first, out.escape);
    std::string joined(piece);
    while (!ended && i < lines.size()) {
      std::string_view raw = trim_newline(lines[i++]);
      if (is_comment(raw) || trim_left(raw).empty()) continue;  // skipped, as BuildKit does
      std::tie(piece, ended) = without_continuation(raw, out.escape);
      joined += piece;
    }
    if (trim(joined).empty()) continue;
    Instruction ins = split_command(joined, start, static_cast<int>(i));
    if (takes_heredoc(ins.keyword, ins.args)) i = read_heredocs(ins, lines, i);
    ins.end_line = static_cast<int>(i);
    out.instructions.push_back(std::move(ins));
  }
  return out;
}

FlagsAndRest split_flags(std::string_view args) {
  FlagsAndRest out;
  std::size_t pos = 0;
  while (true) {
    while (pos < args.size() && is_blank(args[pos])) ++pos;
    if (args.substr(pos, 2) != "--") break;
    std::size_t end = pos;
    for (char quote = 0; end < args.size() && (quote || !is_blank(args[end])); ++end) {
      if (quote && args[end] == quote) {
        quote = 0;
      } else if (!quote && (args[end] == '"' || args[end] == '\'')) {
        quote = args[end];
      }
    }
    std::string_view word = args.substr(pos + 2, end - pos - 2);
    pos = end;
    if (word.empty()) break;  // a lone "--" ends the flags
    auto equals = word.find('=');
    Flag flag{std::string(word.substr(0, equals)), "", equals != std::string_view::npos};
    if (flag.has_value) flag.value = unquote(word.substr(equals + 1));
    out.flags.push_back(std::move(flag));
  }
  out.rest = std::string(trim(args.substr(std::min(pos, args.size()))));
  return out;
}

std::optional<std::vector<std::string>> json_array(std::string_view text) {
  text = trim(text);
  if (text.empty() || text[0] != '[') return std::nullopt;
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_array()) return std::nullopt;
  std::vector<std::string> items;
  for (const auto& item : parsed) {
    if (!item.is_string()) return std::nullopt;
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    auto start = text.find_first_not_of(kBlankOrNewline, pos);
    if (start == std::string_view::npos) break;
    auto end = std::min(text.find_first_of(kBlankOrNewline, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::vector<std::string> shell_words(std::string_view text, char escape) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!quote && is_blank(c)) {
      if (in_word) out.push_back(std::exchange(word, ""));
      in_word = false;
      continue;
    }
    in_word = true;
    word += c;
    if (c == escape && quote != '\'' && i + 1 < text.size()) {
      word += text[++i];
    } else if (quote && c == quote) {
      quote = 0;
    } else if (!quote && (c == '"' || c == '\'')) {
      quote = c;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

std::string unquote(std::string_view word, char escape) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    bool escapes = c == escape && i + 1 < word.size() && quote != '\'';
    if (escapes && quote == '"') {
      // In double quotes the escape character only escapes what the quotes would read.
      char next = word[i + 1];
      if (next == '"' || next == '$' || next == escape || next == '`') c = word[++i];
    } else if (escapes) {
      c = word[++i];
    } else if (quote && c == quote) {
      quote = 0;
      continue;
    } else if (!quote && (c == '"' || c == '\'')) {
      quote = c;
      continue;
    }
    out += c;
  }
  return out;
}

std::optional<Heredoc> heredoc_marker(std::string_view word) {
  std::size_t digits = 0;
  while (digits < word.size() && std::isdigit(static_cast<unsigned char>(word[digits]))) ++digits;
  if (word.substr(digits, 2) != "<<") return std::nullopt;
  std::string_view rest = word.substr(digits + 2);
  Heredoc heredoc;
  heredoc.chomp = !rest.empty() && rest[0] == '-';
  if (heredoc.chomp) rest.remove_prefix(1);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  heredoc.name = unquote(rest);
  if (heredoc.name.empty()) return std::nullopt;
  heredoc.expand = rest.find_first_of("\"'") == std::string_view::npos;
  if (digits > 0 && digits < 10)
    heredoc.file_descriptor = std::stoi(std::string(word.substr(0, digits)));
  return heredoc;
}

}  // namespace bb::dockerfile

#include "dockerfile/glob.hpp"

#include "util/text.hpp"

namespace bb::dockerfile {
namespace {

using Token = Glob::Token;

// One character of a class: `\x` is x; an unescaped `-` or `]` cannot start a range.
bool class_char(std::string_view pattern, std::size_t& i, char& out) {
  if (i >= pattern.size() || pattern[i] == '-' || pattern[i] == ']') return false;
  if (pattern[i] == '\\' && ++i >= pattern.size()) return false;
  out = pattern[i++];
  return true;
}

// `[...]` from the `[` at i; nothing when malformed. Moves i past the `]`.
std::optional<Token> read_class(std::string_view pattern, std::size_t& i) {
  Token token = Token::of(Token::kClass);
  ++i;
  if (i < pattern.size() && pattern[i] == '^') {
    token.negated = true;
    ++i;
  }
  while (i >= pattern.size() || pattern[i] != ']' || token.ranges.empty()) {
    char low = 0, high = 0;
    if (!class_char(pattern, i, low)) return std::nullopt;
    high = low;
    if (i < pattern.size() && pattern[i] == '-' && (++i, !class_char(pattern, i, high))) {
      return std::nullopt;
    }
    token.ranges.emplace_back(low, high);
  }
  ++i;
  return token;
}

// patternmatcher's `**`: at the end (or leading a pattern with no other wildcard and no
// slash after it) anything at all, elsewhere any number of whole folders.
Token double_star(std::string_view pattern, std::size_t& i) {
  bool leading = i == 0;
  i += 2;
  bool slash = i < pattern.size() && pattern[i] == '/';
  if (slash) ++i;
  std::string_view rest = pattern.substr(i);
  bool plain_rest = rest.find_first_of("*?[\\") == std::string_view::npos;
  if (rest.empty() || (leading && !slash && plain_rest)) return Token::of(Token::kAnything);
  return Token::of(Token::kAnyFolders);
}

bool in_class(const Token& token, char c) {
  bool found = false;
  for (auto [low, high] : token.ranges) found |= low <= c && c <= high;
  return found != token.negated;
}

}  // namespace

std::optional<Glob> Glob::compile(std::string_view pattern, GlobRules rules) {
  Glob glob;
  for (std::size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '*' && rules == GlobRules::kPattern && pattern.substr(i, 2) == "**") {
      glob.tokens_.push_back(double_star(pattern, i));
    } else if (c == '*') {
      while (i < pattern.size() && pattern[i] == '*') ++i;  // `**` is `*` here
      glob.tokens_.push_back(Token::of(Token::kStar));
    } else if (c == '?') {
      glob.tokens_.push_back(Token::of(Token::kOne));
      ++i;
    } else if (c == '[') {
      auto token = read_class(pattern, i);
      if (!token) return std::nullopt;
      glob.tokens_.push_back(std::move(*token));
    } else {
      if (c == '\\' && ++i >= pattern.size()) return std::nullopt;  // a trailing escape
      glob.tokens_.push_back(Token::of(Token::kLiteral, pattern[i++]));
    }
  }
  return glob;
}

bool Glob::matches(std::string_view path) const {
  // rest[t][p]: tokens from t match the path from p. Filled backwards; no backtracking, so
  // a pattern of many stars costs tokens x characters, never more.
  const std::size_t tokens = tokens_.size(), size = path.size(), width = size + 1;
  std::vector<char> rest((tokens + 1) * width, 0), folders(width, 0);
  rest[tokens * width + size] = 1;
  for (std::size_t t = tokens; t-- > 0;) {
    const Token& token = tokens_[t];
    const char* next = &rest[(t + 1) * width];
    char* here = &rest[t * width];
    folders[size] = 0;
    for (std::size_t p = size + 1; p-- > 0;) {
      bool more = p < size;
      char c = more ? path[p] : 0;
      switch (token.kind) {
        case Token::kLiteral:
          here[p] = more && c == token.literal && next[p + 1];
          break;
        case Token::kOne:
          here[p] = more && c != '/' && next[p + 1];
          break;
        case Token::kClass:
          here[p] = more && in_class(token, c) && next[p + 1];
          break;
        case Token::kStar:
          here[p] = next[p] || (more && c != '/' && here[p + 1]);
          break;
        case Token::kAnything:
          here[p] = next[p] || (more && here[p + 1]);
          break;
        case Token::kAnyFolders:
          // Empty, or anything up to and including a slash.
          if (more) folders[p] = (c == '/' && next[p + 1]) || folders[p + 1];
          here[p] = next[p] || (more && folders[p]);
          break;
      }
    }
  }
  return rest[0] != 0;
}

std::optional<std::size_t> Glob::matched_prefix(std::string_view path) const {
  for (auto slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (matches(path.substr(0, slash))) return slash;
  }
  if (matches(path)) return path.size();
  return std::nullopt;
}

bool has_wildcards(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '*' || text[i] == '?' || text[i] == '[') {
      return true;
    }
  }
  return false;
}

std::string clean_path(std::string_view path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  for (const auto& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      parts.push_back(part);
    } else if (!parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (!absolute) {
      parts.push_back(part);  // above the context: kept, so callers can see it
    }
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

IgnoreFile parse_ignore_file(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  IgnoreFile file;
  for (const auto& raw : split(text, '\n')) {
    if (!raw.empty() && raw[0] == '#') continue;  // a comment only in the first column
    std::string_view line = trim(raw);
    bool exclusion = !line.empty() && line[0] == '!';
    if (exclusion) line = trim(line.substr(1));
    std::string pattern = clean_path(line);
    if (pattern.empty()) continue;
    auto glob = Glob::compile(pattern, GlobRules::kPattern);
    if (!glob) continue;
    file.rules.push_back({std::move(*glob), exclusion});
    file.has_exclusions |= exclusion;
  }
  return file;
}

bool ignored(const IgnoreFile& file, std::string_view path) {
  bool result = false;
  for (const auto& rule : file.rules) {
    if (rule.pattern.matched_prefix(path)) result = !rule.exclusion;
  }
  return result;
}

}  // namespace bb::dockerfile

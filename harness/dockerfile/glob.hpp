#pragma once
// Path patterns as BuildKit matches them, and .dockerignore rules. Two rule sets:
//   kCopySource  a COPY or ADD source (Go's filepath.Match): `*`, `?` and `[...]` stay within
//                one path element, so `**` is the same as `*`;
//   kPattern     .dockerignore, `COPY --parents` and `--exclude` (moby/patternmatcher):
//                `**` also crosses folders (`a/**/b` matches a/b and a/x/y/b).
// Both: `[^...]` negates a class, `\` escapes the next character.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bb::dockerfile {

enum class GlobRules { kCopySource, kPattern };

class Glob {
 public:
  // nullopt for a malformed pattern (an unclosed `[`, an empty class), which BuildKit refuses.
  static std::optional<Glob> compile(std::string_view pattern, GlobRules rules);

  // The whole of `path` (slash-separated, relative).
  bool matches(std::string_view path) const;
  // The length of the shortest match among the path's folders and the path itself: a
  // matched folder brings in everything under it.
  std::optional<std::size_t> matched_prefix(std::string_view path) const;

  struct Token {
    enum Kind { kLiteral, kOne, kStar, kAnyFolders, kAnything, kClass } kind = kLiteral;
    char literal = 0;
    bool negated = false;
    std::vector<std::pair<char, char>> ranges;  // of a class
    static Token of(Kind kind, char literal = 0) {
      Token token;
      token.kind = kind;
      token.literal = literal;
      return token;
    }
  };

 private:
  std::vector<Token> tokens_;
};

// Whether the text holds an unescaped `*`, `?` or `[`.
bool has_wildcards(std::string_view text);

// "./a/b/" -> "a/b", "a//b/../c" -> "a/c", "." and "/" -> "" (the whole context). A path
// above the context keeps its leading "..".
std::string clean_path(std::string_view path);

// A .dockerignore file: the last rule matching a path or one of its folders decides.
struct IgnoreRule {
  Glob pattern;
  bool exclusion = false;  // `!pattern`: brought back in
};

struct IgnoreFile {
  std::vector<IgnoreRule> rules;
  bool has_exclusions = false;  // an ignored folder may still hold files brought back in
};

// Malformed patterns are left out (BuildKit would refuse the whole file).
IgnoreFile parse_ignore_file(std::string_view text);
bool ignored(const IgnoreFile& file, std::string_view path);

}  // namespace bb::dockerfile

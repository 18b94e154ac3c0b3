#pragma once
// The one Dockerfile reader: instructions as BuildKit's parser splits them (parser
// directives, a byte-order mark, comments, continuation lines, heredocs), the words of an
// instruction, its --flags and its JSON form. Plain data out; no file is read here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace bb::dockerfile {

// A Dockerfile BuildKit would refuse too (an unterminated heredoc, a bad escape directive):
// bad input, never a silent misreading.
class ParseError : public UsageError {
 public:
  ParseError(int line, const std::string& what);
  int line() const { return line_; }

 private:
  int line_;
};

// `<<EOF` ... `EOF` after a RUN, COPY or ADD (or ONBUILD of one) in the shell form.
struct Heredoc {
  std::string name;    // the word that ends it, quotes removed
  std::string body;    // its lines, each with its newline
  bool chomp = false;  // `<<-`: leading tabs are stripped
  bool expand = true;  // false when the word was quoted: no variable expansion
  int file_descriptor = 0;
};

struct Instruction {
  std::string keyword;  // upper case: "COPY"
  // Everything after the keyword, --flags included, continuation lines joined as BuildKit
  // joins them (the escape character and the line break removed, nothing added).
  std::string args;
  int line = 0;  // first line, from 1
  int end_line = 0;
  std::vector<Heredoc> heredocs;
};

struct Dockerfile {
  char escape = '\\';  // the `# escape=` directive
  std::vector<Instruction> instructions;
};

// Throws ParseError.
Dockerfile parse(std::string_view text);

// A leading `--name[=value]` of an instruction (`--from=build`, `--link`, `--mount=...`).
struct Flag {
  std::string name;   // without the dashes
  std::string value;  // quotes removed; empty for a bare flag
  bool has_value = false;
};

struct FlagsAndRest {
  std::vector<Flag> flags;
  std::string rest;  // the operands, trimmed
};

// The flags come first and end at the first word not starting with "--".
FlagsAndRest split_flags(std::string_view args);

// The JSON (exec) form: a JSON array of strings, else nullopt (the shell form).
std::optional<std::vector<std::string>> json_array(std::string_view text);

// Split at blanks, as BuildKit splits FROM and the shell form of COPY (quotes are text).
std::vector<std::string> words(std::string_view text);

// Split at blanks outside quotes, quotes and escapes kept (ARG, ENV, heredoc markers).
std::vector<std::string> shell_words(std::string_view text, char escape = '\\');

// A shell word with its quotes and escapes removed.
std::string unquote(std::string_view word, char escape = '\\');

// `<<EOF`, `<<-"EOF"`, `3<<EOF` as a word of an instruction; nullopt for any other word.
std::optional<Heredoc> heredoc_marker(std::string_view word);

}  // namespace bb::dockerfile

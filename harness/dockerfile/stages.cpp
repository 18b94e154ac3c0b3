#include "dockerfile/stages.hpp"

#include <cctype>

#include "util/text.hpp"

namespace bb::dockerfile {
namespace {

bool is_name_char(char c, bool first) {
  auto u = static_cast<unsigned char>(c);
  return c == '_' || std::isalpha(u) || (!first && std::isdigit(u));
}

std::size_t name_length(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_name_char(text[n], n == 0)) ++n;
  return n;
}

// The inside of `${...}`: the value it stands for, or nullopt to leave it as written.
std::optional<std::string> braced(std::string_view inside, const Args& args) {
  std::size_t n = name_length(inside);
  if (n == 0) return std::nullopt;
  auto found = args.find(std::string(inside.substr(0, n)));
  std::string_view modifier = inside.substr(n);
  bool set = found != args.end();
  bool non_empty = set && !found->second.empty();
  if (modifier.empty()) return set ? std::optional(found->second) : std::nullopt;
  for (std::string_view op : {":-", "-", ":+", "+"}) {
    if (modifier.substr(0, op.size()) != op) continue;
    std::string word = expand_args(modifier.substr(op.size()), args);
    bool present = op[0] == ':' ? non_empty : set;
    if (op.back() == '-') return present ? found->second : word;
    return present ? word : "";
  }
  return std::nullopt;  // `:?`, `#`, `%` and the rest: not read here
}

}  // namespace

std::vector<ArgDeclaration> arg_declarations(const Instruction& arg, char escape) {
  std::vector<ArgDeclaration> out;
  for (const auto& word : shell_words(arg.args, escape)) {
    auto equals = word.find('=');
    ArgDeclaration declaration{word.substr(0, equals), std::nullopt};
    if (equals != std::string::npos) declaration.value = unquote(word.substr(equals + 1), escape);
    out.push_back(std::move(declaration));
  }
  return out;
}

std::string expand_args(std::string_view text, const Args& args) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    if (text.substr(i + 1, 1) == "{") {
      auto close = text.find('}', i + 2);
      auto value = close == std::string_view::npos
                       ? std::nullopt
                       : braced(text.substr(i + 2, close - i - 2), args);
      std::size_t end = close == std::string_view::npos ? text.size() : close + 1;
      out += value ? *value : std::string(text.substr(i, end - i));
      i = end;
      continue;
    }
    std::size_t n = name_length(text.substr(i + 1));
    auto found = n ? args.find(std::string(text.substr(i + 1, n))) : args.end();
    out += found != args.end() ? found->second : std::string(text.substr(i, n + 1));
    i += n + 1;
  }
  return out;
}

Args global_args(const Dockerfile& file, const Args& build_args) {
  Args args;
  for (const auto& ins : file.instructions) {
    if (ins.keyword == "FROM") break;
    if (ins.keyword != "ARG") continue;
    for (const auto& declaration : arg_declarations(ins, file.escape)) {
      auto given = build_args.find(declaration.name);
      if (given != build_args.end()) {
        args[declaration.name] = given->second;
      } else if (declaration.value) {
        args[declaration.name] = expand_args(*declaration.value, args);
      }
    }
  }
  return args;
}

std::vector<Stage> stages_of(const Dockerfile& file, const Args& build_args) {
  Args args = global_args(file, build_args);
  std::vector<Stage> stages;
  for (std::size_t i = 0; i < file.instructions.size(); ++i) {
    const auto& ins = file.instructions[i];
    if (ins.keyword != "FROM") continue;
    auto [flags, rest] = split_flags(ins.args);
    auto parts = words(rest);
    Stage stage;
    stage.instruction = i;
    stage.flags = std::move(flags);
    if (!parts.empty()) stage.base = expand_args(parts[0], args);
    if (parts.size() >= 3 && lower(parts[1]) == "as") stage.name = lower(parts[2]);
    for (std::size_t j = stages.size(); j-- > 0 && !stage.base.empty();) {
      if (stages[j].name == lower(stage.base)) {
        stage.parent = j;
        break;
      }
    }
    stages.push_back(std::move(stage));
  }
  return stages;
}

std::size_t chain_root(const std::vector<Stage>& stages, std::size_t stage) {
  while (stages[stage].parent) stage = *stages[stage].parent;
  return stage;
}

namespace {

std::string renamed_from(const Instruction& from, const std::string& image) {
  auto [flags, rest] = split_flags(from.args);
  std::string line = "FROM";
  for (const auto& flag : flags)
    line += " --" + flag.name + (flag.has_value ? "=" + flag.value : "");
  line += " " + image;
  auto parts = words(rest);
  for (std::size_t i = 1; i < parts.size(); ++i) line += " " + parts[i];  // AS name
  return line;
}

}  // namespace

std::string with_bases_renamed(std::string_view text, const Args& build_args,
                               const std::map<std::string, std::string>& renamed) {
  Dockerfile file = parse(text);
  std::vector<std::string> lines;
  for (std::string_view rest = text;;) {
    auto newline = rest.find('\n');
    lines.emplace_back(rest.substr(0, newline));
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  for (const auto& stage : stages_of(file, build_args)) {
    auto to = renamed.find(stage.base);
    if (stage.parent || to == renamed.end()) continue;
    const Instruction& from = file.instructions[stage.instruction];
    lines.at(from.line - 1) = renamed_from(from, to->second);
    for (int line = from.line + 1; line <= from.end_line; ++line) lines.at(line - 1).clear();
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

}  // namespace bb::dockerfile

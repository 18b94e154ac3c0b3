#include "model/build_step.hpp"

#include <regex>

namespace bb {

bool BuildStep::is_instruction() const {
  static const std::regex instruction(R"(^\[[^\]]*\d+/\d+\] (\S+))");
  std::smatch match;
  if (!std::regex_search(name, match, instruction)) return false;
  return match[1] != "FROM";
}

double BuildStep::seconds() const {
  if (!started || !completed) return 0.0;
  return *completed - *started;
}

}  // namespace bb

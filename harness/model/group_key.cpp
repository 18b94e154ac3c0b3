#include "model/group_key.hpp"

#include "util/text.hpp"

namespace bb {

std::string to_string(const GroupKey& key) {
  return printable(key.scenario) + " " + printable(key.state);
}

std::string to_string(const MetricKey& key) {
  return to_string(key.group) + " " + printable(key.metric);
}

}  // namespace bb

#include "model/run.hpp"

namespace bb {

std::string stored_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string network_profile_of(const RunRecord& run) {
  std::string profile;
  if (run.fingerprint.is_object() && run.fingerprint.contains("network"))
    profile = stored_string(run.fingerprint["network"], "profile");
  return profile.empty() ? stored_string(run.options, "network_profile") : profile;
}

}  // namespace bb

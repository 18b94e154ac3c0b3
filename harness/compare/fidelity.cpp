#include "compare/fidelity.hpp"

#include <algorithm>
#include <cstdlib>

#include "util/text.hpp"

namespace bb {

bool version_at_least(const std::string& version, const std::string& least) {
  auto a = split(version, '.'), b = split(least, '.');
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    long x = i < a.size() ? std::strtol(a[i].c_str(), nullptr, 10) : 0;
    long y = i < b.size() ? std::strtol(b[i].c_str(), nullptr, 10) : 0;
    if (x != y) return x > y;
  }
  return true;
}

namespace {

Fidelity judge(const FidelityCheck& check, const std::string& lab) {
  const std::string& needs = check.needs;
  if (needs.empty()) return Fidelity::kInformational;
  bool holds = needs == "same"                    ? lab == check.official
               : needs.rfind("at least ", 0) == 0 ? version_at_least(lab, needs.substr(9))
                                                  : lab == needs;
  return holds ? Fidelity::kFaithful : Fidelity::kDiffers;
}

}  // namespace

std::vector<FidelityRow> judge_fidelity(const std::vector<FidelityCheck>& checks,
                                        const nlohmann::json& fingerprint) {
  std::vector<FidelityRow> rows;
  const nlohmann::json* recorded =
      fingerprint.contains("fidelity") && fingerprint["fidelity"].is_array()
          ? &fingerprint["fidelity"]
          : nullptr;
  for (const auto& check : checks) {
    FidelityRow row;
    row.check = check;
    row.error = "not read by this run";
    if (check.read == "stated") {
      row.lab = check.lab;
      row.error.clear();
      row.fidelity = judge(check, check.lab);
    } else if (recorded) {
      for (const auto& fact : *recorded) {
        if (fact.value("property", "") != check.property || fact.value("image", "") != check.image)
          continue;
        if (fact.contains("value") && fact["value"].is_string()) {
          row.lab = fact["value"].get<std::string>();
          row.error.clear();
          row.fidelity = judge(check, *row.lab);
        } else {
          row.error = fact.value("error", "not read");
        }
        break;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> unfaithful_for(const std::vector<FidelityRow>& rows,
                                        const std::string& claim_id) {
  std::vector<std::string> properties;
  for (const auto& row : rows) {
    if (row.fidelity != Fidelity::kDiffers) continue;
    const auto& claims = row.check.claims;
    if (std::find(claims.begin(), claims.end(), claim_id) != claims.end())
      properties.push_back(row.check.property);
  }
  return properties;
}

}  // namespace bb

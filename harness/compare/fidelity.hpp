#pragma once
// Whether the lab's base images are faithful to the official ones in the properties a suite's
// claims turn on: each check's official value against the value read off the run's image.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.hpp"

namespace bb {

enum class Fidelity {
  kFaithful,       // the lab's value meets what the claims need
  kDiffers,        // it does not: the claims it affects are not the official image's
  kInformational,  // nothing is needed of it (shown beside the official value)
  kUnread,         // the run could not read it (or predates the check)
};

struct FidelityRow {
  FidelityCheck check;
  std::optional<std::string> lab;  // as read; sizes in bytes
  std::string error;               // why it is unread
  Fidelity fidelity = Fidelity::kUnread;
};

// Compares dotted versions ("25.1.1" >= "23.1"); parts that are not numbers compare as 0.
bool version_at_least(const std::string& version, const std::string& least);

// The suite's checks, in its order, judged on the values the run recorded
// (fingerprint["fidelity"], matched by property and image).
std::vector<FidelityRow> judge_fidelity(const std::vector<FidelityCheck>& checks,
                                        const nlohmann::json& fingerprint);

// The properties, from these rows, in which the lab differs for this claim.
std::vector<std::string> unfaithful_for(const std::vector<FidelityRow>& rows,
                                        const std::string& claim_id);

}  // namespace bb

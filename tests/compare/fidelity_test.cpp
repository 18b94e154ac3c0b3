#include "compare/fidelity.hpp"

#include <catch2/catch.hpp>

using namespace bb;

namespace {

FidelityCheck check(std::string property, std::string needs, std::string official = "24.0") {
  FidelityCheck c;
  c.property = std::move(property);
  c.image = "python:3.11";
  c.command = {"python3", "-c", "x"};
  c.official = std::move(official);
  c.source = "s";
  c.needs = std::move(needs);
  c.claims = {"claim-a"};
  return c;
}

nlohmann::json read(const std::string& property, const std::string& value) {
  return {{"property", property}, {"image", "python:3.11"}, {"value", value}};
}

}  // namespace

TEST_CASE("fidelity: dotted versions compare part by part") {
  CHECK(version_at_least("25.1.1", "23.1"));
  CHECK(version_at_least("23.1", "23.1"));
  CHECK(version_at_least("23.10", "23.9"));  // not a string comparison
  CHECK_FALSE(version_at_least("23.0.1", "23.1"));
  CHECK_FALSE(version_at_least("9.0", "23.1"));
}

TEST_CASE("fidelity: each check is judged on the value the run read off its image") {
  std::vector<FidelityCheck> checks = {
      check("new pip", "at least 23.1"), check("old pip", "at least 23.1"),
      check("no pyc", "same", "0"),      check("python", ""),
      check("never read", "same"),       check("failed read", "same")};
  checks[5].command = {"gcc"};
  nlohmann::json fingerprint;
  fingerprint["fidelity"] = {read("new pip", "25.1.1"),
                             read("old pip", "23.0.1"),
                             read("no pyc", "1843"),
                             read("python", "3.11.2"),
                             {{"property", "failed read"},
                              {"image", "python:3.11"},
                              {"error", "gcc exited 127: not found"}}};
  auto rows = judge_fidelity(checks, fingerprint);
  REQUIRE(rows.size() == 6);
  CHECK(rows[0].fidelity == Fidelity::kFaithful);
  CHECK(rows[1].fidelity == Fidelity::kDiffers);
  CHECK(rows[2].fidelity == Fidelity::kDiffers);
  CHECK(*rows[2].lab == "1843");
  CHECK(rows[3].fidelity == Fidelity::kInformational);
  CHECK(rows[4].fidelity == Fidelity::kUnread);
  CHECK(rows[4].error == "not read by this run");
  CHECK(rows[5].fidelity == Fidelity::kUnread);
  CHECK(rows[5].error == "gcc exited 127: not found");
  CHECK(unfaithful_for(rows, "claim-a") == std::vector<std::string>{"old pip", "no pyc"});
  CHECK(unfaithful_for(rows, "claim-b").empty());
}

TEST_CASE("fidelity: a run from before the checks reads as unread, a stated value as given") {
  auto pip = check("pip", "at least 23.1");
  auto poetry = check("poetry", "same", "1.7.0");
  poetry.read = "stated";
  poetry.lab = "1.3.2";
  auto rows = judge_fidelity({pip, poetry}, nlohmann::json::object());
  CHECK(rows[0].fidelity == Fidelity::kUnread);
  CHECK(rows[1].fidelity == Fidelity::kDiffers);
  CHECK(*rows[1].lab == "1.3.2");
}

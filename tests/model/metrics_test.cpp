// The metric catalog: the only list of what buildbench stores, and what each metric is.
#include "model/metrics.hpp"

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("metric catalog: names are unique and each one carries a unit of its kind") {
  std::set<std::string_view> names;
  for (const auto& info : metric_catalog()) {
    INFO(info.name);
    CHECK(names.insert(info.name).second);
    CHECK_FALSE(info.description.empty());
    switch (info.kind) {
      case MetricKind::kTime:
        CHECK(info.unit == "s");
        CHECK(info.name.substr(info.name.size() - 8) == "_seconds");  // the unit in the name
        break;
      case MetricKind::kSize:
        CHECK(info.unit == "bytes");
        CHECK(info.name.find("bytes") != std::string_view::npos);
        break;
      case MetricKind::kCount:
        CHECK((info.unit == "count" || info.unit == "%"));
        break;
    }
    CHECK(info.threshold_percent >= 0);
  }
  CHECK(names.size() == metric_catalog().size());
}

TEST_CASE("metric catalog: the direction of each metric") {
  // Times and sizes are better lower; cached steps and modules read from .pyc, higher.
  for (const auto& info : metric_catalog()) {
    INFO(info.name);
    bool higher_is_better = info.name == kStepsCached || info.name == kModulesFromPyc;
    CHECK(info.lower_is_better == !higher_is_better);
  }
}

TEST_CASE("metric catalog: build metrics live on builds, start-up metrics on start-ups") {
  for (auto name : {kBuildSeconds, kImageBytes, kContextBytes, kPushSeconds, kRegistryBytes}) {
    CHECK(find_metric(name)->sample_kind == SampleKind::kBuild);
  }
  for (auto name : {kReadySeconds, kStartupSeconds, kCreateSeconds, kModulesCompiled}) {
    CHECK(find_metric(name)->sample_kind == SampleKind::kStartup);
  }
  CHECK(sample_kind_of(kReadySeconds) == SampleKind::kStartup);
  CHECK(sample_kind_of(kImageBytes) == SampleKind::kBuild);
}

TEST_CASE("metric catalog: an unknown name is found nowhere and counts as a build metric") {
  CHECK(find_metric("no_such_metric") == nullptr);
  CHECK(find_metric("") == nullptr);
  CHECK(find_metric("Build_Seconds") == nullptr);  // names are exact
  CHECK(sample_kind_of("no_such_metric") == SampleKind::kBuild);
  const MetricInfo* known = find_metric(kBuildSeconds);
  REQUIRE(known != nullptr);
  CHECK(known->name == "build_seconds");
  CHECK(known == &metric_catalog().front());  // a pointer into the catalog, not a copy
}

TEST_CASE("metric catalog: the derived lists follow its flags, in its order") {
  std::vector<std::string> all, compared, tracked;
  for (const auto& info : metric_catalog()) {
    all.emplace_back(info.name);
    if (info.compared) compared.emplace_back(info.name);
    if (info.tracked) tracked.emplace_back(info.name);
  }
  CHECK(metric_names() == all);
  CHECK(compared_metric_names() == compared);
  CHECK(tracked_metric_names() == tracked);
  CHECK(std::find(compared.begin(), compared.end(), "build_seconds") != compared.end());
  CHECK(std::find(compared.begin(), compared.end(), "steps_total") == compared.end());
}

TEST_CASE("metric catalog: the headline columns are 1, 2, ... in order, each with a title") {
  auto headline = headline_metrics();
  REQUIRE(headline.size() == 4);
  for (std::size_t i = 0; i < headline.size(); ++i) {
    INFO(headline[i]->name);
    CHECK(headline[i]->headline_column == static_cast<int>(i) + 1);
  }
  CHECK(headline[0]->name == kBuildSeconds);
  CHECK(headline[1]->headline_title == "Image size");
  CHECK(headline[2]->headline_title == "Compressed");
  CHECK(headline[3]->name == kReadySeconds);
  CHECK(headline[3]->headline_title == "Start-up");
}

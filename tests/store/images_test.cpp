// Images with their layers, stored once, and the pairs of A/B sessions.
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "store/store_fixture.hpp"

using namespace bb;
using namespace bb::test;
namespace fs = std::filesystem;

TEST_CASE("store: images and layers are stored once") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  ImageRecord image;
  image.image_id = "sha256:abc";
  image.size_bytes = 100;
  image.layers.push_back({0, "RUN x", 100, 40, 3, 30});
  store.add_image(image);
  store.add_image(image);
  auto loaded = store.image("sha256:abc");
  REQUIRE(loaded);
  CHECK(loaded->layers.size() == 1);
  CHECK(loaded->layers[0].created_by == "RUN x");
  CHECK(store.has_image("sha256:abc"));
  CHECK_FALSE(store.has_image("sha256:def"));
}

TEST_CASE("store: pairs round-trip, a cut-short sample or a pruned run takes its pairs along") {
  TempDir dir;
  Store store(dir.path / "p.db", Store::Mode::kReadWrite);
  CHECK(store.database().execAndGet("PRAGMA user_version").getInt() == kSchemaVersion);
  RunRecord base, cand;
  base.suite_name = cand.suite_name = "s";
  store.begin_run(base);
  store.begin_run(cand);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(store.add_sample(base.id, build_sample("a", 10)));
    ids.push_back(store.add_sample(
        cand.id, build_sample("a", 11, i == 2 ? SampleStatus::kInterrupted : SampleStatus::kOk)));
    store.add_pair({"x1", ids[2 * i], ids[2 * i + 1], i % 2 ? "candidate" : "baseline"});
  }
  auto pairs = store.pairs({base.id}, {cand.id});
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[1].ab_id == "x1");
  CHECK(pairs[1].baseline_sample_id == ids[2]);
  CHECK(pairs[1].candidate_sample_id == ids[3]);
  CHECK(pairs[1].first == "candidate");
  CHECK(store.pairs({cand.id}, {base.id}).empty());  // sides matter
  CHECK_THROWS(store.add_pair({"x1", ids[0], ids[1], "both"}));

  store.reopen_run(cand.id);  // the interrupted sample goes, and its pair with it
  CHECK(store.pairs({base.id}, {cand.id}).size() == 2);
  store.prune_run(base.id, {});
  CHECK(store.all_pairs().empty());
}

#include "net/registry.hpp"

#include <catch2/catch.hpp>

#include "net/fake_registry.hpp"
#include "util/error.hpp"

using namespace bb;
using namespace bb::net;

TEST_CASE("registry addresses: loopback HOST:PORT only") {
  CHECK(parse_registry_address("127.0.0.1:5000").text() == "127.0.0.1:5000");
  CHECK(parse_registry_address("localhost:5001").text() == "127.0.0.1:5001");
  CHECK_THROWS_AS(parse_registry_address("registry.example.com:5000"), UsageError);
  CHECK_THROWS_AS(parse_registry_address("10.0.0.1:5000"), UsageError);
  CHECK_THROWS_WITH(parse_registry_address("127.0.0.1"), Catch::Contains("127.0.0.1:5000"));
}

TEST_CASE("a registry that does not answer is an environment error naming the fix") {
  RegistryAddress nobody{"127.0.0.1", 1};
  CHECK_FALSE(registry_answers(nobody));
  CHECK_THROWS_WITH(require_registry(nobody),
                    Catch::Contains("127.0.0.1:1") && Catch::Contains("scripts/lab-registry"));
}

TEST_CASE("stored bytes: an index's platform manifest, layers plus config") {
  testing::FakeRegistry registry;
  registry.manifests["/v2/buildbench/x/manifests/latest"] = R"({"manifests": [
      {"digest": "sha256:att", "platform": {"os": "unknown", "architecture": "unknown"}},
      {"digest": "sha256:img", "platform": {"os": "linux", "architecture": "amd64"}}]})";
  registry.manifests["/v2/buildbench/x/manifests/sha256:img"] = R"({"config": {"size": 100},
      "layers": [{"digest": "sha256:aa", "size": 1000}, {"digest": "sha256:bb", "size": 24}]})";
  auto address = parse_registry_address(registry.address());
  require_registry(address);
  auto image = stored_image(address, "buildbench/x", "latest");
  CHECK(image.config_bytes == 100);
  CHECK(image.layers.size() == 2);
  CHECK(image.total_bytes() == 1124);
  CHECK_THROWS_AS(stored_image(address, "buildbench/missing", "latest"), EnvironmentError);
  CHECK(percent_difference(1021, 1000) == Approx(2.1));
}

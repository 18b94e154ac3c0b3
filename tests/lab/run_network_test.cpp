#include "lab/run_network.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "util/error.hpp"
#include "util/scratch_folder.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

struct Index {
  ScratchFolder dir{fs::temp_directory_path() / ("bb-index-" + std::to_string(::getpid()))};
  Index() { fs::create_directories(dir.path() / "simple"); }
};

std::string port_of(const std::string& url) {
  auto host = url.find("127.0.0.1:");
  return url.substr(host + 10, url.find('/', host) - host - 10);
}

}  // namespace

TEST_CASE("run network: a profile is named by a known name, or refused with the list") {
  CHECK(network_profile_named("ci").name == "ci");
  CHECK_THROWS_WITH(network_profile_named("dial-up"),
                    Catch::Contains("--network-profile 'dial-up' is not a profile") &&
                        Catch::Contains("loopback"));
}

TEST_CASE("run network: on loopback the index and the registry are reached directly") {
  Index index;
  Progress progress{stderr, false, true};
  RunNetwork network(index.dir.path(), 0, "loopback", "127.0.0.1:5999", progress);
  REQUIRE(network.index());
  CHECK(port_of(network.index()->url()) == std::to_string(network.index()->port()));
  CHECK(network.registry() == "127.0.0.1:5999");
}

TEST_CASE("run network: a shaped profile puts a proxy in front of the index and the registry") {
  Index index;
  Progress progress{stderr, false, true};
  RunNetwork network(index.dir.path(), 0, "ci", "127.0.0.1:5999", progress);
  REQUIRE(network.index());
  // Builds reach the proxy (the advertised port), which forwards to the server's own port.
  CHECK(port_of(network.index()->url()) != std::to_string(network.index()->port()));
  CHECK(network.registry() != "127.0.0.1:5999");
  CHECK(network.registry().rfind("127.0.0.1:", 0) == 0);
  RunNetwork none(std::nullopt, 0, "ci", "", progress);
  CHECK_FALSE(none.index());
  CHECK(none.registry().empty());
}

#include "lab/package_index.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/error.hpp"
#include "util/process.hpp"
#include "util/scratch_folder.hpp"

using namespace bb;
namespace fs = std::filesystem;

TEST_CASE("package index: a simple/ tree served on loopback, what pip reads") {
  ScratchFolder dir(fs::temp_directory_path() / ("bb-pkg-index-" + std::to_string(::getpid())));
  fs::create_directories(dir.path() / "simple/demo");
  std::ofstream(dir.path() / "simple/demo/index.html") << "<a href=\"demo-1.0.whl\">demo</a>\n";
  PackageIndexServer server(dir.path(), 0);
  CHECK(server.url() == "http://127.0.0.1:" + std::to_string(server.port()) + "/simple");
  ProcessOptions get;
  get.argv = {"python3", "-c",
              "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], "
              "timeout=10).read().decode())",
              server.url() + "/demo/"};
  get.timeout = std::chrono::seconds(20);
  auto result = run_process(get);
  CHECK(result.ok());
  CHECK(result.out.find("demo-1.0.whl") != std::string::npos);
  server.advertise(4321);
  CHECK(server.url() == "http://127.0.0.1:4321/simple");
}

TEST_CASE("package index: a folder without simple/ is refused with the fix") {
  ScratchFolder dir(fs::temp_directory_path() / ("bb-no-index-" + std::to_string(::getpid())));
  fs::create_directories(dir.path());
  CHECK_THROWS_WITH(PackageIndexServer(dir.path(), 0), Catch::Contains("scripts/make-index"));
}

// Catch's own main, then the test cases skipped in this run (tests/skip.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "skip.hpp"

int main(int argc, char* argv[]) {
  int failed = Catch::Session().run(argc, argv);
  bb::test::print_skipped(std::cout);
  return failed;
}

// Interrupts set a flag and nothing else: a real SIGINT or SIGTERM is seen by requested(),
// and throw_if_requested() turns it into Interrupted where code checks.
#include "util/interrupt.hpp"

#include <csignal>

#include <catch2/catch.hpp>

#include "util/error.hpp"

using namespace bb;

TEST_CASE("interrupt: a real signal only sets the flag, with its number") {
  interrupt::install_handlers();
  interrupt::reset_for_test();
  CHECK_FALSE(interrupt::requested());
  CHECK(interrupt::signal_number() == 0);
  CHECK_NOTHROW(interrupt::throw_if_requested());

  REQUIRE(std::raise(SIGTERM) == 0);  // the handler runs; the process goes on
  CHECK(interrupt::requested());
  CHECK(interrupt::signal_number() == SIGTERM);
  CHECK_THROWS_AS(interrupt::throw_if_requested(), Interrupted);

  interrupt::reset_for_test();
  REQUIRE(std::raise(SIGINT) == 0);
  CHECK(interrupt::signal_number() == SIGINT);
  interrupt::reset_for_test();
  CHECK_FALSE(interrupt::requested());
  CHECK_NOTHROW(interrupt::throw_if_requested());
}

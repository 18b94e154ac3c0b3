// buildbench: parse, run, report errors. Everything else lives in buildbench_lib.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

int main(int argc, char** argv) {
  bb::interrupt::install_handlers();
  try {
    return bb::run_cli(argc, argv);
  } catch (const bb::UsageError& error) {
    fmt::print(stderr, "buildbench: error: {}\n", error.what());
    return bb::kExitUsage;
  } catch (const bb::Interrupted&) {
    fmt::print(stderr,
               "buildbench: interrupted; the run is marked 'interrupted' and scratch "
               "files are removed\n");
    return bb::kExitInterrupted;
  } catch (const bb::EnvironmentError& error) {
    fmt::print(stderr, "buildbench: error: {}\n", error.what());
    return bb::kExitEnvironment;
  } catch (const std::exception& error) {
    fmt::print(stderr, "buildbench: internal error: {}\n", error.what());
    return bb::kExitEnvironment;
  }
}

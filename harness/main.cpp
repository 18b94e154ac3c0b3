// buildbench: parse, run, report errors. Everything else lives in buildbench_lib.
#include <cstdio>
#include <exception>

#include <SQLiteCpp/Exception.h>
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
  } catch (const SQLite::Exception& error) {
    std::string what = error.what();
    std::string fix = "check the --db file";
    if (what.find("locked") != std::string::npos || what.find("busy") != std::string::npos) {
      fix =
          "another process held a write lock past the busy timeout; wait for it or use another "
          "--db";
    } else if (what.find("full") != std::string::npos) {
      fix =
          "the disk holding the database is full; free space and rerun (stored samples are intact)";
    } else if (what.find("readonly") != std::string::npos ||
               what.find("read-only") != std::string::npos) {
      fix = "the database or its folder is read-only; pass a writable --db";
    }
    fmt::print(stderr, "buildbench: error: database: {}; {}\n", what, fix);
    return bb::kExitEnvironment;
  } catch (const std::exception& error) {
    fmt::print(stderr, "buildbench: internal error: {}\n", error.what());
    return bb::kExitEnvironment;
  }
}

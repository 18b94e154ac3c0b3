#pragma once
// Skipping a test case whose precondition this machine lacks (root, a registry), where
// Catch2 v2 has no SKIP. Under ctest every test case runs in a process of its own, and
// tests/CMakeLists.txt sets BUILDBENCH_TEST_SKIP_CODE and the same SKIP_RETURN_CODE on the
// discovered tests: the process exits with that code and ctest reports the test as skipped.
// Run whole (the binary without ctest), a skip only ends its own test case: it is printed
// when it happens and listed again after Catch's summary, so it never passes unseen.
//
//   if (::geteuid() != 0) BB_SKIP("needs root to mount a tmpfs");
//
// Skip before the test's first assertion: under ctest the exit code hides what came before.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace bb::test {

// "<test case>: <reason>" for each test case skipped in this process.
inline std::vector<std::string>& skipped() {
  static std::vector<std::string> list;
  return list;
}

// Records and prints the skip; under ctest ends the process with the skip code.
inline void skip(const std::string& reason) {
  std::string line = Catch::getResultCapture().getCurrentTestName() + ": " + reason;
  std::cout << "SKIPPED: " << line << std::endl;
  if (const char* code = std::getenv("BUILDBENCH_TEST_SKIP_CODE"); code && *code) {
    std::fflush(nullptr);
    std::_Exit(std::atoi(code));
  }
  skipped().push_back(line);
}

// After Catch's summary: the skips again, so a whole run shows what it did not test.
inline void print_skipped(std::ostream& out) {
  if (skipped().empty()) return;
  out << skipped().size() << " test case(s) skipped:\n";
  for (const auto& line : skipped()) out << "SKIPPED: " << line << "\n";
}

}  // namespace bb::test

// Ends the current test case as skipped; `reason` says what is missing and how to get it.
#define BB_SKIP(reason)       \
  do {                        \
    ::bb::test::skip(reason); \
    return;                   \
  } while (false)

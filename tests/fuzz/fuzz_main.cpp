// libFuzzer entry: the target is chosen at build time (BUILDBENCH_FUZZ_TARGET).
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bb::fuzz::BUILDBENCH_FUZZ_TARGET(data, size);
  return 0;
}

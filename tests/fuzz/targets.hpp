#pragma once
// One entry point per parser of outside input; used by the libFuzzer binaries and by the
// unit test that replays every saved crash input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bb::fuzz {

void manifest(const std::uint8_t* data, std::size_t size);
void rawjson(const std::uint8_t* data, std::size_t size);
void tar(const std::uint8_t* data, std::size_t size);
void inside(const std::uint8_t* data, std::size_t size);
void dockerfile(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string name;
  void (*run)(const std::uint8_t*, std::size_t);
};
const std::vector<Target>& targets();

}  // namespace bb::fuzz

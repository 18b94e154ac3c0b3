#pragma once
// SHA-256 (FIPS 180-4), streamed: the digests a run records of its inputs (Dockerfiles,
// build contexts, the package index), in the form docker prints ("sha256:<64 hex>").
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace bb {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Reads the file in blocks; false when it cannot be read (nothing is added then).
  bool update_file(const std::filesystem::path& path);
  std::string hex();  // 64 lowercase hex digits; ends the stream

 private:
  void block(const unsigned char* data);
  std::array<std::uint32_t, 8> state_{};
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes
};

std::string sha256_hex(std::string_view bytes);

}  // namespace bb

#include "fuzz/targets.hpp"

#include <string_view>

#include "docker/image_archive.hpp"
#include "docker/rawjson.hpp"
#include "startup/startup.hpp"
#include "scenario/manifest.hpp"
#include "util/error.hpp"

namespace bb::fuzz {

namespace {
std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
}  // namespace

void manifest(const std::uint8_t* data, std::size_t size) {
  try {
    // Relative paths resolve under a folder that does not exist: parsing and validation
    // run, no file is touched.
    parse_suite(text(data, size), "/nonexistent/buildbench-fuzz/suite.toml");
  } catch (const UsageError&) {
    // the expected way to reject bad input
  }
}

void rawjson(const std::uint8_t* data, std::size_t size) {
  RawJsonParser parser;
  // Feed in uneven pieces, as a pipe delivers them.
  std::string_view all = text(data, size);
  std::size_t step = size % 7 + 1;
  for (std::size_t i = 0; i < all.size(); i += step) parser.feed(all.substr(i, step));
  parser.finish();
  for (const auto& s : parser.steps()) {
    (void)s.is_instruction();
    (void)s.seconds();
  }
  (void)parser.current_step();
}

void tar(const std::uint8_t* data, std::size_t size) {
  try {
    ImageArchiveStats stats;
    stats.feed(text(data, size));
    stats.finish();
  } catch (const std::exception&) {
    // malformed archives are reported as errors
  }
}

void inside(const std::uint8_t* data, std::size_t size) {
  (void)parse_inside_line(text(data, size));
}

const std::vector<Target>& targets() {
  static const std::vector<Target> list = {
      {"manifest", manifest}, {"rawjson", rawjson}, {"tar", tar}, {"inside", inside}};
  return list;
}

}  // namespace bb::fuzz

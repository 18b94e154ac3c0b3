#include "fuzz/targets.hpp"

#include <string_view>

#include "docker/image_archive.hpp"
#include "docker/rawjson.hpp"
#include "dockerfile/copy.hpp"
#include "dockerfile/stages.hpp"
#include "measure/state_contract.hpp"
#include "scenario/base_images.hpp"
#include "scenario/manifest.hpp"
#include "startup/startup.hpp"
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

void dockerfile(const std::uint8_t* data, std::size_t size) {
  namespace df = bb::dockerfile;
  std::string_view input = text(data, size);
  try {
    auto file = df::parse(input);
    auto stages = df::stages_of(file, {{"TAG", "1"}});
    if (!stages.empty()) (void)df::chain_root(stages, stages.size() - 1);
    for (const auto& ins : file.instructions) {
      // The same text as BuildKit names the step, through the state contract's reader.
      (void)parse_copy_step("[1/2] " + ins.keyword + " " + ins.args);
      (void)df::arg_declarations(ins, file.escape);
      auto copy = df::parse_copy(ins.args);
      if (!copy) continue;
      for (const char* path : {"src/app/main.py", "requirements.txt", "a"})
        (void)df::copy_reads(*copy, path);
    }
    (void)read_base_images(input);
  } catch (const UsageError&) {
    // the expected way to refuse a Dockerfile
  }
  // The same bytes as a .dockerignore.
  (void)df::ignored(df::parse_ignore_file(input), "src/app/main.py");
}

const std::vector<Target>& targets() {
  static const std::vector<Target> list = {{"manifest", manifest},
                                           {"rawjson", rawjson},
                                           {"tar", tar},
                                           {"inside", inside},
                                           {"dockerfile", dockerfile}};
  return list;
}

}  // namespace bb::fuzz

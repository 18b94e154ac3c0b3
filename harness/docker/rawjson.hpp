#pragma once
// Parses the stream that `docker buildx build --progress=rawjson` writes on
// stderr: pretty-printed JSON status objects, one after another, mixed with
// plain text lines (such as the final "ERROR: ..."). Feed it bytes as they come.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/build_step.hpp"

#include "util/text.hpp"

namespace bb {

class RawJsonParser {
 public:
  void feed(std::string_view bytes);
  void finish();  // flushes a trailing incomplete line

  // Steps in order of first appearance.
  std::vector<BuildStep> steps() const;
  const std::vector<std::string>& text_lines() const { return text_lines_; }
  std::size_t objects_parsed() const { return objects_; }
  std::size_t malformed_objects() const { return malformed_; }
  // The vertex currently running, for progress display.
  std::string current_step() const;
  // Catalog metrics the stream reports, by name (model/metrics.hpp).
  std::map<std::string, double> metrics() const;

 private:
  void handle_object(std::string_view json);
  void handle_text(std::string_view line);

  std::string pending_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t scanned_ = 0;  // bytes of pending_ already scanned
  std::vector<std::string> order_;
  std::map<std::string, BuildStep> steps_;
  std::vector<std::string> text_lines_;
  std::size_t objects_ = 0;
  std::size_t malformed_ = 0;
  // Vertex digest -> bytes of its "transferring context:" status (cumulative; the largest).
  std::map<std::string, double> context_transfers_;
  // (vertex digest, layer digest) -> bytes of that layer's download statuses (the largest).
  std::map<std::pair<std::string, std::string>, double> layer_downloads_;
};

std::string base64_decode(std::string_view text);

}  // namespace bb

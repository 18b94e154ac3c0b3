#pragma once
// Reads the tar stream of `docker save` incrementally and computes, for each
// layer, its size, its gzip size (as a registry stores it) and its .pyc files.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docker/engine.hpp"

namespace bb {

// Incremental tar reader: calls back for each entry's header and content chunks.
class TarReader {
 public:
  struct Entry {
    std::string path;
    char type = '0';
    std::int64_t size = 0;
  };
  virtual ~TarReader() = default;
  void feed(std::string_view bytes);
  bool ended() const { return ended_; }

 protected:
  virtual void on_entry(const Entry& entry) = 0;
  virtual void on_data(std::string_view chunk) = 0;
  virtual void on_entry_end() {}

 private:
  std::size_t take_content(std::string_view bytes);  // returns the bytes it took
  void end_content();
  bool take_header(std::string_view& bytes);  // true once a whole header is in
  void start_entry();

  std::string header_;
  std::string pax_;  // content of a pax or GNU long-name header being read
  Entry current_;
  std::int64_t remaining_ = 0;  // content bytes left in the current entry
  std::int64_t padding_ = 0;    // padding bytes left after it
  bool in_meta_ = false;        // current entry is a pax/long-name header
  char meta_type_ = 0;
  std::string next_path_;  // path from the preceding meta entry
  bool ended_ = false;
};

class ImageArchiveStats {
 public:
  // `known` maps a layer's archive path to stats already computed (skips gzip).
  explicit ImageArchiveStats(std::map<std::string, LayerStats>* cache = nullptr);
  ~ImageArchiveStats();
  void feed(std::string_view bytes);
  // Layers in image order, each with the history instruction that made it.
  std::vector<LayerStats> finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::map<std::string, LayerStats>* cache_;
};

}  // namespace bb

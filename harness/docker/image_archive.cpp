#include "docker/image_archive.hpp"

#include <zlib.h>

#include <charconv>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace bb {

namespace {

std::int64_t parse_octal(std::string_view field) {
  std::int64_t value = 0;
  for (char c : field) {
    if (c == 0 || c == ' ') {
      if (value) break;
      continue;
    }
    if (c < '0' || c > '7') return -1;
    value = value * 8 + (c - '0');
  }
  return value;
}

std::string cstring(std::string_view field) {
  auto end = field.find('\0');
  return std::string(field.substr(0, end));
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Counts .pyc files inside one layer's tar.
class PycCounter : public TarReader {
 public:
  std::int64_t count = 0;
  std::int64_t bytes = 0;

 protected:
  void on_entry(const Entry& entry) override {
    if ((entry.type == '0' || entry.type == '\0') && ends_with(entry.path, ".pyc")) {
      ++count;
      bytes += entry.size;
    }
  }
  void on_data(std::string_view) override {}
};

class GzipCounter {
 public:
  GzipCounter() {
    if (deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      throw std::runtime_error("zlib deflateInit2 failed");
    }
  }
  ~GzipCounter() { deflateEnd(&stream_); }
  void feed(std::string_view data, bool finish = false) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream_.avail_in = static_cast<uInt>(data.size());
    int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream_.next_out = buffer_;
      stream_.avail_out = sizeof buffer_;
      deflate(&stream_, flush);
      total_ += sizeof buffer_ - stream_.avail_out;
    } while (stream_.avail_out == 0);
  }
  std::int64_t finish() {
    feed({}, true);
    return total_;
  }

 private:
  z_stream stream_{};
  Bytef buffer_[65536];
  std::int64_t total_ = 0;
};

// The path a pax header's records give ("<len> key=value\n" each; the last path= wins).
std::optional<std::string> pax_path(std::string_view records) {
  std::optional<std::string> path;
  while (!records.empty()) {
    auto space = records.find(' ');
    std::size_t length = 0;
    auto [p, ec] = std::from_chars(records.data(), records.data() + space, length);
    if (space == std::string_view::npos || ec != std::errc() || length == 0 ||
        length > records.size()) {
      break;
    }
    auto record = records.substr(space + 1, length - space - 1);
    if (record.substr(0, 5) == "path=") {
      path = std::string(record.substr(5));
      if (!path->empty() && path->back() == '\n') path->pop_back();
    }
    records.remove_prefix(length);
  }
  return path;
}

// The name in a ustar header, with its prefix field when there is one.
std::string header_name(std::string_view header) {
  std::string name = cstring(header.substr(0, 100));
  if (header.substr(257, 5) == "ustar") {
    std::string prefix = cstring(header.substr(345, 155));
    if (!prefix.empty()) name = prefix + "/" + name;
  }
  return name;
}

}  // namespace

void TarReader::feed(std::string_view bytes) {
  while (!bytes.empty() && !ended_) {
    if (remaining_ > 0) {
      bytes.remove_prefix(take_content(bytes));
    } else if (padding_ > 0) {
      auto n = static_cast<std::size_t>(std::min<std::int64_t>(padding_, bytes.size()));
      padding_ -= n;
      bytes.remove_prefix(n);
    } else if (take_header(bytes)) {
      start_entry();
    }
  }
}

std::size_t TarReader::take_content(std::string_view bytes) {
  auto n = static_cast<std::size_t>(std::min<std::int64_t>(remaining_, bytes.size()));
  if (in_meta_) {
    pax_.append(bytes.substr(0, n));
  } else {
    on_data(bytes.substr(0, n));
  }
  remaining_ -= n;
  if (remaining_ == 0) end_content();
  return n;
}

void TarReader::end_content() {
  if (!in_meta_) {
    on_entry_end();
    return;
  }
  if (meta_type_ == 'L') {
    next_path_ = cstring(pax_);
  } else if (auto path = pax_path(pax_)) {
    next_path_ = *path;
  }
  pax_.clear();
  in_meta_ = false;
}

bool TarReader::take_header(std::string_view& bytes) {
  auto n = std::min(512 - header_.size(), bytes.size());
  header_.append(bytes.substr(0, n));
  bytes.remove_prefix(n);
  return header_.size() == 512;
}

void TarReader::start_entry() {
  std::string_view h(header_);
  if (h.find_first_not_of('\0') == std::string_view::npos) {
    ended_ = true;  // end-of-archive block
    header_.clear();
    return;
  }
  Entry entry;
  entry.size = parse_octal(h.substr(124, 12));
  entry.type = h[156];
  if (entry.size < 0) throw std::runtime_error("tar: malformed size field");
  std::string name = header_name(h);
  header_.clear();
  remaining_ = entry.size;
  padding_ = (512 - entry.size % 512) % 512;
  // pax ('x', global 'g') and GNU long-name ('L') headers describe the entry after them.
  if (entry.type == 'x' || entry.type == 'L' || entry.type == 'g') {
    in_meta_ = true;
    meta_type_ = entry.type;
    return;
  }
  entry.path = next_path_.empty() ? name : next_path_;
  next_path_.clear();
  current_ = entry;
  on_entry(current_);
  if (remaining_ == 0) on_entry_end();
}

class ImageArchiveStats::Impl : public TarReader {
 public:
  explicit Impl(std::map<std::string, LayerStats>* cache) : cache_(cache) {}

  struct Blob {
    std::int64_t size = 0;
    std::int64_t compressed = 0;
    std::int64_t pyc_count = 0;
    std::int64_t pyc_bytes = 0;
  };
  std::map<std::string, Blob> blobs;
  std::map<std::string, std::string> small_files;

 protected:
  void on_entry(const Entry& entry) override {
    path_ = entry.path;
    size_ = entry.size;
    regular_ = entry.type == '0' || entry.type == '\0';
    small_.clear();
    pyc_.reset();
    gzip_.reset();
    not_tar_ = false;
    if (!regular_) return;
    if (entry.size < (4 << 20))
      small_active_ = true;
    else
      small_active_ = false;
    cached_ = cache_ && cache_->count(path_);
    if (!cached_) {
      pyc_ = std::make_unique<PycCounter>();
      gzip_ = std::make_unique<GzipCounter>();
    }
  }
  void on_data(std::string_view chunk) override {
    if (!regular_) return;
    if (small_active_) small_.append(chunk);
    if (pyc_) {
      // Configs and manifests are not tars; only layers parse.
      try {
        pyc_->feed(chunk);
      } catch (const std::exception&) {
        pyc_.reset();
        not_tar_ = true;
      }
    }
    if (gzip_) gzip_->feed(chunk);
  }
  void on_entry_end() override {
    if (!regular_) return;
    Blob blob;
    blob.size = size_;
    if (cached_) {
      const auto& known = cache_->at(path_);
      blob.compressed = known.compressed_bytes;
      blob.pyc_count = known.pyc_count;
      blob.pyc_bytes = known.pyc_bytes;
    } else {
      blob.compressed = gzip_->finish();
      blob.pyc_count = pyc_ ? pyc_->count : 0;
      blob.pyc_bytes = pyc_ ? pyc_->bytes : 0;
      // Only tar-shaped blobs count .pyc; a JSON config simply yields none.
    }
    blobs[path_] = blob;
    if (small_active_) small_files[path_] = std::move(small_);
    small_.clear();
  }

 private:
  std::map<std::string, LayerStats>* cache_;
  std::string path_;
  std::int64_t size_ = 0;
  bool regular_ = false;
  bool cached_ = false;
  bool small_active_ = false;
  bool not_tar_ = false;
  std::string small_;
  std::unique_ptr<PycCounter> pyc_;
  std::unique_ptr<GzipCounter> gzip_;
};

ImageArchiveStats::ImageArchiveStats(std::map<std::string, LayerStats>* cache)
    : impl_(std::make_unique<Impl>(cache)), cache_(cache) {}
ImageArchiveStats::~ImageArchiveStats() = default;

void ImageArchiveStats::feed(std::string_view bytes) {
  impl_->feed(bytes);
}

std::vector<LayerStats> ImageArchiveStats::finish() {
  auto manifest_it = impl_->small_files.find("manifest.json");
  if (manifest_it == impl_->small_files.end()) {
    throw EnvironmentError("docker save output has no manifest.json");
  }
  auto manifest = nlohmann::json::parse(manifest_it->second, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_array() || manifest.empty()) {
    throw EnvironmentError("docker save output has an unreadable manifest.json");
  }
  const auto& entry = manifest.front();
  std::vector<std::string> history;
  if (auto config_it = impl_->small_files.find(entry.value("Config", ""));
      config_it != impl_->small_files.end()) {
    auto config = nlohmann::json::parse(config_it->second, nullptr, false);
    if (!config.is_discarded() && config.contains("history")) {
      for (const auto& item : config["history"]) {
        if (item.value("empty_layer", false)) continue;
        history.push_back(item.value("created_by", ""));
      }
    }
  }
  std::vector<LayerStats> layers;
  int index = 0;
  for (const auto& path_json : entry.value("Layers", nlohmann::json::array())) {
    std::string path = path_json.get<std::string>();
    LayerStats stats;
    stats.index = index;
    if (auto blob = impl_->blobs.find(path); blob != impl_->blobs.end()) {
      stats.size_bytes = blob->second.size;
      stats.compressed_bytes = blob->second.compressed;
      stats.pyc_count = blob->second.pyc_count;
      stats.pyc_bytes = blob->second.pyc_bytes;
    }
    if (static_cast<std::size_t>(index) < history.size()) stats.created_by = history[index];
    if (cache_) (*cache_)[path] = stats;
    layers.push_back(stats);
    ++index;
  }
  return layers;
}

}  // namespace bb

#include "docker/image_archive.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace bb;

namespace {

std::string header(const std::string& name, std::size_t size, char type = '0') {
  std::string h(512, '\0');
  h.replace(0, std::min<std::size_t>(name.size(), 100), name.substr(0, 100));
  h.replace(100, 7, "0000644");
  h.replace(124, 11, fmt::format("{:011o}", size));
  h[156] = type;
  h.replace(257, 5, "ustar");
  h.replace(263, 2, "00");
  unsigned sum = 0;
  std::string copy = h;
  copy.replace(148, 8, "        ");
  for (unsigned char c : copy) sum += c;
  h.replace(148, 7, fmt::format("{:06o}", sum) + '\0');
  return h;
}

std::string entry(const std::string& name, const std::string& content, char type = '0') {
  std::string out = header(name, content.size(), type) + content;
  out.append((512 - content.size() % 512) % 512, '\0');
  return out;
}

std::string pax_entry(const std::string& path, const std::string& content) {
  std::string body = " path=" + path + "\n";
  std::size_t length = body.size() + 1;
  while (length != body.size() + std::to_string(length).size()) ++length;
  std::string record = std::to_string(length) + body;
  return entry("PaxHeader", record, 'x') + entry("ignored-short-name", content);
}

std::string end_blocks() {
  return std::string(1024, '\0');
}

std::string layer(int pyc_files, std::size_t pyc_size) {
  std::string tar = entry("usr/", "", '5');
  for (int i = 0; i < pyc_files; ++i) {
    tar += entry(fmt::format("usr/lib/__pycache__/m{}.cpython-311.pyc", i),
                 std::string(pyc_size, 'p'));
  }
  tar += entry("usr/lib/m.py", "print('hi')\n");
  return tar + end_blocks();
}

}  // namespace

TEST_CASE("docker save stream: layers in manifest order with history and .pyc counts") {
  std::string long_dir(120, 'd');
  std::string layer_b = layer(0, 0);
  std::string layer_a = entry("app/", "", '5') +
                        pax_entry(long_dir + "/x.pyc", std::string(10, 'x')) +
                        entry("app/y.pyc", std::string(20, 'y')) + end_blocks();
  std::string config = R"({"history":[
      {"created_by":"base layer"},
      {"created_by":"ENV A=1","empty_layer":true},
      {"created_by":"RUN pip install"}]})";
  std::string manifest = R"([{"Config":"cfg.json","Layers":["bbb/layer.tar","aaa/layer.tar"]}])";
  std::string archive = entry("aaa/layer.tar", layer_a) + entry("bbb/layer.tar", layer_b) +
                        entry("cfg.json", config) + entry("manifest.json", manifest) + end_blocks();

  ImageArchiveStats stats;
  // Feed in awkward chunk sizes to exercise the incremental reader.
  for (std::size_t i = 0; i < archive.size(); i += 777)
    stats.feed(std::string_view(archive).substr(i, 777));
  auto layers = stats.finish();
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].created_by == "base layer");
  CHECK(layers[0].size_bytes == static_cast<std::int64_t>(layer_b.size()));
  CHECK(layers[0].pyc_count == 0);
  CHECK(layers[1].created_by == "RUN pip install");
  CHECK(layers[1].pyc_count == 2);
  CHECK(layers[1].pyc_bytes == 30);
  for (const auto& l : layers) {
    CHECK(l.compressed_bytes > 0);
    CHECK(l.compressed_bytes < l.size_bytes);  // tar padding compresses well
  }
}

TEST_CASE("docker save stream: a cache skips recompressing known layers") {
  std::string archive =
      entry("aaa/layer.tar", layer(3, 100)) +
      entry("cfg.json", R"({"history":[{"created_by":"x"}]})") +
      entry("manifest.json", R"([{"Config":"cfg.json","Layers":["aaa/layer.tar"]}])") +
      end_blocks();
  std::map<std::string, LayerStats> cache;
  ImageArchiveStats first(&cache);
  first.feed(archive);
  auto a = first.finish();
  REQUIRE(cache.count("aaa/layer.tar") == 1);
  cache["aaa/layer.tar"].compressed_bytes = 12345;  // proves the cached value is used
  ImageArchiveStats second(&cache);
  second.feed(archive);
  auto b = second.finish();
  CHECK(a[0].pyc_count == 3);
  CHECK(b[0].compressed_bytes == 12345);
}

TEST_CASE("docker save stream without a manifest is an error") {
  ImageArchiveStats stats;
  stats.feed(entry("aaa/layer.tar", layer(1, 1)) + end_blocks());
  CHECK_THROWS(stats.finish());
}

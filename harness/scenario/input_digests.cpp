#include "scenario/input_digests.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "dockerfile/glob.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path) {
  return read_text_file(path).value_or("");
}

// `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's .dockerignore.
dockerfile::IgnoreFile load_ignore(const fs::path& context, const fs::path& dockerfile) {
  std::error_code ec;
  fs::path own = dockerfile.string() + ".dockerignore";
  if (fs::is_regular_file(own, ec)) return dockerfile::parse_ignore_file(read_all(own));
  if (fs::is_regular_file(context / ".dockerignore", ec))
    return dockerfile::parse_ignore_file(read_all(context / ".dockerignore"));
  return {};
}

// Files and links under `root`, relative and sorted; `keep` decides each path, and a folder it
// refuses is not entered unless rules may bring files back from inside it.
template <typename Keep>
std::vector<std::string> list_files(const fs::path& root, Keep keep, bool enter_refused) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(root).generic_string();
    std::error_code type_ec;
    if (it->is_symlink(type_ec)) {
      if (keep(rel)) files.push_back(rel);
      it.disable_recursion_pending();  // BuildKit sends the link, not what it points at
    } else if (it->is_directory(type_ec)) {
      if (!enter_refused && !keep(rel)) it.disable_recursion_pending();
    } else if (it->is_regular_file(type_ec) && keep(rel)) {
      files.push_back(rel);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Each entry's path, then its kind and bytes, with NUL separators so no two listings collide.
std::string digest_of(const fs::path& root, const std::vector<std::string>& files) {
  Sha256 hash;
  for (const auto& rel : files) {
    fs::path path = root / rel;
    hash.update(rel);
    hash.update(std::string_view("\0", 1));
    std::error_code ec;
    if (fs::is_symlink(path, ec)) {
      hash.update("link:" + fs::read_symlink(path, ec).generic_string());
    } else {
      std::string size = std::to_string(fs::file_size(path, ec));
      hash.update("file:" + size + ":");
      if (!hash.update_file(path)) hash.update("unreadable");
    }
    hash.update(std::string_view("\0", 1));
  }
  return "sha256:" + hash.hex();
}

}  // namespace

std::optional<std::string> file_digest(const fs::path& file) {
  Sha256 hash;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || !hash.update_file(file)) return std::nullopt;
  return "sha256:" + hash.hex();
}

std::string context_digest(const fs::path& context, const fs::path& dockerfile) {
  auto ignore = load_ignore(context, dockerfile);
  auto sent = [&](const std::string& rel) { return !dockerfile::ignored(ignore, rel); };
  return digest_of(context, list_files(context, sent, ignore.has_exclusions));
}

std::string folder_digest(const fs::path& folder) {
  auto all = [](const std::string&) { return true; };
  return digest_of(folder, list_files(folder, all, true));
}

}  // namespace bb

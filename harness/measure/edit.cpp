#include "measure/edit.hpp"

#include <fstream>
#include <random>

#include <fmt/format.h>

#include "scenario/edit_format.hpp"
#include "util/error.hpp"

namespace bb {
namespace fs = std::filesystem;

std::string make_edit_nonce() {
  std::random_device device;
  std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return fmt::format("{:012x}", value & 0xffffffffffffULL);
}

namespace {

void append_text(const fs::path& target, const std::string& text) {
  std::ofstream out(target, std::ios::app | std::ios::binary);
  out << text;
  if (!out) throw EnvironmentError(fmt::format("cannot edit scratch file '{}'", target.string()));
}

std::string expand(std::string text, std::string_view token) {
  for (auto pos = text.find("{n}"); pos != std::string::npos; pos = text.find("{n}", pos)) {
    text.replace(pos, 3, token);
    pos += token.size();
  }
  return text;
}

}  // namespace

std::string EditMaker::apply(const FileEdit& edit, const fs::path& context) {
  std::string token = fmt::format("{}-{}", ++counter_, nonce_);
  // Swap each file with its alternative (a real change of the dependency set); the next
  // edit swaps them back, and the token keeps the content new to the builder.
  for (const auto& [file, alternative] : edit.swap) {
    fs::path a = context / file, b = context / alternative, tmp = context / (file + ".bbswap");
    fs::rename(a, tmp);
    fs::rename(b, a);
    fs::rename(tmp, b);
    if (edit.file.empty()) {
      if (auto comment = nonce_comment(file, token)) append_text(a, *comment);
    }
  }
  if (!edit.file.empty()) append_text(context / edit.file, expand(edit.append, token));
  return token;
}

}  // namespace bb

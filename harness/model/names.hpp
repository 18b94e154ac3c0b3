#pragma once
// One table of names per enum, read both ways: the stored and printed text of each value.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace bb {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [each, name] : table) {
    if (each == value) return name;
  }
  return "?";
}

template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_in(const NameTable<Enum, N>& table, std::string_view name) {
  for (const auto& [each, each_name] : table) {
    if (each_name == name) return each;
  }
  return std::nullopt;
}

}  // namespace bb

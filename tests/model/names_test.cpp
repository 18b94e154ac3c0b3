// The name table every enum of the model reads both ways.
#include <catch2/catch.hpp>

#include "model/names.hpp"

using namespace bb;

namespace {
enum class Colour { kRed, kGreen, kBlue };
constexpr NameTable<Colour, 2> kColours = {{{Colour::kRed, "red"}, {Colour::kGreen, "green"}}};
}  // namespace

TEST_CASE("name table: a value's name and a name's value") {
  CHECK(name_in(kColours, Colour::kGreen) == "green");
  CHECK(value_in(kColours, "red") == Colour::kRed);
  static_assert(name_in(kColours, Colour::kRed) == "red", "usable at compile time");
}

TEST_CASE("name table: what the table lacks is \"?\" or nothing") {
  CHECK(name_in(kColours, Colour::kBlue) == "?");
  CHECK_FALSE(value_in(kColours, "blue").has_value());
  CHECK_FALSE(value_in(kColours, "Red").has_value());
}

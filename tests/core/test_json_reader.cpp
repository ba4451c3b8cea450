#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonReaderTest, NumbersHonourOpenAndClosedEnds) {
  const nlohmann::json j = {{"zero", 0.0}, {"one", 1.0}, {"half", 0.5}};
  const JsonReader r(j, "opt");
  EXPECT_EQ(r.number("zero", std::nullopt, Interval::fraction()), 0.0);
  EXPECT_EQ(error_of([&] { r.number("one", std::nullopt, Interval::fraction()); }),
            "opt.one: must be a number in [0, 1), got 1.0");
  EXPECT_EQ(error_of([&] { r.number("zero", std::nullopt, Interval::above(0.0)); }),
            "opt.zero: must be a number > 0, got 0.0");
  EXPECT_EQ(error_of([&] { r.number("zero", std::nullopt, Interval::open_unit()); }),
            "opt.zero: must be a number in (0, 1), got 0.0");
  EXPECT_EQ(r.number("half", std::nullopt, Interval::open_unit()), 0.5);
  EXPECT_EQ(r.number("absent", 0.25, Interval::open_unit()), 0.25);  // defaults are trusted
  EXPECT_EQ(error_of([&] { r.number("absent", std::nullopt, Interval::at_least(0.0)); }),
            "opt.absent: is required");
}

TEST(JsonReaderTest, ListElementsAreCheckedWithTheirPath) {
  EXPECT_EQ(error_of([] { JsonReader::number_at("x", "betas[1]", Interval::fraction()); }),
            "betas[1]: must be a number in [0, 1), got \"x\"");
  EXPECT_EQ(JsonReader::number_at(0.9, "betas[0]", Interval::fraction()), 0.9);
}

TEST(JsonReaderTest, UnknownKeysSuggestTheNearestAndTypesAreStrict) {
  const nlohmann::json j = {{"sigmaa", 1}, {"flag", "yes"}, {"n", 2.5}};
  const JsonReader r(j, "noise[0]");
  const std::string unknown = error_of([&] { r.allow_only({"sigma", "flag", "n"}); });
  EXPECT_NE(unknown.find("noise[0].sigmaa"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("did you mean 'sigma'"), std::string::npos) << unknown;
  EXPECT_NE(error_of([&] { r.boolean("flag"); }).find("noise[0].flag"), std::string::npos);
  EXPECT_NE(error_of([&] { r.integer("n"); }).find("noise[0].n"), std::string::npos);
  EXPECT_NE(error_of([&] {
              r.string("flag", std::nullopt, {"no", "maybe"});
            }).find("noise[0].flag"),
            std::string::npos);
}

}  // namespace
}  // namespace dither

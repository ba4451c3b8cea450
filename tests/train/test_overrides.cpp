#include <gtest/gtest.h>

#include "core/error.h"
#include "train/overrides.h"

namespace dither {
namespace {

TEST(OverridesTest, SetsNestedValuesWithJsonTypes) {
  nlohmann::json c = {{"train", {{"epochs", 10}}},
                      {"noise", {{{"type", "gaussian"}, {"sigma", 0.1}}}}};
  apply_override(c, "train.epochs=1");
  apply_override(c, "noise.0.sigma=0.25");
  apply_override(c, "optimizer.type=adam");
  apply_override(c, "train.early_stopping={\"patience\": 2}");
  EXPECT_EQ(c["train"]["epochs"], 1);
  EXPECT_DOUBLE_EQ(c["noise"][0]["sigma"].get<double>(), 0.25);
  EXPECT_EQ(c["optimizer"]["type"], "adam");
  EXPECT_EQ(c["train"]["early_stopping"]["patience"], 2);
}

TEST(OverridesTest, AppendsAtTheEndOfAList) {
  nlohmann::json c = {{"noise", nlohmann::json::array()}};
  apply_override(c, "noise.0={\"type\": \"fgsm\"}");
  EXPECT_EQ(c["noise"][0]["type"], "fgsm");
}

TEST(OverridesTest, AKeyInsideAMissingEntryIsRefusedNotAppended) {
  nlohmann::json c = {{"noise", {{{"type", "gaussian"}}, {{"type", "fgsm"}}}}};
  const nlohmann::json before = c;
  try {
    apply_override(c, "noise.2.sigma=0.2");
    ADD_FAILURE() << "appended " << c.dump();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("past the end of a list of 2"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(c, before);
  apply_override(c, "noise.1.eps=0.2");  // an existing entry still takes a new key
  EXPECT_EQ(c["noise"].size(), 2u);
  EXPECT_DOUBLE_EQ(c["noise"][1]["eps"].get<double>(), 0.2);
}

TEST(OverridesTest, InvalidUtf8IsAConfigError) {
  // Found by fuzz_config: such a value became a string that later made every error message
  // that quotes it throw nlohmann's type_error (an "internal error", exit 1).
  nlohmann::json c = {{"noise", nlohmann::json::array()}};
  for (const std::string& bad : {std::string("noise.0={\"\xff\xfftype\": 1}"),
                                 std::string("train.\xfe=1"), std::string("seed=\xc3")}) {
    try {
      apply_override(c, bad);
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(c["noise"].empty());
}

TEST(OverridesTest, BadAssignmentsNameTheOverride) {
  nlohmann::json c = {{"noise", nlohmann::json::array()}, {"seed", 1}};
  EXPECT_THROW(apply_override(c, "train.epochs"), ConfigError);
  EXPECT_THROW(apply_override(c, "noise.5.sigma=1"), ConfigError);
  EXPECT_THROW(apply_override(c, "noise.x=1"), ConfigError);
  EXPECT_THROW(apply_override(c, "seed.inner=1"), ConfigError);
  try {
    apply_override(c, "noise.3=1");
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("noise.3"), std::string::npos);
  }
}

}  // namespace
}  // namespace dither

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "train/predictions.h"
#include "train/uncertainty_report.h"

namespace dither {
namespace {

// Four samples of two classes: two right and confident, two wrong and unsure.
Predictions four() {
  return from_logits(Tensor::from({4.0f, 0.0f, 0.0f, 4.0f, 0.2f, 0.0f, 0.0f, 0.3f}, {4, 2}),
                     {0, 1, 1, 0});
}

TEST(UncertaintyReportTest, UnsureMistakesAreDetectedPerfectly) {
  const UncertaintyRow row = uncertainty_row("one pass", four(), false);
  EXPECT_DOUBLE_EQ(row.test.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(row.misclassification_auroc[kOneMinusMaxProbability], 1.0);
  EXPECT_DOUBLE_EQ(row.misclassification_auroc[kEntropy], 1.0);
  EXPECT_TRUE(std::isnan(row.misclassification_auroc[kMutualInformation]));  // one pass
  EXPECT_TRUE(std::isnan(row.mean_mutual_information));
  EXPECT_FALSE(row.has_ood);
  const nlohmann::json j = to_json(row);
  EXPECT_TRUE(j["misclassification_auroc"]["mutual_information"].is_null());
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), 0.5);
}

TEST(UncertaintyReportTest, AllRightLeavesMisclassificationAurocUndefined) {
  const Predictions p = from_logits(Tensor::from({3.0f, 0.0f, 0.0f, 3.0f}, {2, 2}), {0, 1});
  const UncertaintyRow row = uncertainty_row("right", p, true);
  for (double v : row.misclassification_auroc) EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(row.mean_mutual_information, 0.0);
}

TEST(UncertaintyReportTest, OodSetLikeTheTestSetIsUndetectable) {
  const Predictions p = four();
  const UncertaintyRow row = uncertainty_row("same", p, false, &p);
  ASSERT_TRUE(row.has_ood);
  EXPECT_DOUBLE_EQ(row.ood_auroc[kOneMinusMaxProbability], 0.5);
  EXPECT_DOUBLE_EQ(row.ood_auroc[kEntropy], 0.5);
}

TEST(UncertaintyReportTest, UnsureOodInputsAreDetected) {
  const Predictions uniform = from_logits(Tensor::from({0.0f, 0.0f, 0.0f, 0.0f}, {2, 2}), {0, 0});
  const UncertaintyRow row = uncertainty_row("test", four(), false, &uniform);
  // A uniform answer scores above every test sample.
  EXPECT_DOUBLE_EQ(row.ood_auroc[kOneMinusMaxProbability], 1.0);
  EXPECT_DOUBLE_EQ(row.ood_fpr95[kOneMinusMaxProbability], 0.0);
  const std::string table = uncertainty_table({row});
  EXPECT_NE(table.find("OOD detection"), std::string::npos) << table;
  EXPECT_NE(table.find("test"), std::string::npos) << table;
}

}  // namespace
}  // namespace dither

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "train/ranking.h"

namespace dither {
namespace {

TEST(RankingTest, PerfectSeparatorHasAurocOne) {
  EXPECT_DOUBLE_EQ(auroc(std::vector<double>{0.9, 0.8, 0.7}, std::vector<double>{0.1, 0.2}), 1.0);
}

TEST(RankingTest, ReversedSeparatorHasAurocZero) {
  EXPECT_DOUBLE_EQ(auroc(std::vector<double>{0.1, 0.2}, std::vector<double>{0.9, 0.8, 0.7}), 0.0);
}

TEST(RankingTest, AllTiedScoresGiveOneHalf) {
  EXPECT_DOUBLE_EQ(auroc(std::vector<double>(5, 0.3), std::vector<double>(7, 0.3)), 0.5);
}

TEST(RankingTest, TiesCountOneHalfAsInMannWhitney) {
  // Pairs (positive, negative): (2,1) wins, (2,2) ties, (1,1) ties, (1,2) loses: (1 + 0.5 +
  // 0.5 + 0) / 4.
  EXPECT_DOUBLE_EQ(auroc(std::vector<double>{2.0, 1.0}, std::vector<double>{1.0, 2.0}), 0.5);
  // (3 > 1, 3 > 2, 2 = 2, 2 > 1) = 3.5 of 4.
  EXPECT_DOUBLE_EQ(auroc(std::vector<double>{3.0, 2.0}, std::vector<double>{1.0, 2.0}), 0.875);
}

TEST(RankingTest, AgreesWithCountingPairs) {
  const RandomStream stream(5, "ranking");
  std::vector<double> pos, neg;
  for (int i = 0; i < 40; ++i) pos.push_back(std::round(10.0 * stream.uniform(i) + 2.0));
  for (int i = 0; i < 30; ++i) neg.push_back(std::round(10.0 * stream.uniform(100 + i)));
  double wins = 0.0;
  for (double p : pos) {
    for (double n : neg) wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
  }
  EXPECT_NEAR(auroc(pos, neg), wins / (40.0 * 30.0), 1e-12);
}

TEST(RankingTest, RandomScoresGiveAboutOneHalf) {
  const RandomStream stream(9, "ranking.random");
  const int n = 2000;
  std::vector<double> pos, neg;
  for (int i = 0; i < n; ++i) {
    pos.push_back(stream.uniform(i));
    neg.push_back(stream.uniform(n + i));
  }
  // Under the null the AUROC has standard deviation sqrt((n_pos + n_neg + 1) / (12 n_pos n_neg)).
  const double sd = std::sqrt((2.0 * n + 1.0) / (12.0 * n * n));
  EXPECT_NEAR(auroc(pos, neg), 0.5, 4.0 * sd);
}

TEST(RankingTest, FprAtTprOnHandMadeCases) {
  const std::vector<double> pos{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  // 95% of 10 positives needs 10 flagged: the threshold is 1, every negative >= 1 is flagged.
  EXPECT_DOUBLE_EQ(fpr_at_tpr(pos, std::vector<double>{0.5, 1.0, 5.5, 0.0}), 0.5);
  // 80% needs 8: threshold 3; negatives 3.5 and 3 are flagged, 2.9 is not.
  EXPECT_DOUBLE_EQ(fpr_at_tpr(pos, std::vector<double>{3.5, 3.0, 2.9, 0.0}, 0.8), 0.5);
  // A perfect separator flags no negative; a reversed one flags them all.
  EXPECT_DOUBLE_EQ(fpr_at_tpr(pos, std::vector<double>{0.0, -1.0}), 0.0);
  EXPECT_DOUBLE_EQ(fpr_at_tpr(pos, std::vector<double>{11.0, 12.0}), 1.0);
}

TEST(RankingTest, RefusesEmptySetsNaNAndBadRates) {
  EXPECT_THROW(auroc(std::vector<double>{}, std::vector<double>{1.0}), Error);
  EXPECT_THROW(auroc(std::vector<double>{NAN}, std::vector<double>{1.0}), Error);
  EXPECT_THROW(fpr_at_tpr(std::vector<double>{1.0}, std::vector<double>{}), Error);
  EXPECT_THROW(fpr_at_tpr(std::vector<double>{1.0}, std::vector<double>{1.0}, 0.0), Error);
}

}  // namespace
}  // namespace dither

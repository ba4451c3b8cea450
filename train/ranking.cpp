#include "train/ranking.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/error.h"

namespace dither {
namespace {

void check_sets(std::span<const double> positives, std::span<const double> negatives,
                const char* what) {
  check(!positives.empty() && !negatives.empty(), what,
        ": needs at least one positive and one negative, got ", positives.size(), " and ",
        negatives.size());
  const auto is_nan = [](double v) { return std::isnan(v); };
  check(std::none_of(positives.begin(), positives.end(), is_nan) &&
            std::none_of(negatives.begin(), negatives.end(), is_nan),
        what, ": a score is NaN");
}

}  // namespace

double auroc(std::span<const double> positives, std::span<const double> negatives) {
  check_sets(positives, negatives, "auroc");
  struct Scored {
    double score;
    bool positive;
  };
  std::vector<Scored> all;
  all.reserve(positives.size() + negatives.size());
  for (double s : positives) all.push_back({s, true});
  for (double s : negatives) all.push_back({s, false});
  std::sort(all.begin(), all.end(),
            [](const Scored& a, const Scored& b) { return a.score < b.score; });
  // Sum of the positives' ranks (1-based), a run of tied scores sharing its mean rank.
  double rank_sum = 0.0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    std::int64_t tied_positives = 0;
    for (; j < all.size() && all[j].score == all[i].score; ++j) tied_positives += all[j].positive;
    const double mid_rank = 0.5 * static_cast<double>(i + 1 + j);
    rank_sum += mid_rank * static_cast<double>(tied_positives);
    i = j;
  }
  const auto n_pos = static_cast<double>(positives.size());
  const auto n_neg = static_cast<double>(negatives.size());
  return (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg);
}

double fpr_at_tpr(std::span<const double> positives, std::span<const double> negatives,
                  double tpr) {
  check_sets(positives, negatives, "fpr_at_tpr");
  check(tpr > 0.0 && tpr <= 1.0, "fpr_at_tpr: tpr must be in (0, 1], got ", tpr);
  std::vector<double> sorted(positives.begin(), positives.end());
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  // The k-th highest positive score flags at least k positives; k is the fewest reaching tpr.
  const auto k =
      static_cast<std::size_t>(std::ceil(tpr * static_cast<double>(sorted.size()) - 1e-9));
  const double threshold = sorted[std::max<std::size_t>(k, 1) - 1];
  const auto flagged = std::count_if(negatives.begin(), negatives.end(),
                                     [threshold](double s) { return s >= threshold; });
  return static_cast<double>(flagged) / static_cast<double>(negatives.size());
}

}  // namespace dither

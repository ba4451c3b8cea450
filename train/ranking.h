#pragma once

#include <span>

namespace dither {

/// Area under the ROC curve of a detector that flags high scores: the probability that a random
/// positive scores above a random negative, ties counting one half (the Mann-Whitney U statistic
/// over n_pos * n_neg, from mid-ranks). 1 for a perfect separator, 0 for a reversed one, 0.5 when
/// every score is tied. Throws Error when either set is empty or a score is NaN.
double auroc(std::span<const double> positives, std::span<const double> negatives);

/// False positive rate at `tpr` true positive rate: with the highest threshold t that flags
/// (score >= t) at least a fraction `tpr` of the positives, the fraction of negatives it flags too.
/// Throws Error when either set is empty, a score is NaN or tpr is outside (0, 1].
double fpr_at_tpr(std::span<const double> positives, std::span<const double> negatives,
                  double tpr = 0.95);

}  // namespace dither

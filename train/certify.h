#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"
#include "layers/module.h"
#include "train/data/dataset.h"

namespace dither {

/// Randomized smoothing (Cohen, Rosenfeld and Kolter 2019): the smoothed classifier
/// g(x) = argmax_c P(f(x + N(0, sigma^2 I)) = c) of a base model f, and an l2 radius within
/// which g provably keeps its prediction.
struct CertifyOptions {
  double sigma = 0.25;      ///< noise std, in input units; train f with Gaussian noise at it
  std::int64_t n0 = 100;    ///< copies that choose the top class
  std::int64_t n = 10'000;  ///< fresh copies that estimate its probability
  double alpha = 0.001;     ///< failure probability of the certificate
  std::int64_t batch = 1000;
  std::int64_t limit = 500;  ///< first test samples certified (0: all)
  std::uint64_t seed = 0;
};

/// One sample's certificate. predicted is -1 where g abstains.
struct Certificate {
  std::int64_t index = 0;
  std::int64_t label = 0;
  std::int64_t predicted = -1;
  std::int64_t count = 0;  ///< hits of the top class among the n copies
  double p_lower = 0.0;    ///< one-sided Clopper-Pearson lower bound on its probability
  double radius = 0.0;     ///< sigma * Phi^-1(p_lower); 0 when abstaining
  bool correct() const { return predicted == label; }
};

/// The lower end of the one-sided (1 - alpha) Clopper-Pearson interval of a binomial
/// proportion with `hits` of `trials`: the alpha quantile of Beta(hits, trials - hits + 1).
double clopper_pearson_lower(std::int64_t hits, std::int64_t trials, double alpha);

/// sigma * Phi^-1(p_lower), or 0 when p_lower <= 0.5 (no certificate).
double certified_radius(double p_lower, double sigma);

/// How often the model (in eval mode) predicts each class on `copies` noisy copies of one
/// sample x [sample shape]; copy j's noise is stream.child(j), whatever the batch size.
std::vector<std::int64_t> noisy_class_counts(Module& model, const Tensor& x, std::int64_t copies,
                                             double sigma, std::int64_t batch, std::int64_t classes,
                                             const RandomStream& stream);

/// CERTIFY of the paper for one sample: n0 copies choose c_A, n fresh copies count it, then the
/// bound and radius; abstains when the bound does not exceed 1/2.
Certificate certify_one(Module& model, const Tensor& x, std::int64_t label, std::int64_t classes,
                        const CertifyOptions& options, const RandomStream& stream);

/// PREDICT of the paper: the top class of n copies when a two-sided binomial test of its count
/// against the runner-up's rejects equality at level alpha, else -1 (abstain).
std::int64_t smoothed_predict(const std::vector<std::int64_t>& counts, double alpha);

/// CERTIFY for the first options.limit samples of `test`.
std::vector<Certificate> certify_dataset(Module& model, const Dataset& test,
                                         const CertifyOptions& options);

/// {"certified_accuracy": {"0": a, "0.25": b, ...}, "acr": mean radius of correct samples (0 for
/// the rest), "abstained": fraction, "count"}: certified accuracy at radius r counts samples
/// that are correct with radius >= r.
nlohmann::json certification_summary(const std::vector<Certificate>& certificates,
                                     const std::vector<double>& radii);

}  // namespace dither

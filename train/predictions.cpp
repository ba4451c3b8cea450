#include "train/predictions.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/finite.h"
#include "train/evaluate.h"
#include "train/mc_dropout.h"

namespace dither {
namespace {

// Below this many nats a mutual information is rounding, not disagreement between passes.
constexpr double kInformationResolution = 1e-12;

double entropy_of(const double* p, std::int64_t k) {
  double h = 0.0;
  for (std::int64_t j = 0; j < k; ++j) h -= p[j] > 0.0 ? p[j] * std::log(p[j]) : 0.0;
  return h;
}

// Fills scores and probabilities from averaged probabilities [N * K] (double).
Predictions from_probabilities(std::vector<double> mean, std::vector<double> expected_entropy,
                               std::vector<std::int32_t> labels, std::int64_t k) {
  Predictions out;
  const auto n = static_cast<std::int64_t>(labels.size());
  out.scores = Tensor::empty({n, k});
  float* s = out.scores.ptr();
  for (std::int64_t i = 0; i < n * k; ++i)
    s[i] = static_cast<float>(std::log(std::max(mean[static_cast<std::size_t>(i)], 1e-30)));
  out.probabilities = std::move(mean);
  out.expected_entropy = std::move(expected_entropy);
  out.labels = std::move(labels);
  return out;
}

}  // namespace

double Predictions::max_probability(std::int64_t i) const {
  const double* row = probabilities.data() + i * classes();
  return *std::max_element(row, row + classes());
}

double Predictions::entropy(std::int64_t i) const {
  return entropy_of(probabilities.data() + i * classes(), classes());
}

double Predictions::mutual_information(std::int64_t i) const {
  const double mi = entropy(i) - expected_entropy[static_cast<std::size_t>(i)];
  return mi > kInformationResolution ? mi : 0.0;
}

bool Predictions::correct(std::int64_t i) const {
  const float* row = scores.ptr() + i * classes();
  return std::max_element(row, row + classes()) - row == labels[static_cast<std::size_t>(i)];
}

Tensor set_logits(Module& model, const Dataset& data, std::uint64_t seed, std::int64_t batch_size) {
  const BatchOutputs outputs = eval_outputs(model, data, batch_size, seed);
  check(!outputs.logits.empty(), "set_logits: the set is empty");
  std::vector<float> rows;
  for (const Tensor& logits : outputs.logits) {
    check_shape(logits.dim() == 2, "the model must give logits [N, K], got ", logits.shape());
    if (const float* bad = first_non_finite(logits)) {
      throw DivergenceError(str("the model's outputs hold ", *bad));
    }
    rows.insert(rows.end(), logits.ptr(), logits.ptr() + logits.numel());
  }
  Tensor out = Tensor::empty({data.size(), outputs.logits.front().size(1)});
  std::memcpy(out.ptr(), rows.data(), rows.size() * sizeof(float));
  return out;
}

Predictions from_logits(const Tensor& logits, std::vector<std::int32_t> labels,
                        double temperature) {
  check_shape(logits.dim() == 2 && logits.size(0) == static_cast<std::int64_t>(labels.size()),
              "predictions: logits ", logits.shape(), " do not fit ", labels.size(), " labels");
  check(temperature > 0.0, "predictions: the temperature must be > 0, got ", temperature);
  Predictions out;
  out.scores = logits.clone();
  const std::int64_t n = logits.size(0);
  const std::int64_t k = logits.size(1);
  float* s = out.scores.ptr();
  for (std::int64_t i = 0; i < n * k; ++i) s[i] = static_cast<float>(s[i] / temperature);
  out.probabilities.resize(static_cast<std::size_t>(n * k));
  out.labels = std::move(labels);
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = s + i * k;
    double* p = out.probabilities.data() + i * k;
    const double top = *std::max_element(row, row + k);
    double norm = 0.0;
    for (std::int64_t j = 0; j < k; ++j) norm += p[j] = std::exp(row[j] - top);
    for (std::int64_t j = 0; j < k; ++j) p[j] /= norm;
  }
  out.expected_entropy.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    out.expected_entropy[static_cast<std::size_t>(i)] = out.entropy(i);
  return out;
}

Predictions mc_predictions(Module& model, const Dataset& data, std::int64_t samples,
                           std::uint64_t seed, std::int64_t batch_size) {
  const McPrediction mc = mc_predict(model, data, samples, seed, batch_size);
  const std::int64_t n = mc.entropy.numel();
  const std::int64_t k = mc.mean_probabilities.size(1);
  std::vector<double> mean(mc.mean_probabilities.ptr(), mc.mean_probabilities.ptr() + n * k);
  // Renormalise the float means in double, so that entropies of rows match their own sums.
  for (std::int64_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += mean[static_cast<std::size_t>(i * k + j)];
    for (std::int64_t j = 0; j < k; ++j) mean[static_cast<std::size_t>(i * k + j)] /= sum;
  }
  // E H[p_t] = H[E p] - MI, with mc_predict's MI (computed in double), so that the mutual
  // information stays what it measured rather than a difference of two rounded entropies.
  std::vector<double> expected(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    expected[static_cast<std::size_t>(i)] =
        entropy_of(mean.data() + i * k, k) - static_cast<double>(mc.mutual_information.ptr()[i]);
  }
  return from_probabilities(std::move(mean), std::move(expected), data.labels, k);
}

Predictions average(std::span<const Predictions> members) {
  check(!members.empty(), "average: no predictions");
  const Predictions& first = members.front();
  std::vector<double> mean(first.probabilities.size(), 0.0);
  std::vector<double> expected(first.expected_entropy.size(), 0.0);
  for (const Predictions& m : members) {
    check(m.size() == first.size() && m.classes() == first.classes() && m.labels == first.labels,
          "average: predictions of different sets (", m.size(), " x ", m.classes(), " against ",
          first.size(), " x ", first.classes(), ")");
    for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += m.probabilities[i];
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] += m.expected_entropy[i];
  }
  const auto count = static_cast<double>(members.size());
  for (double& v : mean) v /= count;
  for (double& v : expected) v /= count;
  return from_probabilities(std::move(mean), std::move(expected), first.labels, first.classes());
}

Evaluation evaluation_of(const Predictions& predictions) {
  MetricAccumulator metrics(predictions.classes());
  Tensor targets = Tensor::empty({predictions.size()});
  for (std::int64_t i = 0; i < predictions.size(); ++i)
    targets.ptr()[i] = static_cast<float>(predictions.labels[static_cast<std::size_t>(i)]);
  metrics.add(predictions.scores, targets);
  return metrics.result();
}

}  // namespace dither

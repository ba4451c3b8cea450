#include "train/certify.h"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <sstream>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/shape_ops.h"
#include "core/parallel.h"
#include "train/data/loader.h"

namespace dither {

double clopper_pearson_lower(std::int64_t hits, std::int64_t trials, double alpha) {
  check(trials >= 1 && hits >= 0 && hits <= trials && alpha > 0.0 && alpha < 1.0,
        "clopper_pearson_lower: need 0 <= hits <= trials, trials >= 1, alpha in (0, 1)");
  if (hits == 0) return 0.0;
  const boost::math::beta_distribution<double> beta(static_cast<double>(hits),
                                                    static_cast<double>(trials - hits + 1));
  return boost::math::quantile(beta, alpha);
}

double certified_radius(double p_lower, double sigma) {
  if (!(p_lower > 0.5)) return 0.0;
  return sigma * boost::math::quantile(boost::math::normal_distribution<double>(), p_lower);
}

std::vector<std::int64_t> noisy_class_counts(Module& model, const Tensor& x, std::int64_t copies,
                                             double sigma, std::int64_t batch, std::int64_t classes,
                                             const RandomStream& stream) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(classes), 0);
  const std::int64_t row = x.numel();
  const float* px = x.ptr();
  for (std::int64_t first = 0; first < copies; first += batch) {
    const std::int64_t rows = std::min(batch, copies - first);
    Shape shape{rows};
    shape.insert(shape.end(), x.shape().begin(), x.shape().end());
    Tensor noisy = Tensor::empty(shape);
    float* pn = noisy.ptr();
    parallel_for(rows, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        float* out = pn + r * row;
        stream.child(static_cast<std::uint64_t>(first + r))
            .fill_normal({out, static_cast<std::size_t>(row)}, 0.0f, static_cast<float>(sigma));
        for (std::int64_t i = 0; i < row; ++i) out[i] += px[i];
      }
    });
    const Tensor logits = model.forward(noisy);
    check_shape(logits.dim() == 2 && logits.size(1) == classes, "certify: the model gives ",
                logits.shape(), " for ", classes, " classes");
    const float* pl = logits.ptr();
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* l = pl + r * classes;
      counts[static_cast<std::size_t>(std::max_element(l, l + classes) - l)] += 1;
    }
  }
  return counts;
}

Certificate certify_one(Module& model, const Tensor& x, std::int64_t label, std::int64_t classes,
                        const CertifyOptions& o, const RandomStream& stream) {
  Certificate c;
  c.label = label;
  const auto select =
      noisy_class_counts(model, x, o.n0, o.sigma, o.batch, classes, stream.child(0));
  const auto top = std::max_element(select.begin(), select.end()) - select.begin();
  const auto estimate =
      noisy_class_counts(model, x, o.n, o.sigma, o.batch, classes, stream.child(1));
  c.count = estimate[static_cast<std::size_t>(top)];
  c.p_lower = clopper_pearson_lower(c.count, o.n, o.alpha);
  if (c.p_lower > 0.5) {
    c.predicted = top;
    c.radius = certified_radius(c.p_lower, o.sigma);
  }
  return c;
}

std::int64_t smoothed_predict(const std::vector<std::int64_t>& counts, double alpha) {
  check(counts.size() >= 2, "smoothed_predict: needs at least two classes");
  std::vector<std::int64_t> order(counts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  std::partial_sort(order.begin(), order.begin() + 2, order.end(), [&](auto a, auto b) {
    return counts[static_cast<std::size_t>(a)] > counts[static_cast<std::size_t>(b)];
  });
  const std::int64_t na = counts[static_cast<std::size_t>(order[0])];
  const std::int64_t nb = counts[static_cast<std::size_t>(order[1])];
  if (na + nb == 0) return -1;
  // Two-sided exact binomial test of na out of na + nb against p = 1/2 (scipy's binom_test).
  const boost::math::binomial_distribution<double> binomial(static_cast<double>(na + nb), 0.5);
  const double tail = na == nb ? 1.0 : boost::math::cdf(boost::math::complement(binomial, na - 1));
  const double p_value = std::min(1.0, 2.0 * tail);
  return p_value <= alpha ? order[0] : -1;
}

std::vector<Certificate> certify_dataset(Module& model, const Dataset& test,
                                         const CertifyOptions& options) {
  check(options.sigma > 0.0 && options.n0 >= 1 && options.n >= 1 && options.batch >= 1,
        "certify: need sigma > 0 and n0, n, batch >= 1");
  const ModeGuard mode(model, /*training=*/false, /*noise_active=*/false, model.noise_clock());
  const NoGradGuard no_grad;
  const Dataset data = limit(test, options.limit);
  const RandomStream root(options.seed, "certify");
  std::vector<Certificate> out;
  for (std::int64_t i = 0; i < data.size(); ++i) {
    const Batch one = make_batch(data, std::vector<std::int64_t>{i});
    const Tensor x = detached_view(one.inputs, data.sample_shape);
    Certificate c =
        certify_one(model, x, static_cast<std::int64_t>(one.targets.ptr()[0]), data.num_classes,
                    options, root.child(static_cast<std::uint64_t>(i)));
    c.index = i;
    out.push_back(c);
  }
  return out;
}

nlohmann::json certification_summary(const std::vector<Certificate>& certificates,
                                     const std::vector<double>& radii) {
  nlohmann::json accuracy = nlohmann::json::object();
  const auto n = static_cast<double>(std::max<std::size_t>(certificates.size(), 1));
  for (double r : radii) {
    std::int64_t hits = 0;
    for (const Certificate& c : certificates) hits += c.correct() && c.radius >= r;
    std::ostringstream key;
    key << r;
    accuracy[key.str()] = static_cast<double>(hits) / n;
  }
  double radius_sum = 0.0;
  std::int64_t abstained = 0;
  for (const Certificate& c : certificates) {
    if (c.correct()) radius_sum += c.radius;
    abstained += c.predicted < 0;
  }
  return {{"certified_accuracy", accuracy},
          {"acr", radius_sum / n},
          {"abstained", static_cast<double>(abstained) / n},
          {"count", certificates.size()}};
}

}  // namespace dither

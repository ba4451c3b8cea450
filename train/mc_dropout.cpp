#include "train/mc_dropout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/softmax.h"
#include "layers/registry.h"
#include "train/data/loader.h"

namespace dither {
namespace {

double entropy_of(const double* p, std::int64_t k) {
  double h = 0.0;
  for (std::int64_t j = 0; j < k; ++j) h -= p[j] > 0.0 ? p[j] * std::log(p[j]) : 0.0;
  return h;
}

void collect_noise_layers(const Module& module, const std::vector<std::string>& types,
                          std::vector<std::string>& out) {
  if (std::find(types.begin(), types.end(), module.type_name()) != types.end())
    out.push_back(module.path() + " (" + module.type_name() + ")");
  for (const auto& [name, child] : module.children()) collect_noise_layers(*child, types, out);
}

}  // namespace

McPrediction mc_predict(Module& model, const Tensor& inputs, std::int64_t samples,
                        std::uint64_t seed, std::int64_t batch_index) {
  check(samples >= 1, "mc_predict: samples must be >= 1, got ", samples);
  const ModeGuard mode(model, /*training=*/false, /*mc_sampling=*/true, model.noise_clock());
  const NoGradGuard no_grad;
  std::vector<double> mean;
  std::vector<double> expected_entropy;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::vector<double> row;
  for (std::int64_t t = 0; t < samples; ++t) {
    model.set_noise_clock(NoiseClock{seed, batch_index, kEvalPass + static_cast<std::uint64_t>(t)});
    const Tensor p = softmax(model.forward(inputs), 1);
    check_shape(p.dim() == 2, "mc_predict: the model must give logits [N, K], got ", p.shape());
    if (t == 0) {
      n = p.size(0);
      k = p.size(1);
      mean.assign(static_cast<std::size_t>(n * k), 0.0);
      expected_entropy.assign(static_cast<std::size_t>(n), 0.0);
      row.resize(static_cast<std::size_t>(k));
    }
    const float* pp = p.ptr();
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < k; ++j) {
        row[static_cast<std::size_t>(j)] = pp[i * k + j];
        mean[static_cast<std::size_t>(i * k + j)] += pp[i * k + j];
      }
      expected_entropy[static_cast<std::size_t>(i)] += entropy_of(row.data(), k);
    }
  }
  McPrediction out;
  out.mean_probabilities = Tensor::empty({n, k});
  out.entropy = Tensor::empty({n});
  out.mutual_information = Tensor::empty({n});
  const auto t_count = static_cast<double>(samples);
  for (std::int64_t i = 0; i < n; ++i) {
    double* m = mean.data() + i * k;
    for (std::int64_t j = 0; j < k; ++j) {
      m[j] /= t_count;
      out.mean_probabilities.ptr()[i * k + j] = static_cast<float>(m[j]);
    }
    const double h = entropy_of(m, k);
    out.entropy.ptr()[i] = static_cast<float>(h);
    out.mutual_information.ptr()[i] = static_cast<float>(
        std::max(0.0, h - expected_entropy[static_cast<std::size_t>(i)] / t_count));
  }
  return out;
}

McPrediction mc_predict(Module& model, const Dataset& data, std::int64_t samples,
                        std::uint64_t seed, std::int64_t batch_size) {
  BatchLoader loader(data, LoaderOptions{.batch_size = batch_size, .shuffle = false}, 0);
  std::vector<McPrediction> parts;
  std::int64_t rows = 0;
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) {
    parts.push_back(mc_predict(model, loader.batch(0, b).inputs, samples, seed, b));
    rows += parts.back().entropy.numel();
  }
  check(!parts.empty(), "mc_predict: the set is empty");
  const std::int64_t k = parts.front().mean_probabilities.size(1);
  McPrediction out{Tensor::empty({rows, k}), Tensor::empty({rows}), Tensor::empty({rows})};
  std::int64_t at = 0;
  for (const McPrediction& part : parts) {
    const std::int64_t r = part.entropy.numel();
    std::memcpy(out.mean_probabilities.ptr() + at * k, part.mean_probabilities.ptr(),
                static_cast<std::size_t>(r * k) * sizeof(float));
    std::memcpy(out.entropy.ptr() + at, part.entropy.ptr(),
                static_cast<std::size_t>(r) * sizeof(float));
    std::memcpy(out.mutual_information.ptr() + at, part.mutual_information.ptr(),
                static_cast<std::size_t>(r) * sizeof(float));
    at += r;
  }
  return out;
}

std::vector<std::string> stochastic_layers(const Module& model) {
  static const std::vector<std::string> types = [] {
    LayerRegistry noise;  // the noise family alone, so the list cannot drift from the registry
    register_noise_layers(noise);
    return noise.types();
  }();
  std::vector<std::string> out;
  collect_noise_layers(model, types, out);
  return out;
}

}  // namespace dither

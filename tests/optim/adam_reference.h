#pragma once

// torch's Adam / AdamW update in double precision, for the optim tests.

#include <algorithm>
#include <cmath>
#include <vector>

#include "optim/adam.h"

namespace dither::testing {

template <bool Decoupled>
struct AdamReference {
  AdamFamilyOptions<Decoupled> o;
  std::vector<double> p;
  std::vector<double> m = std::vector<double>(p.size(), 0.0);
  std::vector<double> v = std::vector<double>(p.size(), 0.0);
  std::vector<double> v_max = std::vector<double>(p.size(), 0.0);
  int t = 0;

  void step(const std::vector<double>& grad) {
    ++t;
    const double c1 = 1.0 - std::pow(o.beta1, t);
    const double c2 = 1.0 - std::pow(o.beta2, t);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i];
      if (Decoupled) {
        p[i] *= 1.0 - o.lr * o.weight_decay;
      } else {
        g += o.weight_decay * p[i];
      }
      m[i] = o.beta1 * m[i] + (1.0 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1.0 - o.beta2) * g * g;
      v_max[i] = std::max(v_max[i], v[i]);
      const double second = o.amsgrad ? v_max[i] : v[i];
      p[i] -= o.lr / c1 * m[i] / (std::sqrt(second) / std::sqrt(c2) + o.eps);
    }
  }
};

}  // namespace dither::testing

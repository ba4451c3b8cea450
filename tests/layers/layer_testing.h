#pragma once

// Helpers shared by the layer suites: gradient checks through a module's parameters, and
// building one layer from JSON the way build_model() does.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "layers/linear.h"
#include "layers/module.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither::testing {

/// A linear layer in -> out with PyTorch's default initialisation, for wrapper layers to wrap.
inline std::shared_ptr<Linear> make_linear(std::int64_t in, std::int64_t out) {
  LinearOptions options;
  options.in = in;
  options.out = out;
  return std::make_shared<Linear>(options);
}

/// Copies `values` into t's storage (sizes must match).
inline void set_values(Tensor t, const std::vector<float>& values) {
  check(static_cast<std::int64_t>(values.size()) == t.numel(), "set_values: ", values.size(),
        " values for ", t.numel(), " elements");
  std::copy(values.begin(), values.end(), t.ptr());
}

/// module(inputs[0]) with the module's parameters (named_parameters() order) overwritten by
/// inputs[1..]. The result's gradient with respect to inputs[k] is the one the engine gives the
/// k-th parameter, so gradcheck() compares each parameter gradient with finite differences.
inline Tensor forward_with_parameters(Module& module, const std::vector<Tensor>& inputs) {
  NamedTensors params = module.named_parameters();
  check(params.size() + 1 == inputs.size(), "forward_with_parameters: ", params.size(),
        " parameters but ", inputs.size() - 1, " parameter inputs");
  std::vector<Tensor> targets{inputs[0]};
  for (std::size_t k = 0; k < params.size(); ++k) {
    set_values(params[k].second, inputs[k + 1].to_vector());
    targets.push_back(params[k].second);
  }
  const Tensor y = module.forward(inputs[0]);
  if (!GradMode::enabled()) return y;
  // d<y, g>/d(x, parameters) by a second sweep, run from inside this op's backward.
  return record("through_module", y.detach(), inputs,
                [y, targets](const Tensor& g, const NeedsGrad&) {
                  const bool was_enabled = GradMode::enabled();
                  GradMode::set_enabled(true);
                  std::vector<Tensor> grads = grad(sum(mul(y, g)), targets);
                  GradMode::set_enabled(was_enabled);
                  return grads;
                });
}

/// gradcheck() of `module` with respect to its input x and every parameter; the parameters'
/// values are restored afterwards.
inline ::testing::AssertionResult layer_gradcheck(Module& module, const Tensor& x,
                                                  GradCheckOptions options = {}) {
  const NamedTensors saved = module.state_dict();
  std::vector<Tensor> inputs{x};
  for (const auto& [name, p] : module.named_parameters()) inputs.push_back(p.clone());
  auto result = gradcheck(
      [&module](const std::vector<Tensor>& in) { return forward_with_parameters(module, in); },
      inputs, options);
  module.load_state_dict(saved);
  return result;
}

/// A noise layer's draws follow its clock: the same (seed, step, pass) and path give the same
/// noise, and a change of any one of them gives other noise.
inline void expect_noise_follows_clock(Module& layer, const Tensor& x) {
  layer.train();
  auto draw = [&](NoiseClock clock, const std::string& path) {
    layer.set_path(path);
    layer.set_noise_clock(clock);
    return layer(x).to_vector();
  };
  const std::vector<float> a = draw({1, 0, 0}, "model.0");
  EXPECT_EQ(draw({1, 0, 0}, "model.0"), a) << "same clock, other noise";
  EXPECT_NE(draw({2, 0, 0}, "model.0"), a) << "the seed is ignored";
  EXPECT_NE(draw({1, 1, 0}, "model.0"), a) << "the step is ignored";
  EXPECT_NE(draw({1, 0, 1}, "model.0"), a) << "the pass is ignored";
  EXPECT_NE(draw({1, 0, 0}, "model.1"), a) << "the path is ignored";
}

/// One layer built by the registry from `spec` at path "model.layers[0]" for per-sample `input`.
inline std::shared_ptr<Module> build_layer(const nlohmann::json& spec, const Shape& input) {
  return LayerRegistry::instance().create(LayerContext{spec, "model.layers[0]", input});
}

/// The message of the ConfigError `fn` throws, or "" (a failed expectation) when none is thrown.
template <class Fn>
std::string config_error(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

}  // namespace dither::testing

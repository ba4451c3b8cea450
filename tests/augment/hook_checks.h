#pragma once

// Checks every noise hook must pass, written once: the per-batch rate `p`, determinism for a
// fixed seed and step at one and two threads, the JSON round trip and the refusal message.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/parallel.h"
#include "hook_testing.h"

namespace dither::testing {

/// The inputs after one on_batch call of `hook` on `batch` at `step`.
inline Tensor noised(HookRig& rig, Hook& hook, const Batch& batch, std::int64_t step) {
  StepContext ctx = rig.context(step);
  Batch copy = batch;
  hook.on_batch(ctx, copy);
  return copy.inputs;
}

/// The fraction of `steps` consecutive steps at which `hook` replaced the inputs.
inline double fired_fraction(HookRig& rig, Hook& hook, const Batch& batch, int steps) {
  int fired = 0;
  for (int step = 0; step < steps; ++step) {
    fired += noised(rig, hook, batch, step).ptr() != batch.inputs.ptr();
  }
  return static_cast<double>(fired) / steps;
}

/// `spec` with "p" set: fires on about that fraction of 1000 batches (within 4 standard
/// errors), never with p = 0, always with p = 1.
inline void expect_fires_at_rate_p(HookRig& rig, nlohmann::json spec, const Batch& batch) {
  spec["p"] = 0.3;
  EXPECT_NEAR(fired_fraction(rig, *rig.hook(spec), batch, 1000), 0.3,
              4.0 * std::sqrt(0.3 * 0.7 / 1000));
  spec["p"] = 0.0;
  EXPECT_EQ(fired_fraction(rig, *rig.hook(spec), batch, 50), 0.0);
  spec["p"] = 1.0;
  EXPECT_EQ(fired_fraction(rig, *rig.hook(spec), batch, 50), 1.0);
}

/// The same output for the same step at one and two threads and on a second call, a different
/// one at another step, and the batch's own inputs left as they were.
inline void expect_deterministic(HookRig& rig, const nlohmann::json& spec, const Batch& batch) {
  auto hook = rig.hook(spec);
  const std::vector<float> before = batch.inputs.to_vector();
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = noised(rig, *hook, batch, 5).to_vector();
  set_num_threads(2);
  const std::vector<float> two = noised(rig, *hook, batch, 5).to_vector();
  const std::vector<float> again = noised(rig, *hook, batch, 5).to_vector();
  const std::vector<float> other = noised(rig, *hook, batch, 6).to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, again);
  EXPECT_NE(one, other);
  EXPECT_NE(one, before);
  EXPECT_EQ(batch.inputs.to_vector(), before);  // never edited in place
}

/// to_json() names the type, "p" and every default; building from it gives the same spec.
inline void expect_round_trip(HookRig& rig, const nlohmann::json& spec) {
  const nlohmann::json full = rig.hook(spec)->to_json();
  EXPECT_EQ(full.at("type"), spec.at("type"));
  EXPECT_TRUE(full.contains("p"));
  EXPECT_EQ(rig.hook(full)->to_json(), full);
}

/// rig.hook(spec) at "noise[3]" throws a ConfigError that names the path and contains `part`.
inline void expect_refused(HookRig& rig, const nlohmann::json& spec, const std::string& part) {
  try {
    rig.hook(spec, "noise[3]");
    ADD_FAILURE() << spec.dump() << " was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("noise[3]", 0), 0u) << what;
    EXPECT_NE(what.find(part), std::string::npos) << what;
  }
}

}  // namespace dither::testing

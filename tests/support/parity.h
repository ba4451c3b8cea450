#pragma once

// Reading the PyTorch reference fixtures of tests/parity/fixtures (written by
// tests/parity/make_fixtures.py) and comparing dither's values with them. Header-only, so every
// suite can use it without a build change; the fixtures are found from this file's own path.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/named_tensors.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "core/tensor.h"

namespace dither::testing {

/// A value matches its reference when |got - want| <= max(kParityRelative * |want|,
/// kParityAbsolute): relative 1e-5, with an absolute floor of 1e-6 for values near 0.
inline constexpr double kParityRelative = 1e-5;
inline constexpr double kParityAbsolute = 1e-6;

/// tests/parity/fixtures.
inline std::filesystem::path parity_fixture_dir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "parity" / "fixtures";
}

/// The fixture `name` ("layer_linear"); throws Error naming the file when it is missing or is
/// not JSON.
inline nlohmann::json load_parity_fixture(const std::string& name) {
  const std::filesystem::path path = parity_fixture_dir() / (name + ".json");
  std::ifstream in(path);
  check(in.good(), "parity fixture ", path.string(),
        " is missing; run /usr/bin/python3 tests/parity/make_fixtures.py");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(str("parity fixture ", path.string(), ": ", e.what()));
  }
}

/// Names (without ".json") of the fixtures starting with `prefix`, sorted.
inline std::vector<std::string> parity_fixture_names(const std::string& prefix) {
  std::vector<std::string> names;
  if (!std::filesystem::is_directory(parity_fixture_dir())) return names;
  for (const auto& entry : std::filesystem::directory_iterator(parity_fixture_dir())) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() == ".json" && stem.starts_with(prefix)) names.push_back(stem);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// {"shape": [...], "data": [...]} as a new tensor (no gradient).
inline Tensor fixture_tensor(const nlohmann::json& j) {
  return Tensor::from(j.at("data").get<std::vector<float>>(), j.at("shape").get<Shape>());
}

/// Whether `got` is within the parity tolerance of `want`.
inline bool parity_close(double got, double want) {
  return std::abs(got - want) <= std::max(kParityRelative * std::abs(want), kParityAbsolute);
}

/// Success when `got` has the reference's shape and every value is parity_close() to it; a
/// failure gives the first element out of tolerance and the largest error.
inline ::testing::AssertionResult matches_reference(const Tensor& got, const nlohmann::json& want) {
  if (!got.defined()) return ::testing::AssertionFailure() << "undefined tensor";
  const Tensor reference = fixture_tensor(want);
  if (got.shape() != reference.shape()) {
    return ::testing::AssertionFailure()
           << "shape " << to_string(got.shape()) << ", expected " << to_string(reference.shape());
  }
  std::int64_t first_bad = -1;
  double worst = 0.0;
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    const double g = got.ptr()[i];
    const double w = reference.ptr()[i];
    if (!parity_close(g, w) && first_bad < 0) first_bad = i;
    worst = std::max(worst, std::abs(g - w));
  }
  if (first_bad < 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << first_bad << ": " << got.ptr()[first_bad] << ", expected "
         << reference.ptr()[first_bad] << " (largest absolute error " << worst << ")";
}

/// The fixture's "inputs" list, in order, each marked requires_grad when the fixture holds its
/// gradient.
inline NamedTensors fixture_inputs(const nlohmann::json& fixture) {
  NamedTensors inputs;
  for (const nlohmann::json& in : fixture.at("inputs")) {
    const std::string name = in.at("name").get<std::string>();
    Tensor t = fixture_tensor(in);
    if (fixture.at("grads").contains(name)) t.set_requires_grad(true);
    inputs.emplace_back(name, t);
  }
  return inputs;
}

/// Checks y against fixture["output"], and the gradient of sum(y * fixture["R"]) with respect to
/// each named target against fixture["grads"][name]. The fixture must hold a gradient for
/// exactly these targets, so none goes unchecked.
inline void expect_graph_matches(const nlohmann::json& fixture, const Tensor& y,
                                 const NamedTensors& targets) {
  EXPECT_TRUE(matches_reference(y, fixture.at("output"))) << "forward output";
  std::vector<Tensor> leaves;
  std::vector<std::string> names;
  for (const auto& [name, t] : targets) {
    leaves.push_back(t);
    names.push_back(name);
  }
  std::vector<std::string> expected;
  for (const auto& item : fixture.at("grads").items()) expected.push_back(item.key());
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(sorted, expected) << "gradients computed vs gradients in the fixture";
  if (leaves.empty()) return;
  const std::vector<Tensor> grads = grad(sum(mul(y, fixture_tensor(fixture.at("R")))), leaves);
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_TRUE(matches_reference(grads[i], fixture.at("grads").at(names[i])))
        << "gradient of sum(output * R) with respect to " << names[i];
  }
}

/// Expects the fixtures starting with `prefix` to be exactly `prefix` + each of `listed`, so a
/// new fixture cannot go untested and a listed one cannot go missing.
inline void expect_fixtures_listed(const std::string& prefix, std::vector<std::string> listed) {
  for (std::string& name : listed) name = prefix + name;
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(parity_fixture_names(prefix), listed);
}

/// Parameter names of a TEST_P over fixture names, so test names read like the fixtures.
struct FixtureName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const {
    return info.param;
  }
};

}  // namespace dither::testing

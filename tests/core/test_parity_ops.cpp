// Ops with no layer of their own against PyTorch 1.13: forward values and the gradients of
// sum(output * R) from the fixtures of tests/parity (see tests/support/parity.h for the
// tolerance). Layers and losses are compared in tests/layers/test_parity.cpp.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/ops/activation.h"
#include "core/ops/loss.h"
#include "core/ops/softmax.h"
#include "support/parity.h"

namespace dither {
namespace {

using nlohmann::json;
using testing::expect_fixtures_listed;
using testing::expect_graph_matches;
using testing::fixture_inputs;
using testing::FixtureName;
using testing::load_parity_fixture;

using ParityOp = std::function<Tensor(const std::vector<Tensor>&, const json&)>;

// The op a fixture's {"type": ...} names, with its options read from the same object.
const std::map<std::string, ParityOp>& parity_ops() {
  static const std::map<std::string, ParityOp> ops{
      {"log_softmax",
       [](const std::vector<Tensor>& in, const json& spec) {
         return log_softmax(in.at(0), spec.value("axis", std::int64_t{-1}));
       }},
      {"softplus",
       [](const std::vector<Tensor>& in, const json& spec) {
         return softplus(in.at(0), spec.value("beta", 1.0f), spec.value("threshold", 20.0f));
       }},
      {"kl_div",
       [](const std::vector<Tensor>& in, const json&) { return kl_div(in.at(0), in.at(1)); }},
      {"kl_div_logits", [](const std::vector<Tensor>& in,
                           const json&) { return kl_div_logits(in.at(0), in.at(1)); }},
  };
  return ops;
}

const std::vector<std::string> kOps{
    "log_softmax", "log_softmax_axis1", "softplus", "softplus_beta_threshold",
    "kl_div",      "kl_div_logits",
};

class OpParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OpParityTest, MatchesPyTorch) {
  const json fixture = load_parity_fixture("op_" + GetParam());
  SCOPED_TRACE(fixture.at("torch").get<std::string>());
  const json& spec = fixture.at("op");
  const auto found = parity_ops().find(spec.at("type").get<std::string>());
  ASSERT_NE(found, parity_ops().end()) << "no op for " << spec.dump();
  const NamedTensors inputs = fixture_inputs(fixture);
  std::vector<Tensor> values;
  for (const auto& named : inputs) values.push_back(named.second);
  expect_graph_matches(fixture, found->second(values, spec), inputs);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, OpParityTest, ::testing::ValuesIn(kOps), FixtureName{});

TEST(ParityFixturesTest, EveryOpFixtureIsTested) { expect_fixtures_listed("op_", kOps); }

}  // namespace
}  // namespace dither

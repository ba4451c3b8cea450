#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ops.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::GradCheckOptions;
using testing::OpFn;

struct OpCase {
  std::string name;
  OpFn fn;
  std::vector<Shape> input_shapes;
  GradCheckOptions options{};
  float low = -1.0f;  ///< inputs are uniform in [low, high)
  float high = 1.0f;
};

std::ostream& operator<<(std::ostream& out, const OpCase& c) { return out << c.name; }

class OpGradientTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpGradientTest, MatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < c.input_shapes.size(); ++i) {
    inputs.push_back(testing::random_uniform(c.input_shapes[i], c.low, c.high, 100 + i));
  }
  EXPECT_TRUE(testing::gradcheck(c.fn, inputs, c.options));
}

using In = std::vector<Tensor>;
const GradCheckOptions kKinkAtZero{.kink_range = 0.02};

// Constant integer index tensors for the index ops (not differentiable, so captured).
Tensor ids(std::initializer_list<float> values, Shape shape) { return Tensor::from(values, shape); }

std::vector<OpCase> arithmetic_cases() {
  return {
      {"add_same_shape", [](const In& in) { return add(in[0], in[1]); }, {{2, 3}, {2, 3}}},
      {"add_row_broadcast", [](const In& in) { return add(in[0], in[1]); }, {{2, 3}, {3}}},
      {"add_outer_broadcast", [](const In& in) { return add(in[0], in[1]); }, {{2, 1}, {1, 3}}},
      {"add_scalar_tensor", [](const In& in) { return add(in[0], in[1]); }, {{}, {2, 3}}},
      {"sub_row_broadcast", [](const In& in) { return sub(in[0], in[1]); }, {{2, 3}, {3}}},
      {"sub_outer_broadcast", [](const In& in) { return sub(in[0], in[1]); }, {{2, 1}, {1, 3}}},
      {"mul_same_shape", [](const In& in) { return mul(in[0], in[1]); }, {{2, 3}, {2, 3}}},
      {"mul_row_broadcast", [](const In& in) { return mul(in[0], in[1]); }, {{2, 3}, {3}}},
      {"mul_outer_broadcast", [](const In& in) { return mul(in[0], in[1]); }, {{2, 1}, {1, 3}}},
      {"mul_scalar_tensor", [](const In& in) { return mul(in[0], in[1]); }, {{2, 3}, {}}},
      {"div_row_broadcast",
       [](const In& in) { return div(in[0], in[1]); },
       {{2, 3}, {3}},
       {},
       0.5f,
       2.0f},
      {"div_outer_broadcast",
       [](const In& in) { return div(in[0], in[1]); },
       {{2, 1}, {1, 3}},
       {},
       0.5f,
       2.0f},
      {"add_scalar", [](const In& in) { return add(in[0], 0.5f); }, {{2, 3}}},
      {"sub_scalar", [](const In& in) { return sub(in[0], 0.5f); }, {{2, 3}}},
      {"mul_scalar", [](const In& in) { return mul(in[0], -2.5f); }, {{2, 3}}},
      {"div_scalar", [](const In& in) { return div(in[0], 4.0f); }, {{2, 3}}},
      {"rsub_scalar", [](const In& in) { return rsub(1.5f, in[0]); }, {{2, 3}}},
      {"neg", [](const In& in) { return neg(in[0]); }, {{2, 3}}},
  };
}

std::vector<OpCase> reduce_cases() {
  return {
      {"sum_all", [](const In& in) { return sum(in[0]); }, {{2, 3, 2}}},
      {"sum_axis", [](const In& in) { return sum(in[0], {1}); }, {{2, 3, 2}}},
      {"sum_axes_keepdim",
       [](const In& in) {
         return sum(in[0], {0, 2}, true);
       },
       {{2, 3, 2}}},
      {"sum_last_keepdim", [](const In& in) { return sum(in[0], {-1}, true); }, {{2, 3, 2}}},
      {"mean_all", [](const In& in) { return mean(in[0]); }, {{2, 3, 2}}},
      {"mean_axis", [](const In& in) { return mean(in[0], {0}); }, {{2, 3, 2}}},
      {"mean_axes_keepdim",
       [](const In& in) {
         return mean(in[0], {1, 2}, true);
       },
       {{2, 3, 2}}},
      {"var_all", [](const In& in) { return var(in[0]); }, {{2, 3, 2}}},
      {"var_axis", [](const In& in) { return var(in[0], {1}); }, {{2, 3, 2}}},
      {"var_axis_keepdim_biased", [](const In& in) { return var(in[0], {0}, true, 0); }, {{3, 4}}},
      {"max_axis", [](const In& in) { return max(in[0], 1); }, {{3, 4}}},
      {"max_axis_keepdim", [](const In& in) { return max(in[0], 0, true); }, {{3, 2, 2}}},
      {"logsumexp_axis", [](const In& in) { return logsumexp(in[0], 1); }, {{3, 4}}},
      {"logsumexp_keepdim", [](const In& in) { return logsumexp(in[0], 0, true); }, {{3, 2, 2}}},
      {"broadcast_to_rows",
       [](const In& in) {
         return broadcast_to(in[0], {2, 3});
       },
       {{3}}},
      {"broadcast_to_middle",
       [](const In& in) {
         return broadcast_to(in[0], {2, 4, 3});
       },
       {{2, 1, 3}}},
  };
}

std::vector<OpCase> matmul_cases() {
  return {
      {"matmul_2d", [](const In& in) { return matmul(in[0], in[1]); }, {{3, 4}, {4, 2}}},
      {"matmul_batched", [](const In& in) { return matmul(in[0], in[1]); }, {{2, 3, 4}, {2, 4, 2}}},
      {"matmul_batched_shared_b",
       [](const In& in) { return matmul(in[0], in[1]); },
       {{2, 3, 4}, {4, 2}}},
      {"linear_bias",
       [](const In& in) { return linear(in[0], in[1], in[2]); },
       {{4, 3}, {2, 3}, {2}}},
      {"linear_no_bias",
       [](const In& in) { return linear(in[0], in[1], Tensor()); },
       {{4, 3}, {2, 3}}},
      {"linear_3d_input",
       [](const In& in) { return linear(in[0], in[1], in[2]); },
       {{2, 3, 3}, {4, 3}, {4}}},
  };
}

std::vector<OpCase> elementwise_cases() {
  return {
      {"exp", [](const In& in) { return exp(in[0]); }, {{2, 3}}},
      {"log", [](const In& in) { return log(in[0]); }, {{2, 3}}, {}, 0.5f, 2.0f},
      {"sqrt", [](const In& in) { return sqrt(in[0]); }, {{2, 3}}, {}, 0.5f, 2.0f},
      {"pow_cube", [](const In& in) { return pow(in[0], 3.0f); }, {{2, 3}}},
      {"pow_fractional", [](const In& in) { return pow(in[0], -1.5f); }, {{2, 3}}, {}, 0.5f, 2.0f},
      {"square", [](const In& in) { return square(in[0]); }, {{2, 3}}},
      {"abs", [](const In& in) { return abs(in[0]); }, {{4, 4}}, kKinkAtZero},
      {"sign", [](const In& in) { return sign(in[0]); }, {{4, 4}}, kKinkAtZero},
      {"clamp",
       [](const In& in) { return clamp(in[0], -0.5f, 0.5f); },
       {{4, 4}},
       {.kink = 0.5, .kink_range = 0.02}},
      {"relu", [](const In& in) { return relu(in[0]); }, {{4, 4}}, kKinkAtZero},
      {"leaky_relu", [](const In& in) { return leaky_relu(in[0], 0.1f); }, {{4, 4}}, kKinkAtZero},
      {"sigmoid", [](const In& in) { return sigmoid(in[0]); }, {{4, 4}}, {}, -4.0f, 4.0f},
      {"tanh", [](const In& in) { return tanh(in[0]); }, {{4, 4}}, {}, -2.0f, 2.0f},
      {"gelu", [](const In& in) { return gelu(in[0]); }, {{4, 4}}, {}, -3.0f, 3.0f},
      {"elu", [](const In& in) { return elu(in[0], 0.5f); }, {{4, 4}}, kKinkAtZero, -2.0f, 2.0f},
      {"selu", [](const In& in) { return selu(in[0]); }, {{4, 4}}, kKinkAtZero, -2.0f, 2.0f},
      {"softplus", [](const In& in) { return softplus(in[0], 2.0f); }, {{4, 4}}, {}, -3.0f, 3.0f},
      {"softplus_linear_region",
       [](const In& in) { return softplus(in[0], 1.0f, 1.0f); },
       {{2, 3}},
       {},
       2.0f,
       4.0f},
      {"maximum_same_shape", [](const In& in) { return maximum(in[0], in[1]); }, {{2, 3}, {2, 3}}},
      {"maximum_row_broadcast", [](const In& in) { return maximum(in[0], in[1]); }, {{2, 3}, {3}}},
      {"minimum_outer_broadcast",
       [](const In& in) { return minimum(in[0], in[1]); },
       {{2, 1}, {1, 3}}},
      {"where_broadcast",
       [](const In& in) {
         return where(Tensor::from({1, 0, 1, 0, 0, 1}, {2, 3}), in[0], in[1]);
       },
       {{3}, {2, 1}}},
  };
}

std::vector<OpCase> shape_cases() {
  return {
      {"reshape",
       [](const In& in) {
         return reshape(in[0], {3, -1});
       },
       {{2, 6}}},
      {"flatten", [](const In& in) { return flatten(in[0]); }, {{2, 3, 2, 2}}},
      {"unsqueeze", [](const In& in) { return unsqueeze(in[0], -1); }, {{2, 3}}},
      {"squeeze_axis", [](const In& in) { return squeeze(in[0], 1); }, {{2, 1, 3}}},
      {"squeeze_all", [](const In& in) { return squeeze(in[0]); }, {{1, 2, 1, 3}}},
      {"transpose", [](const In& in) { return transpose(in[0], 0, 2); }, {{2, 3, 4}}},
      {"permute",
       [](const In& in) {
         return permute(in[0], {2, 0, 1});
       },
       {{2, 3, 4}}},
      {"concat_axis1",
       [](const In& in) {
         return concat({in[0], in[1], in[2]}, 1);
       },
       {{2, 3}, {2, 1}, {2, 2}}},
      {"concat_axis0",
       [](const In& in) {
         return concat({in[0], in[1]}, 0);
       },
       {{1, 3}, {2, 3}}},
      {"narrow", [](const In& in) { return narrow(in[0], 1, 1, 2); }, {{2, 4, 2}}},
      {"slice_negative", [](const In& in) { return slice(in[0], -1, -3, -1); }, {{2, 4}}},
      {"pad",
       [](const In& in) {
         return pad(in[0], {1, 2, 0, 1}, 0.5f);
       },
       {{2, 3}}},
      {"pad_crop",
       [](const In& in) {
         return pad(in[0], {-1, 1, 1, -1});
       },
       {{3, 4}}},
  };
}

std::vector<OpCase> softmax_cases() {
  return {
      {"softmax_last", [](const In& in) { return softmax(in[0]); }, {{3, 4}}},
      {"softmax_strided", [](const In& in) { return softmax(in[0], 1); }, {{2, 3, 2}}},
      {"log_softmax_last", [](const In& in) { return log_softmax(in[0]); }, {{3, 4}}},
      {"log_softmax_strided", [](const In& in) { return log_softmax(in[0], 0); }, {{3, 2, 2}}},
  };
}

std::vector<OpCase> index_cases() {
  return {
      {"index_select_repeats",
       [](const In& in) {
         return index_select(in[0], 0, ids({2, 0, 2}, {3}));
       },
       {{4, 3}}},
      {"index_select_middle",
       [](const In& in) {
         return index_select(in[0], 1, ids({3, 1, 1, 0}, {4}));
       },
       {{2, 4, 3}}},
      {"gather_axis1",
       [](const In& in) {
         return gather(in[0], 1, ids({0, 2, 2, 1, 1, 0}, {2, 3}));
       },
       {{3, 4}}},
      {"gather_axis0",
       [](const In& in) {
         return gather(in[0], 0, ids({2, 0, 1, 2}, {2, 2}));
       },
       {{3, 3}}},
      {"embedding",
       [](const In& in) {
         return embedding(in[0], ids({4, 1, 4, 0, 1, 1}, {2, 3}));
       },
       {{5, 3}}},
  };
}

std::vector<OpCase> all_cases() {
  std::vector<OpCase> all;
  for (auto part : {arithmetic_cases(), reduce_cases(), matmul_cases(), elementwise_cases(),
                    shape_cases(), softmax_cases(), index_cases()}) {
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(Core, OpGradientTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace dither

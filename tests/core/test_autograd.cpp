#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

TEST(AutogradTest, ReusedNodeSumsGradientsOverAllPaths) {
  Tensor a = Tensor::from({3.0f}, {1}).set_requires_grad(true);
  Tensor b = add(a, a);
  sum(add(b, b)).backward();
  EXPECT_FLOAT_EQ(a.grad().item(), 4.0f);
}

// The trainer updates each parameter in leaf_ready: by then every path's gradient must be in.
TEST(AutogradTest, LeafReadyComesOnceForEachLeafAfterItsLastGradient) {
  Tensor a = Tensor::from({3.0f, -1.0f}, {2}).set_requires_grad(true);
  Tensor w = Tensor::from({0.5f, 2.0f}, {2}).set_requires_grad(true);
  Tensor x = Tensor::from({1.0f, 4.0f}, {2});
  // a reaches the loss by three paths, one of them through w's product; x needs no gradient.
  const Tensor h = mul(add(mul(a, w), x), a);
  const Tensor loss = sum(add(mul(h, h), a));

  std::vector<std::vector<float>> seen_a, seen_w;
  loss.backward([&](const Tensor& leaf) {
    if (leaf.same_as(a)) seen_a.push_back(leaf.grad().to_vector());
    if (leaf.same_as(w)) seen_w.push_back(leaf.grad().to_vector());
    EXPECT_FALSE(leaf.same_as(x));
  });
  ASSERT_EQ(seen_a.size(), 1u);
  ASSERT_EQ(seen_w.size(), 1u);
  const std::vector<float> final_a = a.grad().to_vector();
  const std::vector<float> final_w = w.grad().to_vector();
  EXPECT_EQ(seen_a[0], final_a);
  EXPECT_EQ(seen_w[0], final_w);

  a.zero_grad();
  w.zero_grad();
  loss.backward();
  EXPECT_EQ(a.grad().to_vector(), final_a);
  EXPECT_EQ(w.grad().to_vector(), final_w);
}

TEST(AutogradTest, GradientsAccumulateAcrossBackwardCalls) {
  Tensor a = Tensor::from({2.0f}, {1}).set_requires_grad(true);
  sum(mul(a, a)).backward();
  sum(mul(a, a)).backward();
  EXPECT_FLOAT_EQ(a.grad().item(), 8.0f);
  a.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

TEST(AutogradTest, DeepChainDoesNotOverflowTheStack) {
  Tensor x = Tensor::from({1.0f}, {1}).set_requires_grad(true);
  {
    Tensor h = x;
    for (int i = 0; i < 200'000; ++i) h = add(h, 0.0f);
    sum(h).backward();
  }  // and h's destructor must not recurse either
  EXPECT_FLOAT_EQ(x.grad().item(), 1.0f);
}

TEST(AutogradTest, GraphIsFreedWhenHandlesGoAway) {
  std::weak_ptr<TensorImpl> watch;
  {
    Tensor a = Tensor::from({1.0f, 2.0f}, {2}).set_requires_grad(true);
    Tensor y = mul(mul(a, a), a);
    watch = TensorAccess::impl(y);
  }
  EXPECT_TRUE(watch.expired());
}

TEST(AutogradTest, NoGradGuardRecordsNothing) {
  Tensor a = Tensor::from({1.0f}, {1}).set_requires_grad(true);
  Tensor y;
  {
    NoGradGuard guard;
    y = mul(a, a);
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
  EXPECT_TRUE(GradMode::enabled());
}

TEST(AutogradTest, DetachStopsTheGradient) {
  Tensor a = Tensor::from({3.0f}, {1}).set_requires_grad(true);
  sum(mul(a, a.detach())).backward();
  EXPECT_FLOAT_EQ(a.grad().item(), 3.0f);
}

TEST(AutogradTest, GradReturnsGradientsAndLeavesDotGradUntouched) {
  Tensor w = Tensor::from({2.0f}, {1}).set_requires_grad(true);
  Tensor x = Tensor::from({5.0f}, {1}).set_requires_grad(true);
  Tensor loss = sum(mul(w, x));
  const auto grads = grad(loss, {x});
  ASSERT_EQ(grads.size(), 1u);
  EXPECT_FLOAT_EQ(grads[0].item(), 2.0f);
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
}

TEST(AutogradTest, GradSkipsParameterGradientsItDoesNotNeed) {
  Tensor x = Tensor::from({1.0f, 2.0f}, {1, 2}).set_requires_grad(true);
  Tensor w = Tensor::from({1.0f, 1.0f, 1.0f, 1.0f}, {2, 2}).set_requires_grad(true);
  bool weight_grad_asked = true;
  Tensor y =
      record("spy", linear(x, w, Tensor()), {x, w}, [&](const Tensor&, const NeedsGrad& needs) {
        weight_grad_asked = needs[1];
        return std::vector<Tensor>{Tensor::ones({1, 2}), Tensor()};
      });
  grad(sum(y), {x});
  EXPECT_FALSE(weight_grad_asked);
}

TEST(AutogradTest, GradOfAnUnreachedTargetIsZero) {
  Tensor x = Tensor::from({1.0f}, {1}).set_requires_grad(true);
  Tensor z = Tensor::from({1.0f, 2.0f}, {2}).set_requires_grad(true);
  const auto grads = grad(sum(mul(x, x)), {z});
  EXPECT_EQ(grads[0].to_vector(), (std::vector<float>{0.0f, 0.0f}));
}

TEST(AutogradTest, InputMarkedRequiresGradReceivesItsGradient) {
  Tensor x = Tensor::from({1.0f, -2.0f}, {2}).set_requires_grad(true);
  Tensor w = Tensor::from({3.0f, 4.0f}, {2}).set_requires_grad(true);
  sum(mul(w, x)).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{3.0f, 4.0f}));
  EXPECT_EQ(w.grad().to_vector(), (std::vector<float>{1.0f, -2.0f}));
}

TEST(AutogradTest, NonScalarRootThrows) {
  Tensor a = Tensor::from({1.0f, 2.0f}, {2}).set_requires_grad(true);
  EXPECT_THROW(mul(a, a).backward(), ShapeError);
}

TEST(AutogradTest, RootWithoutHistoryThrows) {
  EXPECT_THROW(sum(Tensor::ones({2})).backward(), Error);
}

TEST(AutogradTest, SetRequiresGradOnANonLeafThrows) {
  Tensor a = Tensor::from({1.0f}, {1}).set_requires_grad(true);
  Tensor y = mul(a, a);
  EXPECT_THROW(y.set_requires_grad(true), Error);
}

TEST(AutogradTest, UndefinedTensorThrowsInsteadOfCrashing) {
  Tensor undefined;
  EXPECT_THROW(undefined.shape(), Error);
  EXPECT_THROW(add(undefined, undefined), Error);
}

TEST(GradCheckTest, CatchesAWrongBackwardRule) {
  auto bad_mul = [](const std::vector<Tensor>& in) {
    Tensor out = mul(in[0].detach(), in[1].detach());
    return record("bad_mul", out, {in[0], in[1]},
                  [a = in[0].detach()](const Tensor& g, const NeedsGrad&) {
                    return std::vector<Tensor>{mul(g, a), mul(g, a)};  // wrong: d/da needs b
                  });
  };
  EXPECT_FALSE(testing::gradcheck(
      bad_mul, {testing::random_uniform({3}, -1, 1, 7), testing::random_uniform({3}, -1, 1, 8)}));
}

}  // namespace
}  // namespace dither

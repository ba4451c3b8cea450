#include "augment/cutmix.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

Box cutmix_box(double lam, std::int64_t h, std::int64_t w, double u_y, double u_x) {
  const double ratio = 0.5 * std::sqrt(std::max(0.0, 1.0 - lam));
  const auto half_h = static_cast<std::int64_t>(ratio * static_cast<double>(h));
  const auto half_w = static_cast<std::int64_t>(ratio * static_cast<double>(w));
  const auto cy = std::min(h - 1, static_cast<std::int64_t>(u_y * static_cast<double>(h)));
  const auto cx = std::min(w - 1, static_cast<std::int64_t>(u_x * static_cast<double>(w)));
  const std::int64_t top = std::clamp<std::int64_t>(cy - half_h, 0, h);
  const std::int64_t left = std::clamp<std::int64_t>(cx - half_w, 0, w);
  Box box;
  box.top = top;
  box.left = left;
  box.height = std::clamp<std::int64_t>(cy + half_h, 0, h) - top;
  box.width = std::clamp<std::int64_t>(cx + half_w, 0, w) - left;
  return box;
}

Tensor paste_boxes(const Tensor& x, const std::vector<std::int64_t>& partner,
                   const std::vector<Box>& boxes) {
  check_shape(x.dim() == 4 && x.size(0) == static_cast<std::int64_t>(partner.size()) &&
                  (boxes.size() == 1 || boxes.size() == partner.size()),
              "paste_boxes: images [B, C, H, W] with B = ", partner.size(), " and ", boxes.size(),
              " boxes, got ", x.shape());
  const std::vector<Box> each =
      boxes.size() == 1 ? std::vector<Box>(partner.size(), boxes[0]) : boxes;
  const std::int64_t sample = x.numel() / std::max<std::int64_t>(1, x.size(0));
  const float* src = x.ptr();
  // The element at the same place in the partner image: the same offset within its sample.
  return fill_boxes(x, each, 1, [&](std::int64_t b, std::int64_t, std::uint64_t i) {
    return src[static_cast<std::int64_t>(i) + (partner[static_cast<std::size_t>(b)] - b) * sample];
  });
}

CutMixHook::CutMixHook(Strength alpha, MixMode mode, bool correct_lam, double p)
    : Hook(p), alpha_(alpha), mode_(mode), correct_lam_(correct_lam) {}

std::unique_ptr<Hook> CutMixHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "alpha", "mode", "correct_lam", "p", "ramp_epochs"});
  return std::make_unique<CutMixHook>(Strength::read(r, "alpha", 1.0, 0.0, 1e3),
                                      read_mix_mode(r, "mode"), r.boolean("correct_lam", true),
                                      r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json CutMixHook::to_json() const {
  nlohmann::json j{
      {"type", type_name()}, {"mode", to_string(mode_)}, {"correct_lam", correct_lam_}, {"p", p()}};
  alpha_.write(j, "alpha");
  return j;
}

void CutMixHook::setup(const HookSetup& setup) {
  if (setup.input.kind != InputKind::image || setup.input.sample_shape.size() != 3) {
    throw ConfigError(setup.path + ": cutmix pastes a rectangle of one image into another and " +
                      "needs images [C, H, W]; this data is " + to_string(setup.input.kind) +
                      " (use mixup instead)");
  }
  require_soft_target_loss(setup, "cutmix");
}

void CutMixHook::on_batch(StepContext& ctx, Batch& batch) {
  const double alpha = alpha_.at(ctx.epochs_done());
  if (alpha == 0.0 || batch.size() == 0 || !fires(ctx)) return;
  const RandomStream stream = ctx.stream("cutmix");
  MixPlan plan = draw_mix_plan(stream, batch.size(), alpha, mode_);
  const std::int64_t h = batch.inputs.size(2);
  const std::int64_t w = batch.inputs.size(3);
  const RandomStream centre = stream.child(2);
  std::vector<Box> boxes;
  const std::size_t count = mode_ == MixMode::sample ? plan.lam.size() : 1;
  for (std::size_t i = 0; i < count; ++i) {
    boxes.push_back(
        cutmix_box(plan.lam[i], h, w, centre.uniform(2 * i), centre.uniform(2 * i + 1)));
  }
  if (correct_lam_) {
    for (std::size_t i = 0; i < plan.lam.size(); ++i) {
      const Box& box = boxes.size() == 1 ? boxes[0] : boxes[i];
      plan.lam[i] = 1.0f - static_cast<float>(box.area()) / static_cast<float>(h * w);
    }
  }
  batch.inputs = paste_boxes(batch.inputs, plan.partner, boxes);
  batch.targets = mix_targets(batch.targets, batch.num_classes, plan);
}

}  // namespace dither

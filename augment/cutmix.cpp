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
  Box box;
  box.y0 = std::clamp<std::int64_t>(cy - half_h, 0, h);
  box.y1 = std::clamp<std::int64_t>(cy + half_h, 0, h);
  box.x0 = std::clamp<std::int64_t>(cx - half_w, 0, w);
  box.x1 = std::clamp<std::int64_t>(cx + half_w, 0, w);
  return box;
}

Tensor paste_boxes(const Tensor& x, const std::vector<std::int64_t>& partner,
                   const std::vector<Box>& boxes) {
  check_shape(x.dim() == 4 && x.size(0) == static_cast<std::int64_t>(partner.size()) &&
                  (boxes.size() == 1 || boxes.size() == partner.size()),
              "paste_boxes: images [B, C, H, W] with B = ", partner.size(), " and ", boxes.size(),
              " boxes, got ", x.shape());
  const std::int64_t c = x.size(1);
  const std::int64_t h = x.size(2);
  const std::int64_t w = x.size(3);
  Tensor out = x.detach().clone();
  const float* src = x.ptr();
  float* dst = out.ptr();
  // One task per (sample, channel) plane: planes never overlap.
  parallel_for(
      x.size(0) * c,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t plane = p0; plane < p1; ++plane) {
          const auto i = static_cast<std::size_t>(plane / c);
          const Box& box = boxes.size() == 1 ? boxes[0] : boxes[i];
          const std::int64_t from = (partner[i] * c + plane % c) * h * w;
          for (std::int64_t y = box.y0; y < box.y1; ++y) {
            std::copy(src + from + y * w + box.x0, src + from + y * w + box.x1,
                      dst + plane * h * w + y * w + box.x0);
          }
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(h * w, 1)));
  return out;
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

#include "augment/cutout.h"

#include <algorithm>

#include "core/json_reader.h"

namespace dither {
namespace {

// The part of [centre - length / 2, centre - length / 2 + length) inside [0, size): {start,
// extent}.
std::pair<std::int64_t, std::int64_t> clipped_span(std::int64_t centre, std::int64_t length,
                                                   std::int64_t size) {
  const std::int64_t start = centre - length / 2;
  const std::int64_t begin = std::clamp<std::int64_t>(start, 0, size);
  const std::int64_t end = std::clamp<std::int64_t>(start + length, 0, size);
  return {begin, end - begin};
}

}  // namespace

std::vector<Box> cutout_boxes(std::int64_t samples, std::int64_t h, std::int64_t w,
                              std::int64_t holes, std::int64_t length, const RandomStream& stream) {
  std::vector<Box> boxes(static_cast<std::size_t>(samples * holes));
  for (std::size_t k = 0; k < boxes.size(); ++k) {
    const auto [top, height] = clipped_span(stream.integer(2 * k, h), length, h);
    const auto [left, width] = clipped_span(stream.integer(2 * k + 1, w), length, w);
    boxes[k] = Box{top, left, height, width};
  }
  return boxes;
}

CutoutHook::CutoutHook(std::int64_t holes, std::int64_t length, double value, double p)
    : Hook(p), holes_(holes), length_(length), value_(value) {}

std::unique_ptr<Hook> CutoutHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "holes", "length", "value", "p"});
  return std::make_unique<CutoutHook>(r.integer("holes", 1, 0, 1024), r.integer("length", 8, 1),
                                      r.number("value", 0.0), r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json CutoutHook::to_json() const {
  return {
      {"type", type_name()}, {"holes", holes_}, {"length", length_}, {"value", value_}, {"p", p()}};
}

void CutoutHook::setup(const HookSetup& setup) { require_image_inputs(setup, "cutout"); }

void CutoutHook::on_batch(StepContext& ctx, Batch& batch) {
  if (holes_ == 0 || !fires(ctx)) return;
  const Tensor& x = batch.inputs;
  const std::vector<Box> boxes =
      cutout_boxes(x.size(0), x.size(2), x.size(3), holes_, length_, ctx.stream("cutout"));
  const float value = static_cast<float>(value_);
  batch.inputs = fill_boxes(x, boxes, holes_,
                            [value](std::int64_t, std::int64_t, std::uint64_t) { return value; });
}

}  // namespace dither

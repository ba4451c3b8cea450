#include "train/show_sequence.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/lengths.h"
#include "train/canvas.h"
#include "train/data/words.h"
#include "train/show.h"

namespace dither {
namespace {

constexpr int kPad = 6;
constexpr int kTitleWidth = 190;
constexpr int kPlotW = 200;
constexpr int kPlotH = 72;
constexpr Rgb kCurves[kMaxCurves] = {{31, 80, 160}, {200, 70, 20}, {30, 140, 60}, {140, 40, 150}};
constexpr Rgb kPaddingBackground = {232, 232, 232};
constexpr Rgb kPaddingCurve = {150, 150, 150};

Rgb faint(Rgb c) {
  auto mix = [](std::uint8_t v) { return static_cast<std::uint8_t>((v + 3 * 255) / 4); };
  return {mix(c.r), mix(c.g), mix(c.b)};
}

// Sample i's steps, drawn into the plot at (x0, y0): valid steps in `colour`, padding in grey.
void draw_curves(Canvas& canvas, int x0, int y0, const Tensor& x, std::int64_t i,
                 std::int64_t length, float scale, bool before) {
  const std::int64_t steps = x.size(1);
  const std::int64_t features = x.size(2);
  const float* p = x.ptr() + i * steps * features;
  auto px = [&](std::int64_t t) {
    return x0 +
           static_cast<int>(std::lround(static_cast<double>(t) * (kPlotW - 1) /
                                        static_cast<double>(std::max<std::int64_t>(1, steps - 1))));
  };
  auto py = [&](float v) {
    const float clamped = std::clamp(v / scale, -1.0f, 1.0f);
    return y0 + static_cast<int>(std::lround((1.0f - clamped) * 0.5f * (kPlotH - 1)));
  };
  for (std::int64_t f = 0; f < features; ++f) {
    for (std::int64_t t = 0; t + 1 < steps; ++t) {
      Rgb colour = t + 1 < length ? kCurves[f] : kPaddingCurve;
      if (before) colour = faint(colour);
      canvas.line(px(t), py(p[t * features + f]), px(t + 1), py(p[(t + 1) * features + f]), colour);
    }
  }
}

// ASCII for a character the bitmap font cannot write: a Latin-1 letter's base letter (accent
// reported in `accent`), '?' for anything else.
char ascii_of(char32_t c, bool& accent) {
  accent = false;
  if (c >= 32 && c < 127) return static_cast<char>(c);
  static const char kLatin1[] = "aaaaaaaceeeeiiiidnooooo*ouuuuyts";  // 0xC0..0xDF, lowercased
  if (c >= 0xC0 && c <= 0xFF) {
    accent = true;
    if (c == 0xFF) return 'y';
    return kLatin1[(c - 0xC0) & 0x1F];
  }
  return '?';
}

}  // namespace

std::string draw_sequence_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                                 const std::vector<std::string>& class_names,
                                 std::int64_t samples) {
  const Batch& input = stages.front().second;
  check_shape(input.inputs.dim() == 3 && input.inputs.size(2) <= kMaxCurves,
              "show: sequences to draw as curves must be [B, T, F <= ", kMaxCurves, "], got ",
              input.inputs.shape());
  const std::int64_t columns = std::min(samples, input.size());
  const int cell_w = kPlotW + kPad;
  const int cell_h = kPlotH + Canvas::text_height() + kPad;
  Canvas canvas(kTitleWidth + static_cast<int>(columns) * cell_w + kPad,
                static_cast<int>(stages.size()) * cell_h + kPad);
  const std::int64_t steps = input.inputs.size(1);
  const std::int64_t features = input.inputs.size(2);
  for (std::size_t row = 0; row < stages.size(); ++row) {
    const auto& [title, batch] = stages[row];
    const int y0 = kPad + static_cast<int>(row) * cell_h;
    canvas.text(kPad, y0 + kPlotH / 2 - 6, title);
    const std::vector<std::int64_t> lengths =
        valid_steps(batch.lengths, batch.size(), batch.inputs.size(1), "show");
    for (std::int64_t i = 0; i < std::min(columns, batch.size()); ++i) {
      const int x0 = kTitleWidth + static_cast<int>(i) * cell_w;
      const std::int64_t length = lengths[static_cast<std::size_t>(i)];
      float scale = 1e-6f;  // the input sample's largest valid magnitude, with a margin
      const float* in = input.inputs.ptr() + i * steps * features;
      for (std::int64_t k = 0; k < length * features; ++k) scale = std::max(scale, std::abs(in[k]));
      scale *= 1.15f;
      const int pad_x =
          x0 + static_cast<int>(std::lround(
                   static_cast<double>(std::max<std::int64_t>(length - 1, 0)) * (kPlotW - 1) /
                   static_cast<double>(std::max<std::int64_t>(1, steps - 1))));
      canvas.fill(x0, y0, kPlotW, kPlotH, {255, 255, 255});
      if (length < steps) canvas.fill(pad_x, y0, x0 + kPlotW - pad_x, kPlotH, kPaddingBackground);
      canvas.line(x0, y0 + kPlotH / 2, x0 + kPlotW - 1, y0 + kPlotH / 2, {205, 205, 205});
      canvas.line(x0, y0 + kPlotH, x0 + kPlotW - 1, y0 + kPlotH, {180, 180, 180});
      if (row > 0) draw_curves(canvas, x0, y0, input.inputs, i, length, scale, true);
      draw_curves(canvas, x0, y0, batch.inputs, i, length, scale, false);
      canvas.text(x0, y0 + kPlotH + 1,
                  target_text(batch, i, class_names) + "  L=" + std::to_string(length),
                  {60, 60, 60});
    }
  }
  return canvas.png();
}

std::string draw_token_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                              const InputInfo& input, const std::vector<std::string>& vocabulary,
                              const std::vector<std::string>& class_names, std::int64_t samples) {
  const Batch& first = stages.front().second;
  check_shape(first.inputs.dim() == 2, "show: token ids must be [B, L], got ",
              first.inputs.shape());
  const std::int64_t rows = std::min(samples, first.size());
  const std::int64_t steps = first.inputs.size(1);
  constexpr int kCellW = 10;
  constexpr int kCellH = 15;
  const std::string legend =
      "red: the mask token (#), orange: another token than the input's, grey .: padding";
  const int text_w = static_cast<int>(steps) * kCellW;
  const int panel_h = static_cast<int>(rows) * kCellH + Canvas::text_height() + 2 * kPad;
  int width = kPad + text_w + 140;
  for (const auto& stage : stages)
    width = std::max(width, 2 * kPad + Canvas::text_width(stage.first));
  width = std::max(width, 2 * kPad + Canvas::text_width(legend));
  Canvas canvas(width,
                static_cast<int>(stages.size()) * panel_h + Canvas::text_height() + 2 * kPad);
  canvas.text(kPad, kPad, legend, {90, 90, 90});
  for (std::size_t p = 0; p < stages.size(); ++p) {
    const auto& [title, batch] = stages[p];
    const int y0 = 2 * kPad + Canvas::text_height() + static_cast<int>(p) * panel_h;
    canvas.text(kPad, y0, title);
    const int top = y0 + Canvas::text_height() + 2;
    const std::vector<std::int64_t> lengths =
        valid_steps(batch.lengths, batch.size(), steps, "show");
    for (std::int64_t r = 0; r < std::min(rows, batch.size()); ++r) {
      const int y = top + static_cast<int>(r) * kCellH;
      for (std::int64_t t = 0; t < steps; ++t) {
        const int x = kPad + static_cast<int>(t) * kCellW;
        const auto id = static_cast<std::int64_t>(std::lround(batch.inputs.ptr()[r * steps + t]));
        const auto was = static_cast<std::int64_t>(std::lround(first.inputs.ptr()[r * steps + t]));
        if (t >= lengths[static_cast<std::size_t>(r)]) {
          canvas.text(x + 2, y, ".", {170, 170, 170});
          continue;
        }
        if (id != was)
          canvas.fill(x, y - 1, kCellW - 1, kCellH - 1,
                      id == input.mask_id ? Rgb{235, 90, 80} : Rgb{250, 185, 90});
        bool accent = false;
        char c = '?';
        if (id == input.mask_id) {
          c = '#';
        } else if (id >= 0 && id < static_cast<std::int64_t>(vocabulary.size())) {
          const std::u32string chars = decode_utf8(vocabulary[static_cast<std::size_t>(id)]);
          if (chars.size() == 1) c = ascii_of(chars[0], accent);
        }
        canvas.text(x + 2, y + 1, std::string(1, c));
        if (accent) canvas.fill(x + 3, y - 1, 2, 2, {0, 0, 0});
      }
      canvas.text(kPad + text_w + 8, y, target_text(batch, r, class_names), {60, 60, 60});
    }
  }
  return canvas.png();
}

}  // namespace dither

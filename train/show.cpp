#include "train/show.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/canvas.h"
#include "train/data/loader.h"
#include "train/experiment.h"
#include "train/show_audio.h"
#include "train/show_sequence.h"

namespace dither {

std::string target_text(const Batch& batch, std::int64_t i, const std::vector<std::string>& names) {
  auto name = [&](std::int64_t k) {
    std::string s = k < static_cast<std::int64_t>(names.size()) ? names[k] : std::to_string(k);
    return s.size() > 12 ? s.substr(0, 12) : s;
  };
  if (!batch.soft_targets()) return name(static_cast<std::int64_t>(batch.targets.ptr()[i]));
  const std::int64_t k = batch.targets.size(1);
  const float* row = batch.targets.ptr() + i * k;
  std::vector<std::int64_t> order(static_cast<std::size_t>(k));
  for (std::int64_t j = 0; j < k; ++j) order[static_cast<std::size_t>(j)] = j;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return row[a] > row[b]; });
  std::string out;
  for (std::size_t j = 0; j < std::min<std::size_t>(2, order.size()); ++j) {
    if (j > 0 && row[order[j]] < 0.005f) break;
    char part[32];
    std::snprintf(part, sizeof(part), "%s%lld:%.2f", j ? " " : "", static_cast<long long>(order[j]),
                  row[order[j]]);
    out += part;
  }
  return out;
}

namespace {

constexpr int kPad = 6;
constexpr int kTitleWidth = 190;

std::string draw_images(const std::vector<std::pair<std::string, Batch>>& stages,
                        const InputInfo& input, const std::vector<std::string>& names,
                        std::int64_t samples) {
  const Shape& s = input.sample_shape;
  const std::int64_t c = s[0];
  const std::int64_t h = s[1];
  const std::int64_t w = s[2];
  const int zoom = static_cast<int>(std::max<std::int64_t>(1, 84 / std::max(h, w)));
  const int cell_w = static_cast<int>(w) * zoom + kPad;
  const int cell_h = static_cast<int>(h) * zoom + Canvas::text_height() + kPad;
  const float low = input.bounded() ? input.low : 0.0f;
  const float span = input.bounded() ? input.high - input.low : 1.0f;
  Canvas canvas(kTitleWidth + static_cast<int>(samples) * cell_w + kPad,
                static_cast<int>(stages.size()) * cell_h + kPad);
  for (std::size_t row = 0; row < stages.size(); ++row) {
    const auto& [title, batch] = stages[row];
    const int y0 = kPad + static_cast<int>(row) * cell_h;
    canvas.text(kPad, y0 + static_cast<int>(h) * zoom / 2 - 6, title, {0, 0, 0}, 1);
    const float* x = batch.inputs.ptr();
    for (std::int64_t i = 0; i < std::min(samples, batch.size()); ++i) {
      const int x0 = kTitleWidth + static_cast<int>(i) * cell_w;
      for (std::int64_t yy = 0; yy < h; ++yy) {
        for (std::int64_t xx = 0; xx < w; ++xx) {
          auto at = [&](std::int64_t ch) {
            return (x[((i * c + ch) * h + yy) * w + xx] - low) / span;
          };
          Rgb colour = grey(at(0));
          if (c == 3) colour = {grey(at(0)).r, grey(at(1)).r, grey(at(2)).r};
          canvas.fill(x0 + static_cast<int>(xx) * zoom, y0 + static_cast<int>(yy) * zoom, zoom,
                      zoom, colour);
        }
      }
      canvas.text(x0, y0 + static_cast<int>(h) * zoom + 1, target_text(batch, i, names),
                  {60, 60, 60});
    }
  }
  return canvas.png();
}

std::string draw_heat_maps(const std::vector<std::pair<std::string, Batch>>& stages,
                           const std::vector<std::string>& names, std::int64_t samples) {
  const Batch& first = stages.front().second;
  const std::int64_t rows = std::min(samples, first.size());
  const std::int64_t cols = first.inputs.numel() / std::max<std::int64_t>(1, first.size());
  const int cell_w =
      static_cast<int>(std::clamp<std::int64_t>(720 / std::max<std::int64_t>(cols, 1), 2, 24));
  const int cell_h = 12;
  // One scale for every stage: the largest magnitude of the input stage's shown rows.
  float scale = 1e-6f;
  for (std::int64_t k = 0; k < rows * cols; ++k)
    scale = std::max(scale, std::abs(first.inputs.ptr()[k]));
  const int panel_h = static_cast<int>(rows) * cell_h + Canvas::text_height() + 2 * kPad;
  const int map_w = static_cast<int>(cols) * cell_w;
  char legend[64];
  std::snprintf(legend, sizeof(legend), "   (blue < 0 < red, full colour at |x| = %.3g)", scale);
  int width = kPad + map_w + 100;
  for (const auto& stage : stages)
    width = std::max(width, 2 * kPad + Canvas::text_width(stage.first + legend));
  Canvas canvas(width, static_cast<int>(stages.size()) * panel_h + kPad);
  for (std::size_t p = 0; p < stages.size(); ++p) {
    const auto& [title, batch] = stages[p];
    const int y0 = kPad + static_cast<int>(p) * panel_h;
    canvas.text(kPad, y0, title + legend);
    const int top = y0 + Canvas::text_height() + 2;
    for (std::int64_t r = 0; r < std::min(rows, batch.size()); ++r) {
      for (std::int64_t k = 0; k < cols; ++k) {
        canvas.fill(kPad + static_cast<int>(k) * cell_w, top + static_cast<int>(r) * cell_h, cell_w,
                    cell_h - 1, diverging(batch.inputs.ptr()[r * cols + k] / scale));
      }
      canvas.text(kPad + map_w + 6, top + static_cast<int>(r) * cell_h,
                  target_text(batch, r, names), {60, 60, 60});
    }
  }
  return canvas.png();
}

}  // namespace

std::string draw_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                        const InputInfo& input, const std::vector<std::string>& class_names,
                        std::int64_t samples, const std::vector<std::string>& vocabulary) {
  check(!stages.empty(), "draw_stages: nothing to draw");
  if (input.kind == InputKind::tokens) {
    return draw_token_stages(stages, input, vocabulary, class_names, samples);
  }
  if (input.kind == InputKind::sequence && input.sample_shape.size() == 2 &&
      input.sample_shape[1] <= kMaxCurves) {
    return draw_sequence_stages(stages, class_names, samples);
  }
  if (input.kind == InputKind::image && input.sample_shape.size() == 3) {
    return draw_images(stages, input, class_names, samples);
  }
  if (input.kind == InputKind::spectrogram) return draw_spectrograms(stages, class_names, samples);
  return draw_heat_maps(stages, class_names, samples);
}

std::filesystem::path run_show(const ShowRequest& request) {
  const nlohmann::json config = read_config(request.config_path, request.overrides);
  if (request.samples < 1) throw ConfigError("show: --samples must be >= 1");
  if (request.step < 0) throw ConfigError("show: --step must be >= 0");
  Experiment e = build_experiment(config);
  const std::vector<std::string> names = e.data.train.class_names;
  Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input,
                  e.settings, e.seed);
  trainer.set_step(request.step);
  BatchLoader loader(e.data.train, LoaderOptions{.batch_size = e.settings.batch_size}, e.seed);
  const std::int64_t batches = loader.num_batches();
  const std::int64_t epoch = request.step / batches;
  const std::int64_t index = request.step % batches;
  e.model->train();
  const auto stages = trainer.batch_stages(loader.batch(epoch, index), epoch, index, batches);
  std::filesystem::path out = request.out;
  if (out.empty()) out = std::filesystem::path(request.config_path).stem().string() + "-show.png";
  write_file_atomic(out,
                    draw_stages(stages, e.input, names, request.samples, e.data.train.vocabulary));
  if (e.data.train.sample_rate > 0.0) {
    write_stage_audio(stages, e.audio.get(), e.data.train.sample_rate, request.samples, out);
  }
  return out;
}

}  // namespace dither

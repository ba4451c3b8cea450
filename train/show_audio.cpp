#include "train/show_audio.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "train/canvas.h"

namespace dither {
namespace {

constexpr int kPad = 6;
constexpr int kTitleWidth = 190;

// Black through purple and orange to pale yellow (a magma-like ramp) for v in [0, 1].
Rgb heat(float v) {
  static const Rgb stops[] = {
      {0, 0, 4}, {80, 18, 123}, {182, 54, 121}, {251, 136, 97}, {252, 253, 191}};
  const float x = std::clamp(v, 0.0f, 1.0f) * 4.0f;
  const int k = std::min(3, static_cast<int>(x));
  const float w = x - static_cast<float>(k);
  auto mix = [&](std::uint8_t a, std::uint8_t b) {
    return static_cast<std::uint8_t>(std::lround((1.0f - w) * a + w * b));
  };
  return {mix(stops[k].r, stops[k + 1].r), mix(stops[k].g, stops[k + 1].g),
          mix(stops[k].b, stops[k + 1].b)};
}

std::string label(const Batch& batch, std::int64_t i, const std::vector<std::string>& names) {
  if (batch.soft_targets()) return "";
  const auto k = static_cast<std::size_t>(batch.targets.ptr()[i]);
  return k < names.size() ? names[k] : std::to_string(k);
}

// The first `samples` clips of a waveform batch, one after another with `gap` zeros between.
std::vector<float> concatenate(const Batch& waves, std::int64_t samples, std::int64_t gap) {
  std::vector<float> out;
  const std::int64_t t = waves.inputs.size(1);
  for (std::int64_t i = 0; i < std::min(samples, waves.size()); ++i) {
    const auto n =
        waves.lengths.defined()
            ? std::clamp<std::int64_t>(static_cast<std::int64_t>(waves.lengths.ptr()[i]), 0, t)
            : t;
    const float* x = waves.inputs.ptr() + i * t;
    out.insert(out.end(), x, x + n);
    out.insert(out.end(), static_cast<std::size_t>(gap), 0.0f);
  }
  return out;
}

}  // namespace

std::string draw_spectrograms(const std::vector<std::pair<std::string, Batch>>& stages,
                              const std::vector<std::string>& class_names, std::int64_t samples) {
  const Batch& first = stages.front().second;
  check_shape(first.inputs.dim() == 4, "show: spectrograms must be [B, C, bands, frames], got ",
              first.inputs.shape());
  const std::int64_t c = first.inputs.size(1);
  const std::int64_t bands = first.inputs.size(2);
  const std::int64_t frames = first.inputs.size(3);
  const std::int64_t shown = std::min(samples, first.size());
  const int zoom = static_cast<int>(std::clamp<std::int64_t>(160 / std::max(frames, bands), 1, 4));
  const int cell_w = static_cast<int>(frames) * zoom + kPad;
  const int cell_h = static_cast<int>(bands) * zoom + Canvas::text_height() + kPad;
  float top = -1e30f;
  for (std::int64_t i = 0; i < shown * c * bands * frames; ++i)
    top = std::max(top, first.inputs.ptr()[i]);
  Canvas canvas(kTitleWidth + static_cast<int>(shown) * cell_w + kPad,
                static_cast<int>(stages.size()) * cell_h + kPad);
  for (std::size_t row = 0; row < stages.size(); ++row) {
    const auto& [title, batch] = stages[row];
    const int y0 = kPad + static_cast<int>(row) * cell_h;
    canvas.text(kPad, y0 + static_cast<int>(bands) * zoom / 2 - 6, title);
    for (std::int64_t i = 0; i < std::min(shown, batch.size()); ++i) {
      const int x0 = kTitleWidth + static_cast<int>(i) * cell_w;
      const std::int64_t length =
          batch.lengths.defined() ? static_cast<std::int64_t>(batch.lengths.ptr()[i]) : frames;
      const float* x = batch.inputs.ptr() + i * c * bands * frames;
      for (std::int64_t b = 0; b < bands; ++b) {
        for (std::int64_t f = 0; f < frames; ++f) {
          const Rgb colour =
              f < length ? heat((x[b * frames + f] - (top - 15.0f)) / 15.0f) : Rgb{200, 200, 200};
          canvas.fill(x0 + static_cast<int>(f) * zoom, y0 + static_cast<int>(bands - 1 - b) * zoom,
                      zoom, zoom, colour);
        }
      }
      canvas.text(x0, y0 + static_cast<int>(bands) * zoom + 1, label(batch, i, class_names),
                  {60, 60, 60});
    }
  }
  return canvas.png();
}

void write_wav(const std::filesystem::path& path, const std::vector<float>& samples,
               double sample_rate) {
  SF_INFO info{};
  info.samplerate = static_cast<int>(std::lround(sample_rate));
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  const std::filesystem::path temporary = path.string() + ".tmp";
  SNDFILE* file = sf_open(temporary.c_str(), SFM_WRITE, &info);
  if (file == nullptr) {
    throw ConfigError(str(path.string(), ": cannot write a WAV file (", sf_strerror(nullptr), ")"));
  }
  sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);  // noisy clips past +-1 clip, not wrap
  const auto written =
      sf_write_float(file, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(file);
  if (written != static_cast<sf_count_t>(samples.size())) {
    throw ConfigError(path.string() + ": the WAV file could not be written in full");
  }
  std::filesystem::rename(temporary, path);
}

std::vector<std::filesystem::path> write_stage_audio(
    const std::vector<std::pair<std::string, Batch>>& stages, const AudioSource* audio,
    double sample_rate, std::int64_t samples, const std::filesystem::path& png) {
  std::vector<std::filesystem::path> files;
  const auto gap = static_cast<std::int64_t>(std::lround(0.25 * sample_rate));
  for (std::size_t k = 0; k < stages.size(); ++k) {
    const Batch& batch = stages[k].second;
    Batch waves;
    if (!audio) {
      waves = batch;
    } else if (k == 0) {
      waves = audio->raw(batch.indices);
    } else if (const Batch* made = audio->find(batch.inputs)) {
      waves = *made;
    } else {
      continue;  // a hook on the features alone: its sound is an earlier stage's
    }
    std::filesystem::path file = png;
    file.replace_filename(png.stem().string() + "-" + std::to_string(k) + ".wav");
    write_wav(file, concatenate(waves, samples, gap), sample_rate);
    files.push_back(file);
  }
  return files;
}

}  // namespace dither

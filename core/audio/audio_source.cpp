#include "core/audio/audio_source.h"

#include <algorithm>

#include "core/error.h"
#include "core/parallel.h"

namespace dither {

Tensor log_mel_features(const LogMel& front_end, const Tensor& waves, const Tensor& lengths,
                        std::int64_t frames, const std::vector<char>& recompute,
                        const Tensor& previous) {
  const std::int64_t b = waves.size(0);
  const std::int64_t t = waves.size(1);
  const std::int64_t mels = front_end.options().n_mels;
  const std::int64_t row = mels * frames;
  check(recompute.empty() || (static_cast<std::int64_t>(recompute.size()) == b &&
                              previous.defined() && previous.numel() == b * row),
        "log_mel_features: ", recompute.size(), " flags for a batch of ", b);
  Tensor out = Tensor::empty({b, 1, mels, frames});
  const float* w = waves.ptr();
  const float* len = lengths.ptr();
  float* o = out.ptr();
  parallel_for(
      b,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          std::span<float> dest(o + i * row, static_cast<std::size_t>(row));
          if (!recompute.empty() && !recompute[static_cast<std::size_t>(i)]) {
            std::copy_n(previous.ptr() + i * row, row, dest.begin());
            continue;
          }
          const auto n = std::clamp<std::int64_t>(static_cast<std::int64_t>(len[i]), 0, t);
          front_end.compute({w + i * t, static_cast<std::size_t>(t)}, n, dest, frames);
        }
      },
      1);
  return out;
}

Tensor frame_lengths(const LogMel& front_end, const Tensor& lengths, std::int64_t frames) {
  Tensor out = Tensor::empty({lengths.numel()});
  for (std::int64_t i = 0; i < lengths.numel(); ++i) {
    const auto n = static_cast<std::int64_t>(lengths.ptr()[i]);
    out.ptr()[i] = static_cast<float>(n == 0 ? 0 : std::min(frames, front_end.frames(n)));
  }
  return out;
}

AudioSource::AudioSource(LogMel front_end, std::int64_t size, std::int64_t max_length,
                         std::int64_t frames, Reader raw)
    : front_end_(std::move(front_end)),
      size_(size),
      max_length_(max_length),
      frames_(frames),
      raw_(std::move(raw)) {}

const Batch* AudioSource::find(const Tensor& features) const {
  if (!features.defined()) return nullptr;
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
    if (it->first.ptr() == features.ptr()) return &it->second;
  }
  return nullptr;
}

Batch AudioSource::waveforms(const Batch& batch) const {
  const Batch* made = find(batch.inputs);
  return made ? *made : raw_(batch.indices);
}

void AudioSource::set_waveforms(Batch& batch, const Batch& waves,
                                const std::vector<char>& changed) {
  batch.inputs =
      log_mel_features(front_end_, waves.inputs, waves.lengths, frames_, changed, batch.inputs);
  batch.lengths = frame_lengths(front_end_, waves.lengths, frames_);
  if (made_.size() == kRemembered) made_.erase(made_.begin());
  made_.emplace_back(batch.inputs, waves);
}

}  // namespace dither

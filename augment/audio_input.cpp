#include "augment/audio_input.h"

#include <algorithm>

#include "core/error.h"

namespace dither {

void require_audio_inputs(const HookSetup& setup, const char* technique) {
  const InputInfo& in = setup.input;
  if (in.kind == InputKind::sequence && in.sample_shape.size() == 2 && in.sample_shape[1] == 1) {
    return;
  }
  if (in.kind == InputKind::spectrogram && setup.audio) return;
  const std::string why =
      in.kind == InputKind::spectrogram
          ? "these spectrograms come without the sound behind them"
          : "this is " + to_string(in.kind) + " data of shape " + str(in.sample_shape);
  throw ConfigError(setup.path + ": " + technique +
                    " changes audio: waveforms [T, 1] or spectrograms made from them "
                    "(spoken_digits); " +
                    why + " (use gaussian noise instead)");
}

Batch batch_waveforms(const Batch& batch, const AudioSource* audio) {
  if (audio) return audio->waveforms(batch);
  Batch waves = batch;
  if (!waves.lengths.defined()) {
    waves.lengths = Tensor::full({batch.size()}, static_cast<float>(batch.inputs.size(1)));
  }
  return waves;
}

void set_batch_waveforms(Batch& batch, const Batch& waves, const std::vector<char>& changed,
                         AudioSource* audio) {
  if (audio) {
    audio->set_waveforms(batch, waves, changed);
    return;
  }
  batch.inputs = waves.inputs;
  if (batch.lengths.defined()) batch.lengths = waves.lengths;
}

std::vector<std::int64_t> sample_lengths(const Batch& waves) {
  const std::int64_t t = waves.inputs.size(1);
  std::vector<std::int64_t> out(static_cast<std::size_t>(waves.size()));
  for (std::int64_t i = 0; i < waves.size(); ++i) {
    out[static_cast<std::size_t>(i)] =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(waves.lengths.ptr()[i]), 0, t);
  }
  return out;
}

}  // namespace dither

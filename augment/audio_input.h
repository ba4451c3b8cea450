#pragma once

#include <vector>

#include "augment/hook.h"

namespace dither {

/// Throws ConfigError naming setup.path unless the data is audio a hook can change: waveforms
/// (sequences [T, 1]) or spectrograms with the sound behind them (setup.audio).
void require_audio_inputs(const HookSetup& setup, const char* technique);

/// The waveforms of `batch` as a sequence batch (inputs [B, T, 1], lengths in samples: all T
/// when the batch has none): its inputs on waveform data, else what `audio` holds behind them.
Batch batch_waveforms(const Batch& batch, const AudioSource* audio);

/// Hands changed waveforms on: as the inputs and lengths on waveform data (audio null), else as
/// spectrograms recomputed for the samples flagged in `changed`.
void set_batch_waveforms(Batch& batch, const Batch& waves, const std::vector<char>& changed,
                         AudioSource* audio);

/// Each sample's valid length in samples from a waveform batch.
std::vector<std::int64_t> sample_lengths(const Batch& waves);

}  // namespace dither

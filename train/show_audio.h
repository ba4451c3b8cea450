#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/audio/audio_source.h"
#include "core/batch.h"
#include "core/input_info.h"

namespace dither {

/// Spectrogram stages [B, C, bands, frames] as heat maps: one row per stage, one column per
/// sample, the first channel with low bands at the bottom and time to the right, dark to bright
/// over the 15 units (nats of power) below the input stage's loudest shown cell; frames past a
/// sample's length are drawn grey. Each sample's target is written under it. PNG bytes.
std::string draw_spectrograms(const std::vector<std::pair<std::string, Batch>>& stages,
                              const std::vector<std::string>& class_names, std::int64_t samples);

/// The sound of each stage whose sound is known, for a person to listen to: the input stage,
/// and every stage after a hook that changed the sound (waveform inputs: any stage; spectrogram
/// inputs: the stages whose features `audio` made from changed sound). One WAV per stage
/// (16-bit PCM mono at `sample_rate`, libsndfile), the first `samples` clips one after the
/// other with 0.25 s of silence between them, named <png stem>-<stage>.wav beside the PNG.
/// Returns the files written.
std::vector<std::filesystem::path> write_stage_audio(
    const std::vector<std::pair<std::string, Batch>>& stages, const AudioSource* audio,
    double sample_rate, std::int64_t samples, const std::filesystem::path& png);

/// `clips` of mono float samples at `sample_rate` as a WAV file (16-bit PCM), written through a
/// temporary file and renamed; ConfigError naming the path when it cannot be written.
void write_wav(const std::filesystem::path& path, const std::vector<float>& samples,
               double sample_rate);

}  // namespace dither

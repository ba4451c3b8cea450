#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/audio/log_mel.h"
#include "train/data/dataset.h"

namespace dither {

/// The spoken-digits set: the words "zero" to "nine" said by espeak-ng. A speaker is a voice
/// variant (espeak-ng's !v files: formants, pitch range, breathiness); every variant speaks
/// with every language voice (the accents), `repeats` times per digit, each time at a rate and
/// pitch drawn uniformly from the ranges below.
struct SpokenDigitsOptions {
  std::vector<std::string> voices{"en",         "en-us",          "en-gb-scotland",
                                  "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                                  "en-029",     "en-us-nyc"};
  std::vector<std::string> variants{"m1",    "m2",   "m3",    "m4",    "m5",     "m6",   "m7",
                                    "m8",    "f1",   "f2",    "f3",    "f4",     "f5",   "Andy",
                                    "Annie", "adam", "david", "linda", "robert", "steph"};
  std::int64_t repeats = 2;
  std::int64_t min_rate = 130;  ///< words per minute
  std::int64_t max_rate = 230;
  std::int64_t min_pitch = 30;  ///< espeak-ng's 0-100 scale
  std::int64_t max_pitch = 70;
  double sample_rate = 16000.0;
  double max_seconds = 1.0;  ///< clips are cut to this; shorter ones are padded with zeros
  std::uint64_t synth_seed = 0;

  std::int64_t max_length() const;  ///< max_seconds in samples
  /// Everything the synthesised clips depend on (the espeak-ng version included): the cache key.
  nlohmann::json key() const;
};

/// The clips of the whole set and who says what: clip k says digit labels[k] as variant
/// variants[k] with voice voices[k] (indices into the options' lists).
struct SpokenClips {
  AudioClips audio;  ///< front_end unset here
  std::vector<std::int32_t> labels;
  std::vector<std::int32_t> variants;
  std::vector<std::int32_t> voices;
};

/// Synthesises every clip: espeak-ng at its own 22050 Hz, resampled to sample_rate by libsoxr,
/// leading and trailing silence trimmed (below 1% of the clip's peak, 10 ms kept on each side),
/// cut to max_length, and quantised to 16 bits (so a cached copy is exact). `path` names the
/// data block in errors. espeak-ng's output is a pure function of what it has said since the
/// process started (not of rand()): the same options give the same clips in a fresh process,
/// but a second synthesis in one process may differ by a few samples. The cache is what keeps
/// a set the same from run to run.
SpokenClips synthesize_spoken_digits(const SpokenDigitsOptions& options, const std::string& path);

/// The cache file for `options` in `folder`: spoken_digits-<hash of key()>.bin.
std::filesystem::path spoken_digits_cache_file(const SpokenDigitsOptions& options,
                                               const std::filesystem::path& folder);
/// $XDG_CACHE_HOME/dither, else $HOME/.cache/dither, else ./.dither-cache.
std::filesystem::path default_cache_folder();
/// The clips from the cache in `folder` when it holds them for these options, else synthesised
/// and written there atomically (a folder that cannot be written to is not an error: the clips
/// are then made again next time).
SpokenClips load_spoken_clips(const SpokenDigitsOptions& options,
                              const std::filesystem::path& folder, const std::string& path);
/// The cache file's bytes, and back (throws Error on a file that does not hold `key`).
std::string encode_spoken_clips(const SpokenClips& clips, const nlohmann::json& key);
SpokenClips decode_spoken_clips(const std::string& bytes, const nlohmann::json& key);

/// What the model reads: the waveform ([T, 1] sequences, lengths in samples) or a log-mel
/// spectrogram ([1, n_mels, frames], lengths in frames, the clips kept behind it).
struct SpokenFeatures {
  bool log_mel = true;
  LogMelOptions front_end;
  /// When set: white Gaussian noise at this SNR (dB, on each clip's valid part) is added to the
  /// test clips before their features, the same noise every run: a noisy test set.
  std::optional<double> test_snr_db;
};

/// {train, test}: the clips of the variants drawn for the test set (round(test_split * variants),
/// at least one when test_split > 0, drawn by `stream`) are the test set, so its speakers are
/// never heard in training.
std::pair<Dataset, Dataset> make_spoken_digits(const SpokenClips& clips,
                                               const SpokenFeatures& features, double test_split,
                                               const RandomStream& stream);

}  // namespace dither

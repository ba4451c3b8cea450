#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dither {

/// One word to say: the espeak-ng voice name ("en-us+f2": a language voice and a variant),
/// its rate in words per minute (80-450) and base pitch (0-100, 50 normal).
struct Utterance {
  std::string voice;
  std::string text;
  int rate = 175;
  int pitch = 50;
};

/// Synthesised speech: 16-bit samples of each utterance at espeak-ng's sample rate.
struct Speech {
  int sample_rate = 0;
  std::vector<std::vector<std::int16_t>> clips;
};

/// Says every utterance with espeak-ng's C API in synchronous mode (a synth callback collects
/// the samples; espeak_Synth returns once the word is said), one after the other: espeak-ng
/// keeps global state, so calls are serialised under a process-wide lock. Throws ConfigError
/// naming the Debian package when espeak-ng or its data cannot start, and naming `path` and the
/// voice when a voice is unknown.
Speech synthesize(const std::vector<Utterance>& utterances, const std::string& path);

/// "espeak-ng 1.51": what a cache of synthesised speech must be keyed by.
std::string espeak_version();

}  // namespace dither

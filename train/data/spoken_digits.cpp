#include "train/data/spoken_digits.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "augment/background_noise.h"
#include "core/audio/audio_source.h"
#include "core/audio/resample.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "train/atomic_file.h"
#include "train/data/espeak.h"

namespace dither {
namespace {

constexpr const char* kMagic = "dither spoken_digits v1\n";
constexpr const char* kWords[] = {"zero", "one", "two",   "three", "four",
                                  "five", "six", "seven", "eight", "nine"};

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The clip as floats at the target rate: resampled, trimmed to its sound and quantised.
std::vector<float> finish_clip(const std::vector<std::int16_t>& raw, double from_rate,
                               const SpokenDigitsOptions& o) {
  std::vector<float> wave(raw.size());
  for (std::size_t t = 0; t < raw.size(); ++t) wave[t] = static_cast<float>(raw[t]) / 32768.0f;
  wave = resample(wave, from_rate, o.sample_rate);
  float peak = 0.0f;
  for (float v : wave) peak = std::max(peak, std::abs(v));
  const float threshold = 0.01f * peak;
  const auto loud = [&](float v) { return std::abs(v) > threshold; };
  auto first = std::find_if(wave.begin(), wave.end(), loud);
  auto last = std::find_if(wave.rbegin(), wave.rend(), loud).base();
  const auto margin = static_cast<std::ptrdiff_t>(std::lround(0.01 * o.sample_rate));
  const std::ptrdiff_t begin = std::max<std::ptrdiff_t>(0, (first - wave.begin()) - margin);
  const std::ptrdiff_t end = std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(wave.size()),
                                                      (last - wave.begin()) + margin);
  std::vector<float> out;
  for (std::ptrdiff_t t = begin; t < std::min<std::ptrdiff_t>(end, begin + o.max_length()); ++t) {
    const float q =
        std::round(std::clamp(wave[static_cast<std::size_t>(t)], -1.0f, 1.0f) * 32767.0f);
    out.push_back(q / 32767.0f);
  }
  return out;
}

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <class T>
T take(const std::string& in, std::size_t& at) {
  check(at + sizeof(T) <= in.size(), "spoken_digits cache: the file is truncated");
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

// The clips of `waves` with white noise at `snr_db` on their valid parts; clip k of the set
// draws its noise from stream.child(clip id).
Tensor with_test_noise(const Batch& waves, std::span<const std::int64_t> rows,
                       const std::vector<std::int32_t>& clip_ids, double snr_db,
                       const RandomStream& stream) {
  const std::int64_t t = waves.inputs.size(1);
  const RealFft fft(t);
  Tensor out = waves.inputs.clone();
  for (std::int64_t i = 0; i < waves.size(); ++i) {
    const auto n = static_cast<std::size_t>(waves.lengths.ptr()[i]);
    const auto id = clip_ids[static_cast<std::size_t>(rows[static_cast<std::size_t>(i)])];
    const std::vector<float> noise =
        coloured_noise(fft, 0.0, stream.child(static_cast<std::uint64_t>(id)));
    const std::vector<float> mixed = mix_at_snr({waves.inputs.ptr() + i * t, n}, noise, snr_db);
    std::copy(mixed.begin(), mixed.end(), out.ptr() + i * t);
  }
  return out;
}

}  // namespace

std::int64_t SpokenDigitsOptions::max_length() const {
  return std::max<std::int64_t>(1, std::llround(max_seconds * sample_rate));
}

nlohmann::json SpokenDigitsOptions::key() const {
  return {{"voices", voices},         {"variants", variants},       {"repeats", repeats},
          {"min_rate", min_rate},     {"max_rate", max_rate},       {"min_pitch", min_pitch},
          {"max_pitch", max_pitch},   {"sample_rate", sample_rate}, {"max_seconds", max_seconds},
          {"synth_seed", synth_seed}, {"engine", espeak_version()}};
}

SpokenClips synthesize_spoken_digits(const SpokenDigitsOptions& o, const std::string& path) {
  const RandomStream stream(o.synth_seed, "data.spoken_digits.synth");
  std::vector<Utterance> utterances;
  SpokenClips clips;
  for (std::size_t v = 0; v < o.voices.size(); ++v) {
    for (std::size_t s = 0; s < o.variants.size(); ++s) {
      for (std::int32_t digit = 0; digit < 10; ++digit) {
        for (std::int64_t r = 0; r < o.repeats; ++r) {
          const RandomStream u = stream.child(utterances.size());
          utterances.push_back(
              {o.voices[v] + "+" + o.variants[s], kWords[digit],
               static_cast<int>(o.min_rate + u.integer(0, o.max_rate - o.min_rate + 1)),
               static_cast<int>(o.min_pitch + u.integer(1, o.max_pitch - o.min_pitch + 1))});
          clips.labels.push_back(digit);
          clips.variants.push_back(static_cast<std::int32_t>(s));
          clips.voices.push_back(static_cast<std::int32_t>(v));
        }
      }
    }
  }
  const Speech speech = synthesize(utterances, path);
  std::vector<std::vector<float>> finished(speech.clips.size());
  parallel_for(
      static_cast<std::int64_t>(finished.size()),
      [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t k = b; k < e; ++k) {
          finished[static_cast<std::size_t>(k)] =
              finish_clip(speech.clips[static_cast<std::size_t>(k)], speech.sample_rate, o);
        }
      },
      8);
  clips.audio.max_length = o.max_length();
  for (const auto& clip : finished) {
    clips.audio.samples.insert(clips.audio.samples.end(), clip.begin(), clip.end());
    clips.audio.offsets.push_back(static_cast<std::int64_t>(clips.audio.samples.size()));
  }
  return clips;
}

std::filesystem::path default_cache_folder() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "dither";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".cache" / "dither";
  }
  return ".dither-cache";
}

std::filesystem::path spoken_digits_cache_file(const SpokenDigitsOptions& options,
                                               const std::filesystem::path& folder) {
  char name[64];
  std::snprintf(name, sizeof(name), "spoken_digits-%016llx.bin",
                static_cast<unsigned long long>(fnv1a(options.key().dump())));
  return folder / name;
}

std::string encode_spoken_clips(const SpokenClips& clips, const nlohmann::json& key) {
  std::string out = kMagic + key.dump() + "\n";
  const std::int64_t n = clips.audio.size();
  put<std::int64_t>(out, n);
  put<std::int64_t>(out, clips.audio.max_length);
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(k);
    put<std::int32_t>(out, static_cast<std::int32_t>(clips.audio.length(k)));
    put<std::int32_t>(out, clips.labels[i]);
    put<std::int32_t>(out, clips.variants[i]);
    put<std::int32_t>(out, clips.voices[i]);
  }
  for (float v : clips.audio.samples) {
    put<std::int16_t>(out, static_cast<std::int16_t>(std::lround(v * 32767.0f)));
  }
  return out;
}

SpokenClips decode_spoken_clips(const std::string& bytes, const nlohmann::json& key) {
  const std::string head = kMagic + key.dump() + "\n";
  check(bytes.compare(0, head.size(), head) == 0,
        "spoken_digits cache: the file holds other clips");
  std::size_t at = head.size();
  SpokenClips clips;
  const auto n = take<std::int64_t>(bytes, at);
  clips.audio.max_length = take<std::int64_t>(bytes, at);
  check(n >= 0 && n < (1 << 26), "spoken_digits cache: bad clip count ", n);
  for (std::int64_t k = 0; k < n; ++k) {
    const auto length = take<std::int32_t>(bytes, at);
    check(length >= 0 && length <= clips.audio.max_length, "spoken_digits cache: bad length");
    clips.audio.offsets.push_back(clips.audio.offsets.back() + length);
    clips.labels.push_back(take<std::int32_t>(bytes, at));
    clips.variants.push_back(take<std::int32_t>(bytes, at));
    clips.voices.push_back(take<std::int32_t>(bytes, at));
  }
  clips.audio.samples.resize(static_cast<std::size_t>(clips.audio.offsets.back()));
  for (float& v : clips.audio.samples) {
    v = static_cast<float>(take<std::int16_t>(bytes, at)) / 32767.0f;
  }
  check(at == bytes.size(), "spoken_digits cache: the file is too long");
  return clips;
}

SpokenClips load_spoken_clips(const SpokenDigitsOptions& options,
                              const std::filesystem::path& folder, const std::string& path) {
  const nlohmann::json key = options.key();
  const std::filesystem::path file = spoken_digits_cache_file(options, folder);
  if (std::filesystem::exists(file)) {
    try {
      return decode_spoken_clips(read_file(file), key);
    } catch (const std::exception&) {
      // A damaged or foreign cache file is made again below.
    }
  }
  SpokenClips clips = synthesize_spoken_digits(options, path);
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);
  try {
    write_file_atomic(file, encode_spoken_clips(clips, key));
  } catch (const ConfigError&) {
    // An unwritable cache folder only costs the synthesis next time.
  }
  return clips;
}

std::pair<Dataset, Dataset> make_spoken_digits(const SpokenClips& clips,
                                               const SpokenFeatures& features, double test_split,
                                               const RandomStream& stream) {
  std::int32_t variants = 0;
  for (std::int32_t v : clips.variants) variants = std::max(variants, v + 1);
  const std::int64_t n_test =
      test_split > 0.0 ? std::max<std::int64_t>(1, std::llround(test_split * variants)) : 0;
  const std::vector<std::int64_t> order = stream.permutation(variants);
  std::vector<char> held(static_cast<std::size_t>(variants), 0);
  for (std::int64_t k = 0; k < std::min<std::int64_t>(n_test, variants); ++k) {
    held[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = 1;
  }

  auto audio = std::make_shared<AudioClips>(clips.audio);
  audio->front_end = features.front_end;
  const LogMel front_end(features.front_end);
  const std::int64_t t = audio->max_length;
  const std::int64_t frames = front_end.frames(t);
  Dataset base;
  base.name = "spoken_digits";
  base.num_classes = 10;
  base.class_names.assign(std::begin(kWords), std::end(kWords));
  base.value_range = {-std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::infinity()};
  base.audio = audio;
  base.sample_rate = features.front_end.sample_rate;
  if (features.log_mel) {
    base.kind = InputKind::spectrogram;
    base.sample_shape = {1, features.front_end.n_mels, frames};
  } else {
    base.kind = InputKind::sequence;
    base.sample_shape = {t, 1};
  }
  std::pair<Dataset, Dataset> sets{base, base};
  for (std::int64_t k = 0; k < audio->size(); ++k) {
    Dataset& d = held[static_cast<std::size_t>(clips.variants[static_cast<std::size_t>(k)])]
                     ? sets.second
                     : sets.first;
    d.clip_ids.push_back(static_cast<std::int32_t>(k));
    d.labels.push_back(clips.labels[static_cast<std::size_t>(k)]);
  }
  constexpr std::int64_t kChunk = 256;  // waveforms of a chunk at a time: [256, T] floats
  for (Dataset* d : {&sets.first, &sets.second}) {
    for (std::int64_t begin = 0; begin < d->size(); begin += kChunk) {
      std::vector<std::int64_t> chunk;
      for (std::int64_t i = begin; i < std::min(d->size(), begin + kChunk); ++i) chunk.push_back(i);
      Batch waves = make_audio_batch(*d, chunk);
      if (d == &sets.second && features.test_snr_db) {
        waves.inputs = with_test_noise(waves, chunk, d->clip_ids, *features.test_snr_db,
                                       RandomStream(0, "data.spoken_digits.test_noise"));
      }
      const Tensor lengths =
          features.log_mel ? frame_lengths(front_end, waves.lengths, frames) : waves.lengths;
      const Tensor x = features.log_mel
                           ? log_mel_features(front_end, waves.inputs, waves.lengths, frames)
                           : waves.inputs;
      d->values.insert(d->values.end(), x.ptr(), x.ptr() + x.numel());
      for (std::int64_t i = 0; i < waves.size(); ++i) {
        d->lengths.push_back(static_cast<std::int32_t>(lengths.ptr()[i]));
      }
    }
    if (!features.log_mel) {
      d->audio = nullptr;
      d->clip_ids.clear();
    }
    d->validate();
  }
  return sets;
}

}  // namespace dither

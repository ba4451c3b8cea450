#include "train/data/espeak.h"

#include <espeak-ng/speak_lib.h>

#include <mutex>

#include "core/error.h"

namespace dither {
namespace {

std::mutex& espeak_lock() {
  static std::mutex lock;
  return lock;
}

int collect(short* wav, int samples, espeak_EVENT* events) {
  if (wav == nullptr || samples <= 0) return 0;
  auto* out = static_cast<std::vector<std::int16_t>*>(events->user_data);
  out->insert(out->end(), wav, wav + samples);
  return 0;
}

// espeak-ng's sample rate, initialising it on first use (under espeak_lock). It stays
// initialised: espeak-ng 1.51 hangs in a second session after espeak_Terminate.
int espeak_rate() {
  static int rate = 0;
  if (rate > 0) return rate;
  const int r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
  if (r <= 0) {
    throw ConfigError(
        "spoken_digits: espeak-ng could not start (its voice data is missing); install the "
        "Debian packages libespeak-ng-dev and espeak-ng-data");
  }
  espeak_SetSynthCallback(collect);
  rate = r;
  return rate;
}

}  // namespace

std::string espeak_version() {
  std::lock_guard<std::mutex> guard(espeak_lock());
  return std::string("espeak-ng ") + espeak_Info(nullptr);
}

Speech synthesize(const std::vector<Utterance>& utterances, const std::string& path) {
  std::lock_guard<std::mutex> guard(espeak_lock());
  Speech speech;
  speech.sample_rate = espeak_rate();
  speech.clips.resize(utterances.size());
  std::string current;
  for (std::size_t i = 0; i < utterances.size(); ++i) {
    const Utterance& u = utterances[i];
    if (u.voice != current) {
      if (espeak_SetVoiceByName(u.voice.c_str()) != EE_OK) {
        throw ConfigError(path + ": espeak-ng has no voice '" + u.voice +
                          "' (espeak-ng --voices lists the languages; variants are the files "
                          "of espeak-ng-data/voices/!v)");
      }
      current = u.voice;
    }
    espeak_SetParameter(espeakRATE, u.rate, 0);
    espeak_SetParameter(espeakPITCH, u.pitch, 0);
    const espeak_ERROR status = espeak_Synth(u.text.c_str(), u.text.size() + 1, 0, POS_CHARACTER, 0,
                                             espeakCHARS_UTF8, nullptr, &speech.clips[i]);
    if (status != EE_OK) {
      throw Error("spoken_digits: espeak-ng failed to say '" + u.text + "' in " + u.voice);
    }
  }
  return speech;
}

}  // namespace dither

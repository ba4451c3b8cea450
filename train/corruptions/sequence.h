#pragma once

#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// Corruptions of sequences [B, T, F] with lengths (the waveforms set, and spoken_digits with
// "features": "waveform"), the audio conditions of speech-robustness benchmarks: noise at a
// signal-to-noise ratio, a time shift, dropouts, a speed change. Only each sample's valid steps
// are touched; zeros fill it past its (new) length. Severity 0 returns a copy. Sample b's draws
// come from stream.child(b) alone and do not depend on the severity, so the same noise, the
// same direction and the same dropped steps grow with it; the result is the same at any thread
// count. Values are not clipped: the waveform inputs are unbounded.

/// x + sigma N(0, 1) on the valid steps, sigma^2 = P / 10^(snr / 10) with P the sample's mean
/// power over its valid steps and features, snr = 20, 15, 10, 5, 0 dB at severities 1..5.
Padded sequence_noise(const Padded& x, int severity, const RandomStream& stream);

/// A circular shift of the valid steps by round(c n) steps (n the sample's length, c = 0.05,
/// 0.1, 0.2, 0.3, 0.5), forwards or backwards at random. Circular rather than zero-filled: a
/// zero-filled shift would also cut off part of the signal and add silence that the length
/// calls valid, two corruptions in one; a circular one keeps length, power and spectrum, so it
/// measures only the model's dependence on where in the window a pattern sits.
Padded time_shift(const Padded& x, int severity, const RandomStream& stream);

/// Each valid step zeroed (all its features) with probability c = 0.05, 0.1, 0.2, 0.3, 0.5, as
/// lost packets or samples; zeroed rather than removed, so timing and length are kept and a
/// removal's speed-up is left to speed_change.
Padded dropped_steps(const Padded& x, int severity, const RandomStream& stream);

/// Played faster or slower (at random) by k = 1.05, 1.1, 1.2, 1.3, 1.5: each feature's valid
/// steps resampled by libsoxr (core/audio/resample.h) from rate k to 1, so n steps become
/// round(n / k) (faster) or round(n k) (slower), cut at the padded width T; lengths follow.
Padded speed_change(const Padded& x, int severity, const RandomStream& stream);

}  // namespace dither

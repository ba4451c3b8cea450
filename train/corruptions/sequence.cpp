#include "train/corruptions/sequence.h"

#include <algorithm>
#include <cmath>

#include "core/audio/resample.h"

namespace dither {
namespace {

constexpr SeverityTable kSnrDb = {20.0f, 15.0f, 10.0f, 5.0f, 0.0f};
constexpr SeverityTable kShift = {0.05f, 0.1f, 0.2f, 0.3f, 0.5f};
constexpr SeverityTable kDrop = {0.05f, 0.1f, 0.2f, 0.3f, 0.5f};
constexpr SeverityTable kSpeed = {1.05f, 1.1f, 1.2f, 1.3f, 1.5f};

// Counter 0 of a sample's stream picks a direction; its other draws start above it.
constexpr std::uint64_t kDirection = 0;
constexpr std::uint64_t kFirst = 1;

// Sample b of x [B, T, F] rewritten by edit(in, length, features, out, sample stream, c) ->
// new length, c the table's value at the severity; a copy at severity 0.
template <class Edit>
Padded edit_steps(const Padded& x, int severity, const RandomStream& stream, const char* who,
                  const SeverityTable& table, const Edit& edit) {
  check_shape(x.inputs.dim() == 3, who, ": needs sequences [B, T, F], got ", x.inputs.shape());
  const std::int64_t features = x.inputs.size(2);
  const bool copy = severity_zero(severity, who);
  const float c = copy ? 0.0f : severity_value(table, severity);
  return map_padded(
      x, 0.0f, who,
      [&](std::int64_t b, std::span<const float> in, std::int64_t length, std::span<float> out) {
        if (copy) {
          std::copy(in.begin(), in.begin() + length * features, out.begin());
          return length;
        }
        return edit(in, length, features, out, stream.child(static_cast<std::uint64_t>(b)), c);
      });
}

}  // namespace

Padded sequence_noise(const Padded& x, int severity, const RandomStream& stream) {
  return edit_steps(x, severity, stream, "sequence_noise", kSnrDb,
                    [](auto in, std::int64_t length, std::int64_t features, auto out,
                       const RandomStream& s, float snr) {
                      const std::int64_t n = length * features;
                      double power = 0.0;
                      for (std::int64_t i = 0; i < n; ++i) power += double{in[i]} * in[i];
                      power /= static_cast<double>(std::max<std::int64_t>(n, 1));
                      const auto sigma =
                          static_cast<float>(std::sqrt(power / std::pow(10.0, snr / 10.0)));
                      for (std::int64_t i = 0; i < n; ++i) {
                        out[static_cast<std::size_t>(i)] =
                            in[i] + sigma * s.normal(kFirst + static_cast<std::uint64_t>(i));
                      }
                      return length;
                    });
}

Padded time_shift(const Padded& x, int severity, const RandomStream& stream) {
  return edit_steps(
      x, severity, stream, "time_shift", kShift,
      [](auto in, std::int64_t length, std::int64_t features, auto out, const RandomStream& s,
         float c) {
        if (length == 0) return length;
        auto k = static_cast<std::int64_t>(std::lround(c * static_cast<float>(length)));
        if (s.bernoulli(kDirection, 0.5)) k = length - k;
        for (std::int64_t t = 0; t < length; ++t) {
          const std::int64_t from = (t - k % length + length) % length;
          std::copy_n(in.begin() + from * features, features, out.begin() + t * features);
        }
        return length;
      });
}

Padded dropped_steps(const Padded& x, int severity, const RandomStream& stream) {
  return edit_steps(x, severity, stream, "dropped_steps", kDrop,
                    [](auto in, std::int64_t length, std::int64_t features, auto out,
                       const RandomStream& s, float c) {
                      for (std::int64_t t = 0; t < length; ++t) {
                        if (s.uniform(kFirst + static_cast<std::uint64_t>(t)) < c) continue;
                        std::copy_n(in.begin() + t * features, features,
                                    out.begin() + t * features);
                      }
                      return length;
                    });
}

Padded speed_change(const Padded& x, int severity, const RandomStream& stream) {
  return edit_steps(x, severity, stream, "speed_change", kSpeed,
                    [](auto in, std::int64_t length, std::int64_t features, auto out,
                       const RandomStream& s, float k) {
                      const double from_rate = s.bernoulli(kDirection, 0.5) ? k : 1.0 / k;
                      const auto width = static_cast<std::int64_t>(out.size()) / features;
                      std::int64_t new_length = 0;
                      std::vector<float> channel(static_cast<std::size_t>(length));
                      for (std::int64_t f = 0; f < features; ++f) {
                        for (std::int64_t t = 0; t < length; ++t)
                          channel[static_cast<std::size_t>(t)] = in[t * features + f];
                        const std::vector<float> played = resample(channel, from_rate, 1.0);
                        new_length = std::min(static_cast<std::int64_t>(played.size()), width);
                        for (std::int64_t t = 0; t < new_length; ++t)
                          out[static_cast<std::size_t>(t * features + f)] =
                              played[static_cast<std::size_t>(t)];
                      }
                      return new_length;
                    });
}

}  // namespace dither

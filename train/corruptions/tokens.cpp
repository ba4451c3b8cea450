#include "train/corruptions/tokens.h"

#include <algorithm>
#include <utility>

namespace dither {
namespace {

constexpr SeverityTable kRate = {0.05f, 0.1f, 0.15f, 0.2f, 0.3f};

// The ids a word is made of: every id but the special ones.
std::vector<float> word_ids(const InputInfo& vocab, const char* who) {
  std::vector<float> ids;
  for (std::int64_t id = 0; id < vocab.vocab_size; ++id) {
    if (id != vocab.pad_id && std::find(vocab.special_ids.begin(), vocab.special_ids.end(), id) ==
                                  vocab.special_ids.end()) {
      ids.push_back(static_cast<float>(id));
    }
  }
  check(ids.size() >= 2, who, ": needs a vocabulary of at least 2 word ids, got ", ids.size());
  return ids;
}

// Sample b of x edited by edit(in, length, out, rate, ids, sample stream) -> new length; the
// identity at severity 0.
template <class Edit>
Padded edit_tokens(const Padded& x, int severity, const RandomStream& stream,
                   const InputInfo& vocab, const char* who, const Edit& edit) {
  const float pad = static_cast<float>(vocab.pad_id);
  if (severity_zero(severity, who)) {
    return map_padded(x, pad, who, [](std::int64_t, auto in, std::int64_t length, auto out) {
      std::copy(in.begin(), in.begin() + length, out.begin());
      return length;
    });
  }
  const float rate = severity_value(kRate, severity);
  const std::vector<float> ids = word_ids(vocab, who);
  return map_padded(
      x, pad, who,
      [&](std::int64_t b, std::span<const float> in, std::int64_t length, std::span<float> out) {
        return edit(in, length, out, rate, ids, stream.child(static_cast<std::uint64_t>(b)));
      });
}

// Counters per original position i: 2i decides whether token i is hit, 2i + 1 draws its id.
bool hit(const RandomStream& s, std::int64_t i, float rate) {
  return s.uniform(static_cast<std::uint64_t>(2 * i)) < rate;
}
float draw_id(const RandomStream& s, std::int64_t i, const std::vector<float>& ids,
              std::int64_t exclude_last) {
  const auto n = static_cast<std::int64_t>(ids.size()) - exclude_last;
  return ids[static_cast<std::size_t>(s.integer(static_cast<std::uint64_t>(2 * i + 1), n))];
}

}  // namespace

Padded token_deletion(const Padded& x, int severity, const RandomStream& stream,
                      const InputInfo& vocab) {
  return edit_tokens(
      x, severity, stream, vocab, "token_deletion",
      [](auto in, std::int64_t length, auto out, float rate, const auto&, const RandomStream& s) {
        std::int64_t k = 0;
        for (std::int64_t i = 0; i < length; ++i) {
          if (!hit(s, i, rate)) out[static_cast<std::size_t>(k++)] = in[i];
        }
        if (k == 0 && length > 0) out[static_cast<std::size_t>(k++)] = in[0];
        return k;
      });
}

Padded token_substitution(const Padded& x, int severity, const RandomStream& stream,
                          const InputInfo& vocab) {
  return edit_tokens(x, severity, stream, vocab, "token_substitution",
                     [](auto in, std::int64_t length, auto out, float rate, const auto& ids,
                        const RandomStream& s) {
                       for (std::int64_t i = 0; i < length; ++i) {
                         float v = in[i];
                         if (hit(s, i, rate)) {
                           // Uniform over the other ids: draw among all but one, and give the
                           // original's draw to the id left out.
                           const float id = draw_id(s, i, ids, 1);
                           v = id == v ? ids.back() : id;
                         }
                         out[static_cast<std::size_t>(i)] = v;
                       }
                       return length;
                     });
}

Padded token_swap(const Padded& x, int severity, const RandomStream& stream,
                  const InputInfo& vocab) {
  return edit_tokens(
      x, severity, stream, vocab, "token_swap",
      [](auto in, std::int64_t length, auto out, float rate, const auto&, const RandomStream& s) {
        std::copy(in.begin(), in.begin() + length, out.begin());
        for (std::int64_t i = 0; i + 1 < length; ++i) {
          if (!hit(s, i, rate)) continue;
          std::swap(out[static_cast<std::size_t>(i)], out[static_cast<std::size_t>(i + 1)]);
          ++i;
        }
        return length;
      });
}

Padded token_insertion(const Padded& x, int severity, const RandomStream& stream,
                       const InputInfo& vocab) {
  return edit_tokens(x, severity, stream, vocab, "token_insertion",
                     [](auto in, std::int64_t length, auto out, float rate, const auto& ids,
                        const RandomStream& s) {
                       const auto width = static_cast<std::int64_t>(out.size());
                       std::int64_t k = 0;
                       for (std::int64_t i = 0; i < length && k < width; ++i) {
                         if (hit(s, i, rate))
                           out[static_cast<std::size_t>(k++)] = draw_id(s, i, ids, 0);
                         if (k < width) out[static_cast<std::size_t>(k++)] = in[i];
                       }
                       return k;
                     });
}

}  // namespace dither

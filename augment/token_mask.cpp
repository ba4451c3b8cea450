#include "augment/token_mask.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "augment/sequence.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

std::vector<std::int64_t> TokenVocabulary::regular_ids() const {
  std::vector<std::int64_t> out;
  for (std::int64_t id = 0; id < size; ++id) {
    if (std::find(special_ids.begin(), special_ids.end(), id) == special_ids.end()) {
      out.push_back(id);
    }
  }
  return out;
}

TokenMaskResult token_mask(const Tensor& x, const std::vector<std::int64_t>& lengths,
                           const TokenMaskOptions& options, const TokenVocabulary& vocabulary,
                           const RandomStream& stream) {
  check_shape(x.dim() == 2 && static_cast<std::size_t>(x.size(0)) == lengths.size(),
              "token_mask: needs token ids [B, L] and B lengths, got ", x.shape(), " and ",
              lengths.size());
  const std::vector<std::int64_t> regular = vocabulary.regular_ids();
  check(vocabulary.mask_id >= 0 && !regular.empty(),
        "token_mask: needs a mask id and at least one regular token");
  const std::int64_t steps = x.size(1);
  const RandomStream keys = stream.child(0);
  const RandomStream actions = stream.child(1);
  const RandomStream tokens = stream.child(2);
  TokenMaskResult result{x.clone(), std::vector<TokenAction>(static_cast<std::size_t>(x.numel()),
                                                             TokenAction::untouched)};
  float* out = result.tokens.ptr();
  auto special = [&](float id) {
    return std::find(vocabulary.special_ids.begin(), vocabulary.special_ids.end(),
                     static_cast<std::int64_t>(id)) != vocabulary.special_ids.end();
  };
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    const auto row = static_cast<std::int64_t>(b) * steps;
    std::vector<std::int64_t> candidates;
    for (std::int64_t t = 0; t < lengths[b]; ++t) {
      if (!special(out[row + t])) candidates.push_back(row + t);
    }
    std::vector<std::int64_t> selected;
    if (options.exact) {
      const auto n = static_cast<std::int64_t>(candidates.size());
      const std::int64_t k =
          options.rate <= 0.0
              ? 0
              : std::min(n, std::max<std::int64_t>(
                                1, std::llround(options.rate * static_cast<double>(n))));
      std::stable_sort(candidates.begin(), candidates.end(), [&](std::int64_t a, std::int64_t c) {
        return keys.uniform(static_cast<std::uint64_t>(a)) <
               keys.uniform(static_cast<std::uint64_t>(c));
      });
      selected.assign(candidates.begin(), candidates.begin() + k);
    } else {
      for (std::int64_t i : candidates) {
        if (keys.uniform(static_cast<std::uint64_t>(i)) < options.rate) selected.push_back(i);
      }
    }
    for (std::int64_t i : selected) {
      const auto u = static_cast<std::uint64_t>(i);
      const double v = actions.uniform(u);
      TokenAction& action = result.actions[static_cast<std::size_t>(i)];
      if (v < options.mask_fraction) {
        action = TokenAction::masked;
        out[i] = static_cast<float>(vocabulary.mask_id);
      } else if (v < options.mask_fraction + options.random_fraction) {
        action = TokenAction::random;
        const auto pick = tokens.integer(u, static_cast<std::int64_t>(regular.size()));
        out[i] = static_cast<float>(regular[static_cast<std::size_t>(pick)]);
      } else {
        action = TokenAction::kept;
      }
    }
  }
  return result;
}

TokenMaskHook::TokenMaskHook(Strength rate, TokenMaskOptions options, double p)
    : Hook(p), rate_(rate), options_(options) {}

std::unique_ptr<Hook> TokenMaskHook::from_json(const nlohmann::json& spec,
                                               const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "rate", "count", "mask_fraction", "random_fraction", "p", "ramp_epochs"});
  TokenMaskOptions o;
  const Strength rate = Strength::read(r, "rate", o.rate, 0.0, 1.0);
  o.exact = r.string("count", "bernoulli", {"bernoulli", "exact"}) == "exact";
  o.mask_fraction = r.number("mask_fraction", o.mask_fraction, 0.0, 1.0);
  o.random_fraction = r.number("random_fraction", o.random_fraction, 0.0, 1.0);
  if (o.mask_fraction + o.random_fraction > 1.0 + 1e-12) {
    throw ConfigError(str(r.path_of("random_fraction"), ": mask_fraction + random_fraction must ",
                          "be at most 1 (the rest of the selected tokens stay), got ",
                          o.mask_fraction, " + ", o.random_fraction));
  }
  return std::make_unique<TokenMaskHook>(rate, o, r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json TokenMaskHook::to_json() const {
  nlohmann::json j{{"type", type_name()},
                   {"count", options_.exact ? "exact" : "bernoulli"},
                   {"mask_fraction", options_.mask_fraction},
                   {"random_fraction", options_.random_fraction},
                   {"p", p()}};
  rate_.write(j, "rate");
  return j;
}

void TokenMaskHook::setup(const HookSetup& setup) {
  const InputInfo& input = setup.input;
  if (input.kind != InputKind::tokens) {
    throw ConfigError(
        str(setup.path, ": token_mask masks token ids; this is ", to_string(input.kind), " data",
            input.kind == InputKind::sequence ? " (for sequences use time_mask or temporal_dropout)"
                                              : ""));
  }
  if (input.mask_id < 0 || input.mask_id >= input.vocab_size) {
    throw ConfigError(setup.path +
                      ": token_mask needs a mask token in the data's vocabulary, and this data "
                      "has none (the words set reserves <mask>)");
  }
  vocabulary_.mask_id = input.mask_id;
  vocabulary_.size = input.vocab_size;
  vocabulary_.special_ids = input.special_ids;
  for (const std::int64_t id : {input.pad_id, input.mask_id}) {  // special whatever the data says
    auto& ids = vocabulary_.special_ids;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (vocabulary_.regular_ids().empty()) {
    throw ConfigError(setup.path + ": token_mask needs at least one regular token to draw");
  }
}

void TokenMaskHook::on_batch(StepContext& ctx, Batch& batch) {
  TokenMaskOptions options = options_;
  options.rate = rate_.at(ctx.epochs_done());
  if (options.rate == 0.0 || !fires(ctx)) return;
  batch.inputs = token_mask(batch.inputs, batch_lengths(batch, "token_mask"), options, vocabulary_,
                            ctx.stream("token_mask"))
                     .tokens;
}

}  // namespace dither

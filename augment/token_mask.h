#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// The vocabulary facts token masking needs: the mask id, the vocabulary size and the special
/// ids (padding, unknown, mask...) that are never selected and never drawn as random tokens.
struct TokenVocabulary {
  std::int64_t mask_id = -1;
  std::int64_t size = 0;
  std::vector<std::int64_t> special_ids;

  /// The ids that are not special, ascending: what a random replacement is drawn from.
  std::vector<std::int64_t> regular_ids() const;
};

/// How many positions are selected and what becomes of them.
struct TokenMaskOptions {
  double rate = 0.15;            ///< share of a sample's candidate positions selected
  bool exact = false;            ///< true: BERT's count per sample; false: Bernoulli per position
  double mask_fraction = 0.8;    ///< of the selected: replaced by the mask id
  double random_fraction = 0.1;  ///< of the selected: replaced by a random regular token
};

/// What happened to one position.
enum class TokenAction : std::uint8_t { untouched, masked, random, kept };

struct TokenMaskResult {
  Tensor tokens;                     ///< [B, L] ids as floats: a new leaf
  std::vector<TokenAction> actions;  ///< [B * L]: selected positions are masked, random or kept
};

/// BERT's masked-language-model corruption of token ids x [B, L]: the candidates of sample b are
/// its positions t < L_b whose token is not special. Each candidate i = b * L + t has a key
/// stream.child(0).uniform(i); with `exact` the max(1, round(rate * n_b)) candidates with the
/// smallest keys are selected (BERT's num_to_predict, no max_predictions_per_seq cap; 0 when
/// rate is 0), otherwise those with key < rate (HF's Bernoulli). A selected position becomes
/// the mask id when stream.child(1).uniform(i) < mask_fraction, a regular token
/// regular[stream.child(2).integer(i, |regular|)] when it is below mask_fraction +
/// random_fraction (possibly the token it had, as in BERT and HF), and stays otherwise.
TokenMaskResult token_mask(const Tensor& x, const std::vector<std::int64_t>& lengths,
                           const TokenMaskOptions& options, const TokenVocabulary& vocabulary,
                           const RandomStream& stream);

/// {"type": "token_mask", "rate": 0.15, "count": "bernoulli", "mask_fraction": 0.8,
/// "random_fraction": 0.1, "p": 1, "ramp_epochs": 0}: BERT's 80/10/10 input corruption on the
/// training token ids, used as a regulariser of the classifier: the targets stay the class, and
/// there is no masked-token prediction loss (the model has no token head). "count": "exact"
/// is google-research BERT's fixed count per sample, "bernoulli" HuggingFace's
/// DataCollatorForLanguageModeling (mlm_probability, mask_replace_prob, random_replace_prob).
/// Both anchors draw random tokens from the whole vocabulary, specials and padding included (HF
/// declined to change it, #15342); dither draws only regular tokens, so a random replacement
/// never puts in a padding or mask id. Padding (t >= L_b) and special tokens are never touched.
/// Token ids only, and the data's vocabulary must have a mask id.
class TokenMaskHook : public Hook {
 public:
  TokenMaskHook(Strength rate, TokenMaskOptions options, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "token_mask"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength rate_;
  TokenMaskOptions options_;
  TokenVocabulary vocabulary_;
};

}  // namespace dither

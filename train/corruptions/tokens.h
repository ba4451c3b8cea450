#pragma once

#include "core/input_info.h"
#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// Corruptions of token ids [B, L] with lengths (the words set: characters of a word), after
// the typo noise of Belinkov & Bisk 2018 and the EDA operations of Wei & Zou 2019 (deletion,
// swap, insertion, substitution). Each valid token is hit with probability c = 0.05, 0.1, 0.15,
// 0.2, 0.3 at severities 1..5; a token's draws do not depend on the severity, so the tokens hit
// at one severity are hit at every higher one. New ids are word ids: never padding nor any other
// of `vocab.special_ids` (unknown, mask). Lengths follow the edit, padding (vocab.pad_id) fills
// each sample past its new length. Severity 0 returns a copy. Sample b's draws come from
// stream.child(b) alone: the same at any thread count.

/// Each token deleted; a sample keeps at least its first token.
Padded token_deletion(const Padded& x, int severity, const RandomStream& stream,
                      const InputInfo& vocab);

/// Each token replaced by a different word id, drawn uniformly.
Padded token_substitution(const Padded& x, int severity, const RandomStream& stream,
                          const InputInfo& vocab);

/// Walking the sample from its start, each token swapped with the next one (both then skipped).
Padded token_swap(const Padded& x, int severity, const RandomStream& stream,
                  const InputInfo& vocab);

/// A uniform word id inserted before each token; a sample that reaches the padded width L is
/// cut there.
Padded token_insertion(const Padded& x, int severity, const RandomStream& stream,
                       const InputInfo& vocab);

}  // namespace dither

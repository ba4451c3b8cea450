#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace dither {

/// Builds an optimiser from {"type": "sgd" | "adam" | "adamw" | "rmsprop", "lr": ..., ...}, or
/// the SAM wrapper {"type": "sam", "rho": 0.05, "adaptive": false, "base": {...}} (optim/sam.h).
/// Keys are the option names of SgdOptions, AdamOptions ("betas": [beta1, beta2]) and
/// RmspropOptions; absent ones take torch's defaults. Unknown types and keys and out-of-range
/// values throw ConfigError naming the JSON path under `path`, with a suggestion for a misspelt
/// key or type. to_json() of the result gives the spec back with every default filled in.
std::unique_ptr<Optimizer> make_optimizer(const nlohmann::json& spec, std::vector<Tensor> params,
                                          const std::string& path = "optimizer");

/// Builds a schedule from {"type": "constant" | "step" | "multistep" | "exponential" | "cosine" |
/// "one_cycle" | "reduce_on_plateau", ...} for a run of `epochs` epochs of `steps_per_epoch`
/// batches each (cosine's t_max defaults to epochs, one_cycle's total_steps to
/// epochs * steps_per_epoch and its max_lr to the optimiser's initial lr). Errors as
/// make_optimizer's.
std::unique_ptr<Schedule> make_schedule(const nlohmann::json& spec, Optimizer& optimizer,
                                        int epochs, int steps_per_epoch,
                                        const std::string& path = "schedule");

}  // namespace dither

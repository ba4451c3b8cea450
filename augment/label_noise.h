#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "augment/hook.h"

namespace dither {

/// Class ids [B] with each sample's label replaced, with probability `rate`, by a wrong one:
/// `to[y]` when `to` is non-empty (asymmetric noise, a fixed map over K classes; a class mapped
/// to itself keeps its label), else a class drawn uniformly from the K - 1 others (symmetric
/// noise). Whether sample i flips and what it becomes depend only on `stream` and indices[i]
/// (its index in the dataset), so a sample carries the same label every epoch, whatever batch
/// it lands in. A new tensor.
Tensor corrupt_labels(const Tensor& ids, const std::vector<std::int64_t>& indices,
                      std::int64_t num_classes, double rate, const std::vector<std::int64_t>& to,
                      const RandomStream& stream);

/// {"type": "label_noise", "rate": 0.2, "mode": "symmetric", "pairs": null, "p": 1}: noisy
/// training labels (the "user input mistakes" of a real data set), for studying robust losses
/// (gce, sce). A fraction `rate` of the training samples, fixed for the run by (seed, the hook's
/// path, the sample's dataset index), carries a wrong label: "symmetric" a uniformly drawn other
/// class (every flip is wrong, so `rate` is the noise rate; some papers instead redraw from all
/// K classes, a wrong-label rate of rate (K - 1) / K); "asymmetric" the class `pairs` names
/// ({"3": 5, "5": 3}: 3 becomes 5 and 5 becomes 3; unlisted classes stay clean), by default the
/// next class k -> (k + 1) mod K, as Patrini et al. 2017. Hooks run only in training, so
/// validation and test labels stay clean. Needs class-id targets: list it before any mixing
/// hook (a soft target reaching it is an error at the first step). `p` must stay 1: which
/// labels are wrong is a property of the data, not of a batch.
class LabelNoiseHook : public Hook {
 public:
  LabelNoiseHook(double rate, bool asymmetric, std::map<std::int64_t, std::int64_t> pairs);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "label_noise"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  double rate_;
  bool asymmetric_;
  std::map<std::int64_t, std::int64_t> pairs_;  // empty: the next class
  std::vector<std::int64_t> to_;                // resolved by setup; empty: symmetric
  std::string path_;
};

}  // namespace dither

#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "train/certify.h"
#include "train/robustness.h"

namespace dither {

/// `dither eval --robustness SUITE.json`: every condition of the suite on the test set, written
/// as robustness.{csv,json} and plots into `out_dir` (default: the checkpoint's folder), with
/// mCE against `baseline` (a run folder or checkpoint; default: the suite's "baseline", if any).
/// `plot_error` says why a plot was not drawn, or is "".
RobustnessReport run_robustness(const std::filesystem::path& target,
                                const std::filesystem::path& suite_file,
                                const std::optional<std::filesystem::path>& out_dir,
                                std::string& plot_error,
                                const std::optional<std::filesystem::path>& baseline = {});

/// `dither certify RUN --sigma S`: randomized smoothing's CERTIFY on the first options.limit test
/// samples; writes certify.csv (per sample), certify.json (certified accuracy by l2 radius, the
/// average certified radius) and certify.png into `out_dir` (default: the checkpoint's folder).
/// Returns certify.json's content; `plot_error` says why no plot was drawn, or is "".
nlohmann::json run_certify(const std::filesystem::path& target, CertifyOptions options,
                           const std::optional<std::filesystem::path>& out_dir,
                           std::string& plot_error);

}  // namespace dither

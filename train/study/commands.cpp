#include "train/study/commands.h"

#include <filesystem>
#include <optional>

#include "core/error.h"
#include "train/run_folder.h"
#include "train/study/compare.h"
#include "train/study/compare_report.h"
#include "train/study/runner.h"
#include "train/study/sweep.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> paths(const std::vector<std::string>& texts) {
  return {texts.begin(), texts.end()};
}

}  // namespace

void StudyCommands::add_to(CLI::App& app, const std::function<void(CLI::App*)>& add_common) {
  const auto add_shared = [&](CLI::App* command, const std::string& what) {
    command->add_option("--out", out,
                        "the " + what + " folder (default: runs/" + what +
                            "-<name>-<time>); run again into it to resume");
    command->add_option("--shard", shard,
                        "i/N: train only every N-th point, from the i-th (1-based); merge the "
                        "shards' folders with --collect");
    command->add_option("--collect", collect,
                        "merge these folders (shards of one " + what + ") into --out");
    add_common(command);
  };
  sweep = app.add_subcommand("sweep", "train a config over a grid of values and seeds");
  sweep->add_option("config", config, "config file");
  sweep
      ->add_option("--grid", grids,
                   "key.path=v1,v2,...: a config value and the values it takes (repeatable: "
                   "grids combine as a product)")
      ->allow_extra_args(false);  // one value per --grid: a config after it stays the config
  sweep->add_option("--seeds", seeds, "seeds per point: the config's seed, +1, ... (default 1)");
  sweep->add_option("--metric", metric,
                    "what best.json picks by, mean over seeds (default val_accuracy; losses, "
                    "ECE and times are minimised)");
  sweep->add_option("--robustness", robustness, "a robustness suite measured on every point");
  add_shared(sweep, "sweep");

  compare = app.add_subcommand("compare", "train a baseline and variants over seeds; report.md");
  compare->add_option("study", study, "study file (examples/studies/*.json)");
  add_shared(compare, "compare");
}

int StudyCommands::run() const {
  const std::optional<fs::path> out_dir = out.empty() ? std::nullopt : std::optional<fs::path>(out);
  const Shard part = shard.empty() ? Shard{} : Shard::parse(shard);
  if (*sweep) {
    const StudyReporter report = [this](const StudyPlan& plan,
                                        const std::vector<PointOutcome>& outcomes,
                                        const fs::path& dir) {
      check_sweep_metric(metric, !plan.suites.empty());
      return write_sweep_report(plan, outcomes, dir, metric);
    };
    if (!collect.empty()) {
      if (!config.empty() || !grids.empty() || !shard.empty())
        throw ConfigError(
            "sweep --collect merges finished folders: give no config, --grid or --shard");
      return collect_study(paths(collect), out_dir, "sweep", sweep_plan, report);
    }
    if (config.empty()) throw ConfigError("sweep: give a config file, or --collect DIR...");
    check_sweep_metric(metric, !robustness.empty());
    const StudyPlan plan = sweep_plan(sweep_spec(config, grids, seeds, robustness));
    const fs::path dir =
        out_dir ? *out_dir : default_run_dir("sweep-" + fs::path(config).filename().string());
    return run_study(plan, dir, part, report);
  }
  const StudyReporter report = write_compare_report;
  if (!collect.empty()) {
    if (!study.empty() || !shard.empty())
      throw ConfigError("compare --collect merges finished folders: give no study file or --shard");
    return collect_study(paths(collect), out_dir, "compare", compare_plan, report);
  }
  if (study.empty()) throw ConfigError("compare: give a study file, or --collect DIR...");
  const StudyPlan plan = compare_plan(compare_spec(study));
  const fs::path dir =
      out_dir ? *out_dir : default_run_dir("compare-" + fs::path(study).filename().string());
  return run_study(plan, dir, part, report);
}

}  // namespace dither

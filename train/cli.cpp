#include "train/cli.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/blas_kernel.h"
#include "core/error.h"
#include "core/parallel.h"
#include "train/interrupt.h"
#include "train/run.h"
#include "train/run_eval.h"
#include "train/run_robustness.h"
#include "train/show.h"
#include "train/show_boundary.h"
#include "train/study/commands.h"
#include "train/trainer.h"

#ifndef DITHER_VERSION
#define DITHER_VERSION "0.0.0"
#endif

namespace dither {
namespace {

namespace fs = std::filesystem;

// The default example, found wherever dither runs: in the working directory, then installed
// beside the executable (PREFIX/bin/dither -> PREFIX/share/dither/examples), then in the
// source tree of a build folder (build/dither -> examples).
std::string default_config() {
  const fs::path relative = "examples/configs/fashion_mnist_mlp.json";
  std::vector<fs::path> candidates{relative};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / "share" / "dither" / relative);
    candidates.push_back(exe.parent_path().parent_path() / relative);
  }
#ifdef DITHER_SOURCE_DIR
  candidates.push_back(fs::path(DITHER_SOURCE_DIR) / relative);
#endif
  for (const auto& c : candidates)
    if (fs::exists(c, ec)) return c.string();
  return relative.string();  // not found: the error names the path a person expects
}

// A finite number in [low, high] (above low when `open_low`). CLI11's Range and PositiveNumber
// let NaN through, since every comparison with it is false.
CLI::Validator finite_number(double low, double high, bool open_low) {
  std::ostringstream range;
  range << (open_low ? "(" : "[") << low << ", " << high << (std::isinf(high) ? ")" : "]");
  return CLI::Validator(
      [=, text = range.str()](std::string& value) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        const bool parsed = !value.empty() && end == value.c_str() + value.size();
        if (parsed && std::isfinite(v) && v >= low && v <= high && !(open_low && v == low))
          return "";
        return "value " + value + " is not a finite number in " + text;
      },
      "NUMBER in " + range.str());
}

void print_result(const TrainResult& r) {
  std::printf("test accuracy %.2f%%  loss %.4f  ECE %.4f  (%lld epoch%s%s)\n",
              100.0 * r.test.accuracy, r.test.loss, r.test.ece,
              static_cast<long long>(r.epochs_run), r.epochs_run == 1 ? "" : "s",
              r.stopped_early ? ", stopped early" : "");
  const std::string plots =
      r.plot_error.empty() ? ", curves.png" : "; no curves.png: " + r.plot_error;
  std::printf("results in %s/ (summary.json, metrics.csv, best.ckpt, last.ckpt%s)\n",
              r.run_dir.string().c_str(), plots.c_str());
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"dither: train small models from JSON configs, with noise as a first-class tool"};
  app.set_version_flag("--version", std::string("dither ") + DITHER_VERSION);
  app.require_subcommand(1);
  int threads = 0;
  // Accepted before or after the subcommand: `dither --threads 1 train ...` or `train ... --threads
  // 1`.
  const auto add_threads = [&threads](CLI::App* command) {
    command
        ->add_option("--threads", threads, "threads for every parallel loop (default: all cores)")
        ->check(CLI::Range(1, 1024));
  };
  add_threads(&app);

  TrainRequest train;
  std::string resume;
  std::string out;
  auto* train_cmd = app.add_subcommand("train", "train a model from a JSON config");
  train_cmd->add_option("config", train.config_path,
                        "config file (default: the Fashion-MNIST MLP example)");
  train_cmd->add_option("--set", train.overrides,
                        "override a config value: key.path=value (repeatable); with --resume "
                        "only train.epochs=N, to extend a run");
  auto* out_opt =
      train_cmd->add_option("--out", out, "run folder (default: runs/<config name>-<time>)");
  train_cmd
      ->add_option("--resume", resume,
                   "continue the run in this folder from its last.ckpt, with its own config")
      ->excludes(out_opt);
  train_cmd->add_flag("--quiet", train.quiet, "print only the result");
  // Hidden: an interruption on demand, so resuming can be checked from the command line.
  train_cmd->add_option("--stop-after", train.stop_after_epochs, "stop after this many epochs")
      ->check(CLI::Range(1, 1024))
      ->group("");
  add_threads(train_cmd);

  std::string eval_target;
  std::string eval_out;
  auto* eval_cmd =
      app.add_subcommand("eval", "evaluate a run folder or a checkpoint on the test set");
  eval_cmd->add_option("target", eval_target, "run folder or .ckpt file")->required();
  std::string eval_robustness;
  auto* robustness_opt =
      eval_cmd->add_option("--robustness", eval_robustness,
                           "a robustness suite (examples/robustness/*.json): attacks, corruptions");
  std::string eval_baseline;
  eval_cmd->add_option("--baseline", eval_baseline,
                       "with --robustness: the run mCE is relative to (corruptions)");
  eval_cmd->add_option("--out", eval_out,
                       "folder for eval.json (default: the checkpoint's folder)");
  EvalRequest eval;
  eval_cmd
      ->add_option("--mc-samples", eval.mc_samples,
                   "Monte Carlo passes with the noise layers on, beside the deterministic one")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}))
      ->excludes(robustness_opt);
  std::string eval_ood;
  eval_cmd
      ->add_option("--ood", eval_ood,
                   "an out-of-distribution set: a data spec or {\"name\": \"noise\"} "
                   "(examples/ood/*.json)")
      ->excludes(robustness_opt);
  eval_cmd
      ->add_option("--ensemble", eval.ensemble,
                   "more runs of the same data, their probabilities averaged with the target's")
      ->excludes(robustness_opt);
  add_threads(eval_cmd);

  std::string certify_target;
  std::string certify_out;
  CertifyOptions certify;
  auto* certify_cmd = app.add_subcommand(
      "certify", "certified l2 robustness by randomized smoothing (Cohen et al. 2019)");
  certify_cmd->add_option("target", certify_target, "run folder or .ckpt file")->required();
  certify_cmd->add_option("--sigma", certify.sigma, "noise std in input units")
      ->required()
      ->check(finite_number(0.0, HUGE_VAL, true));
  certify_cmd->add_option("--n0", certify.n0, "copies that pick the class (default 100)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  certify_cmd->add_option("--n", certify.n, "copies that bound its probability (default 10000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  certify_cmd->add_option("--alpha", certify.alpha, "failure probability (default 0.001)")
      ->check(finite_number(1e-12, 0.5, false));
  certify_cmd->add_option("--batch", certify.batch, "copies per forward pass (default 1000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
  certify_cmd
      ->add_option("--limit", certify.limit,
                   "first test samples certified, 0 for all (default 500)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  certify_cmd->add_option("--out", certify_out, "folder for the results (default: the run's)");
  add_threads(certify_cmd);

  std::string info_config;
  std::vector<std::string> info_overrides;
  auto* info_cmd = app.add_subcommand(
      "info", "describe a config: data, layers, shapes, parameters, multiply-adds");
  bool info_system = false;
  info_cmd->add_option("config", info_config, "config file, run folder or checkpoint");
  info_cmd->add_flag("--system", info_system,
                     "the BLAS kernel, thread count and CPU features speed depends on");
  info_cmd->add_option("--set", info_overrides,
                       "override a config value: key.path=value (repeatable)");

  ShowRequest show;
  std::string show_out;
  std::vector<std::string> boundary_runs;
  auto* show_cmd = app.add_subcommand(
      "show",
      "draw one training batch before and after every configured noise hook, or with --boundary "
      "the decision boundaries of trained 2-D runs (PNG)");
  show_cmd->add_option("config", show.config_path, "config file");
  show_cmd->add_option("--boundary", boundary_runs,
                       "run folders or checkpoints of 2-D data: their decision boundaries over the "
                       "test points, side by side");
  show_cmd->add_option("--out", show_out, "PNG file (default: <config name>-show.png)");
  show_cmd->add_option("--set", show.overrides,
                       "override a config value: key.path=value (repeatable)");
  show_cmd->add_option("--samples", show.samples, "samples per stage (default 8)")
      ->check(CLI::Range(1, 64));
  show_cmd->add_option("--step", show.step, "training step whose batch is shown (default 0)")
      ->check(CLI::Range(0, 1 << 30));

  StudyCommands study;
  study.add_to(app, add_threads);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    if (threads > 0) set_num_threads(threads);
    if (study.chosen()) return study.run();
    if (*train_cmd) {
      if (train.config_path.empty() && resume.empty()) train.config_path = default_config();
      if (!out.empty()) train.out_dir = out;
      if (!resume.empty()) train.resume_dir = resume;
      print_result(run_training(train));
    } else if (*eval_cmd && !eval_robustness.empty()) {
      std::string plot_error;
      const RobustnessReport report = run_robustness(
          eval_target, eval_robustness,
          eval_out.empty() ? std::nullopt : std::optional<fs::path>(eval_out), plot_error,
          eval_baseline.empty() ? std::nullopt : std::optional<fs::path>(eval_baseline));
      std::fputs(report.to_table().c_str(), stdout);
      if (!plot_error.empty()) std::fprintf(stderr, "dither: no plot: %s\n", plot_error.c_str());
    } else if (*eval_cmd) {
      eval.target = eval_target;
      if (!eval_out.empty()) eval.out_dir = eval_out;
      if (!eval_ood.empty()) eval.ood = eval_ood;
      const EvalReport report = run_evaluation(eval);
      std::fputs(report.to_text().c_str(), stdout);
      if (!report.plot_error.empty())
        std::fprintf(stderr, "dither: no plot: %s\n", report.plot_error.c_str());
    } else if (*show_cmd && !boundary_runs.empty()) {
      for (const char* other : {"config", "--set", "--samples", "--step"}) {
        if (show_cmd->count(other) > 0) {
          throw ConfigError(std::string("show --boundary draws trained runs: ") +
                            (other == std::string("config") ? "a config file" : other) +
                            " does not apply");
        }
      }
      const std::vector<fs::path> runs(boundary_runs.begin(), boundary_runs.end());
      std::printf("wrote %s\n", run_show_boundary(runs, show_out).string().c_str());
    } else if (*show_cmd) {
      if (show.config_path.empty())
        throw ConfigError("show: give a config file, or --boundary RUN");
      show.out = show_out;
      std::printf("wrote %s\n", run_show(show).string().c_str());
    } else if (*certify_cmd) {
      std::string plot_error;
      const nlohmann::json s = run_certify(
          certify_target, certify,
          certify_out.empty() ? std::nullopt : std::optional<fs::path>(certify_out), plot_error);
      std::printf("certified accuracy by l2 radius (sigma %g, n %lld):", certify.sigma,
                  static_cast<long long>(certify.n));
      for (const auto& [radius, accuracy] : s.at("certified_accuracy").items()) {
        std::printf("  %s: %.1f%%", radius.c_str(), 100.0 * accuracy.get<double>());
      }
      std::printf("\naverage certified radius %.3f, abstained %.1f%% (%lld samples)\n",
                  s.at("acr").get<double>(), 100.0 * s.at("abstained").get<double>(),
                  static_cast<long long>(s.at("count").get<std::int64_t>()));
      if (!plot_error.empty()) std::fprintf(stderr, "dither: no plot: %s\n", plot_error.c_str());
    } else if (*info_cmd) {
      if (info_system) std::printf("%s\n", blas_report().c_str());
      if (!info_config.empty()) {
        std::fputs(describe_config(info_config, info_overrides).c_str(), stdout);
      } else if (!info_system) {
        throw ConfigError("info: give a config file, or --system");
      }
    }
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "dither: error: %s\n", e.what());
    return 2;
  } catch (const ShapeError& e) {
    std::fprintf(stderr, "dither: error: %s\n", e.what());
    return 2;
  } catch (const DivergenceError& e) {
    std::fprintf(stderr, "dither: %s\n", e.what());
    return 1;
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "dither: %s\n", e.what());
    return 128 + e.signal();
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the system refuses (too long, no permission): the input's or the machine's
    // error, named with its path, not an internal one.
    std::fprintf(stderr, "dither: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dither: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace dither

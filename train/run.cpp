#include "train/run.h"

#include <signal.h>

#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "core/blas_kernel.h"
#include "core/error.h"
#include "layers/summary.h"
#include "train/atomic_file.h"
#include "train/certify.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/interrupt.h"
#include "train/load_trained.h"
#include "train/overrides.h"
#include "train/plot.h"
#include "train/resources.h"
#include "train/run_folder.h"
#include "train/run_state.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

// Whether `value` improves on `best` for the monitored metric.
bool improves(const TrainSettings& s, double value, double best) {
  if (std::isnan(value)) return false;
  if (std::isnan(best)) return true;
  return s.monitor == "val_accuracy" ? value > best + s.min_delta : value < best - s.min_delta;
}

nlohmann::json summary_json(const Experiment& e, const Evaluation& test, const Evaluation& last,
                            const RunState& state, double seconds, std::int64_t samples,
                            bool stopped_early, const std::string& source) {
  return {
      {"test",
       {{"accuracy", test.accuracy},
        {"loss", test.loss},
        {"ece", test.ece},
        {"count", test.count},
        {"checkpoint", source},
        {"per_class_accuracy", test.per_class_accuracy}}},
      {"test_last", {{"accuracy", last.accuracy}, {"loss", last.loss}, {"ece", last.ece}}},
      {"train",
       {{"epochs", state.epochs_done},
        {"steps", state.step},
        {"seconds", seconds},
        {"samples_per_second", seconds > 0 ? static_cast<double>(samples) / seconds : 0.0},
        {"stopped_early", stopped_early}}},
      {"best",
       {{"epoch", state.best_epoch},
        {"monitor", e.settings.monitor},
        {"value", std::isnan(state.best) ? nlohmann::json(nullptr) : nlohmann::json(state.best)}}},
      {"data",
       {{"train", e.data.train.size()},
        {"validation", e.data.validation.size()},
        {"test", e.data.test.size()}}}};
}

// Where a run starts: its folder (created and locked), its config, and the checkpoint it
// continues from, if any.
struct OpenedRun {
  fs::path dir;
  nlohmann::json config;
  std::optional<Checkpoint> checkpoint;
  std::unique_ptr<FolderLock> lock;
  bool extends = false;  ///< --resume with --set train.epochs=N
};

// --resume accepts --set train.epochs=N only: anything else would make the continued run
// differ from the one it continues.
void check_resume_overrides(const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    if (o.rfind("train.epochs=", 0) != 0) {
      throw ConfigError("--resume --set " + o +
                        ": a resumed run keeps its config; only train.epochs=N may change, "
                        "to extend it");
    }
  }
}

OpenedRun open_run(const TrainRequest& request) {
  OpenedRun run;
  if (!request.resume_dir) {
    run.config = read_config(request.config_path, request.overrides);
    run.dir = request.out_dir ? *request.out_dir : default_run_dir(request.config_path);
    if (holds_run(run.dir)) {
      throw ConfigError(run.dir.string() +
                        ": holds another run; choose another --out, or continue that one with "
                        "dither train --resume " +
                        run.dir.string());
    }
    return run;  // the folder is created and locked once the config has been built
  }
  if (!request.config_path.empty()) {
    throw ConfigError("dither train " + request.config_path + " --resume " +
                      request.resume_dir->string() +
                      ": --resume continues a run with the config it was started with; drop " +
                      request.config_path + " (or train it into a new --out folder)");
  }
  check_resume_overrides(request.overrides);
  run.dir = *request.resume_dir;
  if (!fs::is_directory(run.dir)) throw ConfigError(run.dir.string() + ": no such run folder");
  run.lock = std::make_unique<FolderLock>(run.dir);
  remove_stale_temporaries(run.dir);
  const fs::path last = run.dir / "last.ckpt";
  if (fs::exists(last)) {
    run.checkpoint = load_checkpoint(last);
    if (!run.checkpoint->meta.contains("config"))
      throw ConfigError(last.string() + ": the checkpoint holds no config");
    run.config = run.checkpoint->meta.at("config");
  } else if (fs::exists(run.dir / "config.json")) {
    // Stopped before its first checkpoint: start afresh from the config it was started with.
    run.config = read_config((run.dir / "config.json").string());
  } else {
    throw ConfigError(run.dir.string() + ": holds no run to resume (no last.ckpt, no config.json)");
  }
  for (const auto& o : request.overrides) apply_override(run.config, o);
  run.extends = !request.overrides.empty();
  return run;
}

// evaluate(), with a divergence named by the set it happened on.
Evaluation checked_evaluate(Module& model, const Dataset& data, const EvalOptions& options,
                            const std::string& what) {
  Evaluation result;
  try {
    result = evaluate(model, data, options);
  } catch (const DivergenceError& e) {
    throw DivergenceError(what + ": " + e.what());
  }
  for (const auto& [name, value] :
       {std::pair{"loss", result.loss}, {"accuracy", result.accuracy}, {"ECE", result.ece}}) {
    if (!std::isfinite(value)) throw DivergenceError(str(what, ": the ", name, " is ", value));
  }
  return result;
}

[[noreturn]] void stop_interrupted(const fs::path& dir, const RunState& state, bool mid_epoch) {
  const int signal = interrupt_signal();
  const std::string name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal";
  std::string message = "stopped by " + name;
  if (mid_epoch) message += " in epoch " + std::to_string(state.epochs_done + 1) + " (dropped)";
  message += state.epochs_done > 0
                 ? "; last.ckpt holds epoch " + std::to_string(state.epochs_done)
                 : "; no epoch finished, the run will start afresh from its config.json";
  message += "; continue with: dither train --resume " + dir.string();
  throw Interrupted(signal, message);
}

}  // namespace

TrainResult run_training(const TrainRequest& request) {
  const InterruptGuard interrupts;  // a signal from here on stops at the first step boundary
  OpenedRun run = open_run(request);
  const fs::path& run_dir = run.dir;
  Experiment e = build_experiment(run.config);
  RunState state;
  if (run.checkpoint) state = restore_checkpoint(*run.checkpoint, e, run_dir / "last.ckpt");
  if (run.extends) {
    if (e.settings.epochs < state.epochs_done) {
      throw ConfigError(str("--set train.epochs=", e.settings.epochs, ": ", run_dir.string(),
                            " has done ", state.epochs_done, " epochs already"));
    }
    if (state.stopped_early) {
      throw ConfigError(str(run_dir.string(), " stopped early after epoch ", state.epochs_done,
                            "; more epochs would not train it further"));
    }
  }
  check_memory(e);
  if (!run.lock) {
    make_dir(run_dir);
    run.lock = std::make_unique<FolderLock>(run_dir);
    if (holds_run(run_dir))  // another process got there between open_run and the lock
      throw ConfigError(run_dir.string() + ": holds another run; choose another --out");
    remove_stale_temporaries(run_dir);
  }
  write_file_atomic(run_dir / "config.json", e.resolved.dump(2) + "\n");
  // Every other file of the folder is derived from last.ckpt: a run killed between the
  // checkpoint and metrics.csv gets its rows back here.
  write_metrics_csv(run_dir / "metrics.csv", state.history);

  const TrainSettings& s = e.settings;
  Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input, s,
                  e.seed);
  trainer.set_step(state.step);
  BatchLoader loader(e.data.train, LoaderOptions{.batch_size = s.batch_size}, e.seed);
  Progress progress(Progress::detect(request.quiet), s.epochs, loader.num_batches());
  progress.note(blas_report());
  const bool validate = e.data.validation.size() > 0;
  if (state.epochs_done > 0) {
    progress.note("resuming " + run_dir.string() + " after epoch " +
                  std::to_string(state.epochs_done));
  }

  double train_seconds = 0.0;
  for (const auto& row : state.history) train_seconds += row.seconds;
  for (std::int64_t epoch = state.epochs_done; epoch < s.epochs && !state.stopped_early; ++epoch) {
    const double lr = e.optimizer->lr();
    const EpochStats stats = trainer.train_epoch(loader, epoch, progress);
    if (interrupt_signal() != 0) stop_interrupted(run_dir, state, /*mid_epoch=*/true);
    trainer.check_parameters(epoch);
    if (!std::isfinite(stats.loss)) {
      throw DivergenceError(str("training diverged in epoch ", epoch + 1,
                                ": the mean training loss is ", stats.loss));
    }
    train_seconds += stats.seconds;
    state.samples += stats.samples;
    EpochRow row{.epoch = epoch + 1,
                 .lr = lr,
                 .train_loss = stats.loss,
                 .train_accuracy = stats.accuracy,
                 .val_loss = std::numeric_limits<double>::quiet_NaN(),
                 .val_accuracy = std::numeric_limits<double>::quiet_NaN(),
                 .seconds = stats.seconds,
                 .reports = module_reports(*e.model)};
    if (validate) {
      const Evaluation val = checked_evaluate(
          *e.model, e.data.validation, eval_options(e),
          "training diverged in epoch " + std::to_string(epoch + 1) + " (validation set)");
      row.val_loss = val.loss;
      row.val_accuracy = val.accuracy;
    }
    const double monitored = s.monitor == "val_accuracy" ? row.val_accuracy : row.val_loss;
    if (e.schedule->monitors_metric()) {
      e.schedule->step(std::isnan(monitored) ? row.train_loss : monitored);
    } else {
      e.schedule->step();
    }
    state.history.push_back(row);
    state.epochs_done = epoch + 1;
    state.step = trainer.step();
    state.hook_states = trainer.hook_states();
    const bool better = improves(s, monitored, state.best) || !validate;
    if (better) {
      state.best = monitored;
      state.best_epoch = epoch + 1;
      state.bad_epochs = 0;
    } else {
      ++state.bad_epochs;
    }
    state.stopped_early = s.patience > 0 && state.bad_epochs >= s.patience && epoch + 1 < s.epochs;
    const Checkpoint checkpoint = make_checkpoint(e, state);
    // last.ckpt is the commit point: best.ckpt must be on disk before last.ckpt says it is.
    if (better) save_checkpoint(run_dir / "best.ckpt", checkpoint);
    save_checkpoint(run_dir / "last.ckpt", checkpoint);
    write_metrics_csv(run_dir / "metrics.csv", state.history);
    std::string line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(s.epochs) +
                       "  train loss " + fixed(row.train_loss, 4) + "  acc " +
                       fixed(100 * row.train_accuracy, 2) + "%";
    if (validate)
      line += "  val loss " + fixed(row.val_loss, 4) + "  acc " + fixed(100 * row.val_accuracy, 2) +
              "%";
    line += "  (" + fixed(row.seconds, 1) + " s, " +
            std::to_string(static_cast<long>(static_cast<double>(stats.samples) /
                                             std::max(stats.seconds, 1e-9))) +
            " samples/s)";
    progress.epoch_done(line);
    if (state.stopped_early) {
      progress.note("early stopping: no progress in " + s.monitor + " for " +
                    std::to_string(s.patience) + " epochs");
    }
    if (request.stop_after_epochs > 0 && state.epochs_done >= request.stop_after_epochs &&
        state.epochs_done < s.epochs) {
      progress.note("stopping after epoch " + std::to_string(state.epochs_done) +
                    " as asked; --resume " + run_dir.string() + " continues");
      break;
    }
    if (interrupt_signal() != 0) stop_interrupted(run_dir, state, /*mid_epoch=*/false);
  }

  // The last weights' test metrics too: with a small validation set the best checkpoint is a
  // noisy pick, and comparisons of techniques want both.
  const Evaluation last = checked_evaluate(*e.model, e.data.test, eval_options(e),
                                           "the last weights diverged (test set)");
  // Test the best checkpoint (by validation), as a person would deploy it.
  std::string source = "last";
  if (validate && fs::exists(run_dir / "best.ckpt")) {
    e.model->load_state_dict(model_tensors(load_checkpoint(run_dir / "best.ckpt")));
    source = "best";
  }
  TrainResult result;
  result.run_dir = run_dir;
  result.test = checked_evaluate(*e.model, e.data.test, eval_options(e),
                                 "the " + source + " checkpoint diverged (test set)");
  result.epochs_run = state.epochs_done;
  result.stopped_early = state.stopped_early;
  write_file_atomic(run_dir / "summary.json",
                    summary_json(e, result.test, last, state, train_seconds, state.samples,
                                 state.stopped_early, source)
                            .dump(2) +
                        "\n");
  result.plot_error = plot_training_curves(run_dir / "metrics.csv", run_dir / "curves.png",
                                           run_dir.filename().string(), state.epochs_done);
  if (!result.plot_error.empty()) progress.note("warning: no curves.png: " + result.plot_error);
  if (!state.history.empty() && !state.history.front().reports.empty()) {
    const std::string error =
        plot_reports(run_dir / "metrics.csv", state.history.front().reports.size(),
                     run_dir / "strengths.png", run_dir.filename().string());
    if (!error.empty()) progress.note("no strengths.png: " + error);
  }
  return result;
}

nlohmann::json config_of(const fs::path& target) {
  if (fs::is_directory(target)) {
    if (fs::exists(target / "config.json")) return read_config((target / "config.json").string());
    if (fs::exists(target / "last.ckpt")) return config_of(target / "last.ckpt");
    throw ConfigError(target.string() + ": a folder with neither config.json nor last.ckpt");
  }
  if (read_file(target).rfind("DITHERCK", 0) == 0) {
    const Checkpoint checkpoint = load_checkpoint(target);
    if (!checkpoint.meta.contains("config"))
      throw ConfigError(target.string() + ": the checkpoint holds no config");
    return checkpoint.meta.at("config");
  }
  return read_config(target.string());
}

std::string describe_config(const std::string& target, const std::vector<std::string>& overrides) {
  nlohmann::json config = config_of(target);
  for (const auto& o : overrides) apply_override(config, o);
  const Experiment e = build_experiment(config);
  std::ostringstream out;
  if (!e.description.empty()) out << e.description << "\n\n";
  out << "data: " << e.data.train.name << " (" << to_string(e.input.kind) << ", sample "
      << to_string(e.input.sample_shape) << ", " << e.input.num_classes
      << " classes): " << e.data.train.size() << " train, " << e.data.validation.size()
      << " validation, " << e.data.test.size() << " test\n\n";
  out << model_summary(*e.model, e.input.sample_shape) << "\n";
  out << "loss:      " << e.loss->to_json().dump() << "\n";
  out << "optimizer: " << e.optimizer->to_json().dump() << "\n";
  out << "schedule:  " << e.schedule->to_json().dump() << "\n";
  out << "noise:     " << e.resolved.at("noise").dump() << "\n";
  out << "train:     " << e.settings.to_json().dump() << "\n";
  return out.str();
}

}  // namespace dither

#include "train/load_trained.h"

#include "core/error.h"
#include "train/checkpoint.h"
#include "train/run_state.h"

namespace dither {

namespace fs = std::filesystem;

Experiment load_trained(const fs::path& target, fs::path& file) {
  file = target;
  if (fs::is_directory(target))
    file = fs::exists(target / "best.ckpt") ? target / "best.ckpt" : target / "last.ckpt";
  Checkpoint checkpoint = load_checkpoint(file);
  if (!checkpoint.meta.contains("config"))
    throw ConfigError(file.string() + ": the checkpoint holds no config");
  Experiment e = build_experiment(checkpoint.meta.at("config"));
  restore_checkpoint(checkpoint, e, file);
  return e;
}

}  // namespace dither

#include "train/experiment.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>

#include "augment/registry.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/random.h"
#include "layers/registry.h"
#include "optim/factory.h"
#include "train/atomic_file.h"
#include "train/overrides.h"

namespace dither {

nlohmann::json read_config(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; turn it into a line and column a person can find.
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const auto cut = what.find("parse error");
    throw ConfigError(str(path, ":", line, ":", column, ": invalid JSON (",
                          cut == std::string::npos ? what : what.substr(cut), ")"));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond double's range (1e999): nlohmann gives no position for it.
    throw ConfigError(path + ": invalid JSON (" + e.what() + ")");
  }
}

nlohmann::json read_config(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json config = read_config(path);
  for (const auto& o : overrides) apply_override(config, o);
  return config;
}

InputInfo input_info(const DatasetInfo& info) {
  InputInfo input;
  input.kind = info.kind;
  input.sample_shape = info.sample_shape;
  input.low = info.value_range.low;
  input.high = info.value_range.high;
  input.num_classes = info.num_classes;
  input.vocab_size = info.vocab_size();
  input.pad_id = info.pad_id;
  input.mask_id = info.mask_id;
  input.special_ids.assign(info.special_ids.begin(), info.special_ids.end());
  return input;
}

namespace {

// Options held as float come back from to_json() as their exact double (0.1f is
// 0.10000000149011612): write each such number as the shortest decimal that reads back as the
// same float, so config.json says 0.1 where the user wrote 0.1 and builds the same experiment.
void tidy_floats(nlohmann::json& j) {
  if (j.is_structured()) {
    for (auto& child : j) tidy_floats(child);
    return;
  }
  if (!j.is_number_float()) return;
  const double value = j.get<double>();
  const auto single = static_cast<float>(value);
  if (!std::isfinite(value) || static_cast<double>(single) != value) return;
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, single);
  double shortest = value;
  if (ec == std::errc() && std::from_chars(text, end, shortest).ec == std::errc()) j = shortest;
}

// A set left empty by the splits, limits or classes would train on nothing, or report test
// metrics of nothing as if they were 0% accuracy.
void check_splits_have_samples(const DataSplits& d) {
  const std::string sizes = " (training " + std::to_string(d.train.size()) + ", validation " +
                            std::to_string(d.validation.size()) + ", test " +
                            std::to_string(d.test.size()) + " samples)";
  if (d.train.size() == 0) {
    throw ConfigError("data: no training samples are left after the splits, limits and classes" +
                      sizes + "; lower data.validation_split or test_split, or raise the limits");
  }
  if (d.test.size() == 0) {
    throw ConfigError("data: the test set is empty" + sizes +
                      "; give data.test_split (or the dataset's test size) a value above 0");
  }
}

}  // namespace

std::shared_ptr<AudioSource> audio_source(const Dataset& train) {
  if (!train.audio) return nullptr;
  // The clips, labels and clip ids alone: the reader outlives this function's arguments.
  Dataset clips;
  static_cast<DatasetInfo&>(clips) = train;
  clips.labels = train.labels;
  clips.clip_ids = train.clip_ids;
  return std::make_shared<AudioSource>(
      LogMel(train.audio->front_end), train.size(), train.audio->max_length,
      train.sample_shape.back(), [clips = std::move(clips)](std::span<const std::int64_t> indices) {
        return make_audio_batch(clips, indices);
      });
}

EvalOptions eval_options(const Experiment& e) {
  EvalOptions options;
  options.batch_size = e.settings.batch_size;
  options.seed = e.seed;
  return options;
}

Experiment build_experiment(const nlohmann::json& config) {
  JsonReader root(config, "");
  root.allow_only(
      {"description", "seed", "data", "model", "loss", "optimizer", "schedule", "noise", "train"});
  Experiment e;
  e.description = root.string("description", "");
  e.seed = static_cast<std::uint64_t>(root.integer("seed", 42, 0));
  e.settings =
      TrainSettings::from_json(root.has("train") ? root.at("train") : nlohmann::json::object());
  const nlohmann::json loss_spec =
      root.has("loss") ? root.at("loss") : nlohmann::json{{"type", "cross_entropy"}};
  e.loss = std::make_unique<Loss>(make_loss(loss_spec, "loss"));
  const nlohmann::json noise = root.has("noise") ? root.at("noise") : nlohmann::json::array();
  e.hooks = make_hooks(noise, "noise");  // keys checked before the data loads
  JsonReader(root.at("model"),
             "model");  // the model block must be an object, before the data loads

  e.data = load_data(root.at("data"), e.seed, "data");
  check_splits_have_samples(e.data);
  e.input = input_info(e.data.train);
  if (e.settings.patience > 0 && e.data.validation.size() == 0) {
    throw ConfigError(
        "train.early_stopping: needs a validation set to watch; set data.validation_split > 0");
  }
  e.model = build_model(root.at("model"), e.input.sample_shape, "model", e.seed);
  if (e.loss->takes_class_targets()) {
    const std::string& loss_type = e.loss->options().type;
    const Shape out = infer_output_shape(*e.model, e.input.sample_shape);
    if (out != Shape{e.input.num_classes}) {
      throw ConfigError(str("model.layers[", e.model->size() - 1,
                            "]: the model gives outputs of shape ", out, " per sample, but ",
                            loss_type, " needs one per class: [", e.input.num_classes,
                            "] for this data"));
    }
  }
  // The loss as the config wrote it: a hook that configures the loss (label_smoothing) is
  // resolved as the hook, so config.json builds the same experiment again.
  const nlohmann::json resolved_loss = e.loss->to_json();
  const Dataset& train = e.data.train;
  HookSetup setup{e.input, *e.model, *e.loss, "noise", [&train](std::int64_t limit) {
                    std::vector<std::int64_t> all(static_cast<std::size_t>(
                        limit > 0 ? std::min(limit, train.size()) : train.size()));
                    std::iota(all.begin(), all.end(), std::int64_t{0});
                    return make_batch(train, all).inputs;
                  }};
  setup.audio = e.audio = audio_source(train);
  setup_hooks(e.hooks, setup, "noise");  // before the optimiser: a hook may add parameters

  const nlohmann::json optimizer_spec =
      root.has("optimizer") ? root.at("optimizer")
                            : nlohmann::json{{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}};
  e.optimizer = make_optimizer(optimizer_spec, e.model->parameters(), "optimizer");
  const nlohmann::json schedule_spec =
      root.has("schedule") ? root.at("schedule") : nlohmann::json{{"type", "constant"}};
  // Every replay of a batch is an optimiser step, and per-batch schedules count steps.
  const auto batches = (e.data.train.size() + e.settings.batch_size - 1) / e.settings.batch_size;
  e.schedule = make_schedule(schedule_spec, *e.optimizer, e.settings.epochs,
                             batches * batch_replays(e.hooks), "schedule");

  nlohmann::json layers = nlohmann::json::array();
  for (const auto& [name, child] : e.model->children()) layers.push_back(child->to_json());
  nlohmann::json hooks = nlohmann::json::array();
  for (const auto& hook : e.hooks) hooks.push_back(hook->to_json());
  e.resolved = {{"description", e.description},
                {"seed", e.seed},
                {"data", e.data.resolved},
                {"model", {{"layers", layers}}},
                {"loss", resolved_loss},
                {"optimizer", e.optimizer->to_json()},
                {"schedule", e.schedule->to_json()},
                {"noise", hooks},
                {"train", e.settings.to_json()}};
  tidy_floats(e.resolved);
  return e;
}

}  // namespace dither

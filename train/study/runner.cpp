#include "train/study/runner.h"

#include <cstdio>

#include "core/error.h"
#include "train/interrupt.h"
#include "train/study/folder.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
  return text;
}

void print_outcome(std::size_t position, std::size_t total, const StudyPoint& point,
                   const PointOutcome& outcome) {
  std::string line = str("[", position + 1, "/", total, "] ", point.name, ": ");
  if (outcome.status == PointOutcome::Status::failed) {
    line += "FAILED: " + outcome.error;
  } else {
    line += outcome.trained ? "trained" : "finished before, skipped";
    line += "  val acc " + percent(outcome.metric("val_accuracy")) + "  test acc " +
            percent(outcome.metric("test_accuracy"));
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// The outcome of every point of `plan` found in `dirs`, and the names of those found nowhere.
std::vector<PointOutcome> gather(const StudyPlan& plan, const std::vector<fs::path>& dirs,
                                 std::vector<std::string>& missing) {
  std::vector<PointOutcome> outcomes;
  for (const StudyPoint& point : plan.points) {
    PointOutcome found;
    for (const fs::path& dir : dirs) {
      PointOutcome o = read_point(point_dir(dir, point), point, plan.suites);
      // A finished copy wins over a failed one (a shard retried it elsewhere).
      if (o.status == PointOutcome::Status::finished ||
          (o.status == PointOutcome::Status::failed &&
           found.status == PointOutcome::Status::missing)) {
        found = std::move(o);
      }
    }
    if (found.status == PointOutcome::Status::missing) missing.push_back(point.name);
    outcomes.push_back(std::move(found));
  }
  return outcomes;
}

int report_and_status(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                      const fs::path& out, const StudyReporter& report) {
  std::fputs(report(plan, outcomes, out).c_str(), stdout);
  const int status = study_status(outcomes);
  if (status != 0) {
    std::size_t failed = 0;
    for (const PointOutcome& o : outcomes) failed += o.status == PointOutcome::Status::failed;
    std::fprintf(stderr, "dither: %zu of %zu points failed; their errors are in %s\n", failed,
                 outcomes.size(), out.string().c_str());
  }
  return status;
}

}  // namespace

int study_status(const std::vector<PointOutcome>& outcomes) {
  int status = 0;
  for (const PointOutcome& o : outcomes) {
    if (o.status != PointOutcome::Status::failed) continue;
    if (!o.bad_input) return 1;
    status = 2;
  }
  return status;
}

int run_study(const StudyPlan& plan, const fs::path& dir, const Shard& shard,
              const StudyReporter& report) {
  const auto lock = open_study_folder(dir, plan.spec);
  const std::int64_t seeds = plan.spec.at("seeds").get<std::int64_t>();
  std::printf("%s: %zu points (%zu %s x %lld seed%s) into %s\n", plan.kind.c_str(),
              plan.points.size(), groups_of(plan).size(),
              plan.kind == "compare" ? "variants" : "settings", static_cast<long long>(seeds),
              seeds == 1 ? "" : "s", dir.string().c_str());
  std::vector<PointOutcome> trained;
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    if (!shard.holds(p)) continue;
    try {
      trained.push_back(run_point(dir, plan.points[p], plan.suites));
    } catch (const Interrupted& e) {
      throw Interrupted(e.signal(), std::string(e.what()) + "; or continue the whole " + plan.kind +
                                        ": run the same command again");
    }
    print_outcome(p, plan.points.size(), plan.points[p], trained.back());
  }
  std::vector<std::string> missing;
  const std::vector<PointOutcome> all = gather(plan, {dir}, missing);
  if (!missing.empty()) {
    std::printf(
        "shard %s: %zu point%s in %s; when every shard is done, merge them with: dither "
        "%s --collect DIR...\n",
        shard.to_string().c_str(), trained.size(), trained.size() == 1 ? "" : "s",
        dir.string().c_str(), plan.kind.c_str());
    return study_status(trained);
  }
  return report_and_status(plan, all, dir, report);
}

int collect_study(const std::vector<fs::path>& dirs, const std::optional<fs::path>& out,
                  const std::string& kind,
                  const std::function<StudyPlan(const nlohmann::ordered_json&)>& plan_of,
                  const StudyReporter& report) {
  if (dirs.empty()) throw ConfigError("--collect: give the folders to merge");
  const nlohmann::ordered_json spec = read_spec(dirs.front());
  if (spec.value("kind", std::string()) != kind) {
    throw ConfigError(dirs.front().string() + ": holds a " + spec.value("kind", std::string("?")) +
                      ", not a " + kind);
  }
  for (std::size_t d = 1; d < dirs.size(); ++d) {
    const std::string difference = spec_difference(spec, read_spec(dirs[d]));
    if (!difference.empty()) {
      throw ConfigError(dirs[d].string() + ": holds a different " + kind + " than " +
                        dirs.front().string() + " (" + difference + ")");
    }
  }
  const StudyPlan plan = plan_of(spec);
  std::vector<std::string> missing;
  const std::vector<PointOutcome> outcomes = gather(plan, dirs, missing);
  if (!missing.empty()) {
    std::string names;
    for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
      names += (i > 0 ? ", " : "") + missing[i];
    if (missing.size() > 10) names += ", ...";
    throw ConfigError(
        str("--collect: ", missing.size(), " of ", plan.points.size(),
            " points are in none of the folders (a shard is missing or unfinished): ", names));
  }
  const fs::path target = out ? *out : dirs.front();
  const auto lock = open_study_folder(target, spec);
  return report_and_status(plan, outcomes, target, report);
}

}  // namespace dither

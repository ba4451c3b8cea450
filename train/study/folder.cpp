#include "train/study/folder.h"

#include "core/error.h"
#include "train/atomic_file.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

bool empty_folder(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

// The value at a JSON pointer, as text, or "nothing" where there is none.
std::string value_at(const nlohmann::json& j, const std::string& pointer) {
  const nlohmann::json::json_pointer at(pointer);
  return j.contains(at) ? j.at(at).dump() : std::string("nothing");
}

}  // namespace

std::string spec_difference(const nlohmann::ordered_json& recorded,
                            const nlohmann::ordered_json& now) {
  const nlohmann::json a = nlohmann::json::parse(recorded.dump());
  const nlohmann::json b = nlohmann::json::parse(now.dump());
  if (a == b) return "";
  const nlohmann::json patch = nlohmann::json::diff(a, b);
  std::string pointer = patch.at(0).at("path").get<std::string>();
  // A long array diff names its first changed element; the whole list reads better.
  const auto slash = pointer.rfind('/');
  if (slash != std::string::npos && slash > 0 && !pointer.empty() &&
      std::isdigit(static_cast<unsigned char>(pointer[slash + 1]))) {
    pointer = pointer.substr(0, slash);
  }
  std::string before = value_at(a, pointer);
  std::string after = value_at(b, pointer);
  constexpr std::size_t kLongest = 200;
  if (before.size() > kLongest) before = before.substr(0, kLongest) + "...";
  if (after.size() > kLongest) after = after.substr(0, kLongest) + "...";
  return pointer + ": " + before + " before, " + after + " now";
}

nlohmann::ordered_json read_spec(const fs::path& dir) {
  const fs::path file = dir / "spec.json";
  if (!fs::exists(file)) {
    throw ConfigError(dir.string() + ": not a sweep or comparison folder (no spec.json)");
  }
  try {
    return nlohmann::ordered_json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

std::unique_ptr<FolderLock> open_study_folder(const fs::path& dir,
                                              const nlohmann::ordered_json& spec) {
  const bool fresh = empty_folder(dir);
  if (!fresh && !fs::exists(dir / "spec.json")) {
    throw ConfigError(dir.string() +
                      ": holds something that is not a sweep or comparison (no spec.json); "
                      "choose another --out");
  }
  make_dir(dir);
  auto lock = std::make_unique<FolderLock>(dir);
  remove_stale_temporaries(dir);
  if (fresh) {
    write_file_atomic(dir / "spec.json", spec.dump(2) + "\n");
  } else {
    const std::string difference = spec_difference(read_spec(dir), spec);
    if (!difference.empty()) {
      throw ConfigError(dir.string() + " holds a different " + spec.at("kind").get<std::string>() +
                        " (" + difference + "); choose another --out");
    }
  }
  // Derived from spec.json, so written again each time: a kill between the files costs nothing.
  write_file_atomic(dir / "base.json", spec.at("config").dump(2) + "\n");
  if (spec.contains("robustness") && !spec.at("robustness").empty()) {
    make_dir(dir / "suites");
    for (const auto& [name, suite] : spec.at("robustness").items())
      write_file_atomic(dir / "suites" / (name + ".json"), suite.dump(2) + "\n");
  }
  return lock;
}

}  // namespace dither

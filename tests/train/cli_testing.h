#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "run_testing.h"

namespace dither::testing {

// The environment for a dither run without gnuplot (PATH leads nowhere): where every run would
// draw plots, drawing them would dominate a test's time.
inline constexpr const char* kNoPlot = "PATH=/nonexistent";

// The test runs from build-*/tests/; the executable sits one folder up.
inline std::filesystem::path dither_binary() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "dither";
}

// Single-quoted for the shell (appended piecewise: g++ 12 misfires -Wrestrict on "'" + s).
inline std::string quoted(const std::filesystem::path& p) {
  std::string out(1, '\'');
  out += p.string();
  out += '\'';
  return out;
}

struct Outcome {
  int status = -1;  ///< the exit status; -1 when killed by a signal
  int signal = 0;   ///< the signal that killed the process, or 0
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(dither_binary())) {
      GTEST_SKIP() << dither_binary() << " is not built (cmake --build ... --target dither)";
    }
  }

  // Runs `dither <args>` with stdout and stderr captured; `env` ("NAME=value ...") goes before
  // the command. `exec` makes the shell become dither, so a signal that kills it is seen here.
  Outcome dither(const std::string& args, const std::string& env = "") const {
    const std::filesystem::path out = dir_ / "stdout.txt";
    const std::filesystem::path err = dir_ / "stderr.txt";
    const std::string command = "exec env " + env + " " + quoted(dither_binary()) + " " + args +
                                " >" + quoted(out) + " 2>" + quoted(err);
    const int raw = std::system(command.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, WIFSIGNALED(raw) ? WTERMSIG(raw) : 0,
            slurp(out), slurp(err)};
  }

  // Writes `config` as <name>.json in the test's folder; returns its quoted path.
  std::string config_file(const nlohmann::json& config, const std::string& name = "small") const {
    const std::filesystem::path path = dir_ / (name + ".json");
    write_text(path, config.dump(2));
    return quoted(path);
  }
  std::string config_file_text(const std::string& text) const {
    write_text(dir_ / "text.json", text);
    return quoted(dir_ / "text.json");
  }

  std::filesystem::path run(const std::string& name) const { return dir_ / name; }

  TempDir dir_{"cli"};
};

// Every line of a CSV file but the header, split at commas.
inline std::vector<std::vector<std::string>> csv_rows(const std::filesystem::path& path,
                                                      std::string* header) {
  std::istringstream text(slurp(path));
  std::string line;
  std::getline(text, line);
  *header = line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(text, line)) {
    std::vector<std::string> cells;
    std::istringstream cells_text(line);
    for (std::string cell; std::getline(cells_text, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace dither::testing

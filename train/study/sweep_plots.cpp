#include "train/study/sweep_plots.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "train/plot.h"
#include "train/study/spread.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

// The values as numbers, or empty when one of them is not a finite number.
std::vector<double> numeric(const std::vector<std::string>& values) {
  std::vector<double> numbers;
  for (const std::string& v : values) {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0' || !std::isfinite(x)) return {};
    numbers.push_back(x);
  }
  return numbers;
}

// gnuplot's single-quoted string: a quote is doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string axis_script(const std::string& key, const std::vector<std::string>& values,
                        const std::vector<double>& numbers) {
  std::ostringstream s;
  s << "set xlabel " << quoted(key) << "\n";
  if (numbers.empty()) {
    s << "set xtics (";
    for (std::size_t i = 0; i < values.size(); ++i)
      s << (i ? ", " : "") << quoted(values[i].substr(0, 24)) << " " << i;
    s << ")\nset xrange [-0.5:" << values.size() - 0.5 << "]\n";
    return s.str();
  }
  const auto [low, high] = std::minmax_element(numbers.begin(), numbers.end());
  if (*low > 0 && *high >= 20 * *low) s << "set logscale x\n";
  const double pad = *high > *low ? 0.05 * (*high - *low) : 0.5;
  if (!(*low > 0 && *high >= 20 * *low))
    s << "set xrange [" << *low - pad << ":" << *high + pad << "]\n";
  return s.str();
}

}  // namespace

std::string plot_sweep(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                       const std::string& metric, const std::vector<std::string>& columns,
                       const fs::path& out, std::vector<std::string>& files) {
  std::vector<std::string> panels{metric};
  for (const std::string& c : columns) {
    if (c != metric && panels.size() < 8) panels.push_back(c);
  }
  const std::vector<PointGroup> groups = groups_of(plan);
  const auto& axes = plan.spec.at("grids");
  std::string why;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const std::string key = axes[a].at("key").get<std::string>();
    const auto values = axes[a].at("values").get<std::vector<std::string>>();
    const std::vector<double> numbers = numeric(values);
    // One series per setting of the other keys, in order of appearance.
    std::vector<std::string> series;
    std::map<std::string, std::vector<std::pair<std::size_t, const PointGroup*>>> members;
    for (const PointGroup& g : groups) {
      std::string others;
      for (std::size_t k = 0; k < g.labels.size(); ++k) {
        if (k != a)
          others += (others.empty() ? "" : ",") + g.labels[k].first + "=" + g.labels[k].second;
      }
      if (!members.contains(others)) series.push_back(others);
      const auto v = std::find(values.begin(), values.end(), g.labels[a].second) - values.begin();
      members[others].emplace_back(static_cast<std::size_t>(v), &g);
    }
    // blocks[m][s]: the rows of metric m for series s; a block without rows is not plotted
    // (gnuplot stops on an empty plot), nor a metric without any.
    std::vector<std::vector<std::string>> blocks(panels.size(),
                                                 std::vector<std::string>(series.size()));
    std::vector<std::size_t> drawn;
    for (std::size_t m = 0; m < panels.size(); ++m) {
      bool any = false;
      for (std::size_t s = 0; s < series.size(); ++s) {
        std::ostringstream rows;
        for (const auto& [v, g] : members[series[s]]) {
          std::vector<double> samples;
          for (std::size_t p : g->members) {
            if (outcomes[p].status == PointOutcome::Status::finished)
              samples.push_back(outcomes[p].metric(panels[m]));
          }
          const Spread spread = spread_of(samples);
          if (spread.n == 0) continue;
          rows << (numbers.empty() ? static_cast<double>(v) : numbers[v]) << ' ' << spread.mean
               << ' ' << spread.std << '\n';
        }
        blocks[m][s] = rows.str();
        any = any || !blocks[m][s].empty();
      }
      if (any) drawn.push_back(m);
    }
    if (drawn.empty()) continue;
    std::ostringstream script;
    for (std::size_t m : drawn) {
      for (std::size_t s = 0; s < series.size(); ++s) {
        if (!blocks[m][s].empty())
          script << "$d" << m << "_" << s << " << EOD\n" << blocks[m][s] << "EOD\n";
      }
    }
    const std::size_t rows = (drawn.size() + 1) / 2;
    script << "set multiplot layout " << rows << ",2 title " << quoted("sweep over " + key) << "\n"
           << "set grid\nset key bottom right\nset offsets 0, 0, graph 0.05, graph 0.05\n"
           << axis_script(key, values, numbers);
    for (std::size_t m : drawn) {
      script << "set title " << quoted(panels[m] + " (mean +- std over seeds)") << "\nplot ";
      bool first = true;
      for (std::size_t s = 0; s < series.size(); ++s) {
        if (blocks[m][s].empty()) continue;
        script << (first ? "" : ", ") << "$d" << m << "_" << s
               << " using 1:2:3 with yerrorlines lw 2 title "
               << quoted(series[s].empty() ? panels[m] : series[s]);
        first = false;
      }
      script << "\n";
    }
    script << "unset multiplot\n";
    const std::string name = "plot_" + sanitize_name(key) + ".png";
    const std::string error =
        run_gnuplot(script.str(), out / name, "1100," + std::to_string(330 * rows));
    if (error.empty()) {
      files.push_back(name);
    } else if (why.empty()) {
      why = error;
    }
  }
  return why;
}

}  // namespace dither

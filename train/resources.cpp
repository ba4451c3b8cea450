#include "train/resources.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "layers/summary.h"

namespace dither {
namespace {

std::string bytes_text(std::int64_t bytes) {
  char text[32];
  const double gb = static_cast<double>(bytes) / 1e9;
  if (gb >= 1.0) {
    std::snprintf(text, sizeof text, "%.1f GB", gb);
  } else {
    std::snprintf(text, sizeof text, "%.0f MB", static_cast<double>(bytes) / 1e6);
  }
  return text;
}

template <class T>
std::int64_t bytes_of(const std::vector<T>& v) {
  return static_cast<std::int64_t>(v.size() * sizeof(T));
}

std::int64_t set_bytes(const Dataset& d) {
  return bytes_of(d.pixels) + bytes_of(d.values) + bytes_of(d.tokens) + bytes_of(d.lengths) +
         bytes_of(d.labels);
}

}  // namespace

std::string MemoryEstimate::describe() const {
  return bytes_text(total()) + " (data " + bytes_text(data) + ", parameters with gradients and " +
         "optimiser state " + bytes_text(parameters) + ", one batch's activations " +
         bytes_text(activations) + ")";
}

MemoryEstimate estimate_memory(const Experiment& e) {
  MemoryEstimate m;
  m.data = set_bytes(e.data.train) + set_bytes(e.data.validation) + set_bytes(e.data.test);
  const ModelSummary summary = summarize(*e.model, e.input.sample_shape);
  m.parameters = summary.parameters * 4 * 4;
  std::int64_t per_sample = numel(summary.input);
  for (const auto& layer : summary.layers)
    if (layer.depth == 0) per_sample += numel(layer.output);
  const std::int64_t batch =
      std::max<std::int64_t>(1, std::min<std::int64_t>(e.settings.batch_size, e.data.train.size()));
  m.activations = per_sample * batch * 3 * 4;
  return m;
}

std::int64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::int64_t>(pages) * page : 0;
}

void check_memory(const Experiment& experiment, std::int64_t available) {
  if (available <= 0) return;
  const MemoryEstimate m = estimate_memory(experiment);
  if (m.total() <= available) return;
  throw ConfigError("this run needs about " + m.describe() + ", more than the " +
                    bytes_text(available) +
                    " of memory this machine has; use a smaller train.batch_size or model");
}

}  // namespace dither

#include "train/data/class_filter.h"

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace dither {

Dataset keep_classes(const Dataset& dataset, std::span<const std::int64_t> classes,
                     const std::string& path) {
  if (classes.empty()) throw ConfigError(path + ": must list at least one class");
  std::vector<std::int32_t> relabel(static_cast<std::size_t>(dataset.num_classes), -1);
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const std::int64_t c = classes[k];
    if (c < 0 || c >= dataset.num_classes) {
      throw ConfigError(str(path, ": class ", c, " is not in [0, ", dataset.num_classes, ") of '",
                            dataset.name, "'"));
    }
    if (relabel[static_cast<std::size_t>(c)] >= 0)
      throw ConfigError(str(path, ": lists class ", c, " twice"));
    relabel[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(k);
  }
  std::vector<std::int64_t> kept;
  for (std::int64_t i = 0; i < dataset.size(); ++i) {
    if (relabel[static_cast<std::size_t>(dataset.labels[static_cast<std::size_t>(i)])] >= 0)
      kept.push_back(i);
  }
  Dataset out = subset(dataset, kept);
  for (std::int32_t& label : out.labels) label = relabel[static_cast<std::size_t>(label)];
  out.num_classes = static_cast<std::int64_t>(classes.size());
  out.class_names.clear();
  for (std::int64_t c : classes)
    out.class_names.push_back(dataset.class_names[static_cast<std::size_t>(c)]);
  return out;
}

}  // namespace dither

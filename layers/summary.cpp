#include "layers/summary.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "layers/registry.h"
#include "layers/sequential.h"

namespace dither {
namespace {

std::int64_t count_parameters(const Module& module) {
  std::int64_t total = 0;
  for (const auto& [name, p] : module.named_parameters()) total += p.numel();
  return total;
}

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Rows for the layers of `container`, each given the shape the ones before it produce.
Shape add_layer_rows(const Sequential& container, const std::string& prefix, int depth,
                     const Shape& input, std::vector<LayerSummary>& rows);

Shape add_row(Module& module, const std::string& path, int depth, const Shape& input,
              std::vector<LayerSummary>& rows) {
  const std::size_t at = rows.size();
  rows.push_back(
      {path, module.type_name(), depth, {}, count_parameters(module), module.flops(input)});
  if (const auto* container = dynamic_cast<const Sequential*>(&module)) {
    add_layer_rows(*container, path, depth + 1, input, rows);
  }
  rows[at].output = infer_output_shape(module, input);
  return rows[at].output;
}

Shape add_layer_rows(const Sequential& container, const std::string& prefix, int depth,
                     const Shape& input, std::vector<LayerSummary>& rows) {
  Shape shape = input;
  for (const auto& [name, layer] : container.children()) {
    shape = add_row(*layer, join_name(prefix, name), depth, shape, rows);
  }
  return shape;
}

// 1234567 -> "1,234,567".
std::string grouped(std::int64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const std::size_t left = digits.size() - i;
    if (i > 0 && digits[i - 1] != '-' && left % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

ModelSummary summarize(const Module& model, const Shape& input) {
  ModelSummary summary;
  summary.input = input;
  summary.parameters = count_parameters(model);
  summary.flops = model.flops(input);
  if (const auto* container = dynamic_cast<const Sequential*>(&model)) {
    summary.output = add_layer_rows(*container, "", 0, input, summary.layers);
  } else {
    // Probing runs a forward, which is not const; infer_output_shape() restores every mode and
    // the generator, so the model is left exactly as it was given.
    summary.output = add_row(const_cast<Module&>(model), "", 0, input, summary.layers);
  }
  return summary;
}

std::string model_summary(const Module& model, const Shape& input) {
  const ModelSummary summary = summarize(model, input);
  std::vector<std::array<std::string, 5>> cells = {
      {"layer", "type", "output", "parameters", "multiply-adds"}};
  for (const LayerSummary& row : summary.layers) {
    cells.push_back({std::string(2 * static_cast<std::size_t>(row.depth), ' ') +
                         (row.path.empty() ? "-" : row.path),
                     row.type, to_string(row.output), grouped(row.parameters), grouped(row.flops)});
  }
  std::array<std::size_t, 5> width{};
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < width.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::ostringstream out;
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t c = 0; c < width.size(); ++c) {
      // Text columns align left, counts right.
      const std::string pad(width[c] - line[c].size(), ' ');
      text += c < 3 ? line[c] + pad : pad + line[c];
      if (c + 1 < width.size()) text += "  ";
    }
    out << text.substr(0, text.find_last_not_of(' ') + 1) << '\n';
  }
  out << "input " << to_string(summary.input) << " -> output " << to_string(summary.output) << ": "
      << grouped(summary.parameters) << " parameters, " << grouped(summary.flops)
      << " multiply-adds per sample\n";
  return out.str();
}

}  // namespace dither

#include "train/show_boundary.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/softmax.h"
#include "train/atomic_file.h"
#include "train/load_trained.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

// Matplotlib's tab10: ten hues that stay apart when mixed with white, so a tint decodes to one.
constexpr std::array<Rgb, 10> kPalette = {Rgb{31, 119, 180},  Rgb{255, 127, 14},  Rgb{44, 160, 44},
                                          Rgb{214, 39, 40},   Rgb{148, 103, 189}, Rgb{140, 86, 75},
                                          Rgb{227, 119, 194}, Rgb{127, 127, 127}, Rgb{188, 189, 34},
                                          Rgb{23, 190, 207}};
constexpr int kMaxClasses = static_cast<int>(kPalette.size());

// Tint range: a coin-flip pixel is barely coloured, a certain one clearly, and even the strongest
// tint stays light enough for the dark points on top to stand out.
constexpr float kMinTint = 0.12f;
constexpr float kMaxTint = 0.55f;
// The tint steps in bands of sureness ((p_max - 1/K) / (1 - 1/K); for two classes p_max 0.6, 0.7,
// 0.8, 0.9, 0.98): the edges read as contours of the margin, and flat bands keep the PNG small.
constexpr std::array<float, 5> kBandEdges = {0.2f, 0.4f, 0.6f, 0.8f, 0.96f};

float chance(std::int64_t num_classes) {
  return 1.0f / static_cast<float>(std::max<std::int64_t>(num_classes, 2));
}

constexpr int kLeft = 46;    // y tick labels
constexpr int kRight = 16;   // gap to the next panel
constexpr int kTop = 34;     // two title lines
constexpr int kBottom = 36;  // x tick labels and the axis name
constexpr int kLegend = 44;  // class swatches and the marker key

constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kLine{60, 60, 60};
constexpr Rgb kAxis{110, 110, 110};

std::uint8_t channel(float v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 255.0f)));
}

Rgb mix_with_white(Rgb c, float t) {
  return {channel(255.0f + t * (c.r - 255.0f)), channel(255.0f + t * (c.g - 255.0f)),
          channel(255.0f + t * (c.b - 255.0f))};
}

// Round steps (1, 2 or 5 times a power of ten) that give about five ticks over [low, high].
float tick_step(float low, float high) {
  const double raw = (high - low) / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) return static_cast<float>(m * power);
  }
  return static_cast<float>(10.0 * power);
}

std::string format_tick(float v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", std::abs(v) < 1e-6f ? 0.0f : v);
  return text;
}

void disc(Canvas& canvas, int cx, int cy, int radius, Rgb colour) {
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      if (dx * dx + dy * dy <= radius * radius) canvas.set(cx + dx, cy + dy, colour);
    }
  }
}

void ring(Canvas& canvas, int cx, int cy, int inner, int outer, Rgb colour) {
  for (int dy = -outer; dy <= outer; ++dy) {
    for (int dx = -outer; dx <= outer; ++dx) {
      const int d = dx * dx + dy * dy;
      if (d > inner * inner && d <= outer * outer) canvas.set(cx + dx, cy + dy, colour);
    }
  }
}

void draw_axes(Canvas& canvas, const BoundaryFrame& frame, int x0, int y0) {
  canvas.line(x0 - 1, y0 - 1, x0 + frame.width, y0 - 1, kAxis);
  canvas.line(x0 - 1, y0 + frame.height, x0 + frame.width, y0 + frame.height, kAxis);
  canvas.line(x0 - 1, y0 - 1, x0 - 1, y0 + frame.height, kAxis);
  canvas.line(x0 + frame.width, y0 - 1, x0 + frame.width, y0 + frame.height, kAxis);
  const float xs = tick_step(frame.x_low, frame.x_high);
  for (float v = std::ceil(frame.x_low / xs) * xs; v <= frame.x_high; v += xs) {
    const int col = frame.pixel(v, frame.y_low).first;
    canvas.line(x0 + col, y0 + frame.height, x0 + col, y0 + frame.height + 3, kAxis);
    const std::string label = format_tick(v);
    canvas.text(x0 + col - Canvas::text_width(label) / 2, y0 + frame.height + 5, label);
  }
  const float ys = tick_step(frame.y_low, frame.y_high);
  for (float v = std::ceil(frame.y_low / ys) * ys; v <= frame.y_high; v += ys) {
    const int row = frame.pixel(frame.x_low, v).second;
    canvas.line(x0 - 4, y0 + row, x0 - 1, y0 + row, kAxis);
    const std::string label = format_tick(v);
    canvas.text(x0 - 6 - Canvas::text_width(label), y0 + row - 5, label);
  }
  canvas.text(x0 + frame.width / 2 - Canvas::text_width(frame.x_label) / 2, y0 + frame.height + 20,
              frame.x_label);
  canvas.text(x0 - kLeft + 2, y0 - 12, frame.y_label);
}

void draw_panel(Canvas& canvas, const BoundaryPanel& panel, const BoundaryFrame& frame, int x0,
                int y0) {
  const std::int64_t k = panel.num_classes;
  std::vector<int> classes(static_cast<std::size_t>(frame.width) * frame.height);
  for (int row = 0; row < frame.height; ++row) {
    for (int col = 0; col < frame.width; ++col) {
      const std::size_t pixel = static_cast<std::size_t>(row) * frame.width + col;
      const float* p = &panel.probabilities[pixel * static_cast<std::size_t>(k)];
      const auto best = static_cast<int>(std::max_element(p, p + k) - p);
      classes[pixel] = best;
      canvas.set(x0 + col, y0 + row, boundary_colour(best, p[best], k));
    }
  }
  // The boundary: pixels whose right or lower neighbour is predicted another class.
  for (int row = 0; row < frame.height; ++row) {
    for (int col = 0; col < frame.width; ++col) {
      const int c = classes[static_cast<std::size_t>(row) * frame.width + col];
      const bool right = col + 1 < frame.width &&
                         classes[static_cast<std::size_t>(row) * frame.width + col + 1] != c;
      const bool below = row + 1 < frame.height &&
                         classes[static_cast<std::size_t>(row + 1) * frame.width + col] != c;
      if (right || below) canvas.set(x0 + col, y0 + row, kLine);
    }
  }
  // Misclassified points last, so that none hides under a correct one.
  for (bool wrong : {false, true}) {
    for (std::size_t i = 0; i < panel.labels.size(); ++i) {
      if ((panel.predicted[i] != panel.labels[i]) != wrong) continue;
      const auto [col, row] = frame.pixel(panel.points[2 * i], panel.points[2 * i + 1]);
      if (col < 0 || row < 0 || col >= frame.width || row >= frame.height) continue;
      if (wrong) ring(canvas, x0 + col, y0 + row, 3, 5, kBlack);
      disc(canvas, x0 + col, y0 + row, wrong ? 3 : 2, point_colour(panel.labels[i]));
    }
  }
  draw_axes(canvas, frame, x0, y0);
  char accuracy[96];
  std::snprintf(accuracy, sizeof(accuracy), "test accuracy %.2f%% (%zu points)",
                100.0 * panel.accuracy(), panel.labels.size());
  canvas.text(x0, 4, panel.title);
  canvas.text(x0, 4 + Canvas::text_height(), accuracy, {60, 60, 60});
}

constexpr const char* kKey = "dots: test points by true class; ringed in black: misclassified";

// Class swatches and names; the tint bands with the max probability each starts at; the dots.
void draw_legend(Canvas& canvas, std::int64_t num_classes, const std::vector<std::string>& names,
                 int y) {
  int x = kLeft;
  for (std::int64_t k = 0; k < num_classes; ++k) {
    canvas.fill(x, y, 10, 10, boundary_colour(k, 1.0f, num_classes));
    disc(canvas, x + 5, y + 5, 3, point_colour(k));
    const std::string name =
        k < static_cast<std::int64_t>(names.size()) ? names[k] : "class " + std::to_string(k);
    canvas.text(x + 14, y, name);
    x += 22 + Canvas::text_width(name);
  }
  const std::string lead = "tint: the predicted class; max probability from";
  canvas.text(kLeft, y + 14, lead);
  x = kLeft + Canvas::text_width(lead) + 6;
  const float c = chance(num_classes);
  for (std::size_t band = 0; band <= kBandEdges.size(); ++band) {
    const float from = band == 0 ? c : c + kBandEdges[band - 1] * (1.0f - c);
    canvas.fill(x, y + 13, 10, 10, boundary_colour(0, from, num_classes));
    char label[16];
    std::snprintf(label, sizeof(label), "%.2g", from);
    canvas.text(x + 13, y + 14, label);
    x += 20 + Canvas::text_width(label);
  }
  canvas.text(kLeft, y + 28, kKey);
}

}  // namespace

std::pair<float, float> BoundaryFrame::at(int col, int row) const {
  return {
      x_low + (static_cast<float>(col) + 0.5f) * (x_high - x_low) / static_cast<float>(width),
      y_high - (static_cast<float>(row) + 0.5f) * (y_high - y_low) / static_cast<float>(height)};
}

std::pair<int, int> BoundaryFrame::pixel(float x, float y) const {
  return {
      static_cast<int>(std::floor((x - x_low) / (x_high - x_low) * static_cast<float>(width))),
      static_cast<int>(std::floor((y_high - y) / (y_high - y_low) * static_cast<float>(height)))};
}

std::pair<int, int> BoundaryFrame::plot_origin(std::size_t panel) const {
  return {static_cast<int>(panel) * (kLeft + width + kRight) + kLeft, kTop};
}

BoundaryFrame boundary_frame(const std::vector<const Dataset*>& sets) {
  float lo[2] = {std::numeric_limits<float>::max(), std::numeric_limits<float>::max()};
  float hi[2] = {std::numeric_limits<float>::lowest(), std::numeric_limits<float>::lowest()};
  for (const Dataset* set : sets) {
    for (std::size_t i = 0; i < set->values.size(); ++i) {
      lo[i % 2] = std::min(lo[i % 2], set->values[i]);
      hi[i % 2] = std::max(hi[i % 2], set->values[i]);
    }
  }
  BoundaryFrame frame;
  if (lo[0] > hi[0]) lo[0] = lo[1] = -1.0f, hi[0] = hi[1] = 1.0f;  // no points: the unit square
  float span[2];
  for (int a = 0; a < 2; ++a) {
    span[a] = std::max(hi[a] - lo[a], 1e-3f) * 1.2f;
    const float mid = 0.5f * (lo[a] + hi[a]);
    lo[a] = mid - 0.5f * span[a];
    hi[a] = mid + 0.5f * span[a];
  }
  const float wanted = static_cast<float>(frame.width) * span[1] / span[0];
  frame.height = static_cast<int>(std::lround(std::clamp(wanted, 180.0f, 360.0f)));
  // Keep one scale on both axes: a clamped height widens the x range or the y range instead.
  const float x_span = span[1] * static_cast<float>(frame.width) / static_cast<float>(frame.height);
  const float y_span = span[0] * static_cast<float>(frame.height) / static_cast<float>(frame.width);
  const float mx = 0.5f * (lo[0] + hi[0]);
  const float my = 0.5f * (lo[1] + hi[1]);
  const float half_x = 0.5f * std::max(span[0], x_span);
  const float half_y = 0.5f * std::max(span[1], y_span);
  frame.x_low = mx - half_x;
  frame.x_high = mx + half_x;
  frame.y_low = my - half_y;
  frame.y_high = my + half_y;
  if (!sets.empty() && sets.front()->feature_names.size() == 2) {
    frame.x_label = sets.front()->feature_names[0];
    frame.y_label = sets.front()->feature_names[1];
  }
  return frame;
}

double BoundaryPanel::accuracy() const {
  if (labels.empty()) return 0.0;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

BoundaryPanel boundary_panel(Module& model, const Dataset& test, const BoundaryFrame& frame,
                             std::string title) {
  const ModeGuard mode(model, /*training=*/false, /*mc_sampling=*/false, model.noise_clock());
  NoGradGuard no_grad;
  BoundaryPanel panel;
  panel.title = std::move(title);
  panel.num_classes = test.num_classes;
  panel.class_names = test.class_names;
  panel.points = test.values;
  panel.labels = test.labels;
  const std::int64_t pixels = static_cast<std::int64_t>(frame.width) * frame.height;
  std::vector<float> grid(static_cast<std::size_t>(2 * pixels));
  for (int row = 0; row < frame.height; ++row) {
    for (int col = 0; col < frame.width; ++col) {
      const auto [x, y] = frame.at(col, row);
      const std::size_t p = static_cast<std::size_t>(row) * frame.width + col;
      grid[2 * p] = x;
      grid[2 * p + 1] = y;
    }
  }
  // Grid pixels, then the test points, through the model in chunks that bound the activations.
  std::vector<float> inputs = grid;
  inputs.insert(inputs.end(), test.values.begin(), test.values.end());
  const std::int64_t total = static_cast<std::int64_t>(inputs.size()) / 2;
  constexpr std::int64_t kChunk = 4096;
  std::vector<float> probabilities;
  probabilities.reserve(static_cast<std::size_t>(total * test.num_classes));
  for (std::int64_t start = 0; start < total; start += kChunk) {
    const std::int64_t n = std::min(kChunk, total - start);
    model.set_noise_clock(NoiseClock{0, start / kChunk, kEvalPass});
    const Tensor p = softmax(model.forward(Tensor::from(
        std::span<const float>(inputs.data() + 2 * start, static_cast<std::size_t>(2 * n)),
        {n, 2})));
    check_shape(p.dim() == 2 && p.size(1) == test.num_classes, "show --boundary: the model gives ",
                p.shape(), " for ", n, " points of ", test.num_classes, " classes");
    probabilities.insert(probabilities.end(), p.ptr(), p.ptr() + p.numel());
  }
  const auto split = probabilities.begin() + pixels * test.num_classes;
  panel.probabilities.assign(probabilities.begin(), split);
  for (auto row = split; row != probabilities.end(); row += test.num_classes) {
    panel.predicted.push_back(
        static_cast<std::int32_t>(std::max_element(row, row + test.num_classes) - row));
  }
  return panel;
}

Rgb boundary_colour(std::int64_t k, float p_max, std::int64_t num_classes) {
  const float c = chance(num_classes);
  const float sure = (p_max - c) / (1.0f - c);
  const auto band =
      std::count_if(kBandEdges.begin(), kBandEdges.end(), [&](float edge) { return sure >= edge; });
  return mix_with_white(kPalette[static_cast<std::size_t>(k)],
                        kMinTint + (kMaxTint - kMinTint) * static_cast<float>(band) /
                                       static_cast<float>(kBandEdges.size()));
}

Rgb point_colour(std::int64_t k) {
  const Rgb c = kPalette[static_cast<std::size_t>(k)];
  return {channel(0.7f * c.r), channel(0.7f * c.g), channel(0.7f * c.b)};
}

int background_class(Rgb colour, std::int64_t num_classes) {
  const float v[3] = {colour.r - 255.0f, colour.g - 255.0f, colour.b - 255.0f};
  int best = -1;
  float best_residual = 3.0f;  // bytes; rounding alone leaves under 1
  for (std::int64_t k = 0; k < std::min<std::int64_t>(num_classes, kMaxClasses); ++k) {
    const Rgb c = kPalette[static_cast<std::size_t>(k)];
    const float d[3] = {c.r - 255.0f, c.g - 255.0f, c.b - 255.0f};
    const float t =
        (v[0] * d[0] + v[1] * d[1] + v[2] * d[2]) / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (t < kMinTint - 0.05f || t > kMaxTint + 0.05f) continue;
    const float residual = std::hypot(v[0] - t * d[0], v[1] - t * d[1], v[2] - t * d[2]);
    if (residual < best_residual) {
      best_residual = residual;
      best = static_cast<int>(k);
    }
  }
  return best;
}

std::vector<int> read_class_map(std::span<const std::uint8_t> rgb, int image_width,
                                const BoundaryFrame& frame, std::size_t panel,
                                std::int64_t num_classes) {
  const auto [x0, y0] = frame.plot_origin(panel);
  check(image_width >= x0 + frame.width &&
            rgb.size() >= static_cast<std::size_t>(y0 + frame.height) * image_width * 3,
        "read_class_map: panel ", panel, " lies outside the picture");
  std::vector<int> classes(static_cast<std::size_t>(frame.width) * frame.height);
  for (int row = 0; row < frame.height; ++row) {
    for (int col = 0; col < frame.width; ++col) {
      const std::uint8_t* p =
          &rgb[(static_cast<std::size_t>(y0 + row) * image_width + x0 + col) * 3];
      classes[static_cast<std::size_t>(row) * frame.width + col] =
          background_class({p[0], p[1], p[2]}, num_classes);
    }
  }
  return classes;
}

Canvas draw_boundaries(const std::vector<BoundaryPanel>& panels, const BoundaryFrame& frame) {
  check(!panels.empty(), "draw_boundaries: no panel");
  const std::int64_t k = panels.front().num_classes;
  check(k >= 1 && k <= kMaxClasses, "draw_boundaries: ", k, " classes; at most ", kMaxClasses);
  const int panel_width = kLeft + frame.width + kRight;
  Canvas canvas(
      std::max(static_cast<int>(panels.size()) * panel_width, 2 * kLeft + Canvas::text_width(kKey)),
      kTop + frame.height + kBottom + kLegend);
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const auto [x0, y0] = frame.plot_origin(p);
    draw_panel(canvas, panels[p], frame, x0, y0);
  }
  draw_legend(canvas, k, panels.front().class_names, kTop + frame.height + kBottom);
  return canvas;
}

fs::path run_show_boundary(const std::vector<fs::path>& runs, fs::path out) {
  if (runs.empty()) throw ConfigError("show --boundary: give at least one run folder");
  std::vector<Experiment> experiments;
  std::vector<std::string> names;
  for (const fs::path& run : runs) {
    if (!fs::exists(run)) {
      throw ConfigError("show --boundary: " + run.string() + ": no such run folder or checkpoint");
    }
    fs::path file;
    Experiment e = load_trained(run, file);
    const Shape& shape = e.data.test.sample_shape;
    if (shape != Shape{2}) {
      throw ConfigError(str("show --boundary: ", run.string(), ": inputs are ", shape,
                            "; a boundary picture needs 2-D points (moons, circles, spirals, "
                            "blobs, or a table of 2 features)"));
    }
    if (e.data.test.num_classes > kMaxClasses) {
      throw ConfigError(str("show --boundary: ", run.string(), ": ", e.data.test.num_classes,
                            " classes; the picture tells at most ", kMaxClasses, " apart"));
    }
    if (!experiments.empty() &&
        e.data.test.num_classes != experiments.front().data.test.num_classes) {
      throw ConfigError(str("show --boundary: ", run.string(), " has ", e.data.test.num_classes,
                            " classes, ", runs.front().string(), " ",
                            experiments.front().data.test.num_classes, ": draw them apart"));
    }
    const fs::path folder = fs::is_directory(run) ? run : file.parent_path();
    names.push_back(fs::weakly_canonical(folder).filename().string());
    experiments.push_back(std::move(e));
  }
  std::vector<const Dataset*> sets;
  for (const Experiment& e : experiments) sets.push_back(&e.data.test);
  const BoundaryFrame frame = boundary_frame(sets);
  std::vector<BoundaryPanel> panels;
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    panels.push_back(
        boundary_panel(*experiments[i].model, experiments[i].data.test, frame, names[i]));
  }
  Canvas canvas = draw_boundaries(panels, frame);
  if (out.empty()) out = names.front() + "-boundary.png";
  write_file_atomic(out, canvas.png());
  return out;
}

}  // namespace dither

#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "layers/module.h"
#include "train/canvas.h"
#include "train/data/dataset.h"

namespace dither {

/// The part of the plane a boundary picture covers, shared by all its panels, and the pixel grid
/// of each panel's plot area (row 0 at the top, at y_high). Input units on both axes, the same
/// scale on both.
struct BoundaryFrame {
  float x_low = 0.0f, x_high = 1.0f;
  float y_low = 0.0f, y_high = 1.0f;
  int width = 300;   ///< plot area, pixels
  int height = 300;  ///< plot area, pixels
  std::string x_label = "x0";
  std::string y_label = "x1";

  /// Input coordinates (x, y) of the centre of plot pixel (col, row).
  std::pair<float, float> at(int col, int row) const;
  /// Plot pixel (col, row) that holds input point (x, y); may lie outside the plot area.
  std::pair<int, int> pixel(float x, float y) const;
  /// Top-left canvas pixel of panel p's plot area.
  std::pair<int, int> plot_origin(std::size_t panel) const;
};

/// A frame around the test points of `sets` (each [n, 2] inputs) with a 10% margin: the width
/// is 300 pixels, the height follows the data's aspect within [180, 360] pixels (the x range is
/// widened when the height is clamped), so distances read the same along both axes. Axis
/// labels are the first set's feature names, else x0 and x1.
BoundaryFrame boundary_frame(const std::vector<const Dataset*>& sets);

/// What one panel shows: a model's class probabilities at every plot pixel of a frame and its
/// predictions on the test points.
struct BoundaryPanel {
  std::string title;  ///< the run's name
  std::int64_t num_classes = 0;
  std::vector<std::string> class_names;
  std::vector<float> probabilities;  ///< [height * width * num_classes], row-major pixels
  std::vector<float> points;         ///< test inputs, [n * 2]
  std::vector<std::int32_t> labels;  ///< [n], true classes
  std::vector<std::int32_t> predicted;
  double accuracy() const;  ///< fraction of predicted == labels
};

/// `model`'s softmax probabilities in eval mode (no gradients, modes restored) at the centre of
/// every plot pixel of `frame`, and its arg-max predictions on `test` (inputs [n, 2]).
BoundaryPanel boundary_panel(Module& model, const Dataset& test, const BoundaryFrame& frame,
                             std::string title);

/// The panels side by side, each with its title and test accuracy, axes with ticks in input units
/// and a legend below. A plot pixel's colour is its predicted class's colour mixed with white, the
/// more of it in higher bands of max probability (boundary_colour); a dark line separates the
/// classes; test points are dots in their true class's dark colour, misclassified ones larger and
/// ringed in black. At most 10 classes (the palette's size).
Canvas draw_boundaries(const std::vector<BoundaryPanel>& panels, const BoundaryFrame& frame);

/// The background colour of a plot pixel predicted `k` with max probability `p_max` out of
/// `num_classes` classes: class k's colour mixed with white, more of it in each of six bands of
/// sureness (p_max - 1/K) / (1 - 1/K) with edges 0.2, 0.4, 0.6, 0.8 and 0.96.
Rgb boundary_colour(std::int64_t k, float p_max, std::int64_t num_classes);
/// The dark colour of class k's test points.
Rgb point_colour(std::int64_t k);

/// The inverse of boundary_colour: the class whose background tint `colour` is, or -1 for any
/// other colour (points, lines, text).
int background_class(Rgb colour, std::int64_t num_classes);

/// The class map of panel `panel` read back from a picture's RGB pixels (`image_width` pixels a
/// row, 3 bytes a pixel): [frame.height * frame.width] classes, -1 where no background is seen.
std::vector<int> read_class_map(std::span<const std::uint8_t> rgb, int image_width,
                                const BoundaryFrame& frame, std::size_t panel,
                                std::int64_t num_classes);

/// `dither show --boundary RUN...`: each run's best (else last) checkpoint drawn over its test set
/// as one panel of a PNG written atomically to `out` (default: "<first run's name>-boundary.png").
/// A run whose inputs are not 2-D, a missing run, or more than 10 classes is a ConfigError naming
/// it. Returns the file written.
std::filesystem::path run_show_boundary(const std::vector<std::filesystem::path>& runs,
                                        std::filesystem::path out);

}  // namespace dither

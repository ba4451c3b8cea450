#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dither {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

/// Grey level of v in [0, 1] (clamped).
Rgb grey(float v);
/// Blue (-1) through white (0) to red (+1), clamped: signed values in a heat map.
Rgb diverging(float v);

/// An RGB picture drawn with rectangles and a small bitmap font, encoded as PNG by
/// stb_image_write (Debian libstb-dev): what dither show draws batches on.
class Canvas {
 public:
  Canvas(int width, int height, Rgb background = {255, 255, 255});

  int width() const { return width_; }
  int height() const { return height_; }
  void set(int x, int y, Rgb colour);  ///< ignored outside the canvas
  void fill(int x, int y, int w, int h, Rgb colour);
  /// A one-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham).
  void line(int x0, int y0, int x1, int y1, Rgb colour);
  /// `text` with its top-left corner at (x, y), `scale` pixels per font pixel (stb_easy_font).
  void text(int x, int y, const std::string& text, Rgb colour = {0, 0, 0}, int scale = 1);
  /// Width in pixels of `text` at `scale`.
  static int text_width(const std::string& text, int scale = 1);
  static int text_height(int scale = 1) { return 12 * scale; }

  /// The picture as PNG bytes.
  std::string png() const;

 private:
  int width_;
  int height_;
  std::vector<std::uint8_t> pixels_;  // row-major RGB
};

}  // namespace dither

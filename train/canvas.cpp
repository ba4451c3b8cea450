#include "train/canvas.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

// stb_image_write's implementation is compiled into libstb; stb_easy_font is header-only with
// static functions, of which only a few are used here.
#include <stb/stb_image_write.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace dither {
namespace {

std::uint8_t byte(float v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

}  // namespace

Rgb grey(float v) {
  const std::uint8_t g = byte(v);
  return {g, g, g};
}

Rgb diverging(float v) {
  v = std::clamp(v, -1.0f, 1.0f);
  // White at 0, towards (0.13, 0.40, 0.67) below and (0.70, 0.09, 0.17) above.
  const float t = std::abs(v);
  if (v < 0.0f) return {byte(1.0f - 0.87f * t), byte(1.0f - 0.60f * t), byte(1.0f - 0.33f * t)};
  return {byte(1.0f - 0.30f * t), byte(1.0f - 0.91f * t), byte(1.0f - 0.83f * t)};
}

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height) {
  check(width >= 1 && height >= 1 && static_cast<std::int64_t>(width) * height <= (1 << 26),
        "Canvas: size ", width, "x", height, " is empty or too large");
  pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  fill(0, 0, width, height, background);
}

void Canvas::set(int x, int y, Rgb colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_ + x) * 3];
  p[0] = colour.r;
  p[1] = colour.g;
  p[2] = colour.b;
}

void Canvas::fill(int x, int y, int w, int h, Rgb colour) {
  for (int j = std::max(0, y); j < std::min(height_, y + h); ++j) {
    for (int i = std::max(0, x); i < std::min(width_, x + w); ++i) set(i, j, colour);
  }
}

void Canvas::line(int x0, int y0, int x1, int y1, Rgb colour) {
  const int dx = std::abs(x1 - x0);
  const int dy = -std::abs(y1 - y0);
  const int sx = x0 < x1 ? 1 : -1;
  const int sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;
  while (true) {
    set(x0, y0, colour);
    if (x0 == x1 && y0 == y1) return;
    const int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

void Canvas::text(int x, int y, const std::string& text, Rgb colour, int scale) {
  // Each quad is 4 vertices of {float x, y, z; uint8 rgba[4]}: axis-aligned rectangles.
  struct Vertex {
    float x, y, z;
    unsigned char rgba[4];
  };
  std::vector<Vertex> quads(text.size() * 64 + 64);
  std::string copy = text;
  const int n = stb_easy_font_print(0.0f, 0.0f, copy.data(), nullptr, quads.data(),
                                    static_cast<int>(quads.size() * sizeof(Vertex)));
  for (int q = 0; q < n; ++q) {
    const Vertex* v = &quads[static_cast<std::size_t>(q) * 4];
    const int x0 = static_cast<int>(std::lround(v[0].x));
    const int y0 = static_cast<int>(std::lround(v[0].y));
    const int x1 = static_cast<int>(std::lround(v[2].x));
    const int y1 = static_cast<int>(std::lround(v[2].y));
    fill(x + x0 * scale, y + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale, colour);
  }
}

int Canvas::text_width(const std::string& text, int scale) {
  std::string copy = text;
  return stb_easy_font_width(copy.data()) * scale;
}

std::string Canvas::png() const {
  std::string out;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
  };
  const int ok =
      stbi_write_png_to_func(append, &out, width_, height_, 3, pixels_.data(), width_ * 3);
  check(ok != 0, "Canvas: PNG encoding failed");
  return out;
}

}  // namespace dither

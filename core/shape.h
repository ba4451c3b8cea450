#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace dither {

/// Sizes of a tensor's dimensions, outermost first (row-major, NCHW for images).
using Shape = std::vector<std::int64_t>;

/// Product of the sizes; 1 for a scalar shape {}.
std::int64_t numel(const Shape& shape);

/// "[3,4]": the form every error message uses.
std::string to_string(const Shape& shape);
std::ostream& operator<<(std::ostream& out, const Shape& shape);

/// NumPy broadcast of two shapes; throws ShapeError naming `op` when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Axis in [-rank, rank) mapped to [0, rank); throws ShapeError naming `op` when out of range.
std::int64_t normalize_axis(std::int64_t axis, std::size_t rank, const char* op);

}  // namespace dither

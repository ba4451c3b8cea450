#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/shape.h"  // operator<< for shapes must be visible where str() is defined

namespace dither {

/// Base of every error dither throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Shapes that do not fit an op: the message names the op and both shapes.
class ShapeError : public Error {
 public:
  using Error::Error;
};

/// Bad user input: a config value, a CLI argument, a data or checkpoint file.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A NaN or Inf loss or gradient: the run stops, naming the step and the parameter.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

/// Concatenates values with operator<< (std::format is missing from g++ 12).
template <class... Parts>
std::string str(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

/// Throws Error(str(parts...)) when cond is false.
template <class... Parts>
void check(bool cond, const Parts&... parts) {
  if (!cond) throw Error(str(parts...));
}

/// Throws ShapeError(str(parts...)) when cond is false.
template <class... Parts>
void check_shape(bool cond, const Parts&... parts) {
  if (!cond) throw ShapeError(str(parts...));
}

}  // namespace dither

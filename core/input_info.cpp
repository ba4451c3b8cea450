#include "core/input_info.h"

namespace dither {

std::string to_string(InputKind kind) {
  switch (kind) {
    case InputKind::image:
      return "image";
    case InputKind::tabular:
      return "tabular";
    case InputKind::tokens:
      return "tokens";
    case InputKind::sequence:
      return "sequence";
    case InputKind::points:
      return "points";
    case InputKind::spectrogram:
      return "spectrogram";
  }
  return "unknown";
}

}  // namespace dither

#include "augment/boxes.h"

#include <string>

namespace dither {

void require_image_inputs(const HookSetup& setup, const char* technique) {
  if (setup.input.kind == InputKind::image && setup.input.sample_shape.size() == 3) return;
  const std::string instead = setup.input.kind == InputKind::tabular  ? "feature_mask"
                              : setup.input.kind == InputKind::tokens ? "token_mask"
                              : setup.input.kind == InputKind::spectrogram
                                  ? "spec_augment"
                                  : "gaussian or uniform noise";
  throw ConfigError(setup.path + ": " + technique + " erases rectangles of images [C, H, W]; " +
                    "this is " + to_string(setup.input.kind) + " data of shape " +
                    str(setup.input.sample_shape) + " (use " + instead + " instead)");
}

}  // namespace dither

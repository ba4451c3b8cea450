#pragma once

// For tests of what the project ships (examples, suites, docs): they read the source tree.
// Only the files tests/CMakeLists.txt gives DITHER_SOURCE_DIR may include this header.
#include <filesystem>

#ifndef DITHER_SOURCE_DIR
#error "DITHER_SOURCE_DIR must name the source tree (tests/CMakeLists.txt)"
#endif

namespace dither::testing {

inline const std::filesystem::path kSourceTree = DITHER_SOURCE_DIR;

}  // namespace dither::testing

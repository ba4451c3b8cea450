#pragma once

// DITHER_CLONES compiles a hot loop for AVX-512, AVX2 and baseline x86-64, and the loader picks
// the best the CPU has. The build targets baseline x86-64 (SSE2), where a 4-wide loop leaves an
// AVX-512 machine three quarters idle. Floating-point contraction is off for the whole build and
// these loops use only exactly rounded operations (+, -, *, /, sqrt, comparisons), so every
// variant gives bitwise the same numbers.
//
// No clones under ASan or TSan: the clones' ifunc resolvers run while the dynamic loader
// relocates, before the sanitizer's runtime is up, and an instrumented resolver crashes there
// (a TSan build of core_tests died before main).
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define DITHER_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DITHER_CLONES
#endif

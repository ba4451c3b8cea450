#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, configures, builds,
# then trains the default example (no argument), runs the test suite ("test"), or runs the
# suite under the sanitizers and fuzzes every reader ("sanitize").
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenblas-dev libtbb-dev nlohmann-json3-dev
          libcli11-dev zlib1g-dev libstb-dev libboost-math-dev libfftw3-dev libsoxr-dev
          libespeak-ng-dev libsndfile1-dev libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox
          dataset-fashion-mnist wamerican wngerman wfrench witalian wspanish)

# Installs those of the named packages that are missing.
install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "installing: ${missing[*]}"
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
}
install_missing "${packages[@]}"

jobs=$(nproc)
suites=(core_tests layers_tests optim_tests augment_tests train_tests)
fuzzers=()
for f in tests/fuzz/fuzz_*.cpp; do fuzzers+=("$(basename "$f" .cpp)"); done
# The tests that run loops on two oneTBB threads on purpose: what TSan checks.
threaded='Thread|Parallel|Denormals'
# A sanitizer's finding exits 99 (dither's own failures exit 1 or 2), with a stack trace.
export ASAN_OPTIONS="exitcode=99"
export UBSAN_OPTIONS="exitcode=99:print_stacktrace=1"
# oneTBB's own bookkeeping is suppressed (libtbb is not built with TSan): tests/sanitize/tsan.supp.
# The longest history keeps the earlier access's stack, which the suppressions match on.
export TSAN_OPTIONS="exitcode=99:halt_on_error=1:history_size=7:suppressions=$PWD/tests/sanitize/tsan.supp"

# build-asan (g++, ASan and UBSan) or build-tsan (g++, TSan), with the targets named.
sanitizer_build() {
  local dir=$1 sanitizers=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DDITHER_SANITIZE="$sanitizers" >/dev/null
  cmake --build "$dir" -j "$jobs" --target "$@"
}

# Each fuzz target (clang 14 and libFuzzer, in build-fuzz) for $1 seconds from its committed
# seeds; new inputs go to build-fuzz/corpus, a finding's input to build-fuzz/artifacts, and the
# job fails with the fuzzer's report.
fuzz_all() {
  install_missing clang
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
        -DDITHER_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-fuzz -j "$jobs" --target "${fuzzers[@]}"
  mkdir -p build-fuzz/artifacts
  for f in "${fuzzers[@]}"; do
    mkdir -p "build-fuzz/corpus/$f"
    if ! OPENBLAS_NUM_THREADS=1 "build-fuzz/tests/fuzz/$f" -max_total_time="$1" \
         -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ \
         "build-fuzz/corpus/$f" "tests/fuzz/corpus/$f" >"build-fuzz/$f.log" 2>&1; then
      tail -n 60 "build-fuzz/$f.log" >&2
      echo "$f: finding; its input is in build-fuzz/artifacts/" >&2
      return 1
    fi
    echo "$f: $(grep -oE 'number_of_executed_units: [0-9]+' "build-fuzz/$f.log") in $1 s"
  done
}

case "${1:-train}" in
  test)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$jobs"
    # Recycled buffers filled with NaN (core/buffer_pool.h): an op that leaves part of its
    # output unwritten fails its tests instead of passing on a buffer's old values.
    DITHER_POISON_BUFFERS=1 ctest --test-dir build --output-on-failure -j "$jobs"
    # The engine under ASan and UBSan, run from tests/ as ctest runs it (the parity fixtures are
    # found from there); the whole suite and TSan are the sanitize job's (docs/testing.md).
    sanitizer_build build-asan "address;undefined" core_tests
    (cd build-asan/tests && DITHER_POISON_BUFFERS=1 OPENBLAS_NUM_THREADS=1 ./core_tests --gtest_brief=1) ;;
  sanitize)
    export DITHER_POISON_BUFFERS=1
    sanitizer_build build-asan "address;undefined" dither "${suites[@]}"
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
    fuzz_all "${2:-60}"
    # The threaded tests under TSan: oneTBB's hand-overs are annotated (core/parallel.h), its
    # own bookkeeping suppressed (tests/sanitize/tsan.supp).
    sanitizer_build build-tsan thread dither "${suites[@]}"
    ctest --test-dir build-tsan --output-on-failure -j "$jobs" -R "$threaded" ;;
  train)
    shift || true
    # The main job builds the dither executable only; the tests and benchmarks are the test
    # command's to build.
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$jobs" --target dither
    build/dither train "$@" ;;
  *)
    echo "usage: scripts/run.sh [train [ARGS...] | test | sanitize [FUZZ_SECONDS]]" >&2; exit 2 ;;
esac

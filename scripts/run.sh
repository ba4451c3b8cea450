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
# The tests that run loops on two threads (oneTBB) on purpose: what TSan checks.
threaded='Thread|Parallel|Denormals'
supp="$PWD/tests/sanitize"
# A sanitizer's finding exits 99 (a dither run's own failures exit 1 or 2), with a stack.
export ASAN_OPTIONS="exitcode=99:detect_leaks=1:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
export UBSAN_OPTIONS="exitcode=99:print_stacktrace=1"
export TSAN_OPTIONS="exitcode=99:halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp"

# clang's ASan and UBSan over every library, the tests and the libFuzzer targets, in one build.
asan_build() {
  install_missing clang
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
        -DDITHER_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j "$jobs" --target dither "${suites[@]}" "${fuzzers[@]}"
}

# g++'s TSan over the libraries and the test suites.
tsan_build() {
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Release -DDITHER_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j "$jobs" --target dither "${suites[@]}"
}

# Each fuzz target for $1 seconds from its committed seeds; new inputs go to build-fuzz/corpus,
# a finding's input to build-fuzz/artifacts, and the job fails with the fuzzer's report.
fuzz_all() {
  mkdir -p build-fuzz/artifacts
  for f in "${fuzzers[@]}"; do
    mkdir -p "build-fuzz/corpus/$f"
    if ! OPENBLAS_NUM_THREADS=1 "build-fuzz/tests/fuzz/$f" -max_total_time="$1" \
         -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ \
         "build-fuzz/corpus/$f" "tests/fuzz/corpus/$f" >"build-fuzz/$f.log" 2>&1; then
      tail -n 60 "build-fuzz/$f.log" >&2
      echo "$f: finding; input in build-fuzz/artifacts/" >&2
      return 1
    fi
    echo "$f: $(grep -oE 'number_of_executed_units: [0-9]+' "build-fuzz/$f.log") in $1 s, no finding"
  done
}

case "${1:-train}" in
  test)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j "$jobs"
    ctest --test-dir build --output-on-failure -j "$jobs" ;;
  sanitize)
    asan_build
    ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
    fuzz_all "${2:-60}"
    tsan_build
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

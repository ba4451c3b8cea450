#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, configures, builds,
# then trains the default example (no argument) or runs the test suite ("test").
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenblas-dev libtbb-dev nlohmann-json3-dev
          libcli11-dev zlib1g-dev libstb-dev libboost-math-dev libfftw3-dev libsoxr-dev
          libespeak-ng-dev libsndfile1-dev libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox
          dataset-fashion-mnist wamerican wngerman wfrench witalian wspanish)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null

# The main job builds the dither executable only; the tests and benchmarks are the test
# command's to build.
case "${1:-train}" in
  test)
    cmake --build build -j "$(nproc)"
    ctest --test-dir build --output-on-failure -j "$(nproc)" ;;
  train)
    shift || true
    cmake --build build -j "$(nproc)" --target dither
    build/dither train "$@" ;;
  *)
    echo "usage: scripts/run.sh [train [ARGS...] | test]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Acceptance check, not part of ctest (it takes minutes): trains the two Fashion-MNIST examples
# for their full 10 epochs and checks test accuracy against the figures the docs promise.
#   tests/acceptance/fashion_mnist.sh [BUILD_DIR] [mlp|cnn ...]
# BUILD_DIR defaults to ./build; with no model names both run. Exit status 0 when every check
# passes, 1 when one falls short, 2 when something is missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$repo/build}"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mlp cnn)

dither="$build/dither"
if [ ! -x "$dither" ]; then
  echo "no dither executable at $dither (build the project first)" >&2
  exit 2
fi
if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "Fashion-MNIST is not installed in /usr/share/datasets/fashion-mnist" >&2
  exit 2
fi
export OPENBLAS_NUM_THREADS=1

out="$(mktemp -d "${TMPDIR:-/tmp}/dither-acceptance.XXXXXX")"
status=0
for model in "${models[@]}"; do
  case "$model" in
    mlp) floor=0.89 ;;
    cnn) floor=0.915 ;;
    *) echo "unknown model '$model' (mlp or cnn)" >&2; exit 2 ;;
  esac
  config="$repo/examples/configs/fashion_mnist_$model.json"
  start=$SECONDS
  "$dither" train "$config" --out "$out/$model" --quiet >/dev/null
  accuracy="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["test"]["accuracy"])' \
    "$out/$model/summary.json")"
  verdict="$(python3 -c 'import sys; print("ok" if float(sys.argv[1]) >= float(sys.argv[2]) else "FAIL")' \
    "$accuracy" "$floor")"
  printf '%-3s  test accuracy %.4f  (floor %s, %d s)  %s\n' "$model" "$accuracy" "$floor" \
    $((SECONDS - start)) "$verdict"
  [ "$verdict" = ok ] || status=1
done
echo "runs in $out"
exit $status

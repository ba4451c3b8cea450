#!/usr/bin/env bash
# dither against PyTorch on this machine, in one command: the Fashion-MNIST MLP and CNN trained,
# adversarially trained and evaluated by both (bench/train_speed.cpp, bench/torch_reference.py),
# REPS rounds alternating the two, then medians and ratios (bench/vs_pytorch_summary.py).
#   bash bench/vs_pytorch.sh [REPS=3]        (about 2 minutes a round on 2 cores)
# Installs python3-torch when missing and builds bench/train_speed. Both sides run on THREADS=2
# with OMP_WAIT_POLICY=passive and the same OpenBLAS kernel: the one dither picks for this CPU
# (core/blas_kernel.h), given to PyTorch through OPENBLAS_CORETYPE too.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
threads=${THREADS:-2}
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash bench/vs_pytorch.sh [REPS >= 1]" >&2; exit 2; }
[ -d /usr/share/datasets/fashion-mnist ] || { echo "needs dataset-fashion-mnist (bash scripts/run.sh installs it)" >&2; exit 2; }

python=/usr/bin/python3  # Debian's torch lives in the system Python
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "installing python3-torch"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3-torch >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target train_speed >/dev/null
bin=build/bench/train_speed

# train_speed re-executes itself with the best kernel when OpenBLAS picked a slower one.
kernel=${OPENBLAS_CORETYPE:-$("$bin" gemm mlp 1 | sed 's/.*"kernel":"\([^"]*\)".*/\1/')}
export OPENBLAS_CORETYPE=$kernel OMP_WAIT_POLICY=passive

results=$(mktemp)
trap 'rm -f "$results"' EXIT
# Each measurement: mode, model, threads, batches (fewer for the costly adversarial steps).
measurements=("train mlp $threads 400" "train cnn $threads 30" "train mlp 1 400" "train cnn 1 30"
              "fgsm mlp $threads 200" "fgsm_rs mlp $threads 200" "pgd mlp $threads 60"
              "eval mlp $threads" "eval cnn $threads")
tag() { sed "s/^{/{\"round\": $round, /"; }  # each JSON line gets its round
for ((round = 1; round <= reps; round++)); do
  echo "round $round of $reps" >&2
  for m in "${measurements[@]}"; do
    read -r mode model t batches <<<"$m"
    "$bin" "$mode" "$model" "$t" ${batches:+"$batches"} | tag >>"$results"
    "$python" bench/torch_reference.py "$mode" "$model" "$t" ${batches:+"$batches"} | tag >>"$results"
  done
  "$bin" gemm mlp "$threads" | tag >>"$results"
  "$bin" gemm mlp 1 | tag >>"$results"
done
"$python" bench/vs_pytorch_summary.py "$results" "$reps" "$threads" "$(lscpu | sed -n 's/^Model name: *//p')"

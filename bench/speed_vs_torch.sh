#!/usr/bin/env bash
# Training throughput of dither against PyTorch on the same machine, in one command: each side
# runs REPS times, alternating, and the medians and their ratio are printed.
#   bash bench/speed_vs_torch.sh [mlp|cnn] [THREADS] [REPS]
# Needs the build (scripts/run.sh) and Debian's python3-torch (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mlp}
threads=${2:-2}
reps=${3:-5}
bin=build/bench/train_speed
[ -x "$bin" ] || { echo "build first: cmake --build build --target train_speed" >&2; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "needs python3-torch (apt-get install python3-torch)" >&2; exit 2; }

ours=()
theirs=()
for ((i = 0; i < reps; i++)); do
  ours+=("$("$bin" "$model" "$threads" | sed 's/.*"samples_per_second": \([0-9.]*\).*/\1/')")
  theirs+=("$(OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch_reference.py "$model" "$threads" |
    sed 's/.*"samples_per_second": \([0-9.]*\).*/\1/')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
d=$(median "${ours[@]}")
t=$(median "${theirs[@]}")
echo "model $model, $threads threads, $reps runs each (samples/s)"
echo "  dither:  ${ours[*]}  median $d"
echo "  pytorch: ${theirs[*]}  median $t"
awk -v d="$d" -v t="$t" 'BEGIN {printf "  ratio dither/pytorch: %.2f\n", d / t}'

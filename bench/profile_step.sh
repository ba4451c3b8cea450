#!/usr/bin/env bash
# Where a training step's time goes: perf samples of bench/train_speed (steady steps only: the
# data loading at start is skipped) grouped into the step's parts, each against the GEMM time.
#   bash bench/profile_step.sh [mlp|cnn] [THREADS=1] [BATCHES]
# MODE=fgsm (or fgsm_rs, pgd: train_speed's modes) profiles an adversarial-training step instead.
# STEP_COMMAND="OTHER_BUILD/bench/train_speed train mlp 1 8000" profiles that command instead
# (another build, for a before/after table). Needs perf (Debian: apt-get install linux-perf; installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mlp}
threads=${2:-1}
# Defaults long enough (5-10 s on a fast machine) that most samples fall after perf's delay.
batches=${3:-$([ "$model" = mlp ] && echo 8000 || echo 300)}
mode=${MODE:-train}
[[ "$model" =~ ^(mlp|cnn)$ && "$mode" =~ ^(train|fgsm|fgsm_rs|pgd)$ ]] ||
  { echo "usage: [MODE=train|fgsm|fgsm_rs|pgd] bash bench/profile_step.sh [mlp|cnn] [THREADS] [BATCHES]" >&2; exit 2; }
if ! command -v perf >/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq linux-perf >/dev/null
fi
if [ -z "${STEP_COMMAND:-}" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j "$(nproc)" --target train_speed >/dev/null
fi
read -r -a command <<<"${STEP_COMMAND:-build/bench/train_speed $mode $model $threads $batches}"
data=$(mktemp)
trap 'rm -f "$data" "$data.err"' EXIT
# -D: start sampling after the data has loaded (about a second; two to be safe).
perf record -q -D 2000 -o "$data" "${command[@]}" >/dev/null
report=$(perf report -i "$data" --no-children --sort symbol --stdio 2>"$data.err")
if grep -q "no samples" "$data.err"; then
  echo "profile_step: no perf samples after the first 2 s: the run ended too soon; give more BATCHES" >&2
  exit 1
fi
printf '%s\n' "$report" |
  awk -v model="$model" -v mode="$mode" -v threads="$threads" '
    /^ *[0-9.]+%/ {
      share = $1; sub("%", "", share)
      sym = $0; sub(/^ *[0-9.]+% +\[[^]]*\] +/, "", sym)
      part = "other (engine, autograd, libc)"
      if (sym ~ /sgemm|cblas/) part = "GEMMs (OpenBLAS)"
      else if (sym ~ /transfer</) part = "im2col / col2im"
      else if (sym ~ /linf_step|l2_step|random_start|philox|uniform_from/) part = "attack steps, random start"
      else if (sym ~ /max_pool|avg_pool/) part = "pooling"
      else if (sym ~ /rectify|mask_by_output|conv_forward|conv_backward/) part = "conv bias, fused ReLU, gradient sums"
      else if (sym ~ /pointwise|times_slope|unary_map|binary_map|relu/) part = "element-wise (activations)"
      else if (sym ~ /cross_entropy|softmax|logsumexp|expf|_log|exp_/) part = "softmax / cross-entropy"
      else if (sym ~ /Sgd|Optimizer|update_chunk/) part = "optimiser"
      else if (sym ~ /make_batch|BatchLoader|Batch|pixels_to_unit|tokens_to_float/) part = "data / batching"
      else if (sym ~ /malloc|free|memset|clear_page|page_fault|buffer_pool|Storage|aligned_alloc/) part = "allocation, zeroing, page faults"
      else if (sym ~ /^0x[0-9a-f]+|sched|yield|futex/) part = "waiting (oneTBB workers between tasks: unnamed libtbb code, the scheduler)"
      else if (sym ~ /check_finite|any_non_finite|linear|column_sums/) part = (sym ~ /finite/ ? "finite check of the loss and gradients" : "linear bias, bias gradient")
      total[part] += share
    }
    END {
      printf "%s %s step, %d thread(s): share of perf samples\n\n", model, mode, threads
      printf "| part | share | against GEMM time |\n|---|---|---|\n"
      gemm = total["GEMMs (OpenBLAS)"]
      n = 0
      for (p in total) order[++n] = p
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (total[order[j]] > total[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= n; i++) printf "| %s | %.1f%% | %.2f |\n", order[i], total[order[i]], total[order[i]] / gemm
    }'

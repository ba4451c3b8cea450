"""The table of bench/vs_pytorch.sh: medians over its rounds of the JSON lines that
bench/train_speed and bench/torch_reference.py printed, and their ratios.

    python3 bench/vs_pytorch_summary.py RESULTS.jsonl ROUNDS THREADS CPU"""
import json
import statistics
import sys

path, rounds, threads, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(path) as f:
    rows = [json.loads(line) for line in f if line.strip()]


def median(framework, mode, model, key="samples_per_second", t=threads):
    values = [r[key] for r in rows
              if r["framework"] == framework and r["mode"] == mode and r["model"] == model and r["threads"] == t]
    return statistics.median(values) if values else float("nan")


def line(name, ours, theirs, ratio, fmt="{:,.0f}"):
    cells = [fmt.format(v) if isinstance(v, float) else v for v in (ours, theirs)]
    print(f"| {name} | {cells[0]} | {cells[1]} | {ratio:.2f} |")


kernels = sorted({f'{r["framework"]}: {r["kernel"]}' for r in rows})
torch_blas = sorted({r["blas_info"] for r in rows if "blas_info" in r})
print(f"{cpu}, {threads} threads, {rounds} rounds alternating, medians; BLAS kernel "
      f"{', '.join(kernels)} (torch BLAS_INFO={', '.join(torch_blas)})")
print()
print("| measurement | dither | PyTorch | dither / PyTorch |")
print("|---|---|---|---|")
for model, name in (("mlp", "MLP"), ("cnn", "CNN")):
    ours, theirs = median("dither", "train", model), median("torch", "train", model)
    line(f"{name} training, samples/s", ours, theirs, ours / theirs)
for model, name in (("mlp", "MLP"), ("cnn", "CNN")):
    ours, theirs = median("dither", "eval", model), median("torch", "eval", model)
    line(f"{name} eval, samples/s", ours, theirs, ours / theirs)
for mode, name in (("fgsm", "FGSM"), ("pgd", "PGD-7")):
    # An epoch's cost relative to a clean epoch is the clean rate over the adversarial rate.
    ours = median("dither", "train", "mlp") / median("dither", mode, "mlp")
    theirs = median("torch", "train", "mlp") / median("torch", mode, "mlp")
    line(f"{name}-training epoch / clean epoch (MLP)", ours, theirs, ours / theirs, "{:.2f}x")
ours = median("dither", "train", "cnn", "peak_rss_mb")
theirs = median("torch", "train", "cnn", "peak_rss_mb")
line("peak RSS, CNN training, MB", ours, theirs, ours / theirs)
for model, name in (("mlp", "MLP"), ("cnn", "CNN")):
    speedup = median("dither", "train", model) / median("dither", "train", model, t=1)
    print(f"| 1 to {threads} threads, {name} training | {speedup:.2f}x | | |")
achieved = median("dither", "train", "mlp") / 128 * median("dither", "gemm", "mlp", "step_flops") * 1e-9
raw = median("dither", "gemm", "mlp", "gemm_gflops")
print(f"| MLP training GFLOP/s: achieved, and its GEMMs alone (same shapes, same run) | "
      f"{achieved:.1f} | {raw:.1f} | {achieved / raw:.2f} of the GEMM bound |")

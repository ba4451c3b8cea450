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


def round_ratio(numerator, denominator):
    """The median over rounds of each round's numerator / denominator (each a function of the
    round's rows): the two sides of a round ran minutes apart, so a slow spell of the machine
    slows both and cancels, where a ratio of medians would keep it."""
    ratios = []
    for r in sorted({row["round"] for row in rows}):
        subset = [row for row in rows if row["round"] == r]
        ratios.append(numerator(subset) / denominator(subset))
    return statistics.median(ratios)


def rate(framework, mode, model, key="samples_per_second", t=threads):
    """A function of one round's rows: its value for this measurement."""
    return lambda subset: statistics.median(
        [r[key] for r in subset
         if r["framework"] == framework and r["mode"] == mode and r["model"] == model and r["threads"] == t])


def line(name, ours, theirs, ratio, fmt="{:,.0f}"):
    cells = [fmt.format(v) if isinstance(v, float) else v for v in (ours, theirs)]
    print(f"| {name} | {cells[0]} | {cells[1]} | {ratio:.2f} |")


kernels = sorted({f'{r["framework"]}: {r["kernel"]}' for r in rows})
torch_blas = sorted({r["blas_info"] for r in rows if "blas_info" in r})
print(f"{cpu}, {threads} threads, {rounds} rounds alternating, medians; BLAS kernel "
      f"{', '.join(kernels)} (torch BLAS_INFO={', '.join(torch_blas)})")
print()
print("| measurement | dither | PyTorch | dither / PyTorch (median of per-round ratios) |")
print("|---|---|---|---|")
for mode, model, name in (("train", "mlp", "MLP training"), ("train", "cnn", "CNN training"),
                          ("eval", "mlp", "MLP eval"), ("eval", "cnn", "CNN eval")):
    line(f"{name}, samples/s", median("dither", mode, model), median("torch", mode, model),
         round_ratio(rate("dither", mode, model), rate("torch", mode, model)))


def cost(framework, mode):
    """An adversarial epoch's cost relative to a clean epoch: the clean rate over its rate."""
    return lambda subset: rate(framework, "train", "mlp")(subset) / rate(framework, mode, "mlp")(subset)


for mode, name in (("fgsm", "FGSM-training (weight 0.5)"), ("fgsm_rs", "FGSM-RS-training (weight 1)"),
                   ("pgd", "PGD-7-training")):
    ours, theirs = round_ratio(cost("dither", mode), lambda _: 1.0), round_ratio(cost("torch", mode), lambda _: 1.0)
    line(f"{name} epoch / clean epoch (MLP)¹", ours, theirs,
         round_ratio(cost("dither", mode), cost("torch", mode)), "{:.2f}x")
line("peak RSS, CNN training, MB", median("dither", "train", "cnn", "peak_rss_mb"),
     median("torch", "train", "cnn", "peak_rss_mb"),
     round_ratio(rate("dither", "train", "cnn", "peak_rss_mb"), rate("torch", "train", "cnn", "peak_rss_mb")))
def speedup(framework, mode, model, key="samples_per_second"):
    return round_ratio(rate(framework, mode, model, key), rate(framework, mode, model, key, t=1))


for model, name in (("mlp", "MLP"), ("cnn", "CNN")):
    ours, theirs = speedup("dither", "train", model), speedup("torch", "train", model)
    line(f"1 to {threads} threads, {name} training", ours, theirs, ours / theirs, "{:.2f}x")
# What the machine gives two threads on the MLP's own products: the ceiling of the row above.
print(f"| 1 to {threads} threads, the MLP's GEMMs alone (same shapes) | "
      f"{speedup('dither', 'gemm', 'mlp', 'gemm_gflops'):.2f}x | | |")
flops = median("dither", "gemm", "mlp", "step_flops")
achieved = median("dither", "train", "mlp") / 128 * flops * 1e-9
raw = median("dither", "gemm", "mlp", "gemm_gflops")
share = round_ratio(rate("dither", "train", "mlp"), rate("dither", "gemm", "mlp"))
print(f"| MLP training GFLOP/s: achieved, and its GEMMs alone (same shapes, same run) | "
      f"{achieved:.1f} | {raw:.1f} | {share:.2f} of the GEMM bound |")

# The GEMM work of each adversarial step against a clean one, per sample of the MLP
# (docs/speed.md, "Adversarial training's cost"): a clean step is its forward F, the weight
# gradients F and the input gradients of every layer but the first; an attack's input gradient
# is a forward and the input gradients of every layer.
sizes = (784, 256, 128, 10)
forward = sum(a * b for a, b in zip(sizes, sizes[1:]))
clean = 2 * forward + forward - sizes[0] * sizes[1]
attack = 2 * forward
print()
print(f"¹ GEMM-work bound, as a multiple of a clean step: FGSM {(attack + 2 * clean) / clean:.2f}x "
      f"with a separate attack pass, {(attack + 2 * clean - forward) / clean:.2f}x with the clean "
      f"forward reused (dither and PyTorch here), FGSM-RS {(attack + clean) / clean:.2f}x, "
      f"PGD-7 {(7 * attack + clean) / clean:.2f}x; what is not GEMM work in a clean step "
      "(the optimiser, the data) is not repeated, so a measured cost can fall below it.")

"""PyTorch half of bench/vs_pytorch.sh: the measurements of bench/train_speed.cpp with the same
models, optimiser, batch sizes and attacks, data in memory, torch.set_num_threads(THREADS).

    python3 bench/torch_reference.py train|fgsm|fgsm_rs|pgd|eval mlp|cnn [THREADS] [BATCHES]

Prints one JSON line: samples/s, peak RSS in MB, the BLAS torch was built for
(torch.__config__.show(): Debian's says "generic", the libblas.so.3 alternative) and the OpenBLAS
kernel of the library actually loaded, "none" when it is not OpenBLAS."""
import ctypes
import gzip
import json
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

mode = sys.argv[1] if len(sys.argv) > 1 else "train"
model_name = sys.argv[2] if len(sys.argv) > 2 else "mlp"
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
batches = int(sys.argv[4]) if len(sys.argv) > 4 else (400 if model_name == "mlp" else 40)
torch.set_num_threads(threads)
torch.manual_seed(1)
BATCH = 128
EPS = 0.1
EVAL_PASSES = 3


def load(split):
    root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + split + "-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(root + split + "-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def blas_kernel():
    """openblas_get_corename() of the OpenBLAS this process loaded, or "none"."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line and "/" in line}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "none"


def blas_info():
    """The BLAS_INFO build setting of this torch."""
    config = torch.__config__.show()
    return config.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in config else "unknown"


if model_name == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def input_gradient(x, y):
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y)
    return torch.autograd.grad(loss, x)[0]


def fgsm_loss(x, y):
    """0.5 L(x) + 0.5 L(x_adv), x_adv one signed step of EPS, as dither's fgsm hook with weight 0.5:
    the clean forward serves both the attack gradient and the loss, as a PyTorch user writes it."""
    x = x.clone().requires_grad_(True)
    clean = F.cross_entropy(model(x), y)
    grad = torch.autograd.grad(clean, x, retain_graph=True)[0]
    x_adv = (x + EPS * grad.sign()).clamp(0, 1).detach()
    return 0.5 * clean + 0.5 * F.cross_entropy(model(x_adv), y)


def fgsm_rs_loss(x, y):
    """L(x_adv) alone, x_adv one signed step of 1.25 EPS from a uniform random start in the EPS
    ball, projected back (Wong et al. 2020), as dither's fgsm_rs hook: no clean loss."""
    start = (x + torch.empty_like(x).uniform_(-EPS, EPS)).clamp(0, 1)
    step = start + 1.25 * EPS * input_gradient(start, y).sign()
    x_adv = torch.min(torch.max(step, x - EPS), x + EPS).clamp(0, 1)
    return F.cross_entropy(model(x_adv), y)


def pgd_loss(x, y, steps=7):
    """L(x_adv), x_adv seven steps of 2.5 EPS / 7 from a uniform random start (Madry et al.)."""
    alpha = 2.5 * EPS / steps
    x_adv = (x + torch.empty_like(x).uniform_(-EPS, EPS)).clamp(0, 1)
    for _ in range(steps):
        x_adv = x_adv + alpha * input_gradient(x_adv, y).sign()
        x_adv = torch.min(torch.max(x_adv, x - EPS), x + EPS).clamp(0, 1)
    return F.cross_entropy(model(x_adv), y)


def train():
    x_all, y_all = load("train")
    per_epoch = x_all.shape[0] // BATCH
    order = torch.randperm(x_all.shape[0])
    loss_of = {"train": lambda x, y: F.cross_entropy(model(x), y), "fgsm": fgsm_loss,
               "fgsm_rs": fgsm_rs_loss, "pgd": pgd_loss}[mode]

    def run(count, offset):
        for b in range(count):
            i = (offset + b) % per_epoch
            idx = order[i * BATCH:(i + 1) * BATCH]
            opt.zero_grad()
            loss_of(x_all[idx], y_all[idx]).backward()
            opt.step()

    run(batches // 10 + 1, 0)
    start = time.perf_counter()
    run(batches, batches // 10 + 1)
    return BATCH * batches / (time.perf_counter() - start)


def evaluate():
    x_all, y_all = load("t10k")
    model.eval()

    def run():
        correct, loss = 0, 0.0
        with torch.no_grad():
            for i in range(0, x_all.shape[0], 256):
                logits = model(x_all[i:i + 256])
                y = y_all[i:i + 256]
                loss += F.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(1) == y).sum().item()
        return correct, loss

    run()
    start = time.perf_counter()
    for _ in range(EVAL_PASSES):
        run()
    return EVAL_PASSES * x_all.shape[0] / (time.perf_counter() - start)


samples_per_second = evaluate() if mode == "eval" else train()
print(json.dumps({"framework": "torch", "mode": mode, "model": model_name, "threads": threads,
                  "kernel": blas_kernel(), "blas_info": blas_info(),
                  "samples_per_second": round(samples_per_second, 1),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))

"""PyTorch half of bench/speed_vs_torch.sh: the same model, optimiser and batch size as
bench/train_speed.cpp, data in memory, torch.set_num_threads(THREADS). Prints one JSON line."""
import gzip
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn

model_name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
batches = int(sys.argv[3]) if len(sys.argv) > 3 else (400 if model_name == "mlp" else 40)
torch.set_num_threads(threads)
torch.manual_seed(1)

root = "/usr/share/datasets/fashion-mnist/"
with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
x_all = torch.from_numpy(images.astype(np.float32) / 255.0)
y_all = torch.from_numpy(labels.astype(np.int64))

if model_name == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
per_epoch = x_all.shape[0] // 128
order = torch.randperm(x_all.shape[0])


def run(count, offset):
    for b in range(count):
        i = (offset + b) % per_epoch
        idx = order[i * 128:(i + 1) * 128]
        x, y = x_all[idx], y_all[idx]
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()


run(batches // 10 + 1, 0)
start = time.perf_counter()
run(batches, batches // 10 + 1)
seconds = time.perf_counter() - start
print(json.dumps({"framework": "torch", "model": model_name, "threads": threads,
                  "samples_per_second": round(128 * batches / seconds, 1)}))

#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that dither's parity tests read.

Run from anywhere with Debian's python3-torch:

    /usr/bin/python3 tests/parity/make_fixtures.py

Every fixture is one small JSON file in tests/parity/fixtures/, named by its family prefix:
layer_* (tests/layers/test_parity.cpp), loss_* (the same file), op_* (tests/core/
test_parity_ops.cpp), optim_* and schedule_* (tests/optim/test_parity.cpp). Each case seeds torch
from its own name, so adding a case leaves the others' values unchanged. Values are float32
written with 9 significant digits, which read back as the same float32.

Graph fixtures hold the inputs, the forward output and the gradients of sum(output * R) with
respect to every input that needs one and every parameter, R a fixed random tensor stored
alongside. Parameter and buffer names are dither's (see the "torch" field for the call made).
"""

import json
import pathlib
import zlib

import torch
import torch.nn.functional as F

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def tensor(t):
    t = t.detach().to(torch.float32)
    return {"shape": list(t.shape), "data": [float(f"{v:.9g}") for v in t.reshape(-1).tolist()]}


def write(name, case):
    path = FIXTURES / f"{name}.json"
    path.write_text(json.dumps({"name": name, **case}, separators=(",", ":")) + "\n")


def run_graph(fn, inputs):
    """fn(*inputs), R, and the gradients of sum(fn(*inputs) * R) for the inputs that require
    grad, in order."""
    out = fn(*inputs)
    r = torch.randn(out.shape)
    leaves = [t for t in inputs if t.requires_grad]
    grads = torch.autograd.grad((out * r).sum(), leaves) if leaves else []
    return out, r, grads


# ----------------------------------------------------------------------------------- layers


def layer(name, torch_call, spec, make_module, make_input, names, mode="train", x_grad=True,
          randomise=()):
    """A dither layer `spec` against the torch module make_module() on make_input(); `names`
    maps torch parameter and buffer names to dither's. Parameters listed in `randomise` get
    random values first, and so do running statistics, so trivial defaults (ones, zeros) cannot
    hide a swapped scale and shift or a missed update."""
    seed(name)
    module = make_module()
    x = make_input().requires_grad_(x_grad)
    with torch.no_grad():
        for pname in randomise:
            p = dict(module.named_parameters())[pname]
            p.copy_(torch.randn(p.shape) * 0.5 + (1.0 if pname == "weight" else 0.0))
        for bname, b in module.named_buffers():
            if bname == "running_mean":
                b.copy_(torch.randn(b.shape) * 0.5)
            elif bname == "running_var":
                b.copy_(torch.rand(b.shape) + 0.5)
    module.train(mode == "train")
    params = dict(module.named_parameters())
    buffers = {k: v.clone() for k, v in module.named_buffers() if k in names}

    def forward(x, *_):
        out = module(x)
        if isinstance(out, tuple):  # nn.LSTM: (every h, (last h, last c))
            out = out[0] if spec.get("return_sequences", False) else out[0][:, -1]
        return out

    out, r, grads = run_graph(forward, [x, *params.values()])
    grad_names = (["input"] if x_grad else []) + [names[k] for k in params]
    case = {
        "torch": torch_call,
        "layer": spec,
        "mode": mode,
        "inputs": [{"name": "input", **tensor(x)}],
        "params": {names[k]: tensor(v) for k, v in params.items()},
        "buffers": {names[k]: tensor(v) for k, v in buffers.items()},
        "R": tensor(r),
        "output": tensor(out),
        "grads": {n: tensor(g) for n, g in zip(grad_names, grads)},
    }
    if mode == "train" and buffers:
        case["buffers_after"] = {
            names[k]: tensor(v) for k, v in module.named_buffers() if k in names}
    write(f"layer_{name}", case)


WB = {"weight": "weight", "bias": "bias"}
BN = {**WB, "running_mean": "running_mean", "running_var": "running_var"}
LSTM_NAMES = {f"{k}_l0": k for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def randn(*shape, scale=1.0, shift=0.0):
    """A maker of N(shift, scale^2) inputs, drawn when the case has seeded torch."""
    return lambda: torch.randn(*shape) * scale + shift


def make_layers():
    nn = torch.nn
    layer("linear", "nn.Linear(5, 3)", {"type": "linear", "out": 3}, lambda: nn.Linear(5, 3),
          randn(4, 5), WB)
    layer("linear_3d_no_bias", "nn.Linear(4, 3, bias=False) on [2, 3, 4]",
          {"type": "linear", "out": 3, "bias": False}, lambda: nn.Linear(4, 3, bias=False),
          randn(2, 3, 4), WB)
    layer("conv1d", "nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=2)",
          {"type": "conv1d", "out": 3, "kernel": 3, "stride": 2, "padding": 1, "dilation": 2},
          lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=2), randn(2, 2, 9), WB)
    layer("conv2d", "nn.Conv2d(2, 3, 3, padding=1)",
          {"type": "conv2d", "out": 3, "kernel": 3, "padding": 1},
          lambda: nn.Conv2d(2, 3, 3, padding=1), randn(2, 2, 4, 5), WB)
    layer("conv2d_stride_dilation",
          "nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(2, 1))",
          {"type": "conv2d", "out": 3, "kernel": [3, 2], "stride": [2, 1], "padding": [2, 1],
           "dilation": [2, 1]},
          lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(2, 1)),
          randn(2, 2, 5, 4), WB)
    layer("conv2d_no_bias_stride2", "nn.Conv2d(3, 2, 2, stride=2, bias=False)",
          {"type": "conv2d", "out": 2, "kernel": 2, "stride": 2, "bias": False},
          lambda: nn.Conv2d(3, 2, 2, stride=2, bias=False), randn(1, 3, 5, 4), WB)
    layer("max_pool2d", "nn.MaxPool2d(3, stride=2, padding=1)",
          {"type": "max_pool2d", "kernel": 3, "stride": 2, "padding": 1},
          lambda: nn.MaxPool2d(3, stride=2, padding=1), randn(2, 2, 5, 4), {})
    layer("max_pool2d_default_stride", "nn.MaxPool2d(2)", {"type": "max_pool2d", "kernel": 2},
          lambda: nn.MaxPool2d(2), randn(1, 2, 4, 5), {})
    layer("avg_pool2d", "nn.AvgPool2d(3, stride=2, padding=1)",
          {"type": "avg_pool2d", "kernel": 3, "stride": 2, "padding": 1},
          lambda: nn.AvgPool2d(3, stride=2, padding=1), randn(2, 2, 5, 4), {})
    layer("avg_pool2d_exclude_pad",
          "nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, count_include_pad=False)",
          {"type": "avg_pool2d", "kernel": [3, 2], "stride": [2, 1], "padding": 1,
           "count_include_pad": False},
          lambda: nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, count_include_pad=False),
          randn(1, 2, 5, 4), {})
    layer("global_avg_pool", "x.mean((2, 3))", {"type": "global_avg_pool"},
          lambda: _Lambda(lambda x: x.mean((2, 3))), randn(2, 3, 3, 4), {})
    layer("batch_norm1d_train", "nn.BatchNorm1d(3, momentum=0.3), train, on [5, 3]",
          {"type": "batch_norm1d", "momentum": 0.3}, lambda: nn.BatchNorm1d(3, momentum=0.3),
          randn(5, 3, scale=2.0, shift=1.0), BN, randomise=("weight", "bias"))
    layer("batch_norm1d_train_3d", "nn.BatchNorm1d(2), train, on [3, 2, 4]",
          {"type": "batch_norm1d"}, lambda: nn.BatchNorm1d(2), randn(3, 2, 4, shift=-0.5), BN,
          randomise=("weight", "bias"))
    layer("batch_norm1d_eval", "nn.BatchNorm1d(3), eval, random running statistics",
          {"type": "batch_norm1d"}, lambda: nn.BatchNorm1d(3), randn(4, 3), BN, mode="eval",
          randomise=("weight", "bias"))
    layer("batch_norm2d_train", "nn.BatchNorm2d(3, eps=1e-3), train",
          {"type": "batch_norm2d", "eps": 1e-3}, lambda: nn.BatchNorm2d(3, eps=1e-3),
          randn(2, 3, 3, 4, scale=1.5, shift=0.5), BN, randomise=("weight", "bias"))
    layer("batch_norm2d_eval", "nn.BatchNorm2d(2), eval, random running statistics",
          {"type": "batch_norm2d"}, lambda: nn.BatchNorm2d(2), randn(2, 2, 3, 3), BN,
          mode="eval", randomise=("weight", "bias"))
    layer("layer_norm", "nn.LayerNorm(5)", {"type": "layer_norm"}, lambda: nn.LayerNorm(5),
          randn(3, 5, scale=2.0, shift=1.0), WB, randomise=("weight", "bias"))
    layer("layer_norm_two_axes", "nn.LayerNorm([3, 4], eps=1e-3) on [2, 3, 4]",
          {"type": "layer_norm", "axes": 2, "eps": 1e-3}, lambda: nn.LayerNorm([3, 4], eps=1e-3),
          randn(2, 3, 4), WB, randomise=("weight", "bias"))
    layer("embedding", "nn.Embedding(7, 3) on ids [2, 3] with repeated ids",
          {"type": "embedding", "num_embeddings": 7, "dim": 3},
          lambda: _Embedding(nn.Embedding(7, 3)),
          lambda: torch.tensor([[1.0, 4.0, 1.0], [6.0, 0.0, 4.0]]),
          {"embedding.weight": "weight"}, x_grad=False)
    layer("lstm", "nn.LSTM(3, 4, batch_first=True), output[:, -1]",
          {"type": "lstm", "hidden": 4}, lambda: nn.LSTM(3, 4, batch_first=True),
          randn(2, 3, 3), LSTM_NAMES)
    layer("lstm_sequences", "nn.LSTM(2, 3, batch_first=True), every output",
          {"type": "lstm", "hidden": 3, "return_sequences": True},
          lambda: nn.LSTM(2, 3, batch_first=True), randn(2, 4, 2), LSTM_NAMES)
    activations = [
        ("relu", "nn.ReLU()", {"type": "relu"}, nn.ReLU),
        ("leaky_relu", "nn.LeakyReLU(0.2)", {"type": "leaky_relu", "slope": 0.2},
         lambda: nn.LeakyReLU(0.2)),
        ("gelu", "nn.GELU()", {"type": "gelu"}, nn.GELU),
        ("elu", "nn.ELU(0.7)", {"type": "elu", "alpha": 0.7}, lambda: nn.ELU(0.7)),
        ("selu", "nn.SELU()", {"type": "selu"}, nn.SELU),
        ("sigmoid", "nn.Sigmoid()", {"type": "sigmoid"}, nn.Sigmoid),
        ("tanh", "nn.Tanh()", {"type": "tanh"}, nn.Tanh),
        ("softmax", "nn.Softmax(-1)", {"type": "softmax"}, lambda: nn.Softmax(-1)),
    ]
    for name, call, spec, make in activations:
        layer(name, call, spec, make, randn(3, 5, scale=2.0), {})
    layer("softmax_axis1", "nn.Softmax(1) on [2, 3, 4]", {"type": "softmax", "axis": 1},
          lambda: nn.Softmax(1), randn(2, 3, 4, scale=2.0), {})


class _Lambda(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class _Embedding(torch.nn.Module):
    """Takes float ids, as dither's Embedding does."""

    def __init__(self, embedding):
        super().__init__()
        self.embedding = embedding

    def forward(self, x):
        return self.embedding(x.long())


# ----------------------------------------------------------------------- losses and ops


def graph(prefix, name, torch_call, key, spec, fn, make_inputs):
    """Loss or op fixtures: make_inputs() gives a list of (name, tensor, requires_grad), drawn
    once the case has seeded torch."""
    seed(name)
    inputs = make_inputs()
    leaves = [t.clone().requires_grad_(g) for _, t, g in inputs]
    out, r, grads = run_graph(fn, leaves)
    wanted = [n for n, _, g in inputs if g]
    write(f"{prefix}_{name}", {
        "torch": torch_call,
        key: spec,
        "inputs": [{"name": n, **tensor(t)} for (n, _, _), t in zip(inputs, leaves)],
        "R": tensor(r),
        "output": tensor(out),
        "grads": {n: tensor(g) for n, g in zip(wanted, grads)},
    })


def make_losses():
    weight = [0.5, 1.0, 2.0, 0.25, 1.5]

    def labels():
        return [("input", torch.randn(4, 5) * 1.5, True),
                ("target", torch.tensor([3.0, 0.0, 4.0, 3.0]), False)]

    def soft():
        return [("input", torch.randn(4, 5) * 1.5, True),
                ("target", torch.softmax(torch.randn(4, 5) * 2.0, dim=1), True)]

    def pair():
        return [("input", torch.randn(3, 4), True), ("target", torch.randn(3, 4), True)]

    cases = [
        ("cross_entropy", "F.cross_entropy(x, y)", {"type": "cross_entropy"},
         lambda x, t: F.cross_entropy(x, t.long()), labels),
        ("cross_entropy_soft", "F.cross_entropy(x, q) with probabilities q",
         {"type": "cross_entropy"}, F.cross_entropy, soft),
        ("cross_entropy_smoothing", "F.cross_entropy(x, y, label_smoothing=0.2)",
         {"type": "cross_entropy", "label_smoothing": 0.2},
         lambda x, t: F.cross_entropy(x, t.long(), label_smoothing=0.2), labels),
        ("cross_entropy_soft_smoothing", "F.cross_entropy(x, q, label_smoothing=0.1)",
         {"type": "cross_entropy", "label_smoothing": 0.1},
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), soft),
        ("cross_entropy_weight", f"F.cross_entropy(x, y, weight={weight})",
         {"type": "cross_entropy", "weight": weight},
         lambda x, t: F.cross_entropy(x, t.long(), weight=torch.tensor(weight)), labels),
        ("cross_entropy_weight_smoothing",
         f"F.cross_entropy(x, y, weight={weight}, label_smoothing=0.3)",
         {"type": "cross_entropy", "weight": weight, "label_smoothing": 0.3},
         lambda x, t: F.cross_entropy(x, t.long(), weight=torch.tensor(weight),
                                      label_smoothing=0.3), labels),
        ("cross_entropy_soft_weight", f"F.cross_entropy(x, q, weight={weight})",
         {"type": "cross_entropy", "weight": weight},
         lambda x, t: F.cross_entropy(x, t, weight=torch.tensor(weight)), soft),
        ("nll", "F.nll_loss(x, y)", {"type": "nll"}, lambda x, t: F.nll_loss(x, t.long()),
         labels),
        ("mse", "F.mse_loss(a, b)", {"type": "mse"}, F.mse_loss, pair),
        ("l1", "F.l1_loss(a, b)", {"type": "l1"}, F.l1_loss, pair),
        ("huber", "F.huber_loss(a, b)", {"type": "huber"}, F.huber_loss, pair),
        ("huber_delta", "F.huber_loss(a, b, delta=0.5)", {"type": "huber", "delta": 0.5},
         lambda x, t: F.huber_loss(x, t, delta=0.5), pair),
        ("bce_with_logits", "F.binary_cross_entropy_with_logits(x, t)",
         {"type": "bce_with_logits"}, F.binary_cross_entropy_with_logits,
         lambda: [("input", torch.randn(3, 4) * 2.0, True), ("target", torch.rand(3, 4), True)]),
    ]
    for name, call, spec, fn, make_inputs in cases:
        graph("loss", name, call, "loss", spec, fn, make_inputs)


def make_ops():
    def x(*shape):
        return lambda: [("x", torch.randn(*shape) * 2.0, True)]

    graph("op", "log_softmax", "F.log_softmax(x, -1)", "op", {"type": "log_softmax", "axis": -1},
          lambda t: F.log_softmax(t, -1), x(3, 5))
    graph("op", "log_softmax_axis1", "F.log_softmax(x, 1) on [2, 3, 4]", "op",
          {"type": "log_softmax", "axis": 1}, lambda t: F.log_softmax(t, 1), x(2, 3, 4))
    graph("op", "softplus", "F.softplus(x)", "op", {"type": "softplus"}, F.softplus, x(3, 5))
    graph("op", "softplus_beta_threshold", "F.softplus(x, beta=2, threshold=3)", "op",
          {"type": "softplus", "beta": 2.0, "threshold": 3.0},
          lambda t: F.softplus(t, beta=2.0, threshold=3.0), x(3, 5))
    graph("op", "kl_div", "F.kl_div(log_q, p, reduction='batchmean')", "op", {"type": "kl_div"},
          lambda a, b: F.kl_div(a, b, reduction="batchmean"),
          lambda: [("log_q", torch.log_softmax(torch.randn(3, 4), dim=1), True),
                   ("p", torch.softmax(torch.randn(3, 4), dim=1), True)])
    graph("op", "kl_div_logits",
          "F.kl_div(F.log_softmax(q, 1), F.softmax(p, 1), reduction='batchmean')", "op",
          {"type": "kl_div_logits"},
          lambda lp, lq: F.kl_div(F.log_softmax(lq, 1), F.softmax(lp, 1), reduction="batchmean"),
          lambda: [("logits_p", torch.randn(3, 4), True), ("logits_q", torch.randn(3, 4), True)])


# ------------------------------------------------------------------------------ optimisers

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
              "rmsprop": torch.optim.RMSprop}


def torch_optimizer(spec, params):
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in spec.items() if k != "type"}
    return OPTIMIZERS[spec["type"]](params, **kwargs)


def optimizer(name, spec, skip=None, steps=3):
    """`steps` steps from fixed parameters and fixed per-step gradients; `skip` = (step, param)
    leaves that parameter without a gradient on that step, so per-parameter step counts matter."""
    seed(name)
    params = [torch.randn(2, 3), torch.randn(4)]
    grads = [[torch.randn(p.shape) for p in params] for _ in range(steps)]
    if skip is not None:
        grads[skip[0]][skip[1]] = None
    live = [p.clone().requires_grad_() for p in params]
    opt = torch_optimizer(spec, live)
    after = []
    for step_grads in grads:
        for p, g in zip(live, step_grads):
            p.grad = None if g is None else g.clone()
        opt.step()
        after.append([tensor(p) for p in live])
    write(f"optim_{name}", {
        "torch": f"torch.optim.{OPTIMIZERS[spec['type']].__name__}",
        "optimizer": spec,
        "params": [tensor(p) for p in params],
        "grads": [[None if g is None else tensor(g) for g in step] for step in grads],
        "after": after,
    })


def make_optimizers():
    optimizer("sgd", {"type": "sgd", "lr": 0.1})
    optimizer("sgd_momentum", {"type": "sgd", "lr": 0.1, "momentum": 0.9})
    optimizer("sgd_nesterov", {"type": "sgd", "lr": 0.1, "momentum": 0.8, "nesterov": True,
                               "weight_decay": 0.05})
    optimizer("sgd_dampening_weight_decay", {"type": "sgd", "lr": 0.2, "momentum": 0.7,
                                             "dampening": 0.3, "weight_decay": 0.1},
              skip=(1, 0))
    optimizer("adam", {"type": "adam", "lr": 0.05})
    optimizer("adam_weight_decay", {"type": "adam", "lr": 0.05, "betas": [0.8, 0.9],
                                    "eps": 1e-6, "weight_decay": 0.1}, skip=(1, 1))
    optimizer("adam_amsgrad", {"type": "adam", "lr": 0.05, "amsgrad": True})
    optimizer("adamw", {"type": "adamw", "lr": 0.05, "weight_decay": 0.2})
    optimizer("adamw_amsgrad", {"type": "adamw", "lr": 0.05, "betas": [0.5, 0.7],
                                "amsgrad": True})
    optimizer("rmsprop", {"type": "rmsprop", "lr": 0.01})
    optimizer("rmsprop_centered", {"type": "rmsprop", "lr": 0.01, "alpha": 0.9,
                                   "centered": True})
    optimizer("rmsprop_momentum", {"type": "rmsprop", "lr": 0.01, "momentum": 0.9,
                                   "weight_decay": 0.1})
    optimizer("rmsprop_centered_momentum", {"type": "rmsprop", "lr": 0.01, "momentum": 0.5,
                                            "centered": True, "eps": 1e-4}, skip=(1, 0))


# ------------------------------------------------------------------------------- schedules


def torch_schedule(s, opt):
    lr = torch.optim.lr_scheduler
    kind = s["type"]
    if kind == "step":
        return lr.StepLR(opt, s["step_size"], s["gamma"])
    if kind == "multistep":
        return lr.MultiStepLR(opt, s["milestones"], s["gamma"])
    if kind == "exponential":
        return lr.ExponentialLR(opt, s["gamma"])
    if kind == "cosine":
        return lr.CosineAnnealingLR(opt, s["t_max"], s.get("eta_min", 0.0))
    if kind == "one_cycle":
        return lr.OneCycleLR(opt, s["max_lr"], total_steps=s["total_steps"],
                             pct_start=s["pct_start"], div_factor=s["div_factor"],
                             final_div_factor=s["final_div_factor"], anneal_strategy="cos",
                             cycle_momentum=False, three_phase=False)
    return lr.ReduceLROnPlateau(opt, **{k: v for k, v in s.items() if k != "type"})


def schedule(name, torch_call, spec, epochs=12, steps_per_epoch=1, per_batch=False,
             metrics=None):
    """lrs[k]: the lr of epoch k (k = 0..epochs, the last after every epoch ended) or, per batch,
    of batch k (k = 0..epochs * steps_per_epoch - 1)."""
    optimizer_spec = {"type": "sgd", "lr": 0.1}
    opt = torch_optimizer(optimizer_spec, [torch.zeros(1, requires_grad=True)])
    sched = torch_schedule(spec, opt)
    lrs = []

    def lr():
        return opt.param_groups[0]["lr"]

    for epoch in range(epochs):
        if per_batch:
            for _ in range(steps_per_epoch):
                lrs.append(lr())
                opt.step()
                sched.step()
        else:
            lrs.append(lr())
            opt.step()
            if metrics:
                sched.step(metrics[epoch])
            else:
                sched.step()
    if not per_batch:
        lrs.append(lr())
    case = {"torch": torch_call, "optimizer": optimizer_spec, "schedule": spec, "epochs": epochs,
            "steps_per_epoch": steps_per_epoch, "per_batch": per_batch, "lrs": lrs}
    if metrics:
        case["metrics"] = metrics
    write(f"schedule_{name}", case)


def make_schedules():
    schedule("step", "StepLR(step_size=3, gamma=0.5)", {"type": "step", "step_size": 3,
                                                        "gamma": 0.5})
    schedule("multistep", "MultiStepLR(milestones=[2, 5, 9], gamma=0.3)",
             {"type": "multistep", "milestones": [2, 5, 9], "gamma": 0.3})
    schedule("exponential", "ExponentialLR(gamma=0.8)", {"type": "exponential", "gamma": 0.8})
    schedule("cosine", "CosineAnnealingLR(T_max=12)", {"type": "cosine", "t_max": 12})
    schedule("cosine_eta_min", "CosineAnnealingLR(T_max=10, eta_min=0.01), 10 epochs",
             {"type": "cosine", "t_max": 10, "eta_min": 0.01}, epochs=10)
    schedule("one_cycle", "OneCycleLR(max_lr=0.5, total_steps=48), 12 epochs of 4 batches",
             {"type": "one_cycle", "max_lr": 0.5, "total_steps": 48, "pct_start": 0.3,
              "div_factor": 25.0, "final_div_factor": 1e4}, steps_per_epoch=4, per_batch=True)
    schedule("one_cycle_short_rise", "OneCycleLR(max_lr=0.3, total_steps=36, pct_start=0.1, "
             "div_factor=10, final_div_factor=100), 12 epochs of 3 batches",
             {"type": "one_cycle", "max_lr": 0.3, "total_steps": 36, "pct_start": 0.1,
              "div_factor": 10.0, "final_div_factor": 100.0}, steps_per_epoch=3, per_batch=True)
    losses = [1.0, 0.9, 0.95, 0.91, 0.92, 0.85, 0.86, 0.86, 0.87, 0.7, 0.71, 0.72]
    schedule("reduce_on_plateau", "ReduceLROnPlateau(patience=1, factor=0.5, cooldown=1, "
             "min_lr=0.02)",
             {"type": "reduce_on_plateau", "mode": "min", "factor": 0.5, "patience": 1,
              "threshold": 1e-4, "threshold_mode": "rel", "cooldown": 1, "min_lr": 0.02,
              "eps": 1e-8}, metrics=losses)
    accuracy = [0.5, 0.6, 0.6, 0.605, 0.62, 0.62, 0.619, 0.7, 0.7, 0.7, 0.7, 0.71]
    schedule("reduce_on_plateau_max_abs", "ReduceLROnPlateau(mode='max', patience=2, "
             "factor=0.3, threshold=0.01, threshold_mode='abs')",
             {"type": "reduce_on_plateau", "mode": "max", "factor": 0.3, "patience": 2,
              "threshold": 0.01, "threshold_mode": "abs", "cooldown": 0, "min_lr": 0.0,
              "eps": 1e-8}, metrics=accuracy)


def main():
    FIXTURES.mkdir(exist_ok=True)
    for old in FIXTURES.glob("*.json"):
        old.unlink()
    make_layers()
    make_losses()
    make_ops()
    make_optimizers()
    make_schedules()
    files = sorted(FIXTURES.glob("*.json"))
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} fixtures, {total} bytes, to {FIXTURES}")


if __name__ == "__main__":
    main()

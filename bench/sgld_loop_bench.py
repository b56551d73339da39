#!/usr/bin/python3
"""Reference for the LLC speed benchmark: a minimal SGLD loop in real PyTorch (Debian's python3-torch 1.13).

For each model it runs C chains in turn (the usual PyTorch way: one model copy per chain), each step drawing a
minibatch, computing the loss, backpropagating and applying w <- w - eps/2 (nbeta grad + gamma (w - w0)) + sqrt(eps) xi.
It also times the floor: forward + backward of one model on one batch, no sampler. Single thread.
Each rate is the best of BLOCKS blocks (other jobs on a shared machine only slow a block down), by wall time and by
process CPU time (the steadier measure when the machine is loaded).
Prints one JSON line per model: chain_steps_per_s (C*steps/s) for the SGLD loop, and floor_steps_per_s, each also as
*_cpu (per second of CPU time), and the load average.
The modular-addition case (one-hot a and b of p = 31, an MLP 62-256-31 of 24,095 parameters, cross-entropy) runs full
batch on 396 training pairs, as the grokking runs of docs/llc.md do: no indexing, every chain-step sees all 396 rows.
Debian's python3-torch links the reference BLAS (libblas.so.3); to time it with OpenBLAS, put OpenBLAS's libblas first
for this process only:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/sgld_loop_bench.py 200 5 mlp-onehot
Usage: /usr/bin/python3 bench/sgld_loop_bench.py [STEPS [BLOCKS [MODEL-PREFIX]]]   (TORCH_THREADS=k for k threads)
"""
import json, os, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.manual_seed(0)
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
BLOCKS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
ONLY = sys.argv[3] if len(sys.argv) > 3 else ""
CHAINS = 8


def best_rate(run, count):
    """(wall, cpu) rates of count iterations per second: the best of BLOCKS blocks."""
    wall, cpu = 0.0, 0.0
    for _ in range(BLOCKS):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        t1, c1 = time.perf_counter(), time.process_time()
        wall, cpu = max(wall, count / (t1 - t0)), max(cpu, count / max(c1 - c0, 1e-9))
    return wall, cpu

class Tms(nn.Module):
    def __init__(self, f, h):
        super().__init__()
        self.W = nn.Parameter(torch.randn(h, f) * 0.1)
        self.b_final = nn.Parameter(torch.zeros(f))
    def forward(self, x):
        return torch.relu((x @ self.W.T) @ self.W + self.b_final)

def dln(widths):
    return nn.Sequential(*[nn.Linear(a, b, bias=False) for a, b in zip(widths[:-1], widths[1:])])

def mlp(widths):
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)

def modular_addition(p, n_train):
    """One-hot (a, b) concatenated and (a + b) mod p for n_train of the p² pairs (a fixed random subset)."""
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    rows = torch.randperm(p * p)[:n_train]
    x = torch.cat([nn.functional.one_hot(a, p), nn.functional.one_hot(b, p)], 1).float()[rows]
    return x, ((a + b) % p)[rows]


# name, model, inputs, outputs, batch (None: full batch), loss, data (None: 10,000 random rows)
CASES = [
    ("tms-6-2", lambda: Tms(6, 2), 6, 6, 256, "mse", None),
    ("dln-8-8-8-8", lambda: dln([8, 8, 8, 8]), 8, 8, 256, "mse", None),
    ("dln-50-40-30-20-50", lambda: dln([50, 40, 30, 20, 50]), 50, 50, 256, "mse", None),
    ("mlp-784-256-256-10", lambda: mlp([784, 256, 256, 10]), 784, 10, 256, "ce", None),
    ("mlp-onehot-62-256-31", lambda: mlp([62, 256, 31]), 62, 31, None, "ce", lambda: modular_addition(31, 396)),
]

def loss_fn(kind, out, y):
    if kind == "ce":
        return nn.functional.cross_entropy(out, y)
    return ((out - y) ** 2).sum(-1).mean()

for name, make, din, dout, batch, kind, data in CASES:
    if not name.startswith(ONLY):
        continue
    if data is None:
        n = 10000
        x = torch.randn(n, din)
        y = torch.randint(0, dout, (n,)) if kind == "ce" else torch.randn(n, dout)
    else:
        x, y = data()
        n = x.shape[0]
    full = batch is None
    models = [make() for _ in range(CHAINS)]
    centers = [[p.detach().clone() for p in m.parameters()] for m in models]
    eps, nbeta, gamma = 1e-5, n / torch.log(torch.tensor(float(n))).item(), 0.1

    def sgld_step(m, w0):
        m.zero_grad()
        if full:
            loss = loss_fn(kind, m(x), y)
        else:
            idx = torch.randint(0, n, (batch,))
            loss = loss_fn(kind, m(x[idx]), y[idx])
        loss.backward()
        with torch.no_grad():
            for p, c in zip(m.parameters(), w0):
                p.add_(-eps / 2 * (nbeta * p.grad + gamma * (p - c)) + eps ** 0.5 * torch.randn_like(p))
        return loss.item()

    for m, w0 in zip(models, centers):  # warm-up
        for _ in range(5):
            sgld_step(m, w0)
    def sgld_block():
        for _ in range(STEPS):
            for m, w0 in zip(models, centers):
                sgld_step(m, w0)
    sgld, sgld_cpu = best_rate(sgld_block, CHAINS * STEPS)

    m = models[0]
    def floor_step():
        m.zero_grad()
        if full:
            loss_fn(kind, m(x), y).backward()
        else:
            idx = torch.randint(0, n, (batch,))
            loss_fn(kind, m(x[idx]), y[idx]).backward()
    for _ in range(5):
        floor_step()
    def floor_block():
        for _ in range(STEPS * 2):
            floor_step()
    floor, floor_cpu = best_rate(floor_block, STEPS * 2)
    print(json.dumps({"model": name, "chains": CHAINS, "batch": n if full else batch, "threads": torch.get_num_threads(), "chain_steps_per_s": round(sgld, 1),
                      "chain_steps_per_s_cpu": round(sgld_cpu, 1), "floor_steps_per_s": round(floor, 1),
                      "floor_steps_per_s_cpu": round(floor_cpu, 1), "load": " ".join(f"{v:.2f}" for v in os.getloadavg())}),
          flush=True)

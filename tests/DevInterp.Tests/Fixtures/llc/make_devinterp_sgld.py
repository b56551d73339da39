#!/usr/bin/python3
"""Writes the fixture for DevInterp's --compat devinterp test (tests/DevInterp.Tests/Llc/DevinterpCompatTests.cs).

Run with Debian's python and real PyTorch (1.13 here):  /usr/bin/python3 make_devinterp_sgld.py
The devinterp package itself cannot be installed here (no PyPI), so this script runs the update the reference library's
SGLD optimizer documents and implements (devinterp.optim.SGLD / SGMCMC.sgld, read from its source):
    dw = nbeta * grad(mean batch loss) + localization * (w - w0)
    w  = w - lr/2 * dw + sqrt(lr) * N(0, 1)
with the loss of each step recorded at the weights before the update (what its sampler hands LLCEstimator), and
    init_loss = the loss at w0 (its get_init_loss_* helpers; one full-batch loader gives the full training loss)
    llc_per_chain = nbeta * (mean of the draws' losses - init_loss)
A GELU MLP 5 -> 7 -> 3 (nn.Sequential named 'layers', as DevInterp's mlp spec names it), float64, 24 samples with
cross-entropy targets, 2 chains of 6 steps, the first 2 steps burn-in. The noise of every step is saved, so the test
can feed DevInterp's sampler the same draws. Output: devinterp_sgld.safetensors (written by hand: the safetensors
package is not installed; same layout as safetensors.torch.save_file).
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(5, 7), nn.GELU(), nn.Linear(7, 3))

    def forward(self, x):
        return self.layers(x)


torch.manual_seed(11)
torch.set_default_dtype(torch.float64)
n, chains, steps, burn_in = 24, 2, 6, 2
lr, localization = 0.01, 3.0
nbeta = n / math.log(n)  # devinterp.utils.default_nbeta of a full-batch loader: batch_size / ln(batch_size)
x = torch.randn(n, 5)
y = torch.randint(0, 3, (n,))
reference = Mlp()
center = {k: v.detach().clone() for k, v in reference.state_dict().items()}
with torch.no_grad():
    init_loss = F.cross_entropy(reference(x), y).item()

out = {k: v for k, v in center.items()}
out["x"], out["y"] = x, y
losses = torch.zeros(chains, steps)
for c in range(chains):
    model = Mlp()
    model.load_state_dict(center)
    for name, p in model.named_parameters():
        out.setdefault(f"trajectory.{name}", torch.zeros(chains, steps + 1, *p.shape))[c, 0] = p.detach()
    for t in range(steps):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)  # the mean over the batch, as devinterp's evaluate_ce returns it
        loss.backward()
        losses[c, t] = loss.item()
        with torch.no_grad():
            for name, p in model.named_parameters():
                dw = p.grad * nbeta
                dw.add_(p - center[name], alpha=localization)
                p.add_(dw, alpha=-0.5 * lr)
                noise = torch.normal(mean=0.0, std=1.0, size=dw.size())
                p.add_(noise, alpha=lr ** 0.5)
                out.setdefault(f"noise.{name}", torch.zeros(chains, steps, *p.shape))[c, t] = noise
                out[f"trajectory.{name}"][c, t + 1] = p.detach()
out["losses"] = losses
llc_per_chain = nbeta * (losses[:, burn_in:].mean(1) - init_loss)
out["llc_per_chain"] = llc_per_chain
save_safetensors(os.path.join(HERE, "devinterp_sgld.safetensors"), out, {
    "producer": "make_devinterp_sgld.py", "torch": torch.__version__, "lr": repr(lr), "localization": repr(localization),
    "nbeta": repr(nbeta), "burn_in": burn_in, "init_loss": repr(init_loss),
    "model": json.dumps({"type": "mlp", "widths": [5, 7, 3], "activation": "gelu"}),
})
print("llc per chain", llc_per_chain.tolist(), "init loss", init_loss)

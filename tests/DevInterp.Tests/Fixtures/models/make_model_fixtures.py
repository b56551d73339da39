#!/usr/bin/python3
"""Writes the PyTorch-parity fixtures for DevInterp's model specs (tests/DevInterp.Tests/Models/).

Run with Debian's python and real PyTorch (1.13 here):  /usr/bin/python3 make_model_fixtures.py
Every model is built in PyTorch with the parameter names DevInterp documents (docs/models.md), given fixed random
weights, and run on fixed inputs. For each fixture NAME this writes
  NAME.safetensors     the state dict (what DevInterp loads into the module its spec builds)
  NAME.io.safetensors  'input' and 'output' (PyTorch's forward pass), plus 'hook.<module>' values for some hook points
  NAME.json            the DevInterp model spec
The safetensors package is not installed, so the format is written by hand (8-byte little-endian header length, JSON
header padded with spaces to a multiple of 8, raw little-endian data), exactly as safetensors.torch.save_file lays it out.
The attention reference deliberately uses torch.nn.MultiheadAttention rather than a re-implementation of DevInterp's
code, so the parity test compares against PyTorch's own attention.
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}


def save_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()  # x86: little-endian
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


def write(name, model, spec, inputs, hooks=None, state=None):
    model.eval()
    captured = {}
    handles = []
    for hook_name, module in (hooks or {}).items():
        def grab(_m, _inp, out, key=hook_name):
            captured[key] = out[1] if isinstance(out, tuple) and key.endswith("hook_pattern") else out
        handles.append(module.register_forward_hook(grab))
    with torch.no_grad():
        output = model(inputs)
    for h in handles:
        h.remove()
    state = state if state is not None else model.state_dict()
    save_safetensors(os.path.join(HERE, name + ".safetensors"), state, {"producer": "make_model_fixtures.py", "torch": torch.__version__})
    io = {"input": inputs, "output": output}
    for k, v in captured.items():
        io["hook." + k] = v
    save_safetensors(os.path.join(HERE, name + ".io.safetensors"), io)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(name, {k: list(v.shape) for k, v in state.items()}, "output", list(output.shape))


# ---------------------------------------------------------------- MLP: nn.Sequential under `layers`
class Mlp(nn.Module):
    def __init__(self, widths, act, bias):
        super().__init__()
        mods = []
        for i in range(len(widths) - 1):
            mods.append(nn.Linear(widths[i], widths[i + 1], bias=bias))
            if i < len(widths) - 2:
                mods.append(act())
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)


# ---------------------------------------------------------------- a "foreign" MLP with other names
class ForeignMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(5, 7)
        self.act = nn.ReLU()
        self.linear2 = nn.Linear(7, 3)

    def forward(self, x):
        return self.linear2(self.act(self.linear1(x)))


# ---------------------------------------------------------------- deep linear network
class Dln(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.layers = nn.Sequential(*[nn.Linear(widths[i], widths[i + 1], bias=False) for i in range(len(widths) - 1)])

    def forward(self, x):
        return self.layers(x)


# ---------------------------------------------------------------- toy model of superposition
class Tms(nn.Module):
    def __init__(self, features, hidden):
        super().__init__()
        self.W = nn.Parameter(torch.empty(hidden, features))
        self.b_final = nn.Parameter(torch.empty(features))

    def forward(self, x):
        return F.relu(x @ self.W.T @ self.W + self.b_final)


# ---------------------------------------------------------------- GPT-2-style transformer
class Attn(nn.Module):
    """Holds c_attn / c_proj as nn.Linear (DevInterp's [out, in] layout); computes with nn.MultiheadAttention."""

    def __init__(self, d, heads):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.heads = heads
        self.pattern = nn.Identity()  # hook target for the attention pattern

    def forward(self, x):
        d = x.shape[-1]
        mha = nn.MultiheadAttention(d, self.heads, bias=True, batch_first=True)
        with torch.no_grad():
            mha.in_proj_weight.copy_(self.c_attn.weight)
            mha.in_proj_bias.copy_(self.c_attn.bias)
            mha.out_proj.weight.copy_(self.c_proj.weight)
            mha.out_proj.bias.copy_(self.c_proj.bias)
        t = x.shape[1]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        out, weights = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
        self.pattern(weights)
        return out


class Mlp2(nn.Module):
    def __init__(self, d, d_mlp, act):
        super().__init__()
        self.c_fc = nn.Linear(d, d_mlp)
        self.act = act
        self.c_proj = nn.Linear(d_mlp, d)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d, heads, d_mlp, ln, act):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=1e-5) if ln else nn.Identity()
        self.attn = Attn(d, heads)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5) if ln else nn.Identity()
        self.mlp = Mlp2(d, d_mlp, act)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab, context, d, heads, layers, d_mlp, ln, tie, act):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.h = nn.ModuleList([Block(d, heads, d_mlp, ln, act) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5) if ln else nn.Identity()
        self.tie = tie
        if not tie:
            self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        pos = torch.arange(idx.shape[1])
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return x @ self.wte.weight.T if self.tie else self.lm_head(x)


def randomize(model, std):
    """Fixed, non-trivial weights: N(0, std) everywhere, LayerNorm weights near 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(std * torch.randn_like(p))


def gelu_tanh():
    return nn.GELU(approximate="tanh")


def main():
    torch.manual_seed(20240601)

    for name, widths, act, act_name, bias in [
        ("mlp_relu", [5, 8, 8, 3], nn.ReLU, "relu", True),
        ("mlp_tanh_nobias", [4, 6, 2], nn.Tanh, "tanh", False),
        ("mlp_gelu", [3, 9, 4], nn.GELU, "gelu", True),
    ]:
        m = Mlp(widths, act, bias)
        randomize(m, 0.7)
        write(name, m, {"type": "mlp", "widths": widths, "activation": act_name, "bias": bias}, torch.randn(6, widths[0]))

    f = ForeignMlp()
    randomize(f, 0.7)
    write("foreign_mlp", f, {"type": "mlp", "widths": [5, 7, 3], "activation": "relu"}, torch.randn(4, 5))

    d = Dln([6, 5, 4, 3])
    randomize(d, 0.5)
    write("dln", d, {"type": "dln", "widths": [6, 5, 4, 3], "init_scale": 0.01}, torch.randn(5, 6))

    t = Tms(6, 2)
    randomize(t, 0.8)
    # sparse non-negative inputs as in the TMS data
    x = torch.rand(8, 6) * (torch.rand(8, 6) < 0.4)
    write("tms", t, {"type": "tms", "features": 6, "hidden": 2}, x)

    for name, ln, tie, act, act_name in [("gpt_tied", True, True, gelu_tanh(), "gelu_tanh"),
                                          ("gpt_untied_noln", False, False, nn.ReLU(), "relu")]:
        g = Gpt(11, 8, 12, 3, 2, 20, ln, tie, act)
        randomize(g, 0.3)
        tokens = torch.randint(0, 11, (2, 7))
        spec = {"type": "transformer", "vocab": 11, "context": 8, "d_model": 12, "heads": 3, "layers": 2, "d_mlp": 20,
                "layer_norm": ln, "tie_embeddings": tie, "activation": act_name}
        hooks = {"h.0": g.h[0], "h.0.attn": g.h[0].attn, "h.0.mlp": g.h[0].mlp, "h.1": g.h[1],
                 "h.1.attn.hook_pattern": g.h[1].attn.pattern}
        state = {k: v for k, v in g.state_dict().items()}
        write(name, g, spec, tokens, hooks, state)
        if name == "gpt_tied":
            # The same weights laid out as Hugging Face's GPT2LMHeadModel saves them: a 'transformer.' prefix, Conv1D
            # weights stored [in, out], and the causal-mask buffer older versions kept. (Synthesised here from the
            # weights above: transformers is not installed.)
            hf = {}
            for k, v in state.items():
                if any(k.endswith(s) for s in ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")):
                    v = v.t().contiguous()
                hf["transformer." + k] = v
            for i in range(2):
                hf[f"transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(8, 8, dtype=torch.bool)).view(1, 1, 8, 8)
            save_safetensors(os.path.join(HERE, "gpt_tied_hf_layout.safetensors"), hf, {"format": "pt"})
            print("gpt_tied_hf_layout", {k: list(v.shape) for k, v in hf.items()})


if __name__ == "__main__":
    main()

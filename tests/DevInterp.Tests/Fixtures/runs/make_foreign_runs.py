#!/usr/bin/python3
"""Writes small training runs laid out as other people's repositories save them (tests/DevInterp.Tests/Init/).

Run with Debian's python, numpy and real PyTorch (1.13 here):  /usr/bin/python3 make_foreign_runs.py
Each run is really trained (a few full-batch AdamW steps, so consecutive checkpoints differ) and saved with torch.save
the way the repositories described in issue 11 do:
  grok_mlp/        a grokking MLP on modular addition mod 7 with one-hot (a, b) inputs: fc1 = Linear(2p, 16), ReLU,
                   fc2 = Linear(16, p); checkpoints 0.pth, 50.pth, 100.pth, 150.pth each {'model': state_dict,
                   'optimizer': ..., 'epoch', 'train_loss', 'test_loss', 'train_acc', 'test_acc'}; the run's own split as
                   train_data.pth / test_data.pth (torch.save of a list of (a, b) tuples).
  grok_mlp_embed/  the same with an embedding: embed = Embedding(p, 4) looked up for a and b and concatenated,
                   fc1 = Linear(8, 16), ReLU, fc2 = Linear(16, p); same checkpoint and data layout.
  classifier/      a tanh MLP (nn.Sequential(Linear(4, 16), Tanh(), Linear(16, 5))) trained on the classes <= 4 of a
                   ten-class dataset kept as whitespace text beside the checkpoints: train.txt, test.txt ("x1 x2 x3 x4
                   label" rows, labels 0-9); checkpoints/epoch_init.pt, epoch_1.pt ... epoch_3.pt (bare state dicts).
  tl_grok/         a TransformerLens HookedTransformer (Nanda et al.'s grokking setup, small: d_vocab p + 1, d_vocab_out
                   p, n_ctx 3, d_model 16, 2 heads of d_head 8, d_mlp 32, relu, no LayerNorm) on [a, b, =] tokens, its
                   state dicts (with the attn.mask / attn.IGNORE buffers) saved as step_0.pth ... step_150.pth, and the
                   token rows as train_tokens.pt / test_tokens.pt.
The TransformerLens forward pass is the one of ../transformers/make_transformer_fixtures.py (written from the library's
code). Also writes grok_mlp_embed.io.safetensors here (input tokens and the PyTorch outputs of the last checkpoint), for
the embedding MLP's parity test.
"""
import collections
import os
import random
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "transformers"))
from make_transformer_fixtures import save_safetensors, tl_forward  # noqa: E402

P = 7
STEPS = [0, 50, 100, 150]


def fresh(name):
    path = os.path.join(HERE, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def split_pairs(seed):
    pairs = [(a, b) for a in range(P) for b in range(P)]
    random.Random(seed).shuffle(pairs)
    cut = int(0.6 * len(pairs))
    return pairs[:cut], pairs[cut:]


class OneHotMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2 * P, 16)
        self.fc2 = nn.Linear(16, P)

    def forward(self, ab):
        x = torch.cat([F.one_hot(ab[:, 0], P), F.one_hot(ab[:, 1], P)], 1).float()
        return self.fc2(F.relu(self.fc1(x)))


class EmbedMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(P, 4)
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, P)

    def forward(self, ab):
        return self.fc2(F.relu(self.fc1(self.embed(ab).flatten(1))))


def grok_run(name, model, seed):
    folder = fresh(name)
    torch.manual_seed(seed)
    train, test = split_pairs(seed)
    torch.save(train, os.path.join(folder, "train_data.pth"))
    torch.save(test, os.path.join(folder, "test_data.pth"))
    xtr, xte = torch.tensor(train), torch.tensor(test)
    ytr, yte = (xtr[:, 0] + xtr[:, 1]) % P, (xte[:, 0] + xte[:, 1]) % P
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1.0)
    for step in range(STEPS[-1] + 1):
        if step in STEPS:
            with torch.no_grad():
                out_tr, out_te = model(xtr), model(xte)
                metrics = {"train_loss": F.cross_entropy(out_tr, ytr).item(), "test_loss": F.cross_entropy(out_te, yte).item(),
                           "train_acc": (out_tr.argmax(1) == ytr).float().mean().item(), "test_acc": (out_te.argmax(1) == yte).float().mean().item()}
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": step, **metrics},
                       os.path.join(folder, f"{step}.pth"))
            print(name, step, metrics)
            if step == STEPS[-1]:
                last_outputs = out_te.clone()
        opt.zero_grad()
        F.cross_entropy(model(xtr), ytr).backward()
        opt.step()
    return xte, last_outputs


def classifier_run():
    folder = fresh("classifier")
    os.makedirs(os.path.join(folder, "checkpoints"))
    rng = np.random.default_rng(11)
    centers = rng.normal(size=(10, 4)) * 2

    def make(n):
        labels = rng.integers(0, 10, size=n)
        x = np.round(centers[labels] + rng.normal(size=(n, 4)), 3)
        return x, labels

    for split, n in [("train", 60), ("test", 30)]:
        x, y = make(n)
        with open(os.path.join(folder, f"{split}.txt"), "w") as f:
            for row, label in zip(x, y):
                f.write(" ".join(f"{v:.3f}" for v in row) + f" {label}\n")
        if split == "train":
            keep = y <= 4          # the training script keeps the first five classes
            xtr, ytr = torch.tensor(x[keep], dtype=torch.float32), torch.tensor(y[keep])
            print("classifier train rows kept", int(keep.sum()), "of", n)
    torch.manual_seed(5)
    net = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 5))
    opt = torch.optim.AdamW(net.parameters(), lr=3e-2)
    for epoch in range(4):
        torch.save(net.state_dict(), os.path.join(folder, "checkpoints", "epoch_init.pt" if epoch == 0 else f"epoch_{epoch}.pt"))
        for _ in range(10):
            opt.zero_grad()
            loss = F.cross_entropy(net(xtr), ytr)
            loss.backward()
            opt.step()
        print("classifier epoch", epoch, "loss", loss.item())


TL_CFG = dict(d_vocab=P + 1, d_vocab_out=P, n_ctx=3, d_model=16, n_heads=2, d_head=8, n_layers=1, d_mlp=32,
              act_fn="relu", normalization_type=None, attn_only=False, eps=1e-5)


def tl_run():
    folder = fresh("tl_grok")
    g = torch.Generator().manual_seed(3)
    c = TL_CFG
    D, H, dh, V, Vo = c["d_model"], c["n_heads"], c["d_head"], c["d_vocab"], c["d_vocab_out"]

    def init(*shape, std):
        return (torch.randn(*shape, generator=g) * std).requires_grad_()

    params = collections.OrderedDict()
    params["embed.W_E"] = init(V, D, std=0.3)
    params["pos_embed.W_pos"] = init(3, D, std=0.3)
    for name, shape in [("W_Q", (H, D, dh)), ("W_K", (H, D, dh)), ("W_V", (H, D, dh)), ("W_O", (H, dh, D))]:
        params["blocks.0.attn." + name] = init(*shape, std=0.25)
    for name, shape in [("b_Q", (H, dh)), ("b_K", (H, dh)), ("b_V", (H, dh)), ("b_O", (D,))]:
        params["blocks.0.attn." + name] = init(*shape, std=0.0)
    params["blocks.0.mlp.W_in"] = init(D, c["d_mlp"], std=0.25)
    params["blocks.0.mlp.b_in"] = init(c["d_mlp"], std=0.0)
    params["blocks.0.mlp.W_out"] = init(c["d_mlp"], D, std=0.18)
    params["blocks.0.mlp.b_out"] = init(D, std=0.0)
    params["unembed.W_U"] = init(D, Vo, std=0.25)
    params["unembed.b_U"] = init(Vo, std=0.0)
    buffers = {"blocks.0.attn.mask": torch.tril(torch.ones((3, 3)).bool()), "blocks.0.attn.IGNORE": torch.tensor(-torch.inf)}

    def state_dict():
        # HookedTransformer.state_dict() order: embed, pos_embed, block parameters then its buffers, unembed.
        sd = collections.OrderedDict()
        for k, v in params.items():
            sd[k] = v.detach().clone()
            if k == "blocks.0.attn.b_O":
                sd.update(buffers)
        return sd

    train, test = split_pairs(4)
    tok = lambda pairs: torch.tensor([[a, b, P] for a, b in pairs])
    ttr, tte = tok(train), tok(test)
    torch.save(ttr, os.path.join(folder, "train_tokens.pt"))
    torch.save(tte, os.path.join(folder, "test_tokens.pt"))
    ytr = (ttr[:, 0] + ttr[:, 1]) % P
    opt = torch.optim.AdamW(list(params.values()), lr=1e-2, weight_decay=1.0)
    for step in range(STEPS[-1] + 1):
        sd = {**params, **buffers}
        if step in STEPS:
            torch.save(state_dict(), os.path.join(folder, f"step_{step}.pth"))
        loss = F.cross_entropy(tl_forward(c, sd, ttr)[:, -1], ytr)
        if step in STEPS:
            print("tl_grok", step, "train loss", loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()


def main():
    grok_run("grok_mlp", OneHotMlp(), 1)
    xte, outputs = grok_run("grok_mlp_embed", EmbedMlp(), 2)
    save_safetensors(os.path.join(HERE, "grok_mlp_embed.io.safetensors"), {"input": xte, "output": outputs})
    classifier_run()
    tl_run()


if __name__ == "__main__":
    main()

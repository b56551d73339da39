#!/usr/bin/python3
"""Writes transformer fixtures in the layouts the field saves them, with the logits the real libraries would produce.

Run with Debian's python and real PyTorch (1.13 here):  /usr/bin/python3 make_transformer_fixtures.py

TransformerLens and Hugging Face transformers cannot be installed here (no PyPI), so their forward passes are written out
below in plain torch, following the libraries' own code step by step:
  * TransformerLens HookedTransformer (components Embed, PosEmbed, LayerNorm "LN", Attention, MLP, Unembed): per-head
    einsums with W_Q/W_K/W_V [n_heads, d_model, d_head] and W_O [n_heads, d_head, d_model], scores divided by
    attn_scale = sqrt(d_head), the causal mask applied with torch.where(mask, scores, IGNORE = -inf), softmax; its own
    LayerNorm (x - mean, divided by sqrt(mean(x^2) + eps), times w plus b); MLP act_fn relu / gelu (F.gelu) / gelu_new;
    normalization_type "LN" or None; attn_only blocks without MLP; Unembed x @ W_U + b_U with d_vocab_out logits.
  * Hugging Face GPT2LMHeadModel (eager attention, eval mode): Conv1D layers computed as addmm(bias, x, weight) with
    weights [in, out]; c_attn split into q, k, v; attn_weights / value.size(-1) ** 0.5; torch.where(causal_mask, w,
    finfo.min); softmax; NewGELUActivation (the tanh formula written out); nn.LayerNorm(eps=layer_norm_epsilon);
    lm_head tied to wte.
State dicts are saved with torch.save exactly as model.state_dict() would hold them (names, shapes, buffers, the shared
storage of GPT-2's tied lm_head.weight). For each fixture NAME this writes
  NAME.pth            the state dict (torch.save, zip format)
  NAME.io.safetensors 'tokens' [batch, seq] int64 and 'logits' [batch, seq, d_vocab_out] float32
  NAME.json           the DevInterp transformer spec a user would write (docs/models.md), used with the built-in map
The safetensors package is not installed, so that format is written by hand (8-byte little-endian header length, JSON
header padded with spaces to a multiple of 8, raw little-endian data), exactly as safetensors.torch.save_file lays it out.
"""
import collections
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
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


def gelu_new(x):
    # transformers.activations.NewGELUActivation and transformer_lens.utils.gelu_new
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACTS = {"relu": F.relu, "gelu": F.gelu, "gelu_new": gelu_new}


# ------------------------------------------------------------------------------------------- TransformerLens
def tl_state_dict(cfg, g):
    D, H, dh, V, Vo, C = cfg["d_model"], cfg["n_heads"], cfg["d_head"], cfg["d_vocab"], cfg["d_vocab_out"], cfg["n_ctx"]
    ln = cfg["normalization_type"] == "LN"

    def r(*shape, std=0.4):
        return (torch.randn(*shape, generator=g) * std).float()

    def lnw(n):
        return (1 + 0.2 * torch.randn(n, generator=g)).float()

    sd = collections.OrderedDict()
    sd["embed.W_E"] = r(V, D)
    sd["pos_embed.W_pos"] = r(C, D)
    for i in range(cfg["n_layers"]):
        p = f"blocks.{i}."
        if ln:
            sd[p + "ln1.w"], sd[p + "ln1.b"] = lnw(D), r(D, std=0.1)
        if ln and not cfg["attn_only"]:
            sd[p + "ln2.w"], sd[p + "ln2.b"] = lnw(D), r(D, std=0.1)
        sd[p + "attn.W_Q"], sd[p + "attn.W_K"], sd[p + "attn.W_V"] = r(H, D, dh), r(H, D, dh), r(H, D, dh)
        sd[p + "attn.W_O"] = r(H, dh, D)
        sd[p + "attn.b_Q"], sd[p + "attn.b_K"], sd[p + "attn.b_V"] = r(H, dh, std=0.2), r(H, dh, std=0.2), r(H, dh, std=0.2)
        sd[p + "attn.b_O"] = r(D, std=0.2)
        sd[p + "attn.mask"] = torch.tril(torch.ones((C, C)).bool())   # registered buffers, saved in state_dict()
        sd[p + "attn.IGNORE"] = torch.tensor(-torch.inf)
        if not cfg["attn_only"]:
            sd[p + "mlp.W_in"], sd[p + "mlp.b_in"] = r(D, cfg["d_mlp"]), r(cfg["d_mlp"], std=0.2)
            sd[p + "mlp.W_out"], sd[p + "mlp.b_out"] = r(cfg["d_mlp"], D), r(D, std=0.2)
    if ln:
        sd["ln_final.w"], sd["ln_final.b"] = lnw(D), r(D, std=0.1)
    sd["unembed.W_U"] = r(D, Vo)
    sd["unembed.b_U"] = r(Vo, std=0.2)
    return sd


def tl_layer_norm(x, w, b, eps):
    x = x - x.mean(-1, keepdim=True)
    scale = (x.pow(2).mean(-1, keepdim=True) + eps).sqrt()
    return x / scale * w + b


def tl_forward(cfg, sd, tokens):
    ln = cfg["normalization_type"] == "LN"
    eps = cfg["eps"]
    T = tokens.shape[1]
    resid = sd["embed.W_E"][tokens] + sd["pos_embed.W_pos"][:T].unsqueeze(0)
    for i in range(cfg["n_layers"]):
        p = f"blocks.{i}."
        x = tl_layer_norm(resid, sd[p + "ln1.w"], sd[p + "ln1.b"], eps) if ln else resid
        q = torch.einsum("bpm,hmd->bphd", x, sd[p + "attn.W_Q"]) + sd[p + "attn.b_Q"]
        k = torch.einsum("bpm,hmd->bphd", x, sd[p + "attn.W_K"]) + sd[p + "attn.b_K"]
        v = torch.einsum("bpm,hmd->bphd", x, sd[p + "attn.W_V"]) + sd[p + "attn.b_V"]
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(cfg["d_head"])
        scores = torch.where(sd[p + "attn.mask"][:T, :T], scores, sd[p + "attn.IGNORE"])
        pattern = F.softmax(scores, dim=-1)
        pattern = torch.where(torch.isnan(pattern), torch.zeros_like(pattern), pattern)
        z = torch.einsum("bkhd,bhqk->bqhd", v, pattern)
        attn_out = torch.einsum("bqhd,hdm->bqm", z, sd[p + "attn.W_O"]) + sd[p + "attn.b_O"]
        resid = resid + attn_out
        if not cfg["attn_only"]:
            x = tl_layer_norm(resid, sd[p + "ln2.w"], sd[p + "ln2.b"], eps) if ln else resid
            pre = torch.einsum("bpm,mn->bpn", x, sd[p + "mlp.W_in"]) + sd[p + "mlp.b_in"]
            post = ACTS[cfg["act_fn"]](pre)
            resid = resid + torch.einsum("bpn,nm->bpm", post, sd[p + "mlp.W_out"]) + sd[p + "mlp.b_out"]
    if ln:
        resid = tl_layer_norm(resid, sd["ln_final.w"], sd["ln_final.b"], eps)
    return resid @ sd["unembed.W_U"] + sd["unembed.b_U"]


def tl_spec(cfg):
    return {"type": "transformer", "vocab": cfg["d_vocab"], "vocab_out": cfg["d_vocab_out"], "context": cfg["n_ctx"],
            "d_model": cfg["d_model"], "heads": cfg["n_heads"], "d_head": cfg["d_head"], "layers": cfg["n_layers"],
            "d_mlp": cfg["d_mlp"], "attn_only": cfg["attn_only"], "layer_norm": cfg["normalization_type"] == "LN",
            "ln_eps": cfg["eps"], "activation": {"gelu_new": "gelu_tanh"}.get(cfg["act_fn"], cfg["act_fn"]),
            "tie_embeddings": False, "unembed_bias": True}


TL_CONFIGS = {
    # Nanda et al.'s grokking transformer, small: no LayerNorm, relu, one logit fewer than tokens (no "=" logit), and a
    # d_head that is not d_model / n_heads.
    "tl_grokking": dict(d_vocab=8, d_vocab_out=7, n_ctx=3, d_model=12, n_heads=3, d_head=5, n_layers=1, d_mlp=16,
                        act_fn="relu", normalization_type=None, attn_only=False, eps=1e-5),
    "tl_ln_gelu_new": dict(d_vocab=10, d_vocab_out=10, n_ctx=6, d_model=12, n_heads=3, d_head=4, n_layers=2, d_mlp=20,
                           act_fn="gelu_new", normalization_type="LN", attn_only=False, eps=1e-5),
    "tl_attn_only": dict(d_vocab=9, d_vocab_out=9, n_ctx=5, d_model=8, n_heads=2, d_head=4, n_layers=2, d_mlp=32,
                         act_fn="gelu", normalization_type="LN", attn_only=True, eps=1e-5),
}


# ------------------------------------------------------------------------------------------- Hugging Face GPT-2
def hf_gpt2_state_dict(cfg, g):
    D, V, C, L = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], cfg["n_layer"]
    inner = 4 * D

    def r(*shape, std=0.3):
        return (torch.randn(*shape, generator=g) * std).float()

    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = r(V, D)
    sd["transformer.wpe.weight"] = r(C, D)
    for i in range(L):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"], sd[p + "ln_1.bias"] = 1 + r(D, std=0.2), r(D, std=0.1)
        # Buffers older transformers versions saved (persistent): the causal mask and the masked_bias constant.
        sd[p + "attn.bias"] = torch.tril(torch.ones((C, C), dtype=torch.bool)).view(1, 1, C, C)
        sd[p + "attn.masked_bias"] = torch.tensor(-1e4)
        sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"] = r(D, 3 * D), r(3 * D, std=0.1)   # Conv1D: [in, out]
        sd[p + "attn.c_proj.weight"], sd[p + "attn.c_proj.bias"] = r(D, D), r(D, std=0.1)
        sd[p + "ln_2.weight"], sd[p + "ln_2.bias"] = 1 + r(D, std=0.2), r(D, std=0.1)
        sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"] = r(D, inner), r(inner, std=0.1)
        sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"] = r(inner, D), r(D, std=0.1)
    sd["transformer.ln_f.weight"], sd["transformer.ln_f.bias"] = 1 + r(D, std=0.2), r(D, std=0.1)
    sd["lm_head.weight"] = sd["transformer.wte.weight"]   # tied: the same tensor, saved once as a shared storage
    return sd


def conv1d(x, w, b):
    # transformers.pytorch_utils.Conv1D.forward
    size_out = x.size()[:-1] + (w.shape[1],)
    return torch.addmm(b, x.reshape(-1, x.size(-1)), w).view(size_out)


def hf_gpt2_forward(cfg, sd, tokens):
    D, H = cfg["n_embd"], cfg["n_head"]
    B, T = tokens.shape
    hidden = F.embedding(tokens, sd["transformer.wte.weight"]) + F.embedding(torch.arange(T).unsqueeze(0), sd["transformer.wpe.weight"])
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        residual = hidden
        h = F.layer_norm(hidden, (D,), sd[p + "ln_1.weight"], sd[p + "ln_1.bias"], cfg["layer_norm_epsilon"])
        query, key, value = conv1d(h, sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]).split(D, dim=2)
        split = lambda t: t.view(B, T, H, D // H).permute(0, 2, 1, 3)
        query, key, value = split(query), split(key), split(value)
        w = torch.matmul(query, key.transpose(-1, -2))
        w = w / torch.full([], value.size(-1) ** 0.5, dtype=w.dtype)
        causal_mask = sd[p + "attn.bias"][:, :, 0:T, :T]
        w = torch.where(causal_mask, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype))
        w = F.softmax(w, dim=-1)
        a = torch.matmul(w, value).permute(0, 2, 1, 3).contiguous().view(B, T, D)
        a = conv1d(a, sd[p + "attn.c_proj.weight"], sd[p + "attn.c_proj.bias"])
        hidden = a + residual
        residual = hidden
        h = F.layer_norm(hidden, (D,), sd[p + "ln_2.weight"], sd[p + "ln_2.bias"], cfg["layer_norm_epsilon"])
        h = conv1d(h, sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"])
        h = gelu_new(h)
        h = conv1d(h, sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"])
        hidden = residual + h
    hidden = F.layer_norm(hidden, (D,), sd["transformer.ln_f.weight"], sd["transformer.ln_f.bias"], cfg["layer_norm_epsilon"])
    return F.linear(hidden, sd["lm_head.weight"])


HF_CONFIG = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 11, "n_positions": 8, "n_embd": 12,
             "n_layer": 2, "n_head": 3, "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
             "scale_attn_weights": True, "tie_word_embeddings": True}


def main():
    g = torch.Generator().manual_seed(20250611)
    for name, cfg in TL_CONFIGS.items():
        sd = tl_state_dict(cfg, g)
        tokens = torch.randint(0, cfg["d_vocab"], (3, cfg["n_ctx"]), generator=g)
        with torch.no_grad():
            logits = tl_forward(cfg, sd, tokens)
        torch.save(sd, os.path.join(HERE, name + ".pth"))
        save_safetensors(os.path.join(HERE, name + ".io.safetensors"), {"tokens": tokens, "logits": logits})
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump(tl_spec(cfg), f, indent=2)
            f.write("\n")
        print(name, {k: list(v.shape) for k, v in sd.items()}, "logits", list(logits.shape), float(logits.abs().max()))

    sd = hf_gpt2_state_dict(HF_CONFIG, g)
    tokens = torch.randint(0, HF_CONFIG["vocab_size"], (3, 7), generator=g)
    with torch.no_grad():
        logits = hf_gpt2_forward(HF_CONFIG, sd, tokens)
    folder = os.path.join(HERE, "hf_gpt2")
    os.makedirs(folder, exist_ok=True)
    torch.save(sd, os.path.join(folder, "pytorch_model.bin"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(HF_CONFIG, f, indent=2)
        f.write("\n")
    save_safetensors(os.path.join(HERE, "hf_gpt2.io.safetensors"), {"tokens": tokens, "logits": logits})
    spec = {"type": "transformer", "vocab": 11, "context": 8, "d_model": 12, "heads": 3, "layers": 2, "d_mlp": 48,
            "activation": "gelu_tanh", "ln_eps": 1e-5}
    with open(os.path.join(HERE, "hf_gpt2.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print("hf_gpt2", {k: list(v.shape) for k, v in sd.items()}, "logits", list(logits.shape), float(logits.abs().max()))


if __name__ == "__main__":
    main()

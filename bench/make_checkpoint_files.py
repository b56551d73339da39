#!/usr/bin/python3
"""Writes the checkpoint-read benchmark's input files with real PyTorch (Debian's python3-torch).

For each size (1, 10, 100 MB) it writes a state dict of float32 tensors shaped like an MLP's layers:
  ckpt_<size>mb.pt           torch.save (zip format)
  ckpt_<size>mb.safetensors  the same tensors in safetensors, written by hand (the safetensors package is not installed)
and run_1000/step_<k>.safetensors: 1,000 small checkpoints (64 KB each) for the run-iteration benchmark.
Usage: /usr/bin/python3 bench/make_checkpoint_files.py OUT_DIR
"""
import json, os, struct, sys
import torch

def write_safetensors(path, tensors):
    header, offset = {}, 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * ((8 - len(blob) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for t in tensors.values():
            f.write(t.contiguous().numpy().tobytes())

def state_dict(megabytes):
    torch.manual_seed(megabytes)
    width = {1: 256, 10: 800, 100: 2560}[megabytes]
    layers = 4
    sd = {}
    for i in range(layers):
        sd[f"layers.{2*i}.weight"] = torch.randn(width, width)
        sd[f"layers.{2*i}.bias"] = torch.randn(width)
    return sd

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for mb in (1, 10, 100):
    sd = state_dict(mb)
    torch.save(sd, os.path.join(out, f"ckpt_{mb}mb.pt"))
    write_safetensors(os.path.join(out, f"ckpt_{mb}mb.safetensors"), sd)
run = os.path.join(out, "run_1000")
os.makedirs(run, exist_ok=True)
torch.manual_seed(0)
for k in range(1000):
    write_safetensors(os.path.join(run, f"step_{k:06d}.safetensors"),
                      {"layers.0.weight": torch.randn(64, 128), "layers.0.bias": torch.randn(128)})
print("wrote", out)

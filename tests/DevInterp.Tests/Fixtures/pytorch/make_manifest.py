"""Writes ExternalCheckpointManifest.cs: what real PyTorch 1.13 (torch.load) finds in every torch.save file under
/work/shared/external-checkpoints (burn, pybridge), so the C# tests compare against values PyTorch printed.

Run:  /usr/bin/python3 make_manifest.py
For each file: the state dict the C# reader should choose (flattened with dotted names), every tensor's dtype, shape,
first value and float64 sum in row-major order, and the scalar metadata beside it. burn's tar_*.tar files are not
readable by torch (they were synthesised, see PROVENANCE.md); they are decoded here by a small independent reader.
"""
import glob
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import torch

ROOT = "/work/shared/external-checkpoints"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Checkpoints", "PyTorch", "ExternalCheckpointManifest.cs")

# Files whose state dict sits under a key (as PROVENANCE.md describes); None = the root dict.
KEYS = {
    "burn/src/pytorch/tests/reader/test_data/checkpoint.pt": "model_state_dict",
    "burn/src/pytorch/tests/reader/test_data/complex_structure.pt": "state",
    "burn/pytorch-tests/tests/top_level_key/top_level_key.pt": "my_state_dict",
    "burn/pytorch-tests/tests/config/weights_with_config.pt": "my_model",
}
CODES = {torch.float32: "Float32", torch.float64: "Float64", torch.float16: "Float16", torch.bfloat16: "BFloat16",
         torch.int64: "Int64", torch.int32: "Int32", torch.int16: "Int16", torch.int8: "Int8", torch.uint8: "UInt8",
         torch.bool: "Bool"}


def flatten(d, prefix=""):
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from flatten(v, name + ".")
        else:
            yield name, v


def scalars(d, prefix, skip):
    for k, v in d.items():
        name = f"{prefix}{k}"
        if v is skip or "optim" in name.lower():
            continue
        if isinstance(v, dict):
            yield from scalars(v, name + ".", skip)
        elif isinstance(v, (bool, int, float, str)):
            yield name, v


def cs_double(x):
    if x != x:
        return "double.NaN"
    if x in (float("inf"), float("-inf")):
        return "double.PositiveInfinity" if x > 0 else "double.NegativeInfinity"
    return repr(float(x))


def cs_value(v):
    if isinstance(v, bool):
        return f"new MetadataValue.Flag({'true' if v else 'false'})"
    if isinstance(v, int):
        return f"new MetadataValue.Integer({v})"
    if isinstance(v, float):
        return f"new MetadataValue.Real({cs_double(v)})"
    return f"new MetadataValue.Text(\"{v}\")"


def tar_synthesised(path):
    """Independent decoder for burn's synthesised tar files: storages inline as ('storage', type, key, loc, n)."""
    with tarfile.open(path) as tar:
        raw = tar.extractfile("storages").read()
        main = tar.extractfile("pickle").read()
    f = io.BytesIO(raw)
    storages = {}
    for _ in range(pickle.load(f)):
        key, _, stype = pickle.load(f, encoding="utf-8")
        n = struct.unpack("<q", f.read(8))[0]
        dtype = stype(0).dtype
        size = torch.empty((), dtype=dtype).element_size()
        storages[key] = torch.frombuffer(bytearray(f.read(n * size)), dtype=dtype)

    class U(pickle.Unpickler):
        def find_class(self, module, name):
            if name == "_rebuild_tensor_v2":
                return lambda st, off, size, stride, *rest: torch.as_strided(storages[st[2]], size, stride, off)
            return super().find_class(module, name)
    return U(io.BytesIO(main), encoding="utf-8").load()


def main():
    files = sorted(glob.glob(f"{ROOT}/burn/**/*.pt", recursive=True) + glob.glob(f"{ROOT}/burn/**/*.tar", recursive=True)
                   + glob.glob(f"{ROOT}/pybridge/**/*.pth", recursive=True) + glob.glob(f"{ROOT}/pybridge/**/*.bin", recursive=True))
    lines = []
    for path in files:
        rel = os.path.relpath(path, ROOT)
        try:
            obj = torch.load(path, map_location="cpu")
        except Exception as e:  # noqa: BLE001 - recorded as "torch cannot read it"
            if rel.endswith(".tar"):
                obj = tar_synthesised(path)
            else:
                print(f"{rel}: torch.load fails: {type(e).__name__}: {e}")
                continue
        if isinstance(obj, dict) and "param_groups" in obj:
            print(f"{rel}: optimizer state dict")
            continue
        key = KEYS.get(rel)
        sd = obj[key] if key else obj
        tensors = []
        for name, t in flatten(sd):
            t = t.detach()
            flat = t.double().flatten().tolist()
            total = 0.0
            for x in flat:
                total += x
            first = flat[0] if flat else 0.0
            tensors.append(f"new(\"{name}\", TensorDType.{CODES[t.dtype]}, [{', '.join(str(s) for s in t.shape)}], "
                           f"{cs_double(first)}, {cs_double(total)})")
        meta = [f"(\"{n}\", {cs_value(v)})" for n, v in scalars(obj, "", sd)] if key else []
        key_text = f'"{key}"' if key else "null"
        sep = ",\n             "
        lines.append(f"        new(\"{rel}\", {key_text},\n            [{sep.join(tensors)}],\n"
                     f"            [{', '.join(meta)}]),")
        print(f"{rel}: {len(tensors)} tensors")

    with open(OUT, "w") as f:
        f.write("// <auto-generated> by tests/DevInterp.Tests/Fixtures/pytorch/make_manifest.py from torch.load (PyTorch 1.13)\n")
        f.write("// output on the shared reference files. Do not edit by hand: rerun the script. </auto-generated>\n")
        f.write("using DevInterp.Checkpoints;\n\nnamespace DevInterp.Tests.Checkpoints.PyTorch;\n\n")
        f.write("/// <summary>What PyTorch itself reads from each shared torch.save file.</summary>\n")
        f.write("internal static class ExternalCheckpointManifest\n{\n")
        f.write("    public static readonly IReadOnlyList<ExpectedCheckpoint> Files =\n    [\n")
        f.write("\n".join(lines))
        f.write("\n    ];\n}\n")


if __name__ == "__main__":
    main()

"""Writes the PyTorch checkpoint fixtures beside this script with real PyTorch (1.13, Debian's /usr/bin/python3).

Run:  /usr/bin/python3 make_fixtures.py
The files are committed; the tests never need Python. Every value the tests assert is printed here and copied into the
tests as a literal.
"""
import io
import json
import os
import pickle
import struct
import sys
import tarfile
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def show(label, t):
    print(f"{label}: dtype={t.dtype} shape={list(t.shape)} stride={t.stride()} offset={t.storage_offset()} "
          f"values={t.contiguous().view(-1).tolist()}")


def mlp():
    torch.manual_seed(1234)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def rewrite_zip(src, dst, compression=zipfile.ZIP_STORED, rename=None, transform=None):
    """Copies a torch.save zip, optionally deflating entries, renaming them, or changing their bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=compression) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = rename(info.filename) if rename else info.filename
            if transform:
                data = transform(name, data)
            if data is not None:
                zout.writestr(name, data)


def write_safetensors(path, tensors):
    """A minimal safetensors writer (the safetensors package is not installed): 8-byte LE header length, JSON, data."""
    header, blobs, offset = {}, [], 0
    codes = {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16", torch.bfloat16: "BF16"}
    for name, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    print("torch", torch.__version__, "numpy", np.__version__)

    # 1. Views saved directly: torch.save keeps the whole storage plus offset and strides.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save(base.t(), out("transposed.pt"))  # a bare tensor at the root
    show("transposed.pt <root>", base.t())
    grid = torch.arange(30, dtype=torch.float32).reshape(5, 6)
    sliced = grid[1:3, 1::2]
    torch.save({"sliced": sliced}, out("sliced.pt"))
    show("sliced.pt sliced", sliced)

    # 2. Several entries sharing one storage (a state dict with tied views).
    shared = torch.arange(10, dtype=torch.int64)
    entries = {"full": shared, "middle": shared[3:7], "matrix": shared.view(2, 5), "columns": shared.view(2, 5)[:, 1:4]}
    torch.save(entries, out("shared_storage.pt"))
    for k, v in entries.items():
        show(f"shared_storage.pt {k}", v)

    # 3. Half precision.
    half = {"bf16": torch.tensor([1.5, -2.25, 1e-3, 65504.0, -0.0], dtype=torch.bfloat16),
            "f16": torch.tensor([[0.5, -1.0, 2.0], [1e-4, 65504.0, -3.25]], dtype=torch.float16)}
    torch.save(half, out("half.pt"))
    for k, v in half.items():
        show(f"half.pt {k}", v)
        print(f"half.pt {k} raw bits={v.contiguous().view(torch.int16).tolist()}")

    # 4. A nested training checkpoint: model + optimizer + scalars (one optimizer step so Adam has state).
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = model(torch.ones(3, 4)).pow(2).mean()
    loss.backward()
    opt.step()
    sd = model.state_dict()
    ckpt = {"model": sd, "optimizer": opt.state_dict(), "epoch": 3, "train_loss": 0.2,
            "val_acc": np.float64(0.9), "step": 1200}
    torch.save(ckpt, out("training_checkpoint.pt"))  # torch 1.13 names the zip folder after the file stem
    for k, v in sd.items():
        show(f"training_checkpoint.pt model.{k}", v)
    print("MLP forward(ones(1,4)) =", model(torch.ones(1, 4)).tolist())

    # 4b. The same checkpoint with the older 'archive/' folder: torch writes that prefix when saving to a buffer.
    buf = io.BytesIO()
    torch.save(ckpt, buf)
    with open(out("training_checkpoint_archive.pt"), "wb") as f:
        f.write(buf.getvalue())
    print("archive names:", zipfile.ZipFile(out("training_checkpoint_archive.pt")).namelist()[:3])

    # 4c. Deflate-compressed entries (torch writes stored entries; other zip tools may deflate).
    rewrite_zip(out("training_checkpoint.pt"), out("training_checkpoint_deflated.pt"), compression=zipfile.ZIP_DEFLATED)
    reloaded = torch.load(out("training_checkpoint_deflated.pt"))
    assert all(torch.equal(reloaded["model"][k], v) for k, v in sd.items()), "torch reads the deflated copy"
    print("deflated copy loads in torch:", sorted(reloaded.keys()))

    # 4d. Big-endian variant: byteorder 'big' and every storage byte-swapped (per element). torch 1.13 predates the
    # byteorder record, so the expected values are the little-endian originals.
    dtypes = {}
    with zipfile.ZipFile(out("training_checkpoint.pt")) as z:
        class Probe(pickle.Unpickler):
            def find_class(self, module, name):
                return getattr(sys.modules[module] if module in sys.modules else __import__(module, fromlist=[name]), name)

            def persistent_load(self, pid):
                dtypes[pid[2]] = pid[1].dtype if hasattr(pid[1], "dtype") else pid[1](0).dtype
                return pid[1](int(pid[4]))
        Probe(io.BytesIO(z.read("training_checkpoint/data.pkl"))).load()

    def to_big(name, data):
        key = name.rsplit("/", 1)[-1]
        if "/data/" in name:
            size = torch.empty((), dtype=dtypes[key]).element_size()
            return np.frombuffer(data, dtype=f"<u{size}" if size > 1 else "u1").byteswap().tobytes()
        return data
    rewrite_zip(out("training_checkpoint.pt"), out("big_endian.pt"), transform=to_big,
                rename=lambda n: n.replace("training_checkpoint/", "big_endian/"))
    with zipfile.ZipFile(out("big_endian.pt"), "a") as z:
        z.writestr("big_endian/byteorder", "big")

    # 5. Legacy (pre-1.6) stream format, with views sharing one storage at offsets.
    legacy = {"weight": sd["0.weight"], "bias": sd["0.bias"], "window": grid[1:3, 1::2],
              "tail": shared[6:], "head": shared[:4]}
    torch.save(legacy, out("legacy.pt"), _use_new_zipfile_serialization=False)
    for k, v in legacy.items():
        show(f"legacy.pt {k}", v)

    # 6. Hugging Face Trainer-style folder.
    torch.save(sd, out("hf_run", "checkpoint-10", "pytorch_model.bin"))
    with open(out("hf_run", "checkpoint-10", "trainer_state.json"), "w") as f:
        json.dump({"global_step": 10, "epoch": 1.0, "log_history": [{"step": 10, "loss": 0.2}]}, f, indent=2)

    # 7. The same MLP as safetensors (hand-written) for a cross-format equality test.
    write_safetensors(out("mlp.safetensors"), sd)

    # 8. Things to refuse: a whole pickled module and a TorchScript archive.
    torch.save(model, out("whole_model.pt"))
    torch.jit.script(model).save(out("mlp_script.pt"))

    # 9. Several candidate state dicts, integer keys, numpy scalars/arrays, a 0-dim tensor outside the weights.
    torch.manual_seed(7)
    a = {"w": torch.randn(2, 2)}
    b = {"w": torch.full((3,), 4.0)}
    torch.save({"module": {"state_dict": a}, "ema": {0: b}, "note": "two models"}, out("two_candidates.pt"))
    show("two_candidates.pt module.state_dict.w", a["w"])
    extras = {"weights": {"w": torch.tensor([1.0, 2.0])}, "np_array": np.arange(4), "np_int": np.int64(7),
              "np_bool": np.bool_(True), "np_f32": np.float32(0.5), "best": torch.tensor(0.75),
              "flag": False, "name": "run-1", "nothing": None, "big": 2 ** 70}
    torch.save(extras, out("extras.pt"))

    # 10. zip64 records (forced by lowering zipfile's limits), as torch writes them for archives over 4 GiB.
    limits = (zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT)
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 2
    try:
        rewrite_zip(out("training_checkpoint.pt"), out("zip64.pt"), rename=lambda n: n.replace("training_checkpoint/", "zip64/"))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
    # torch 1.13's miniz rejects these forced records ("invalid header"), so Python's zipfile checks the copy instead.
    with zipfile.ZipFile(out("zip64.pt")) as z:
        assert z.testzip() is None
    with open(out("zip64.pt"), "rb") as f:
        print("zip64.pt has a zip64 end record:", b"PK\x06\x06" in f.read())

    # 11. The pre-0.1.10 tar layout, written the way torch's legacy_load expects it (torch 1.13 still reads it).
    write_tar(out("tar_format.tar"))
    loaded = torch.load(out("tar_format.tar"))
    for k, v in loaded.items():
        show(f"tar_format.tar {k}", v)


def write_tar(path):
    """sys_info, storages (count, then per storage: (key, location, type) pickle + int64 numel + raw bytes, then the
    storage-view list), tensors (count, then per tensor: (key, storage key, tensor type) pickle + ndim + sizes + strides +
    offset) and the main pickle whose persistent ids are tensor keys."""
    def p(obj):
        return pickle.dumps(obj, protocol=2)

    storage_a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype="<f4").tobytes()
    storage_b = np.array([7, 8, 9], dtype="<i8").tobytes()
    storages = (p(2) + p((0, "cpu", torch.FloatStorage)) + struct.pack("<q", 6) + storage_a
                + p((1, "cpu", torch.LongStorage)) + struct.pack("<q", 3) + storage_b + p([]))

    def tensor_record(key, storage_key, ttype, sizes, strides, offset):
        nd = len(sizes)
        return (p((key, storage_key, ttype)) + struct.pack("<i", nd) + b"\0\0\0\0"
                + struct.pack(f"<{nd}q", *sizes) + struct.pack(f"<{nd}q", *strides) + struct.pack("<q", offset))
    tensors = (p(3) + tensor_record(10, 0, torch.FloatTensor, [2, 2], [2, 1], 0)
               + tensor_record(11, 0, torch.FloatTensor, [2], [2], 1)
               + tensor_record(12, 1, torch.LongTensor, [3], [1], 0))

    class MainPickler(pickle.Pickler):
        def persistent_id(self, obj):
            return obj.pid if isinstance(obj, Ref) else None

    class Ref:
        def __init__(self, pid):
            self.pid = pid
    from collections import OrderedDict
    main = io.BytesIO()
    MainPickler(main, protocol=2).dump(OrderedDict([("weight", Ref("10")), ("strided", Ref("11")),
                                                   ("counts", Ref("12"))]))
    sys_info = p({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 8}})
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [("sys_info", sys_info), ("storages", storages), ("tensors", tensors),
                           ("pickle", main.getvalue())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the data-file fixtures of DevInterp's `file` task (tests/DevInterp.Tests/Tasks/FileTaskTests.cs).

Run with Debian's python, numpy and real PyTorch (1.13 here):  /usr/bin/python3 make_task_fixtures.py
Each file holds small, exactly representable values; the script prints every array it writes (as repr of a Python
list) so the test can record the values numpy and torch themselves saw. The safetensors package is not installed, so
that format is written by hand (8-byte little-endian header length, JSON header padded with spaces to a multiple of 8,
raw little-endian data), as safetensors.torch.save_file lays it out. The Arrow fixture is written by the C# test itself
with the Apache.Arrow writer (no Node or pyarrow here).
"""
import json
import os
import pickle
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def show(label, array):
    a = np.asarray(array)
    print(f"{label}: dtype={a.dtype.str} shape={list(a.shape)} values={a.ravel(order='C').tolist()}")


# --- .npy ---------------------------------------------------------------------------------------------------------
x_f4 = (np.arange(12, dtype=np.float32).reshape(4, 3) * np.float32(0.5) - np.float32(1.25))
np.save(out("x_f4.npy"), x_f4)
show("x_f4.npy", x_f4)

y_f8 = np.array([0.1, -2.5, 3.25, 1e-3], dtype=np.float64)
np.save(out("y_f8.npy"), y_f8)
show("y_f8.npy", y_f8)

labels_i8 = np.array([0, 2, 1, 2], dtype=np.int64)
np.save(out("labels_i8.npy"), labels_i8)
show("labels_i8.npy", labels_i8)

fortran = np.asfortranarray(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float64))
assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous
np.save(out("fortran_f8.npy"), fortran)
with open(out("fortran_f8.npy"), "rb") as f:
    head = f.read(128)
print("fortran_f8.npy header:", head[10:head.index(b"}") + 1].decode())
show("fortran_f8.npy (C order)", fortran)

big = np.array([1.5, -2.0, 1024.25], dtype=">f4")
np.save(out("big_endian_f4.npy"), big)
show("big_endian_f4.npy", big.astype("<f4"))

i4_3d = np.arange(24, dtype="<i4").reshape(2, 3, 4) - 5
np.save(out("i4_3d.npy"), i4_3d)
show("i4_3d.npy", i4_3d)

u1 = np.array([0, 7, 255], dtype=np.uint8)
np.save(out("u1.npy"), u1)
b1 = np.array([True, False, True], dtype=np.bool_)
np.save(out("b1.npy"), b1)
show("u1.npy", u1)
show("b1.npy", b1)

strings = np.array(["a", "bc"])
np.save(out("strings.npy"), strings)  # refused: not numeric

# --- .npz (stored and deflated) -----------------------------------------------------------------------------------
np.savez(out("stored.npz"), x=x_f4, y=labels_i8)
np.savez_compressed(out("compressed.npz"), inputs=x_f4.astype(np.float64), targets=y_f8, extra=fortran)

# --- torch.save -----------------------------------------------------------------------------------------------------
xt = torch.from_numpy(x_f4.copy())
yt = torch.from_numpy(labels_i8.copy())
torch.save({"x": xt, "y": yt, "epoch": 3}, out("dict_tensors.pt"))
# A non-contiguous view (transposed) to exercise strides.
torch.save({"inputs": xt.t(), "targets": torch.tensor([1.0, -1.0, 0.5])}, out("strided.pt"))
show("strided.pt inputs", xt.t().numpy())
torch.save((xt, yt), out("xy_tuple.pt"))
torch.save({"x": xt, "y": yt}, out("legacy.pt"), _use_new_zipfile_serialization=False)

rows = [(0.5, 1.5, 0), (2.0, -1.0, 1), (-0.25, 4.0, 1), (3.0, 3.0, 0), (1.0, 0.0, 2)]
torch.save(rows, out("rows.pt"))
print("rows.pt:", rows)

samples = [([0.0, 1.0], 1), ([2.0, 3.0], 0), ([4.0, 5.0], 1)]
torch.save(samples, out("samples.pt"))
print("samples.pt:", samples)

tensor_samples = [(torch.tensor([1.0, 2.0, 3.0]), 2), (torch.tensor([4.0, 5.0, 6.0]), 0)]
torch.save(tensor_samples, out("tensor_samples.pt"))

torch.save({"data": {"train": {"x": xt[:2], "y": yt[:2]}, "test": {"x": xt[2:], "y": yt[2:]}}}, out("nested.pt"))

torch.save({"x": x_f4.astype(np.float64), "y": np.asfortranarray(fortran)}, out("numpy_arrays.pt"))
print("numpy_arrays.pt: x = x_f4 as float64, y = fortran_f8 (Fortran order)")

with open(out("plain.pkl"), "wb") as f:
    pickle.dump([(1.0, 2.0, 10.0), (3.0, 4.0, 20.0)], f, protocol=4)



class Evil:
    """Pickles as a call of os.system('id'); written only, never loaded. DevInterp must refuse the global."""

    def __reduce__(self):
        return (os.system, ("id",))


with open(out("evil.pkl"), "wb") as f:
    pickle.dump([Evil()], f, protocol=4)

# --- safetensors (by hand) ----------------------------------------------------------------------------------------
def save_safetensors(path, tensors):
    codes = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        data = a.tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


save_safetensors(out("data.safetensors"), {"inputs": x_f4, "targets": y_f8, "labels": labels_i8})

# --- text ------------------------------------------------------------------------------------------------------------
with open(out("table.csv"), "w") as f:
    f.write("x1,x2,\"label\"\n")
    f.write("# a comment line\n")
    for a, b, c in rows:
        f.write(f"{a},{b},{c}\n")
    f.write("\n")
np.savetxt(out("table.txt"), np.array([[1.0, 2.0, 0.5], [3.0, -4.0, 1.5], [5.0, 6e-1, -2.5]]), fmt="%.6g")
with open(out("table.txt")) as f:
    print("table.txt:", f.read().splitlines())
with open(out("table.tsv"), "w") as f:
    f.write("a\tb\ty\n1\t2\t3\n4\t5\t6\n")
with open(out("bad_row.csv"), "w") as f:
    f.write("a,b,y\n1,2,3\n4,5\n")
with open(out("bad_number.csv"), "w") as f:
    f.write("a,b,y\n1,2,3\n4,five,6\n")

# --- seeded split, re-implemented from docs/tasks.md (SplitMix64 + Fisher-Yates), printed for the tests -------------
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_int(self, n):
        return ((self.next_u64() >> 32) * n) >> 32


def seeded_split(n, fraction, seed):
    order, rng = list(range(n)), SplitMix64(seed)
    for i in range(n - 1, 0, -1):
        j = rng.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
    k = int(np.floor(fraction * n + 1e-9))
    return sorted(order[:k]), sorted(order[k:])


print("split(49, 0.3, seed 0) train:", seeded_split(49, 0.3, 0)[0])
print("split(5, 0.6, seed 1):", seeded_split(5, 0.6, 1))
print("split(42, 0.5, seed 7) train:", seeded_split(42, 0.5, 7)[0])
print("done")

"""Writes hostile and extreme checkpoint files (issue 14) into a folder, with the Python standard library only.

Run:  python3 make_hostile.py OUT [--big]
The tests run it at test time into a temporary folder (nothing here is committed but this script): the small set in
tests/DevInterp.Tests/Checkpoints/HostileFileTests.cs, the --big set (sparse files of 1.6 to 2.5 GiB, deflate bombs of
1 to 2 GiB) in the `.ci/hostile-check` step, which runs `devinterp inspect` on every file and measures time and peak
memory. Each file is small on disk (or sparse) and expensive only to a reader that trusts it. torch.save pickles are
written with the real pickle module over stand-in `torch` classes, so the opcodes are exactly what torch.save writes.

Prints one line per file: name, then what a careful reader should do with it.
"""
import collections
import json
import os
import pickle
import struct
import sys
import types
import zipfile
import zlib

# --- stand-ins for the torch globals torch.save names (pickled by module and name, never imported by the reader) ---
_torch = types.ModuleType("torch")
_utils = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called: the pickle only names it")


_rebuild_tensor_v2.__module__ = "torch._utils"
_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
_torch._utils = _utils
for _name in ("FloatStorage", "ByteStorage"):
    _cls = type(_name, (), {})
    _cls.__module__ = "torch"
    setattr(_torch, _name, _cls)
sys.modules.setdefault("torch", _torch)
sys.modules.setdefault("torch._utils", _utils)


class Storage:
    """A storage torch.save writes as a persistent id and a zip entry data/KEY."""

    def __init__(self, key, numel, cls="FloatStorage"):
        self.key, self.numel, self.cls = key, numel, cls


class Tensor:
    def __init__(self, storage, size, stride=None, offset=0):
        if stride is None:
            stride, n = [], 1
            for d in reversed(size):
                stride.insert(0, n)
                n *= d
        self.storage, self.size, self.stride, self.offset = storage, tuple(size), tuple(stride), offset

    def __reduce__(self):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", getattr(_torch, obj.cls), obj.key, "cpu", obj.numel)
        return None


def torch_pickle(obj):
    import io
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


ZEROS = bytes(1 << 20)


def write_zeros(f, n):
    while n > 0:
        k = min(n, len(ZEROS))
        f.write(ZEROS[:k])
        n -= k


def torch_zip(path, obj, storages, deflate=False):
    """A torch.save zip: archive/data.pkl, then archive/data/KEY for each (key, byte count) of zeros."""
    compression = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        z.writestr("archive/data.pkl", torch_pickle(obj))
        for key, nbytes in storages:
            with z.open(f"archive/data/{key}", "w", force_zip64=nbytes > 0x7FFFFFFF) as f:
                write_zeros(f, nbytes)


def safetensors(path, tensors, data_size=None, sparse=False):
    """tensors: list of (name, dtype, shape, nbytes). Data are zeros (a sparse hole when sparse=True)."""
    header, offset = {}, 0
    for name, dtype, shape, nbytes in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        if sparse:
            f.truncate(8 + len(text) + offset)
        else:
            write_zeros(f, offset)


def deflate_bombs(out, note, size, tag):
    # A storage entry of `size` zeros deflated ~1000:1, of which the tensor needs 16 bytes: inflate 16 bytes, not all.
    torch_zip(note(f"deflated_{tag}_storage.pt", "read: 16 bytes inflated"),
              {"w": Tensor(Storage("0", 4), [4])}, [("0", size)], deflate=True)
    # data.pkl deflated from `size` bytes (one long string) to ~1/1000 of that.
    path = note(f"deflated_{tag}_pickle.pt", "refused: data.pkl inflates past its ratio limit")
    n = size - 16
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z, z.open("archive/data.pkl", "w", force_zip64=True) as f:
        f.write(b"\x80\x02X" + struct.pack("<I", n))
        write_zeros(f, n)
        f.write(b".")


def overlapping(out, note, size, name):
    # 101 central-directory entries sharing one deflated entry of `size` zeros (overlapping entries), 16 floats each.
    path = note(name, "refused: zip entries overlap")
    obj = collections.OrderedDict((f"w{i}", Tensor(Storage(str(i), 16), [16])) for i in range(101))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", torch_pickle(obj), compress_type=zipfile.ZIP_STORED)
        with z.open("archive/data/0", "w", force_zip64=False) as f:
            write_zeros(f, size)
        first = z.getinfo("archive/data/0")
        for i in range(1, 101):
            alias = zipfile.ZipInfo(f"archive/data/{i}", date_time=first.date_time)
            for field in ("compress_type", "CRC", "compress_size", "file_size", "header_offset", "external_attr", "flag_bits", "create_version", "extract_version"):
                setattr(alias, field, getattr(first, field))
            z.filelist.append(alias)


def noter(out):
    """note(name, expect): prints what a careful reader should do with the file and returns its path."""
    def note(name, expect):
        print(f"{name}: {expect}")
        return os.path.join(out, name)
    return note


def small(out):
    note = noter(out)

    # 200,000 zero-size tensors: valid; a name lookup per tensor must not be linear.
    safetensors(note("many_empty_tensors.safetensors", "read: 200000 tensors"),
                [(f"t{i}", "F32", [0], 0) for i in range(200_000)])

    # 100,000 names for one 64K-float tensor: valid (tied weights taken to the extreme); the storage is read once.
    shared = Tensor(Storage("0", 65536), [65536])
    torch_zip(note("aliased_100k.pt", "read: 100000 names of one tensor, its values read once"),
              collections.OrderedDict((f"w{i}", shared) for i in range(100_000)), [("0", 65536 * 4)])

    # A dict tree 19 levels deep whose two branches share one child: 2^19 names over one tensor.
    node = collections.OrderedDict(w=Tensor(Storage("0", 65536), [65536]))
    for _ in range(19):
        node = collections.OrderedDict(a=node, b=node)
    torch_zip(note("shared_tree_19.pt", "refused: more names than the limit (2^19 paths through shared dicts)"),
              node, [("0", 65536 * 4)])

    # A stride-0 view of 2^28 elements over a 1-element storage (493 bytes on disk, 1 GiB as a tensor).
    torch_zip(note("stride0_2p28.pt", "refused: 268435456 elements over a storage of 1"),
              {"w": Tensor(Storage("0", 1), [1 << 28], [0])}, [("0", 4)])

    deflate_bombs(out, note, 256 << 20, "256m")
    overlapping(out, note, 64 << 20, "overlapping_entries.pt")

    # A storage entry whose central record points at data.pkl's local header: it would read the pickle's bytes.
    path = note("entry_points_at_pickle.pt", "refused: zip entries overlap")
    obj = {"w": Tensor(Storage("0", 4), [4])}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", torch_pickle(obj))
        pkl = z.getinfo("archive/data.pkl")
        alias = zipfile.ZipInfo("archive/data/0", date_time=pkl.date_time)
        for field in ("compress_type", "CRC", "compress_size", "file_size", "header_offset"):
            setattr(alias, field, getattr(pkl, field))
        z.filelist.append(alias)

    # Names with a newline and ANSI escapes: read, but never printed raw.
    evil = "\x1b[2J\x1b[31mFAKE: all good\nline two\x07"
    safetensors(note("ansi_names.safetensors", "read: one tensor whose printed name is escaped"), [(evil, "F32", [2], 8)])
    # The same name in an error: a data_offsets mismatch.
    with open(note("ansi_names_corrupt.safetensors", "refused, the name escaped in the one-line message"), "wb") as f:
        text = json.dumps({evil: {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
        f.write(struct.pack("<Q", len(text)) + text + bytes(8))

    # A name of 1 MB (a valid file) and a dict nested 100 deep (past the nesting limit).
    safetensors(note("long_name.safetensors", "refused: a tensor name over the length limit"), [("n" * (1 << 20), "F32", [1], 4)])
    deep = Tensor(Storage("0", 1), [1])
    for i in range(100):
        deep = collections.OrderedDict(k=deep)
    torch_zip(note("nested_100.pt", "refused: nested deeper than the limit"), {"model": deep}, [("0", 4)])

    # A FIFO and a device where a checkpoint is expected: refused at once, never opened for reading.
    fifo = note("fifo.safetensors", "refused: not a regular file (a FIFO)")
    if os.path.lexists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    zero = note("dev_zero.pt", "refused: not a regular file (a character device)")
    if os.path.lexists(zero):
        os.remove(zero)
    os.symlink("/dev/zero", zero)


def big(out):
    note = noter(out)

    # A valid 1.6 GB float32 tensor (sparse on disk): inspect must not hold it three times.
    n = 400_000_000
    safetensors(note("big_1_6g.safetensors", "read: one tensor of 1.6 GB, peak memory near 1x or less"),
                [("w", "F32", [n], 4 * n)], sparse=True)
    # A valid 2.5 GiB tensor: read (or refused by name), no OverflowException.
    n = (5 << 30) // 8
    safetensors(note("huge_2_5g.safetensors", "read or refused by name: a tensor of 2.5 GiB"),
                [("w", "F32", [n], 4 * n)], sparse=True)
    # The same in a torch.save zip (stored, as torch.save writes it; the CRC of zeros computed, the data sparse).
    path = note("huge_2_5g.pt", "read or refused by name: a tensor of 2.5 GiB")
    nbytes = 4 * n
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", torch_pickle({"w": Tensor(Storage("0", n), [n])}))
        # zipfile writes the data; a sparse write would need a hand-made zip64 header, and the zeros compress on disk
        # only with a sparse file. Write through zipfile in 1 MiB chunks: 2.5 GB of disk for the duration of the run.
        with z.open("archive/data/0", "w", force_zip64=True) as f:
            write_zeros(f, nbytes)
    # The sizes of issue 14's reports: 1 GiB bombs, a 2 GiB storage entry, 101 entries over one 256 MiB entry.
    deflate_bombs(out, note, 1 << 30, "1g")
    torch_zip(note("deflated_2g_storage.pt", "read: 16 bytes inflated"),
              {"w": Tensor(Storage("0", 4), [4])}, [("0", 2 << 30)], deflate=True)
    overlapping(out, note, 256 << 20, "overlapping_256m.pt")
    # 40 storages of 64 MiB of zeros, deflated (64 KiB each): each within the free allowance, 2.5 GiB in all.
    torch_zip(note("deflated_40x64m.pt", "refused: the entries together inflate past the file's allowance"),
              collections.OrderedDict((f"w{i}", Tensor(Storage(str(i), 1 << 24), [1 << 24])) for i in range(40)),
              [(str(i), 64 << 20) for i in range(40)], deflate=True)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make_hostile.py OUT [--big]")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    small(out)
    if "--big" in sys.argv[2:]:
        big(out)


if __name__ == "__main__":
    main()

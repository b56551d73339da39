#!/usr/bin/python3
"""Times torch.load (real PyTorch) on the benchmark files: the reference the C# readers are compared with.

Prints one JSON line per file: {"file", "bytes", "median_s", "mb_per_s"} (median of REPS loads after a warm-up,
single thread, files in the page cache like the C# side).
Usage: /usr/bin/python3 bench/torch_load_bench.py DIR [REPS]
"""
import json, os, statistics, sys, time
import torch

torch.set_num_threads(1)
d = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
for mb in (1, 10, 100):
    path = os.path.join(d, f"ckpt_{mb}mb.pt")
    torch.load(path, map_location="cpu")  # warm-up: page cache, allocator
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        sd = torch.load(path, map_location="cpu")
        times.append(time.perf_counter() - t0)
        del sd
    size = os.path.getsize(path)
    med = statistics.median(times)
    print(json.dumps({"file": os.path.basename(path), "bytes": size, "median_s": med, "mb_per_s": size / 1e6 / med}))

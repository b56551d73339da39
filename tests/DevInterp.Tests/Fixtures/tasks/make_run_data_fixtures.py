#!/usr/bin/python3
"""Writes the run-data fixtures of DevInterp's tasks (tests/DevInterp.Tests/Tasks/RunDataTaskTests.cs): data files laid
out as training repositories save them, for the `modular` task's pair files and the `file` task's rows/where/relabel.

Run with Debian's python, numpy and real PyTorch (1.13 here):  /usr/bin/python3 make_run_data_fixtures.py
The script prints every value it writes, so the tests can assert what numpy and torch saw.
"""
import os
import pickle
import random

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
P = 7


def out(name):
    return os.path.join(HERE, name)


# --- modular pairs, as a grokking repository saves its split ------------------------------------------------------
# All (a, b) pairs mod 7, shuffled with Python's own generator and cut 60/40: the run's split is not DevInterp's seeded
# split, which is the point (the analysis must use the run's own training pairs).
pairs = [(a, b) for a in range(P) for b in range(P)]
random.Random(3).shuffle(pairs)
cut = int(0.6 * len(pairs))
train, test = pairs[:cut], pairs[cut:]
torch.save(train, out("pairs_train.pth"))                 # torch.save of a list of (a, b) tuples
with open(out("pairs_test.pkl"), "wb") as f:              # pickle.dump of the same kind of list
    pickle.dump(test, f, protocol=4)
print("pairs_train.pth:", train)
print("pairs_test.pkl:", test)

np.save(out("pairs_i8.npy"), np.array(train[:5], dtype=np.int64))
print("pairs_i8.npy:", train[:5])

with_eq = torch.tensor([[a, b, P] for a, b in train[:4]], dtype=torch.int64)
torch.save(with_eq, out("pairs_eq.pt"))                   # [a, b, =] token rows as Nanda et al. build them
print("pairs_eq.pt:", with_eq.tolist())

with open(out("pairs_labels.csv"), "w") as f:
    f.write("a,b,c\n")
    for a, b in train[:6]:
        f.write(f"{a},{b},{(a + b) % P}\n")
print("pairs_labels.csv:", [(a, b, (a + b) % P) for a, b in train[:6]])

with open(out("pairs_wrong_labels.csv"), "w") as f:      # labels of a·b, read as an addition task: must be refused
    f.write("a,b,c\n")
    for a, b in [(2, 3, ), (4, 5)]:
        f.write(f"{a},{b},{(a * b) % P}\n")

# --- file task: a ten-class dataset of which the run trained on classes <= 4 -------------------------------------
rng = np.random.default_rng(5)
features = np.round(rng.normal(size=(12, 3)), 2)
labels = np.array([0, 7, 3, 9, 4, 1, 5, 2, 8, 4, 6, 0])
with open(out("digits_train.txt"), "w") as f:             # whitespace text, label last (np.savetxt-style)
    for x, y in zip(features, labels):
        f.write(" ".join(f"{v:.2f}" for v in x) + f" {y}\n")
print("digits_train.txt features:", features.ravel().tolist())
print("digits_train.txt labels:", labels.tolist())

idx = np.array([11, 2, 4, 0], dtype=np.int64)               # rows chosen by an index file, in this order
np.save(out("train_idx.npy"), idx)
print("train_idx.npy:", idx.tolist())

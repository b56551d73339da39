"""Writes run folders in the layouts foreign training code leaves behind, with real PyTorch (1.13, Debian's
/usr/bin/python3), for the run-discovery and metrics tests.

Run:  /usr/bin/python3 make_run_fixtures.py
The folders are committed; the tests never need Python. Values the tests assert (steps, losses) are printed here and
copied into the tests as literals. Every model is tiny so the whole tree stays small.

  grokking/      0.pth, 200.pth, 400.pth + final.pth of {'model': state_dict, 'epoch': N, 'train_loss': x, ...}, the
                 final one also holding per-epoch lists, plus train_data.pth / test_data.pth (lists of (a, b) tuples)
  tanh_mlp/      checkpoints/epoch_init.pt, epoch_1.pt .. epoch_3.pt (plain state dicts), best.pt, optimizer.pt, with
                 whitespace-text data, args.json and a train_log.jsonl beside the checkpoints folder
  lightning/     lightning_logs/version_0/checkpoints/epoch=E-step=S.ckpt + last.ckpt in PyTorch Lightning's layout,
                 with the CSVLogger's metrics.csv and hparams.yaml
  hf_trainer/    a Hugging Face Trainer output_dir: checkpoint-4/, checkpoint-8/ (weights, optimizer.pt, scheduler.pt,
                 rng_state.pth, trainer_state.json with log_history), and the final model and training_args.bin on top
  history/       ckpt_0.pt .. ckpt_100.pt (plain state dicts) and history.pkl, a dict of lists with its own step list
"""
import json
import os
import pickle
import shutil
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def fresh(name):
    path = os.path.join(HERE, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def tanh_mlp(d_in=3, hidden=6, d_out=2):
    return torch.nn.Sequential(torch.nn.Linear(d_in, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, d_out))


class Grokker(torch.nn.Module):
    """Modular addition a + b (mod p): embed both, add, one hidden ReLU layer, unembed."""

    def __init__(self, p, d=4, hidden=8):
        super().__init__()
        self.embed = torch.nn.Embedding(p, d)
        self.hidden = torch.nn.Linear(d, hidden)
        self.unembed = torch.nn.Linear(hidden, p, bias=False)

    def forward(self, pairs):
        x = self.embed(pairs[:, 0]) + self.embed(pairs[:, 1])
        return self.unembed(torch.relu(self.hidden(x)))


def grokking():
    """The shape of the grokking run in the issue: bare-number files, final.pth whose epoch is only inside it."""
    fresh("grokking")
    torch.manual_seed(0)
    p = 5
    pairs = [(a, b) for a in range(p) for b in range(p)]
    order = torch.randperm(len(pairs)).tolist()
    train = [pairs[i] for i in order[:15]]
    test = [pairs[i] for i in order[15:]]
    torch.save(train, out("grokking", "train_data.pth"))
    torch.save(test, out("grokking", "test_data.pth"))
    xt, xv = torch.tensor(train), torch.tensor(test)
    yt, yv = (xt[:, 0] + xt[:, 1]) % p, (xv[:, 0] + xv[:, 1]) % p
    model = Grokker(p)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(step / 10, 1))
    epochs, every = 600, 200
    train_losses, test_losses, test_accs = [], [], []
    for epoch in range(epochs):
        train_loss = torch.nn.functional.cross_entropy(model(xt), yt)
        with torch.no_grad():
            logits = model(xv)
            test_loss = torch.nn.functional.cross_entropy(logits, yv)
            test_acc = (logits.argmax(-1) == yv).float().mean()
        train_losses.append(train_loss.item())
        test_losses.append(test_loss.item())
        test_accs.append(test_acc.item())
        train_loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        if epoch % every == 0:
            torch.save({"model": model.state_dict(), "epoch": epoch, "train_loss": train_loss.item(),
                        "test_loss": test_loss.item()}, out("grokking", f"{epoch}.pth"))
            print(f"grokking/{epoch}.pth epoch={epoch} train_loss={train_loss.item()!r} test_loss={test_loss.item()!r} "
                  f"test_acc(list)={test_acc.item()!r}")
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                "train_loss": train_loss.item(), "test_loss": test_loss.item(), "train_losses": train_losses,
                "test_losses": test_losses, "test_accs": test_accs, "epoch": epochs}, out("grokking", "final.pth"))
    print(f"grokking/final.pth epoch={epochs} train_loss={train_loss.item()!r} lists of {len(train_losses)}")


def tanh_run():
    """checkpoints/epoch_init.pt .. epoch_3.pt one level below the run folder, data as whitespace text beside it."""
    fresh("tanh_mlp")
    torch.manual_seed(1)
    n, classes = 24, 3
    x = torch.randn(n, 3)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    for name, rows in (("train.txt", range(16)), ("test.txt", range(16, n))):
        with open(out("tanh_mlp", name), "w") as f:
            for i in rows:
                f.write(" ".join(f"{v:.6f}" for v in x[i].tolist()) + f" {y[i].item()}\n")
    with open(out("tanh_mlp", "args.json"), "w") as f:
        json.dump({"hidden": 6, "epochs": 3, "lr": 0.5, "activation": "tanh"}, f, indent=2)
    model = tanh_mlp(3, 6, classes)
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    xt, yt, xv, yv = x[:16], y[:16], x[16:], y[16:]
    log = []

    def evaluate(epoch):
        with torch.no_grad():
            train_loss = torch.nn.functional.cross_entropy(model(xt), yt).item()
            test_acc = (model(xv).argmax(-1) == yv).float().mean().item()
        log.append({"epoch": epoch, "train_loss": train_loss, "test_acc": test_acc})
        print(f"tanh_mlp epoch {epoch}: train_loss={train_loss!r} test_acc={test_acc!r}")

    torch.save(model.state_dict(), out("tanh_mlp", "checkpoints", "epoch_init.pt"))
    evaluate(0)
    best = None
    for epoch in range(1, 4):
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        opt.zero_grad()
        torch.save(model.state_dict(), out("tanh_mlp", "checkpoints", f"epoch_{epoch}.pt"))
        evaluate(epoch)
        if epoch == 2:
            best = {k: v.clone() for k, v in model.state_dict().items()}
    torch.save(best, out("tanh_mlp", "checkpoints", "best.pt"))
    torch.save(opt.state_dict(), out("tanh_mlp", "checkpoints", "optimizer.pt"))
    with open(out("tanh_mlp", "train_log.jsonl"), "w") as f:
        for row in log:
            f.write(json.dumps(row) + "\n")


def lightning_run():
    """What a LightningModule with `self.model = nn.Sequential(...)` leaves after trainer.fit with a CSVLogger and
    ModelCheckpoint(monitor='val_loss', save_top_k=-1, save_last=True): the dict Lightning's
    _CheckpointConnector.dump_checkpoint builds, saved with torch.save."""
    fresh("lightning")
    torch.manual_seed(2)
    version = os.path.join("lightning", "lightning_logs", "version_0")
    ckdir = os.path.join(version, "checkpoints")
    model = tanh_mlp(3, 5, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x = torch.randn(16, 3)
    y = (x.sum(1) > 0).long()
    xv = torch.randn(8, 3)
    yv = (xv.sum(1) > 0).long()
    batches, epochs, log_every = 4, 3, 2
    monitor_key = ("ModelCheckpoint{'monitor': 'val_loss', 'mode': 'min', 'every_n_train_steps': 0, "
                   "'every_n_epochs': 1, 'train_time_interval': None}")
    rows, best_k = [], {}
    step = 0
    for epoch in range(epochs):
        for b in range(batches):
            xb, yb = x[4 * b:4 * b + 4], y[4 * b:4 * b + 4]
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            step += 1
            if step % log_every == 0:
                # Lightning logs a training step's values under the step count before that step's update
                rows.append({"epoch": epoch, "step": step - 1, "train_loss": loss.item()})
        with torch.no_grad():
            logits = model(xv)
            val_loss = torch.nn.functional.cross_entropy(logits, yv).item()
            val_acc = (logits.argmax(-1) == yv).float().mean().item()
        rows.append({"epoch": epoch, "step": step - 1, "val_acc": val_acc, "val_loss": val_loss})
        name = f"epoch={epoch}-step={step}.ckpt"
        path = out(ckdir, name)
        # Lightning records absolute paths; the machine's own would leak into the fixture, so a stand-in home is used
        shown = f"/home/researcher/run/lightning_logs/version_0/checkpoints/{name}"
        best_k[shown] = torch.tensor(val_loss)
        best_path = min(best_k, key=lambda k: best_k[k].item())
        progress = {"total": {"ready": epoch + 1, "started": epoch + 1, "processed": epoch + 1, "completed": epoch},
                    "current": {"ready": epoch + 1, "started": epoch + 1, "processed": epoch + 1, "completed": epoch}}
        batch_progress = {"total": {"ready": step, "started": step, "processed": step, "completed": step},
                          "current": {"ready": batches, "started": batches, "processed": batches, "completed": batches},
                          "is_last_batch": True}
        checkpoint = {
            "epoch": epoch,
            "global_step": step,
            "pytorch-lightning_version": "2.1.3",
            "state_dict": {f"model.{k}": v for k, v in model.state_dict().items()},
            "loops": {"fit_loop": {"state_dict": {}, "epoch_loop.state_dict": {"_batches_that_stepped": step},
                                   "epoch_loop.batch_progress": batch_progress, "epoch_progress": progress},
                      "validate_loop": {"state_dict": {}, "batch_progress": batch_progress},
                      "test_loop": {"state_dict": {}}, "predict_loop": {"state_dict": {}}},
            "callbacks": {monitor_key: {
                "monitor": "val_loss", "best_model_score": best_k[best_path], "best_model_path": best_path,
                "current_score": torch.tensor(val_loss), "dirpath": os.path.dirname(shown),
                "best_k_models": dict(best_k), "kth_best_model_path": shown, "kth_value": torch.tensor(val_loss),
                "last_model_path": ""}},
            "optimizer_states": [opt.state_dict()],
            "lr_schedulers": [],
            "hparams_name": "kwargs",
            "hyper_parameters": {"hidden": 5, "lr": 0.05},
        }
        torch.save(checkpoint, path)
        print(f"lightning {name}: epoch={epoch} global_step={step} val_loss={val_loss!r} val_acc={val_acc!r}")
    checkpoint["callbacks"][monitor_key]["last_model_path"] = "/home/researcher/run/lightning_logs/version_0/checkpoints/last.ckpt"
    torch.save(checkpoint, out(ckdir, "last.ckpt"))
    keys = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    with open(out(version, "metrics.csv"), "w") as f:
        f.write(",".join(keys) + "\n")
        for row in rows:
            f.write(",".join(repr(row[k]) if k in row else "" for k in keys) + "\n")
    with open(out(version, "hparams.yaml"), "w") as f:
        f.write("hidden: 5\nlr: 0.05\n")


def hf_trainer_run():
    """A Trainer output_dir: checkpoint-N folders (each with the history so far) and the final model on top."""
    fresh("hf_trainer")
    torch.manual_seed(3)
    model = tanh_mlp(3, 4, 2)
    opt = torch.optim.AdamW(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / 8)
    x = torch.randn(8, 3)
    y = (x[:, 0] > 0).long()
    history = []
    # TrainingArguments pickled the way Trainer saves it (torch.save of the object); a stand-in class with the same
    # module path, since transformers is not installed.
    module = types.ModuleType("transformers.training_args")

    class TrainingArguments:
        pass
    TrainingArguments.__module__ = "transformers.training_args"
    TrainingArguments.__qualname__ = "TrainingArguments"
    module.TrainingArguments = TrainingArguments
    sys.modules["transformers"] = types.ModuleType("transformers")
    sys.modules["transformers.training_args"] = module
    args = TrainingArguments()
    args.output_dir, args.learning_rate, args.save_steps, args.logging_steps = "hf_trainer", 0.1, 4, 2
    for step in range(1, 9):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 2 == 0:
            history.append({"epoch": step / 4, "grad_norm": 0.5, "learning_rate": sched.get_last_lr()[0],
                            "loss": round(loss.item(), 4), "step": step})
        if step % 4 == 0:
            with torch.no_grad():
                eval_loss = torch.nn.functional.cross_entropy(model(x), y).item()
                eval_acc = (model(x).argmax(-1) == y).float().mean().item()
            history.append({"epoch": step / 4, "eval_accuracy": eval_acc, "eval_loss": eval_loss, "eval_runtime": 0.01,
                            "eval_samples_per_second": 800.0, "eval_steps_per_second": 100.0, "step": step})
            folder = os.path.join("hf_trainer", f"checkpoint-{step}")
            torch.save(model.state_dict(), out(folder, "pytorch_model.bin"))
            torch.save(opt.state_dict(), out(folder, "optimizer.pt"))
            torch.save(sched.state_dict(), out(folder, "scheduler.pt"))
            torch.save({"python": ("state", 1), "numpy": ("MT19937", np.arange(4, dtype=np.uint32), 0, 0, 0.0),
                        "cpu": torch.get_rng_state()[:8].clone()}, out(folder, "rng_state.pth"))
            torch.save(args, out(folder, "training_args.bin"))
            state = {"best_metric": None, "epoch": step / 4, "global_step": step, "is_hyper_param_search": False,
                     "log_history": list(history), "logging_steps": 2, "max_steps": 8, "num_train_epochs": 2,
                     "save_steps": 4, "total_flos": 12.0, "train_batch_size": 8}
            with open(out(folder, "trainer_state.json"), "w") as f:
                json.dump(state, f, indent=2)
            print(f"hf_trainer checkpoint-{step}: loss={history[-2]['loss']!r} eval_loss={eval_loss!r} eval_accuracy={eval_acc!r}")
    history.append({"epoch": 2.0, "step": 8, "total_flos": 12.0, "train_loss": 0.6, "train_runtime": 0.2,
                    "train_samples_per_second": 80.0, "train_steps_per_second": 40.0})
    torch.save(model.state_dict(), out("hf_trainer", "pytorch_model.bin"))
    torch.save(args, out("hf_trainer", "training_args.bin"))
    with open(out("hf_trainer", "trainer_state.json"), "w") as f:
        json.dump({"epoch": 2.0, "global_step": 8, "log_history": history, "max_steps": 8}, f, indent=2)
    with open(out("hf_trainer", "config.json"), "w") as f:
        json.dump({"hidden": 4}, f, indent=2)


def history_run():
    """ckpt_N.pt state dicts plus history.pkl: a dict of lists that carries its own step list."""
    fresh("history")
    torch.manual_seed(4)
    model = tanh_mlp(2, 3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(10, 2)
    y = x.sum(1, keepdim=True)
    hist = {"step": [], "loss": [], "grad_norm": []}
    for step in range(0, 101):
        if step % 50 == 0:
            torch.save(model.state_dict(), out("history", f"ckpt_{step}.pt"))
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        if step % 10 == 0:
            hist["step"].append(step)
            hist["loss"].append(loss.item())
            hist["grad_norm"].append(sum(p.grad.norm().item() ** 2 for p in model.parameters()) ** 0.5)
        opt.step()
        opt.zero_grad()
    with open(out("history", "history.pkl"), "wb") as f:
        pickle.dump(hist, f)
    for s, l in zip(hist["step"], hist["loss"]):
        if s % 50 == 0:
            print(f"history step {s}: loss={l!r}")


if __name__ == "__main__":
    print("torch", torch.__version__)
    grokking()
    tanh_run()
    lightning_run()
    hf_trainer_run()
    history_run()

"""Speed of the vaetools CVAE against the original example's CVAE, in one process on one machine.

The original example's CVAE is re-implemented here from its published description (see
:class:`OriginalCVAE`) and trained as it was: Adam, learning rate 1e-4, batch 32. The vaetools CVAE is
trained with the tutorial's recipe (:data:`vaetools.IMAGE_VAE`). Both use z_dim = 128, digit 1 as the
normal class, a Bernoulli likelihood and the ``recon`` score. Measured and printed:

* training throughput (images/s) over one epoch;
* time to quality: training wall-clock seconds until the test AUROC first reaches 0.99 (checked after
  every epoch; the checks themselves are not counted), and the ratio original / vaetools; both models
  train ``--epochs-max`` epochs and the final AUROC is the one after the last epoch;
* scoring throughput on the 10,000 test images (images/s, :func:`vaetools.anomaly_scores`, batched);
* the CPU's float32 matrix-multiply rate (GFLOP/s) and each model's training FLOPs per image
  (forward + backward, :mod:`torch.utils.flop_counter`), hence the share of the CPU's peak used;
* with ``--suite``: the wall time of ``pytest --nbval notebooks`` (every notebook, run once, with an
  empty checkpoint cache).

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/speed.py [--epochs-max 10] [--suite]

Writes ``<out>/speed.md``.
"""
from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from cli import add_common_options, parse
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import vaetools as vt

ROOT = Path(__file__).resolve().parents[1]
Z_DIM = 128
NORMAL_CLASS = 1
TARGET_AUROC = 0.99


class OriginalCVAE(vt.VAE):
    """The original example's convolutional VAE, rebuilt from its published description.

    Encoder: 3x3 convolutions 1->16, 16->16, max-pool, 16->32, 32->32, max-pool, 32->64, 64->64, then
    dense 3136->512->2*z_dim. Decoder: dense z_dim->512->3136, 3x3 convolutions 64->64 twice, a
    transposed 4x4 stride-2 convolution 64->32, 3x3 32->32, transposed 4x4 stride-2 32->16, 3x3 16->16,
    3x3 16->1 and a sigmoid (here: the decoder returns logits and the Bernoulli likelihood applies the
    sigmoid, as in :class:`vaetools.ConvVAE`). ELU activations throughout.
    """

    input_shape = (1, 28, 28)

    def __init__(self, z_dim: int = Z_DIM) -> None:
        super().__init__(z_dim, "bernoulli")

        def conv(a: int, b: int) -> list[nn.Module]:
            return [nn.Conv2d(a, b, 3, padding=1), nn.ELU()]

        def up(a: int, b: int) -> list[nn.Module]:
            return [nn.ConvTranspose2d(a, b, 4, stride=2, padding=1), nn.ELU()]

        self.encoder = nn.Sequential(
            *conv(1, 16), *conv(16, 16), nn.MaxPool2d(2),
            *conv(16, 32), *conv(32, 32), nn.MaxPool2d(2),
            *conv(32, 64), *conv(64, 64),
            nn.Flatten(), nn.Linear(3136, 512), nn.ELU(), nn.Linear(512, 2 * z_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(z_dim, 512), nn.ELU(), nn.Linear(512, 3136), nn.ELU(), nn.Unflatten(1, (64, 7, 7)),
            *conv(64, 64), *conv(64, 64), *up(64, 32), *conv(32, 32), *up(32, 16), *conv(16, 16),
            nn.Conv2d(16, 1, 3, padding=1),
        )

    def config(self) -> dict:
        return {"z_dim": self.z_dim}


def training_flops_per_image(model: vt.VAE, x: torch.Tensor) -> float:
    """FLOPs of one forward and backward pass per image, counted by :class:`FlopCounterMode`."""
    model.train()
    batch = x[:32]
    with FlopCounterMode(display=False) as counter:
        output, mu, logvar = model(batch)
        vt.vae_loss(output, batch, mu, logvar, model.likelihood).total.mean().backward()
    model.zero_grad(set_to_none=True)
    model.eval()
    return counter.get_total_flops() / len(batch)


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """The CPU's float32 matrix-multiply rate: 2 n^3 FLOPs per n x n product, best of ``repeats``."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


class QualityClock:
    """A :func:`vaetools.fit` callback: training seconds and test AUROC after every epoch.

    The seconds count training only: the time the callback itself spends scoring the test split is
    subtracted.
    """

    def __init__(self, name: str, split: vt.OneClassSplit) -> None:
        self.name, self.split = name, split
        self.start, self.paused = time.perf_counter(), 0.0
        self.epochs: list[tuple[float, float]] = []  # (training seconds so far, test AUROC)

    def __call__(self, epoch: int, model: vt.VAE) -> None:
        now = time.perf_counter()
        trained = now - self.start - self.paused
        auroc = vt.auroc(self.split.is_anomaly, vt.anomaly_scores(model, self.split.x_test, "recon"))
        self.epochs.append((trained, auroc))
        print(f"  {self.name}: epoch {epoch}  {trained:.1f} s  test AUROC {auroc:.4f}", flush=True)
        self.paused += time.perf_counter() - now


def benchmark(name: str, model: vt.VAE, lr: float, batch_size: int, split: vt.OneClassSplit,
              epochs_max: int, seed: int) -> dict:
    """Train ``model`` with :func:`vaetools.fit` for ``epochs_max`` epochs, noting when the test AUROC first
    reaches the target."""
    clock = QualityClock(name, split)
    vt.fit(model, split.x_train, epochs=epochs_max, batch_size=batch_size, lr=lr, seed=seed, progress=False,
           callback=clock)
    reached = next((seconds for seconds, auroc in clock.epochs if auroc >= TARGET_AUROC), float("nan"))
    start = time.perf_counter()
    vt.anomaly_scores(model, split.x_test, "recon", batch_size=1000)
    scoring = time.perf_counter() - start
    flops = training_flops_per_image(model, split.x_train)
    n_params = sum(p.numel() for p in model.parameters())
    return {
        "model": name, "parameters": n_params, "lr": lr, "batch": batch_size,
        "train img/s": len(split.x_train) / clock.epochs[0][0], "train GFLOP/img": flops / 1e9,
        "epochs": len(clock.epochs), "train s (all epochs)": clock.epochs[-1][0],
        "s to AUROC 0.99": reached, "final AUROC": clock.epochs[-1][1],
        "score img/s": len(split.x_test) / scoring,
    }


def markdown_table(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (numbers with 4 significant digits), without extra dependencies."""
    def cell(value) -> str:
        if isinstance(value, (float, np.floating, int, np.integer)):
            if not np.isfinite(value):
                return "–"
            if float(value).is_integer() or abs(value) >= 1000:
                return f"{value:,.0f}"
            return f"{value:.4g}"
        return str(value)

    header = [table.index.name or "", *map(str, table.columns)]
    rows = [[str(index), *map(cell, row)] for index, row in zip(table.index, table.itertuples(index=False))]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def time_suite() -> tuple[float, int]:
    """Wall time and exit status of ``pytest --nbval notebooks`` run from the repository root.

    The notebooks get an empty checkpoint cache (``VAETOOLS_CACHE``), so every model trains, as in a
    fresh clone.
    """
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        status = subprocess.call([sys.executable, "-m", "pytest", "--nbval", "notebooks", "-q"], cwd=ROOT,
                                 env={**os.environ, "VAETOOLS_CACHE": cache})
        return time.perf_counter() - start, status


def cpu_name() -> str:
    """The CPU model from ``lscpu`` (empty when it is not available)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs-max", type=int, default=10,
                        help="epochs each model trains (the final AUROC is after the last)")
    parser.add_argument("--suite", action="store_true", help="also time pytest --nbval notebooks")
    parser.add_argument("--seed", type=int, default=0)
    add_common_options(parser)
    args = parse(parser, argv)
    split = vt.image_one_class("mnist", NORMAL_CLASS, root=args.data)
    gflops = matmul_gflops()
    recipe = vt.IMAGE_VAE
    rows = []
    for name, model, lr, batch in [
        ("vaetools ConvVAE", vt.ConvVAE(z_dim=Z_DIM, channels=recipe["channels"]), recipe["lr"], recipe["batch_size"]),
        ("original CVAE", OriginalCVAE(Z_DIM), 1e-4, 32),
    ]:
        rows.append(benchmark(name, model, lr, batch, split, args.epochs_max, args.seed))
    table = pd.DataFrame(rows).set_index("model")
    table["% of matmul peak"] = 100 * table["train img/s"] * table["train GFLOP/img"] / gflops
    ours, original = table.iloc[0], table.iloc[1]
    ours_s, original_s = ours["s to AUROC 0.99"], original["s to AUROC 0.99"]
    if np.isfinite(ours_s) and np.isfinite(original_s):
        verdict = f"original / vaetools = **{original_s / ours_s:.1f}x**"
    elif np.isfinite(ours_s):  # the original never got there: its whole training time is a lower bound
        verdict = (f"original / vaetools **> {original['train s (all epochs)'] / ours_s:.1f}x** (the original "
                   f"did not reach it within {args.epochs_max} epochs)")
    else:
        verdict = f"not reached by the vaetools CVAE within {args.epochs_max} epochs"
    lines = [
        f"Date: {datetime.date.today().isoformat()}; CPU: {cpu_name()}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; float32 matmul: {gflops:.0f} GFLOP/s.",
        "",
        markdown_table(table.T),
        "",
        f"Time to quality (test AUROC >= {TARGET_AUROC} with the `recon` score, digit {NORMAL_CLASS}, "
        f"z = {Z_DIM}): {verdict}. Final AUROC after {args.epochs_max} epochs: vaetools "
        f"{ours['final AUROC']:.4f}, original {original['final AUROC']:.4f}.",
    ]
    if args.suite:
        seconds, status = time_suite()
        lines += ["", f"`pytest --nbval notebooks`: **{seconds / 60:.1f} min** wall time (exit status {status})."]
    report = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()

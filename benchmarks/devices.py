"""CPU vs GPU: notebook 02's training and scoring, timed on every device this machine has.

Notebook 02 trains ``vt.ConvVAE(z_dim=128, channels=vt.IMAGE_VAE["channels"])`` on the MNIST ones with
the recipe :data:`vaetools.IMAGE_VAE` (10 epochs, batch 128, Adam 1e-3, the validation loss after every
epoch) and scores the 10,000 test images. This script does the same from freshly initialized weights
(no checkpoint cache) on the CPU and, where there is one, on the CUDA GPU, and prints one table per run:

* training seconds (all epochs, validation included) and training images per second;
* scoring seconds for ``recon``, ``elbo`` (16 draws of z) and ``kl`` on the 10,000 test images;
* the test AUROC of ``recon``: the same recipe should reach the same quality on either device (the
  noise comes from a generator on the device, so the numbers differ in their last digits).

Before the timed run each device does one untimed epoch on 512 images, so that CUDA's start-up (the
context, cuDNN's kernels) is not counted; say so when you quote the numbers.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/devices.py [--devices cpu cuda] [--epochs 10]

Writes ``<out>/devices.md``.
"""
from __future__ import annotations

import argparse
import datetime
import platform
import time
from pathlib import Path

import pandas as pd
import torch
from cli import add_common_options, parse
from speed import markdown_table

import vaetools as vt


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    return f"CPU: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def time_device(device: torch.device, split: vt.OneClassSplit, epochs: int) -> dict:
    """Train notebook 02's CVAE on ``device`` and score the test split; return the timings."""
    settings = {**vt.IMAGE_VAE, "epochs": epochs}
    channels = settings.pop("channels")
    model = vt.ConvVAE(z_dim=128, channels=channels).to(device)
    vt.fit(model, split.x_train[:512], epochs=1, progress=False)  # warm-up, not timed
    _sync(device)
    start = time.perf_counter()
    vt.fit(model, split.x_train, x_val=split.x_val, progress=False, **settings)
    _sync(device)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = vt.score_table(model, split.x_test, scores=("recon", "elbo", "kl"), k=16)
    _sync(device)
    score_s = time.perf_counter() - start
    return {
        "device": _name(device),
        "train s": round(train_s, 2),
        "train img/s": round(epochs * len(split.x_train) / train_s),
        "score s (recon, elbo k=16, kl)": round(score_s, 2),
        "AUROC recon": round(vt.auroc(split.is_anomaly, scores["recon"]), 4),
    }


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Parse the options, time every device, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    available = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    parser.add_argument("--devices", nargs="+", default=available, help=f"default: {' '.join(available)}")
    parser.add_argument("--epochs", type=int, default=vt.IMAGE_VAE["epochs"])
    add_common_options(parser)
    args = parse(parser, argv)
    split = vt.image_one_class("mnist", normal_class=1, root=args.data)
    rows = [time_device(vt.default_device(name), split, args.epochs) for name in args.devices]
    table = pd.DataFrame(rows).set_index("device")
    header = (f"Date: {datetime.date.today()}; torch {torch.__version__}; notebook 02's CVAE (z_dim 128), "
              f"{len(split.x_train):,} training ones, {args.epochs} epochs, batch {vt.IMAGE_VAE['batch_size']}; "
              "one untimed warm-up epoch on 512 images per device.\n\n")
    text = header + markdown_table(table) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "devices.md").write_text(text)
    return table


if __name__ == "__main__":
    main()

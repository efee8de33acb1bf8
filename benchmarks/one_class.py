"""One-vs-rest AUROC of the vaetools CVAE on MNIST, for several anomaly scores of the same model.

For each digit d: train :class:`vaetools.ConvVAE` (Bernoulli likelihood) on the training images of d
only (10 % of them held out for validation), score the whole official test split (10,000 images) and
compute the AUROC with d normal and the other nine digits abnormal. Every score comes from the same
trained model (higher = more anomalous):

* ``recon``   -log p(x | z = mu), the model's reconstruction term (binary cross-entropy);
* ``elbo``    the negative ELBO, recon + KL(q(z | x) || p(z));
* ``iwae``    importance-weighted estimate of -log p(x) with K samples (Burda et al., 2016), ``--iwae-k K``;
* ``mse``     mean squared pixel error of the restoration (decoder mean at z = mu);
* ``mse_c``   (the headline score) the restoration error as bits of the image, complexity-corrected:
              -log2 N(x; restoration, s^2) - L(x), with s^2 the mean squared pixel error on the held-out
              normal validation images (the maximum-likelihood variance) and L(x) the length of the 8-bit
              image under a lossless WebP coder in bits (Serra et al., ICLR 2020; :mod:`vaetools.complexity`);
* ``mse_c_png`` the same with Serra et al.'s PNG coder for L(x).

Hyper-parameters are the same for all ten digits; no test label is used for anything but the AUROC.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/one_class.py                  # all 10 digits, seed 0
    python benchmarks/one_class.py --digits 2 8 --seeds 0 1 2 --data /path/to/data  # a subset, 3 seeds

Writes ``<out>/one_class.csv`` (one row per digit, seed and score, with the seconds per digit and the
label-free validation criteria) and ``<out>/one_class.md`` (AUROC in %, mean ± std over seeds).
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from cli import add_common_options, parse

import vaetools as vt
from vaetools.complexity import complexity_score, input_complexity

#: Hyper-parameters, the same for all ten digits (see benchmarks/README.md for how they were chosen).
DEFAULTS = {"z_dim": 32, "channels": (32, 64), "epochs": 40, "batch_size": 128, "lr": 1e-3, "iwae_k": 16}
#: Order of the rows of the Markdown table.
SCORES = ("recon", "elbo", "iwae", "mse", "mse_c", "mse_c_png")


def train(x_train: torch.Tensor, x_val: torch.Tensor, settings: dict, seed: int) -> vt.ConvVAE:
    """A freshly initialized CVAE trained with :func:`vaetools.fit` (the same settings for every digit)."""
    model = vt.ConvVAE(z_dim=settings["z_dim"], channels=settings["channels"])
    vt.fit(
        model, x_train, x_val=x_val, epochs=settings["epochs"], batch_size=settings["batch_size"],
        lr=settings["lr"], seed=seed, progress=False,
    )
    return model


def restoration_nll(mse: np.ndarray, var: float, pixels: int) -> np.ndarray:
    """-log of a N(restoration, var) density of the image's pixels, in nats per image, from the mean squared error."""
    return pixels * (mse / (2 * var) + 0.5 * math.log(2 * math.pi * var))


def one_digit(
    split: vt.OneClassSplit, settings: dict, complexity: dict[str, np.ndarray], seed: int
) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
    """Train on one digit's normal images and score the test split.

    Returns:
        ``(scores, validation, train_seconds)``: the test scores by name; label-free criteria on the
        held-out normal images (``val_elbo``: mean negative ELBO in nats, ``val_mse``: mean squared pixel
        error of the restoration); and the training time.
    """
    start = time.perf_counter()
    model = train(split.x_train, split.x_val, settings, seed)
    train_seconds = time.perf_counter() - start
    pixels = split.x_val[0].numel()
    val = vt.score_table(model, split.x_val, scores=("elbo", "mse"))
    var = float(val.mse.mean())  # maximum-likelihood variance of the restoration error, normal images only
    validation = {"val_elbo": float(val.elbo.mean()), "val_mse": var}
    table = vt.score_table(model, split.x_test, scores=("recon", "elbo", "mse"))
    mse = table.mse.to_numpy().astype(np.float64)
    nll = restoration_nll(mse, var, pixels)
    scores = {
        "recon": table.recon.to_numpy(),
        "elbo": table.elbo.to_numpy(),
        "mse": mse,
        "mse_c": complexity_score(nll, complexity["webp"]),
        "mse_c_png": complexity_score(nll, complexity["png"]),
    }
    if settings["iwae_k"] > 0:
        scores["iwae"] = vt.iwae_nll(model, split.x_test, k=settings["iwae_k"], seed=seed)
    return scores, validation, train_seconds


def run(digits: list[int], seeds: list[int], settings: dict, data: str | None) -> pd.DataFrame:
    """Train and score one model per digit and seed; one row per (digit, seed, score) with its AUROC."""
    x_all, y_all, names = vt.load_images("mnist", train=True, root=data)
    x_test, y_test, _ = vt.load_images("mnist", train=False, root=data)
    complexity = {codec: input_complexity(x_test, codec) for codec in ("webp", "png")}
    rows = []
    for seed in seeds:
        for digit in digits:
            start = time.perf_counter()
            split = vt.one_class_split(x_all, y_all, x_test, y_test, digit, seed=seed, class_names=names)
            scores, validation, train_seconds = one_digit(split, settings, complexity, seed)
            seconds = time.perf_counter() - start
            aurocs = {name: vt.auroc(split.is_anomaly, values) for name, values in scores.items()}
            rows += [{"digit": digit, "seed": seed, "score": name, "auroc": value, "seconds": seconds,
                      **validation} for name, value in aurocs.items()]
            line = "  ".join(f"{name} {value:.4f}" for name, value in aurocs.items())
            criteria = "  ".join(f"{name} {value:.5g}" for name, value in validation.items())
            print(f"seed {seed} digit {digit}: {line}  {criteria}  "
                  f"(train {train_seconds:.0f} s, total {seconds:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def markdown(results: pd.DataFrame) -> str:
    """AUROC in % per digit and score (mean over seeds, ± std when there are several), and the mean."""
    per = results.groupby(["score", "digit"]).auroc.agg(["mean", "std", "count"]) * [100, 100, 1]
    digits = sorted(results.digit.unique())
    lines = ["| score | " + " | ".join(map(str, digits)) + " | mean |", "|---" * (len(digits) + 2) + "|"]
    for score in [s for s in SCORES if s in set(results.score)]:
        cells = []
        for d in digits:
            m, s, n = per.loc[(score, d)]
            cells.append(f"{m:.1f}" + (f" ± {s:.1f}" if n > 1 else ""))
        means = results[results.score == score].groupby("seed").auroc.mean() * 100
        mean = f"{means.mean():.1f}" + (f" ± {means.std():.1f}" if len(means) > 1 else "")
        lines.append(f"| {score} | " + " | ".join(cells) + f" | **{mean}** |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--z-dim", type=int, default=DEFAULTS["z_dim"])
    parser.add_argument("--channels", type=int, nargs=2, default=DEFAULTS["channels"])
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--iwae-k", type=int, default=DEFAULTS["iwae_k"], help="0: skip the IWAE score")
    add_common_options(parser)
    args = parse(parser, argv)
    settings = {"z_dim": args.z_dim, "channels": tuple(args.channels), "epochs": args.epochs,
                "batch_size": args.batch_size, "lr": args.lr, "iwae_k": args.iwae_k}
    start = time.perf_counter()
    results = run(args.digits, args.seeds, settings, args.data)
    total = time.perf_counter() - start
    table = markdown(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "one_class.csv", index=False)
    header = (f"<!-- one_class.py: digits {args.digits}, seeds {args.seeds}, settings {settings}; "
              f"{torch.get_num_threads()} torch threads; total wall time {total:.0f} s -->\n")
    (out / "one_class.md").write_text(header + table)
    print(table)
    print(f"total wall time: {total:.0f} s ({total / 60:.1f} min) for {len(args.digits)} digits x {len(args.seeds)} seeds")


if __name__ == "__main__":
    main()

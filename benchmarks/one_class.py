"""One-vs-rest AUROC of the vaetools CVAE on MNIST, for several anomaly scores of the same model.

For each digit d: train :class:`vaetools.ConvVAE` on the training images of d only (10 % of them held
out for validation), score the whole official test split (10,000 images) and compute the AUROC with d
normal and the other nine digits abnormal. By default the model has the package's Bernoulli likelihood
(``--sigma S`` > 0: a Gaussian likelihood with fixed standard deviation S instead). Every score comes
from the same trained model (or, with ``--ensemble N``, is averaged over N models of different seeds):

* ``recon``   -log p(x | z = mu), the reconstruction term (for a Gaussian likelihood: squared error / 2 sigma^2);
* ``mse``     mean squared pixel error of the restoration (decoder mean at z = mu);
* ``mse_c``   (the headline score) the restoration error as bits of the image, complexity-corrected:
              -log2 N(x; restoration, s^2) - L(x), with s^2 the mean squared pixel error on the held-out
              normal validation images (the maximum-likelihood variance) and L(x) the PNG-compressed
              length of the 8-bit image in bits (Serra et al., ICLR 2020; :mod:`vaetools.complexity`);
* ``pix_c``   the same with one variance per pixel (fitted on the validation images, shrunk towards s^2);
* ``elbo``    the negative ELBO, recon + KL;
* ``iwae``    importance-weighted estimate of -log p(x) with K samples (Burda et al., 2016), ``--iwae-k K``;
* ``iwae_c``  input-complexity corrected likelihood: -log2 p(x) - L(x) (meaningful for a Gaussian likelihood);
* ``lr``      likelihood ratio (Ren et al., NeurIPS 2019), only with ``--background`` and K > 0:
              -log p(x) + log p_bg(x), p_bg a second CVAE trained on perturbed normal training images.

Hyper-parameters are the same for all ten digits; no test label is used for anything but the AUROC.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/one_class.py                  # all 10 digits
    python benchmarks/one_class.py --digits 2 8 --seeds 0 --data /path/to/data  # a subset
    python benchmarks/one_class.py --sigma 0.1 --channels 32 64 --epochs 10 --iwae-k 16  # previous default

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

import vaetools as vt
from cli import add_common_options, parse
from vaetools.complexity import complexity_score, input_complexity

#: Hyper-parameters, the same for all ten digits (see benchmarks/README.md for how they were chosen).
DEFAULTS = {"z_dim": 32, "channels": (32, 64), "epochs": 20, "batch_size": 128, "lr": 1e-3, "iwae_k": 0, "sigma": 0.0,
            "ensemble": 1}
#: Share of pixels replaced by uniform noise in the background model's training images (Ren et al.).
PERTURB_RATE = 0.2


def perturb(x: torch.Tensor, rate: float, seed: int) -> torch.Tensor:
    """Replace a share ``rate`` of the pixels by uniform noise in [0, 1] (Ren et al.'s background data)."""
    generator = torch.Generator().manual_seed(seed)
    mask = torch.rand(x.shape, generator=generator) < rate
    return torch.where(mask, torch.rand(x.shape, generator=generator), x)


def train(x_train: torch.Tensor, x_val: torch.Tensor, settings: dict, seed: int) -> vt.ConvVAE:
    """A freshly initialized CVAE trained with :func:`vaetools.fit` (the same settings for every digit).

    With ``settings["sigma"]`` set, the likelihood is Gaussian with standard deviation sigma: the inputs
    are divided by sigma and the package's unit-variance Gaussian likelihood is used on them.
    """
    likelihood = "gaussian" if settings.get("sigma") else "bernoulli"
    model = vt.ConvVAE(z_dim=settings["z_dim"], channels=settings["channels"], likelihood=likelihood)
    vt.fit(
        model, x_train, x_val=x_val, epochs=settings["epochs"], batch_size=settings["batch_size"],
        lr=settings["lr"], seed=seed, progress=False,
    )
    return model


#: Pseudo-count of the scalar prior when the per-pixel variances of ``pix_c`` are fitted (fixed a priori).
PIXEL_PRIOR_COUNT = 10


@torch.no_grad()
def squared_errors(model: vt.ConvVAE, x: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """Per-pixel squared error of the restoration (decoder mean at z = mu), shape (N, pixels)."""
    model.eval()
    parts = []
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        mu, _ = model.encode(batch)
        parts.append((model.mean(model.decode(mu)) - batch).pow(2).flatten(1))
    return torch.cat(parts).numpy().astype(np.float64)


def pixel_variances(err2: np.ndarray) -> np.ndarray:
    """Per-pixel variances fitted to squared errors, shrunk towards their overall mean (``PIXEL_PRIOR_COUNT``)."""
    return (err2.sum(0) + PIXEL_PRIOR_COUNT * err2.mean()) / (len(err2) + PIXEL_PRIOR_COUNT)


def gaussian_nll(err2: np.ndarray, var: np.ndarray | float) -> np.ndarray:
    """-log of a N(restoration, var) density of the pixels, in nats per image."""
    var = np.broadcast_to(np.asarray(var, dtype=np.float64), err2.shape[1:])
    return (err2 / (2 * var)).sum(1) + 0.5 * np.log(2 * math.pi * var).sum()


def scores_for(
    models: list[vt.ConvVAE], x: torch.Tensor, complexity: np.ndarray, k: int, sigma: float,
    val_err2: np.ndarray, background: vt.ConvVAE | None = None,
) -> dict[str, np.ndarray]:
    """All anomaly scores of ``x`` (scaled by 1/sigma) under ``models`` (higher = more anomalous).

    With several models (an ensemble over seeds), every score is the mean of the members' scores (for
    ``mse``, ``mse_c`` and ``pix_c``: of their per-pixel squared errors). ``val_err2`` holds the
    (ensemble-mean) per-pixel squared errors of the validation images, in units of the unscaled pixels.
    """
    parts: dict[str, list[np.ndarray]] = {}
    err2 = np.mean([squared_errors(model, x) for model in models], axis=0) * sigma**2
    for model in models:
        table = vt.score_table(model, x, scores=("recon", "elbo"))
        out = {name: table[name].to_numpy() for name in table.columns}
        if k > 0:
            out["iwae"] = vt.iwae_nll(model, x, k=k)
        for name, values in out.items():
            parts.setdefault(name, []).append(values)
    out = {name: np.mean(values, axis=0) for name, values in parts.items()}
    out["mse"] = err2.mean(1)
    # mse_c: the restoration error as -log2 of a N(restoration, s^2) density of the pixels, s^2 fitted by
    # maximum likelihood on the validation (normal) images (s^2 = their mean squared error per pixel),
    # minus the PNG length L(x) (Serra et al.): both count bits of the same image.
    out["mse_c"] = complexity_score(gaussian_nll(err2, val_err2.mean()), complexity)
    # pix_c: the same with one variance per pixel (fitted on the validation images, shrunk to s^2).
    out["pix_c"] = complexity_score(gaussian_nll(err2, pixel_variances(val_err2)), complexity)
    if k > 0:
        out["iwae_c"] = complexity_score(out["iwae"], complexity)
        if background is not None:
            out["lr"] = out["iwae"] - vt.iwae_nll(background, x, k=k)
    return out


def one_digit(
    split: vt.OneClassSplit, settings: dict, complexity: np.ndarray, seed: int, background: bool
) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
    """Train on one digit's normal images and score the test split.

    Returns:
        ``(scores, validation, train_seconds)``: the test scores by name; label-free validation criteria
        on the held-out normal images: ``val_nll`` (-log p(x) by IWAE, nats per image in the units of the
        unscaled pixels, of the first ensemble member; NaN with ``iwae_k`` 0), ``val_mse`` (mean squared
        pixel error of the restoration), ``val_nll_scalar`` / ``val_nll_pixel`` (nats per image of the
        Gaussian restoration densities of ``mse_c`` / ``pix_c``, fitted on the even-numbered validation
        images and evaluated on the odd-numbered ones); and the training time.
    """
    start = time.perf_counter()
    sigma = settings.get("sigma") or 1.0
    x_train, x_val, x_test = split.x_train / sigma, split.x_val / sigma, split.x_test / sigma
    models = [train(x_train, x_val, settings, seed + 100 * i) for i in range(settings.get("ensemble", 1))]
    bg = None
    if background:
        bg = train(perturb(split.x_train, PERTURB_RATE, seed) / sigma, x_val, settings, seed + 1000)
    train_seconds = time.perf_counter() - start
    k = settings["iwae_k"]
    val_nll = float("nan")
    if k > 0:
        val_nll = float(vt.iwae_nll(models[0], x_val, k=k).mean()) + x_val[0].numel() * math.log(sigma)
    val_err2 = np.mean([squared_errors(model, x_val) for model in models], axis=0) * sigma**2
    fit, held = val_err2[0::2], val_err2[1::2]
    validation = {
        "val_nll": val_nll,
        "val_mse": float(val_err2.mean()),
        "val_nll_scalar": float(gaussian_nll(held, fit.mean()).mean()),
        "val_nll_pixel": float(gaussian_nll(held, pixel_variances(fit)).mean()),
    }
    return scores_for(models, x_test, complexity, k, sigma, val_err2, bg), validation, train_seconds


def run(digits: list[int], seeds: list[int], settings: dict, data: str | None, background: bool) -> pd.DataFrame:
    """Train and score one model per digit and seed; one row per (digit, seed, score) with its AUROC."""
    x_all, y_all, names = vt.load_images("mnist", train=True, root=data)
    x_test, y_test, _ = vt.load_images("mnist", train=False, root=data)
    complexity = input_complexity(x_test)
    rows = []
    for seed in seeds:
        for digit in digits:
            start = time.perf_counter()
            split = vt.one_class_split(x_all, y_all, x_test, y_test, digit, seed=seed, class_names=names)
            scores, validation, train_seconds = one_digit(split, settings, complexity, seed, background)
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
    order = [s for s in ("recon", "mse", "mse_c", "pix_c", "elbo", "iwae", "iwae_c", "lr") if s in set(results.score)]
    lines = ["| score | " + " | ".join(map(str, digits)) + " | mean |", "|---" * (len(digits) + 2) + "|"]
    for score in order:
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
    parser.add_argument("--sigma", type=float, default=DEFAULTS["sigma"],
                        help="Gaussian likelihood with this standard deviation (0, the default: Bernoulli)")
    parser.add_argument("--iwae-k", type=int, default=DEFAULTS["iwae_k"], help="0: skip the IWAE scores")
    parser.add_argument("--ensemble", type=int, default=DEFAULTS["ensemble"],
                        help="models per digit (seeds seed, seed+100, ...); scores are averaged over them")
    parser.add_argument("--background", action="store_true", help="also train Ren et al.'s background model")
    add_common_options(parser)
    args = parse(parser, argv)
    settings = {"z_dim": args.z_dim, "channels": tuple(args.channels), "epochs": args.epochs,
                "batch_size": args.batch_size, "lr": args.lr, "iwae_k": args.iwae_k, "sigma": args.sigma,
                "ensemble": args.ensemble}
    start = time.perf_counter()
    results = run(args.digits, args.seeds, settings, args.data, args.background)
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

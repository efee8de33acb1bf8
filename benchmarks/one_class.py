"""One-vs-rest AUROC of the vaetools CVAE on MNIST, for several anomaly scores of the same model.

For each digit d: train :class:`vaetools.ConvVAE` on the training images of d only (10 % of them held
out for validation), score the whole official test split (10,000 images) and compute the AUROC with d
normal and the other nine digits abnormal. The model has a Gaussian likelihood with a fixed standard
deviation sigma (0.1 by default, chosen by the validation likelihood of normal images; ``--sigma 0``
gives the package's default Bernoulli likelihood). Every score comes from the same trained model:

* ``recon``   -log p(x | z = mu), the reconstruction term (for a Gaussian likelihood: squared error / 2 sigma^2);
* ``mse``     mean squared pixel error of the restoration (the same ranking as ``recon`` when Gaussian);
* ``elbo``    the negative ELBO, recon + KL;
* ``iwae``    importance-weighted estimate of -log p(x) with K samples (Burda et al., 2016);
* ``iwae_c``  input-complexity corrected likelihood (Serra et al., ICLR 2020): -log2 p(x) - L(x), with
              L(x) the PNG-compressed length of the 8-bit image in bits (:mod:`vaetools.complexity`);
* ``lr``      likelihood ratio (Ren et al., NeurIPS 2019), only with ``--background``:
              -log p(x) + log p_bg(x), p_bg a second CVAE trained on perturbed normal training images.

Hyper-parameters are the same for all ten digits; no test label is used for anything but the AUROC.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/one_class.py                  # all 10 digits
    python benchmarks/one_class.py --digits 2 8 --seeds 0 --data /path/to/data  # a subset

Writes ``<out>/one_class.csv`` (one row per digit, seed and score, with the seconds per digit and the
validation -log p(x)) and ``<out>/one_class.md`` (AUROC in %, mean ± std over seeds).
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
from vaetools.complexity import complexity_score, input_complexity

#: Hyper-parameters, the same for all ten digits (see benchmarks/README.md for how they were chosen).
DEFAULTS = {"z_dim": 32, "channels": (32, 64), "epochs": 10, "batch_size": 128, "lr": 1e-3, "iwae_k": 16, "sigma": 0.1}
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


def scores_for(
    model: vt.ConvVAE, x: torch.Tensor, complexity: np.ndarray, k: int, background: vt.ConvVAE | None = None
) -> dict[str, np.ndarray]:
    """All anomaly scores of ``x`` under ``model`` (higher = more anomalous)."""
    table = vt.score_table(model, x, scores=("recon", "mse", "elbo"))
    iwae = vt.iwae_nll(model, x, k=k)
    out = {name: table[name].to_numpy() for name in table.columns}
    out["iwae"] = iwae
    out["iwae_c"] = complexity_score(iwae, complexity)
    if background is not None:
        out["lr"] = iwae - vt.iwae_nll(background, x, k=k)
    return out


def one_digit(
    split: vt.OneClassSplit, settings: dict, complexity: np.ndarray, seed: int, background: bool
) -> tuple[dict[str, np.ndarray], float, float]:
    """Train on one digit's normal images and score the test split.

    Returns:
        ``(scores, val_nll, train_seconds)``: the test scores by name, the validation -log p(x) in nats
        per image (in the units of the unscaled pixels: the label-free criterion the settings were chosen
        by) and the training time.
    """
    start = time.perf_counter()
    sigma = settings.get("sigma") or 1.0
    x_train, x_val, x_test = split.x_train / sigma, split.x_val / sigma, split.x_test / sigma
    model = train(x_train, x_val, settings, seed)
    bg = None
    if background:
        bg = train(perturb(split.x_train, PERTURB_RATE, seed) / sigma, x_val, settings, seed + 1000)
    train_seconds = time.perf_counter() - start
    val_nll = float(vt.iwae_nll(model, x_val, k=settings["iwae_k"]).mean()) + x_val[0].numel() * math.log(sigma)
    return scores_for(model, x_test, complexity, settings["iwae_k"], bg), val_nll, train_seconds


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
            scores, val_nll, train_seconds = one_digit(split, settings, complexity, seed, background)
            seconds = time.perf_counter() - start
            aurocs = {name: vt.auroc(split.is_anomaly, values) for name, values in scores.items()}
            rows += [{"digit": digit, "seed": seed, "score": name, "auroc": value, "seconds": seconds,
                      "val_nll": val_nll} for name, value in aurocs.items()]
            line = "  ".join(f"{name} {value:.4f}" for name, value in aurocs.items())
            print(f"seed {seed} digit {digit}: {line}  val_nll {val_nll:.1f}  "
                  f"(train {train_seconds:.0f} s, total {seconds:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def markdown(results: pd.DataFrame) -> str:
    """AUROC in % per digit and score (mean over seeds, ± std when there are several), and the mean."""
    per = results.groupby(["score", "digit"]).auroc.agg(["mean", "std", "count"]) * [100, 100, 1]
    digits = sorted(results.digit.unique())
    order = [s for s in ("recon", "mse", "elbo", "iwae", "iwae_c", "lr") if s in set(results.score)]
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
                        help="Gaussian likelihood with this standard deviation (0: Bernoulli)")
    parser.add_argument("--iwae-k", type=int, default=DEFAULTS["iwae_k"])
    parser.add_argument("--background", action="store_true", help="also train Ren et al.'s background model")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: PyTorch's choice)")
    parser.add_argument("--data", default=None, help="data folder (default: $VAETOOLS_DATA, else ./data)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    settings = {"z_dim": args.z_dim, "channels": tuple(args.channels), "epochs": args.epochs,
                "batch_size": args.batch_size, "lr": args.lr, "iwae_k": args.iwae_k, "sigma": args.sigma}
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

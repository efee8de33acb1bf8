"""One-vs-rest AUROC on MNIST-1D, all ten classes: the 1-D convolutional VAE and three baselines.

For each class c: generate MNIST-1D with ``--num-samples`` signals (the package's generator, seed 42,
80 % training / 20 % test; the standard set has 5,000), train :class:`vaetools.Conv1dVAE` on the
training signals of class c only (10 % of them held out as normal validation data), score the whole
test split and compute the AUROC with c normal and the other nine classes abnormal. The baselines are
fitted on the same normal training signals and scored on the same test split (``vt.baseline_scores``,
scikit-learn):

* ``pca``     reconstruction error of a PCA that keeps 95 % of the normal training variance;
* ``iforest`` IsolationForest (200 trees), minus its ``score_samples``;
* ``lof``     LocalOutlierFactor(novelty=True, 20 neighbours), minus its ``score_samples``.

The settings (the defaults of the options below) were chosen on normal validation data only, with no
test label: the VAE score is fixed up front (``recon``, the restoration's negative log-likelihood under the
model's own likelihood; with the unit-variance Gaussian it ranks signals as the squared error ``mse``
does), and among candidate settings, each trained for every class, the one with the lowest mean
**validation negative ELBO in nats** (normal validation signals, 16 draws of z) won: the likelihood
``gaussian_var`` with ``z_dim`` 32 and ``beta`` 1, ``refine`` 3, the width (32, 64) for 84 epochs at lr
2e-3 with the cosine rate, no early stopping, batches of 128 and 160,000 signals (about 11,500 normal
training signals per class). How each choice was made, the candidates' criteria and what else was looked
at are in benchmarks/LOG.md (the MNIST-1D entry); the candidates' rows are in
results/signals_selection.csv (column ``selection``).

Time: the classes train ``--jobs`` at a time in worker processes, by default one per CPU core with one
thread each (one process on a GPU). This network's convolutions are too small to share between two
threads well: an epoch of 11,520 signals took 1.55-1.72 s with two threads, 1.78-1.81 s with one, and
1.70-2.10 s in each of two single-thread processes at once, so two classes side by side nearly double the
throughput of the 2-core CPU. The ten classes take 17 minutes (1,035 s), within the 20-minute budget.

Usage::

    python benchmarks/signals.py                       # the ten classes with the chosen settings
    python benchmarks/signals.py --jobs 1              # one class at a time, with all the threads
    python benchmarks/signals.py --classes 8 9 --z-dim 16 32          # a selection, two classes
    python benchmarks/signals.py --likelihood gaussian --z-dim 16 --beta 0.1   # the previous release's model

Writes ``<out>/signals.csv`` (one row per class, setting and method: AUROC and the validation
criteria) and ``<out>/signals.md`` (AUROC in % per class, the selected VAE and the baselines, and the
criterion of every candidate setting).
"""
from __future__ import annotations

import argparse
import itertools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from cli import add_common_options, add_jobs_option, jobs_and_threads, map_jobs, parse

import vaetools as vt

#: Defaults: the selected VAE settings and the training schedule (see the module docstring).
DEFAULTS = {"num_samples": 160_000, "likelihood": ["gaussian_var"], "z_dim": [32], "beta": [1.0], "refine": [3],
            "lr_schedule": ["cosine"], "channels": (32, 64), "epochs": 84, "patience": None, "batch_size": 128,
            "lr": 2e-3, "seed": 0}
#: The settings of which several candidates may be trained (and their types); the lowest validation NLL
#: picks one.
CANDIDATES = {"likelihood": str, "z_dim": int, "beta": float, "refine": int, "lr_schedule": str}
#: The VAE's anomaly score, fixed up front (see the module docstring).
SCORE = "recon"
#: Short names of the baselines (``vt.baseline_scores``) in the CSV's ``method`` column.
BASELINE_CODES = {"PCA reconstruction": "pca", "IsolationForest": "iforest", "LocalOutlierFactor": "lof"}


def validation_nll(model: vt.Conv1dVAE, x_val: torch.Tensor, beta: float, seed: int) -> float:
    """Mean negative ELBO of normal validation signals in nats, with p(x | z) = N(decoder mean, beta)
    for the unit-variance Gaussian, with the decoder's own variance for ``gaussian_var``.

    Training with ``recon + beta * KL`` and a unit-variance Gaussian is training with a Gaussian of
    variance ``beta`` (the loss is ``beta`` times that model's negative ELBO, plus a constant), so this
    number compares models trained with different ``beta`` on one scale. A ``gaussian_var`` model has
    its own variance, so its number is its plain negative ELBO (KL weight 1, whatever ``beta`` it was
    trained with).
    """
    table = vt.score_table(model, x_val, scores=("elbo", "kl"), k=16, seed=seed)
    if model.likelihood == "gaussian_var":
        return float(table.elbo.mean())
    size = x_val[0].numel()
    sse_half = table.elbo - table.kl - 0.5 * size * math.log(2 * math.pi)  # E_q[0.5 * ||x - mean||^2]
    nll = sse_half / beta + 0.5 * size * math.log(2 * math.pi * beta) + table.kl
    return float(nll.mean())


def one_class(
    split: vt.OneClassSplit, settings: dict, likelihood: str, z_dim: int, beta: float, refine: int, lr_schedule: str
) -> tuple[dict, np.ndarray]:
    """Train one VAE on ``split`` (signals (N, 1, L), standardized) and score its test split."""
    model = vt.Conv1dVAE(tuple(split.x_train.shape[1:]), z_dim=z_dim, channels=settings["channels"], refine=refine,
                         likelihood=likelihood)
    model.to(vt.default_device())
    start = time.perf_counter()
    history = vt.fit(
        model, split.x_train, x_val=split.x_val, epochs=settings["epochs"], batch_size=settings["batch_size"],
        lr=settings["lr"], lr_schedule=lr_schedule, beta=beta, seed=settings["seed"],
        patience=settings["patience"], progress=False,
    )
    seconds = time.perf_counter() - start
    criteria = {
        "val_nll": validation_nll(model, split.x_val, beta, settings["seed"]),
        "val_mse": float(vt.anomaly_scores(model, split.x_val, "mse").mean()),
        "epochs_run": len(history), "best_epoch": int(history.val_loss.idxmin()), "train_s": seconds,
    }
    return criteria, vt.anomaly_scores(model, split.x_test, SCORE)


def run(classes: list[int], settings: dict, jobs: int = 1, threads: int = 1) -> pd.DataFrame:
    """One row per class and method (the VAE once per candidate setting) with AUROC and criteria.

    With ``jobs`` > 1 the classes run in that many worker processes at once, each with ``threads``
    torch and BLAS threads (see :func:`main`); their rows come back in the order of ``classes``.
    """
    x_train, y_train, x_test, y_test = vt.load_mnist1d(num_samples=settings["num_samples"])
    splits = []
    for c in classes:
        split = vt.one_class_split(x_train.unsqueeze(1), y_train, x_test.unsqueeze(1), y_test, c,
                                   val_fraction=0.1, seed=settings["seed"])
        splits.append(split.standardize(per="channel")[0])  # statistics of the normal training signals only
    parts = map_jobs(normal_class, splits, jobs, threads, settings)
    return pd.DataFrame([row for part in parts for row in part])


def normal_class(split: vt.OneClassSplit, settings: dict) -> list[dict]:
    """The rows of one normal class: the VAE once per candidate setting, then the baselines."""
    c = split.normal_class
    base = {"class": c, "n_train": len(split.x_train), "n_val": len(split.x_val), "n_test": len(split.x_test)}
    rows = []
    for candidate in itertools.product(*(settings[key] for key in CANDIDATES)):
        criteria, scores = one_class(split, settings, *candidate)
        value = vt.auroc(split.is_anomaly, scores)
        rows.append({**base, "method": "vae", **dict(zip(CANDIDATES, candidate)), "auroc": value, **criteria})
        print(f"class {c}: vae {' '.join(f'{k} {v}' for k, v in zip(CANDIDATES, candidate))}: "
              f"validation nll {criteria['val_nll']:.3f} nats, "
              f"val mse {criteria['val_mse']:.4f}, best epoch {criteria['best_epoch']}/{criteria['epochs_run']} "
              f"({criteria['train_s']:.0f} s) -> AUROC {value:.4f}", flush=True)
    for name, scores in vt.baseline_scores(split.x_train, split.x_test, seed=settings["seed"]).items():
        rows.append({**base, "method": BASELINE_CODES[name], "auroc": vt.auroc(split.is_anomaly, scores)})
    line = "  ".join(f"{r['method']} {r['auroc']:.4f}" for r in rows[-3:])
    print(f"class {c}: baselines {line}", flush=True)
    return rows


def select(results: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The candidate setting (a dict over :data:`CANDIDATES`) with the lowest mean validation NLL over the
    classes, and every candidate's mean criteria."""
    vae = results[results.method == "vae"]
    candidates = vae.groupby(list(CANDIDATES)).agg(val_nll=("val_nll", "mean"), val_mse=("val_mse", "mean"))
    candidates.index = pd.MultiIndex.from_tuples([_typed(c) for c in candidates.index], names=list(CANDIDATES))
    return dict(zip(CANDIDATES, _typed(candidates.val_nll.idxmin()))), candidates


def _typed(candidate: tuple) -> tuple:
    """A candidate's values with their own types (the table's columns are float where baselines are NaN)."""
    return tuple(kind(value) for kind, value in zip(CANDIDATES.values(), candidate))


def markdown(results: pd.DataFrame) -> str:
    """AUROC in % per class: the selected VAE, the baselines; then the selection's criterion."""
    best, candidates = select(results)
    chosen = results[(results.method != "vae") | (results[list(CANDIDATES)] == pd.Series(best)).all(axis=1)]
    classes = sorted(results["class"].unique())
    lines = ["| method | " + " | ".join(map(str, classes)) + " | mean | min |", "|---" * (len(classes) + 3) + "|"]
    described = (f"{best['likelihood']}, z {best['z_dim']}, beta {best['beta']:g}, refine {best['refine']}, "
                 f"{best['lr_schedule']} lr")
    names = {"vae": f"Conv1dVAE ({described}, {SCORE})", "pca": "PCA reconstruction",
             "iforest": "IsolationForest", "lof": "LocalOutlierFactor"}
    for method in ("vae", "pca", "iforest", "lof"):
        values = chosen[chosen.method == method].set_index("class").auroc.reindex(classes) * 100
        lines.append(f"| {names[method]} | " + " | ".join(f"{v:.1f}" for v in values)
                     + f" | **{values.mean():.1f}** | {values.min():.1f} |")
    lines += ["", "Selection (normal validation signals only, mean over the classes; lowest val_nll wins):", "",
              "| " + " | ".join(CANDIDATES) + " | val_nll (nats) | val_mse |", "|---" * (len(CANDIDATES) + 2) + "|"]
    for candidate, row in candidates.iterrows():
        mark = " **(selected)**" if candidate == tuple(best.values()) else ""
        lines.append("| " + " | ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in candidate)
                     + f" | {row.val_nll:.3f}{mark} | {row.val_mse:.4f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--num-samples", type=int, default=DEFAULTS["num_samples"],
                        help="MNIST-1D signals to generate (80%% training, 20%% test); the standard set has 5000")
    parser.add_argument("--likelihood", nargs="+", default=DEFAULTS["likelihood"], choices=("gaussian", "gaussian_var"))
    parser.add_argument("--z-dim", type=int, nargs="+", default=DEFAULTS["z_dim"])
    parser.add_argument("--beta", type=float, nargs="+", default=DEFAULTS["beta"])
    parser.add_argument("--refine", type=int, nargs="+", default=DEFAULTS["refine"],
                        help="kernel size of the extra stride-1 convolution per stage (0: none)")
    parser.add_argument("--lr-schedule", nargs="+", default=DEFAULTS["lr_schedule"], choices=vt.LR_SCHEDULES)
    parser.add_argument("--channels", type=int, nargs="+", default=DEFAULTS["channels"])
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--patience", type=int, default=DEFAULTS["patience"],
                        help="stop after this many epochs without a lower validation loss (default: off)")
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    add_jobs_option(parser, "classes")
    add_common_options(parser)
    args = parse(parser, argv)
    jobs, threads = jobs_and_threads(args.jobs, len(args.classes))
    settings = {"num_samples": args.num_samples, "likelihood": args.likelihood, "z_dim": args.z_dim,
                "beta": args.beta, "refine": args.refine,
                "lr_schedule": args.lr_schedule,
                "channels": tuple(args.channels), "epochs": args.epochs, "patience": args.patience,
                "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed}
    start = time.perf_counter()
    results = run(args.classes, settings, jobs, threads)
    total = time.perf_counter() - start
    best, candidates = select(results)
    print("selection criterion (mean over classes):")
    print(candidates.to_string())
    print(f"selected: {best} (lowest mean validation NLL)")
    table = markdown(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "signals.csv", index=False)
    header = (f"<!-- signals.py: classes {args.classes}, settings {settings}, score {SCORE}; "
              f"{jobs} job(s) of {threads} torch thread(s), "
              f"device {vt.default_device()}; "
              f"total wall time {total:.0f} s -->\n")
    (out / "signals.md").write_text(header + table)
    print(table)
    print(f"total wall time: {total:.0f} s ({total / 60:.1f} min) for {len(args.classes)} classes")


if __name__ == "__main__":
    main()

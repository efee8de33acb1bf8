"""One-class AUROC on ADBench's 29 classical tables: ``vt.Detector`` beside seven PyOD detectors, in one run.

Protocol (one-class, as a user with only normal rows would work): for each set and seed, a seeded half of
the normal rows, capped at 3,000, is the training data; the other half plus every anomaly is the test data,
capped at 5,000 rows with normal and anomalous rows kept in proportion. Every detector sees the same
training rows (normal only) and scores the same test rows; the AUROC of the scores is computed with the
test labels, which serve nothing else.

* The Detector goes through its public API, as the README shows it: ``RECIPES["rows"]`` is the library's
  rule for table rows, ``vt.Detector.for_rows`` (``--recipes rows mse`` adds, as a reference, the README's
  recipe before this benchmark: the unit-variance DenseVAE scored by ``mse``). ``fit`` holds out its own
  normal validation rows (a seeded 10 % of the training rows) for what it calibrates.
* The peers are PyOD's ``KNN``, ``LOF``, ``IForest``, ``PCA``, ``AutoEncoder``, ``VAE`` and ``DeepSVDD`` with
  their defaults (``random_state`` set to the seed, ``verbose=0``) on rows standardized with the normal
  training rows' mean and standard deviation (scikit-learn's ``StandardScaler``). Their scores are cached
  per (set, seed) under ``--cache``, with their seconds, so a second run never computes them again (and
  reports the seconds they took when they were computed). PyOD's ``PCA`` divides by a zero variance on sets
  with linearly dependent columns and returns infinite scores for every row; as ADBench does, those rank
  as ties (AUROC 0.5), and the run says where.

The summary ranks the first recipe among the eight (per set, on the mean AUROC over the seeds, ties
averaged) and counts, per set, wins / ties / losses against each peer (a tie: within ``TIE`` = 0.005 AUROC),
the sets within 0.05 of the best peer, and the sets where it is ahead of PyOD's VAE.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/tables.py                 # seed 0, all 29 sets, to a temp folder
    python benchmarks/tables.py --recipes rows mse --seeds 0 1 2 --out benchmarks/results   # the committed table
    python benchmarks/tables.py --sets 14_glass 42_WBC --epochs 2            # a smoke run

Writes ``<out>/tables.csv`` (one row per set, seed and method: AUROC and seconds) and ``<out>/tables.md``. A
recipe whose score is a sum (the rule for rows adds the VAE's ``iwae`` and the ``knn5`` distance) also gets a
row for each part alone, from the same fitted detector (``score_parts``), so the table shows what each adds.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from cli import add_common_options, add_jobs_option, jobs_and_threads, map_jobs, parse
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

import vaetools as vt

#: Caps of the protocol: normal training rows, test rows.
MAX_TRAIN, MAX_TEST = 3000, 5000
#: Two AUROCs within this of each other count as a tie.
TIE = 0.005
#: "Close to the best peer": within this AUROC of the best of the seven.
CLOSE = 0.05
PEERS = ("kNN", "LOF", "IForest", "PCA", "AutoEncoder", "VAE", "DeepSVDD")
SCRATCH = Path(tempfile.gettempdir()) / "vaetools-tables"


def _mse_recipe(d: int) -> vt.Detector:
    """The recipe of the README's quick start before this benchmark: unit-variance DenseVAE, ``mse``."""
    return vt.Detector(vt.DenseVAE(input_dim=d), score="mse", threshold="fpr", fpr=0.01, scaling="feature", epochs=100)


#: Detector recipes by name: the number of columns -> an unfitted detector. ``rows`` is the library's rule.
RECIPES = {"rows": vt.Detector.for_rows, "mse": _mse_recipe}


def set_names(folder: Path) -> list[str]:
    """The ``.npz`` sets in ``folder``, in ADBench's numbering."""
    names = [path.stem for path in folder.glob("*.npz")]
    if not names:
        raise FileNotFoundError(f"no ADBench .npz files in {folder}")
    return sorted(names, key=_number)


def _number(name: str) -> tuple[int, str]:
    """ADBench's number of a set (``7_Cardiotocography``: 7), for sorting."""
    prefix = name.split("_")[0]
    return int(prefix) if prefix.isdigit() else 0, name


def split(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one-class split of one set: normal training rows, test rows and their labels (1 = anomaly).

    A seeded half of the normal rows (at most ``MAX_TRAIN``) trains; the other half and every anomaly test,
    subsampled to ``MAX_TEST`` rows with the share of anomalies kept when there are more.
    """
    rng = np.random.default_rng(seed)
    normal, anomalous = rng.permutation(np.flatnonzero(y == 0)), np.flatnonzero(y == 1)
    half = len(normal) // 2
    train, test = normal[: min(half, MAX_TRAIN)], np.concatenate([normal[half:], anomalous])
    labels = (y[test] == 1).astype(int)
    if len(test) > MAX_TEST:
        n_anomalous = int(round(MAX_TEST * labels.mean()))
        keep = np.concatenate([rng.choice(np.flatnonzero(labels == 0), MAX_TEST - n_anomalous, replace=False),
                               rng.choice(np.flatnonzero(labels == 1), n_anomalous, replace=False)])
        test, labels = test[np.sort(keep)], labels[np.sort(keep)]
    return x[np.sort(train)].astype(np.float64), x[test].astype(np.float64), labels


def load(folder: Path, name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`split` of the set ``name`` in ``folder``."""
    data = np.load(folder / f"{name}.npz")
    return split(data["X"], data["y"].astype(int), seed)


def peer(name: str, d: int, seed: int):
    """An unfitted PyOD detector with its defaults (seeded, quiet)."""
    from pyod.models.auto_encoder import AutoEncoder
    from pyod.models.deep_svdd import DeepSVDD
    from pyod.models.iforest import IForest
    from pyod.models.knn import KNN
    from pyod.models.lof import LOF
    from pyod.models.pca import PCA
    from pyod.models.vae import VAE

    return {"kNN": lambda: KNN(), "LOF": lambda: LOF(), "IForest": lambda: IForest(random_state=seed),
            "PCA": lambda: PCA(random_state=seed), "AutoEncoder": lambda: AutoEncoder(random_state=seed, verbose=0),
            "VAE": lambda: VAE(random_state=seed, verbose=0),
            "DeepSVDD": lambda: DeepSVDD(n_features=d, random_state=seed, verbose=0)}[name]()


def peer_scores(x_train: np.ndarray, x_test: np.ndarray, seed: int, cache: Path) -> dict[str, tuple[np.ndarray, float]]:
    """Each peer's test scores and seconds, from ``cache`` if this (set, seed) ran before."""
    if cache.is_file():
        stored = np.load(cache)
        return {name: (stored[name], float(stored[f"{name}_seconds"])) for name in PEERS}
    scaler = StandardScaler().fit(x_train)
    train, test = scaler.transform(x_train), scaler.transform(x_test)
    out = {}
    for name in PEERS:
        start = time.perf_counter()
        model = peer(name, train.shape[1], seed).fit(train)
        out[name] = (model.decision_function(test), time.perf_counter() - start)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **{name: s for name, (s, _) in out.items()}, **{f"{n}_seconds": t for n, (_, t) in out.items()})
    return out


def run_one(task: tuple[str, int], folder: Path, recipes: tuple[str, ...], cache: Path, epochs: int | None) -> list:
    """Rows (set, seed, method, auroc, seconds) of one set and seed: every recipe and every peer."""
    name, seed = task
    x_train, x_test, labels = load(folder, name, seed)
    rows = []
    for recipe in recipes:
        start = time.perf_counter()
        options = {} if epochs is None else {"epochs": epochs}
        detector = RECIPES[recipe](x_train.shape[1]).fit(x_train, seed=seed, progress=False, **options)
        parts = detector.score_parts(x_test)  # the last column is decision_function, the detector's score
        rows.append((name, seed, recipe, roc_auc_score(labels, parts.iloc[:, -1]), time.perf_counter() - start))
        rows += [(name, seed, f"{recipe}: {part} alone", roc_auc_score(labels, parts[part]), 0.0)
                 for part in parts.columns[:-1]]  # a sum's parts, from the same fitted detector
    for method, (scores, seconds) in peer_scores(x_train, x_test, seed, cache / f"{name}_seed{seed}.npz").items():
        if not np.isfinite(scores).all():  # PyOD's PCA divides by a zero variance when columns are dependent
            print(f"{name} seed {seed}: {method} gave {(~np.isfinite(scores)).sum()} of {len(scores)} scores "
                  "that are not finite, ranked as ADBench does (NaN as 0, infinity as the largest float)")
            scores = np.nan_to_num(scores, nan=0.0)
        rows.append((name, seed, method, roc_auc_score(labels, scores), seconds))
    print(f"{name} seed {seed}: " + ", ".join(f"{m} {a:.3f}" for _, _, m, a, _ in rows), flush=True)
    return rows


def summary(results: pd.DataFrame, detector: str) -> str:
    """The Markdown summary: the eight methods' mean AUROC and rank, the detector against each peer, times."""
    per_set = results.pivot_table(index="set", columns="method", values="auroc")  # mean over the seeds
    per_set = per_set.loc[sorted(per_set.index, key=_number)]
    eight = per_set[[detector, *PEERS]]
    ranks = eight.rank(axis=1, ascending=False).mean()
    by_seed = results.pivot_table(index="seed", columns="method", values="auroc").std()  # spread of the set-means
    n_seeds = results.seed.nunique()
    lines = [f"{len(per_set)} sets, seeds {', '.join(map(str, sorted(results.seed.unique())))}; AUROC per set is "
             f"the mean over the seeds; ± the standard deviation of the mean over the {n_seeds} seeds.", "",
             "| method | mean AUROC | mean rank of 8 | detector wins / ties / losses |", "|---|---|---|---|"]
    for method in eight.mean().sort_values(ascending=False).index:
        diff = per_set[detector] - per_set[method]
        record = "" if method == detector else (f"{(diff > TIE).sum()} / {(diff.abs() <= TIE).sum()} / "
                                                f"{(diff < -TIE).sum()}")
        spread = f" ± {by_seed[method]:.3f}" if n_seeds > 1 else ""
        lines.append(f"| {method} | {per_set[method].mean():.3f}{spread} | {ranks[method]:.2f} | {record} |")
    others = [r for r in per_set.columns if r not in (detector, *PEERS)]
    for method in others:  # further recipes, ranked in the detector's place
        rank = per_set[[method, *PEERS]].rank(axis=1, ascending=False)[method].mean()
        lines.append(f"| {method} (in place of {detector}) | {per_set[method].mean():.3f} | {rank:.2f} | |")
    best_peer = per_set[list(PEERS)].max(axis=1)
    close, ahead = (per_set[detector] >= best_peer - CLOSE), per_set[detector] > per_set["VAE"]
    seconds = results.groupby(["seed", "method"]).seconds.sum().unstack().mean() / 60
    timed = [m for m in [detector, *others] if seconds[m] > 0]  # a sum's parts cost no time of their own
    lines += ["", f"A tie is a difference of at most {TIE} AUROC. {detector}: within {CLOSE} of the best peer on "
              f"{close.sum()} of {len(per_set)} sets ({close.mean():.0%}), ahead of PyOD's VAE on {ahead.sum()} "
              f"({ahead.mean():.0%}); mean AUROC {per_set[detector].mean() - per_set['kNN'].mean():+.3f} against kNN.",
              "", "Minutes per seed (all sets): " + ", ".join(f"{m} {seconds[m]:.1f}" for m in timed)
              + f", the seven peers {seconds[list(PEERS)].sum():.1f}, all {seconds.sum():.1f}.", "",
              "AUROC per set (mean over the seeds):", "",
              "| set | " + " | ".join([detector, *others, *PEERS]) + " | gap to best peer |",
              "|---" * (len(per_set.columns) + 2) + "|"]
    for name, row in per_set.iterrows():
        values = " | ".join(f"{row[m]:.3f}" for m in [detector, *others, *PEERS])
        lines.append(f"| {name} | {values} | {row[detector] - best_peer[name]:+.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_options(parser)
    add_jobs_option(parser, "sets")
    parser.set_defaults(out=str(SCRATCH))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--sets", nargs="+", default=None, help="set names (default: every .npz in the folder)")
    parser.add_argument("--recipes", nargs="+", default=["rows"], choices=list(RECIPES),
                        help="detector recipes; the first is ranked among the eight")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipes' epochs (smoke runs)")
    parser.add_argument("--cache", default=str(SCRATCH / "peers"), help="folder of the cached peer scores")
    args = parse(parser, argv)
    folder = Path(args.data or os.environ.get("VAETOOLS_DATA", "data")) / "adbench"
    names = args.sets or set_names(folder)
    tasks = [(name, seed) for seed in args.seeds for name in names]
    jobs, threads = jobs_and_threads(args.jobs, len(tasks))
    rows = map_jobs(run_one, tasks, jobs, threads, folder, tuple(args.recipes), Path(args.cache), args.epochs)
    results = pd.DataFrame([r for part in rows for r in part], columns=["set", "seed", "method", "auroc", "seconds"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "tables.csv", index=False, float_format="%.6g")
    text = summary(results, args.recipes[0])
    (out / "tables.md").write_text(text)
    print(text)
    return results


if __name__ == "__main__":
    main()

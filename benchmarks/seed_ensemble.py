"""Round 12: what an ensemble of the seeds' models per class adds to the VAE part of the headline.

Reads the per-image scores that ``one_class.py --save-scores DIR`` wrote (``<dataset>_class<c>_seed<s>.npz``:
the test images' and the normal validation images' scores of one (class, seed) model), and scores the test
images with the mean of several models' ``turn_cw``, each standardized on that model's own normal validation
images (images it did not train on; ``vt.standardize_scores``). Prints the AUROC of every single model, every
pair and all three, per class and as the mean over the classes (``--out FILE`` also writes it). Trains
nothing; the rule is round 12's in benchmarks/LOG.md. ``k`` models cost ``k`` times a seed's training, so
this is a measurement, not a headline. From the kept models of a headline run::

    python benchmarks/one_class.py headline --checkpoints benchmarks/.checkpoints --save-scores scores
    python benchmarks/seed_ensemble.py scores --dataset mnist
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

import vaetools as vt


def ensemble_aurocs(folder: Path, dataset: str, classes: list[int], seeds: list[int],
                    score: str = "turn_cw") -> pd.DataFrame:
    """One row per class and set of models (every subset of ``seeds``): its size (``models``), its seeds
    (``members``) and the AUROC of the mean of the members' standardized ``score``."""
    rows = []
    for c in classes:
        files = {seed: dict(np.load(folder / f"{dataset}_class{c}_seed{seed}.npz")) for seed in seeds}
        flags = files[seeds[0]]["is_anomaly"]
        if any(not np.array_equal(f["is_anomaly"], flags) for f in files.values()):
            raise ValueError(f"class {c}: the seeds' files flag different test images; were they written by one run?")
        z = {seed: vt.standardize_scores(f[f"test_{score}"], f[f"val_{score}"]) for seed, f in files.items()}
        for size in range(1, len(seeds) + 1):
            for members in itertools.combinations(seeds, size):
                rows.append({"class": c, "models": size, "members": " ".join(map(str, members)),
                             "auroc": vt.auroc(flags, np.mean([z[m] for m in members], axis=0))})
    return pd.DataFrame(rows)


def markdown(rows: pd.DataFrame, score: str = "turn_cw") -> str:
    """AUROC in % per class and number of models: the mean (± std) over the sets of that many models, and
    the mean over the classes (± std over the sets)."""
    classes = sorted(rows["class"].unique())
    lines = ["| models | " + " | ".join(map(str, classes)) + " | mean |", "|---" * (len(classes) + 2) + "|"]
    for size, group in rows.groupby("models"):
        per = group.groupby("class").auroc.agg(["mean", "std", "count"])
        cells = [f"{100 * m:.1f}" + (f" ± {100 * s:.1f}" if n > 1 else "") for m, s, n in per.loc[classes].to_numpy()]
        means = group.groupby("members").auroc.mean() * 100
        mean = f"{means.mean():.2f}" + (f" ± {means.std():.2f}" if len(means) > 1 else "")
        name = f"{score}, {size} model" + ("s" if size > 1 else "")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | **{mean}** |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Parse the options, score the ensembles, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scores", type=Path, help="the folder of one_class.py --save-scores")
    parser.add_argument("--dataset", choices=("mnist", "fashion-mnist"), default="mnist")
    parser.add_argument("--classes", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--score", default="turn_cw", help="the saved score to average (default: the VAE part)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    rows = ensemble_aurocs(args.scores, args.dataset, args.classes, args.seeds, args.score)
    header = (f"<!-- seed_ensemble.py --dataset {args.dataset}: classes {args.classes}, the models of seeds "
              f"{args.seeds}, {args.score} standardized on each model's own normal validation images, averaged -->\n")
    table = markdown(rows, args.score)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(header + table)
    print(table)


if __name__ == "__main__":
    main()

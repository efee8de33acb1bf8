"""aeon's STOMP (the matrix profile, from the ``stumpy`` package) on KDD-TSAD 135, as notebook 07 scores it.

Notebook 07 compares its VAE with aeon's detectors on the heart-rate recording KDD-TSAD 135. STOMP scores
each time point by the distance of its windows to their nearest non-overlapping match elsewhere in the
test series (unsupervised: no training part, no labels). Its first call in a Python process compiles
stumpy's functions with numba, 37 to 51 s on the 2-core machine (the matrix profile itself then takes
0.2 s): more than the notebook's time budget allows. So this script computes it once, with the
notebook's window length and the notebook's metrics (``vt.series_metrics``), and the notebook reads the
row it writes (and checks that its own window is the same).

Usage::

    python benchmarks/stomp.py                # writes benchmarks/results/kdd_tsad_135_stomp.csv

The window, 184 points, is notebook 07's: the period of the normal training part (the highest peak of
its autocorrelation after lag 50, 183 points), rounded to a multiple of 4.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from aeon.anomaly_detection.series.distance_based import STOMP
from aeon.datasets import load_kdd_tsad_135
from cli import add_common_options, parse

import vaetools as vt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=int, default=184, help="window length in points (notebook 07's: 184)")
    add_common_options(parser)
    args = parse(parser, argv)
    test, labels = load_kdd_tsad_135(split="test")
    start = time.perf_counter()
    scores = STOMP(window_size=args.window).fit_predict(test)
    seconds = time.perf_counter() - start
    row = {"method": "aeon STOMP", "window": args.window, **vt.series_metrics(labels, scores), "seconds": seconds}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([row]).to_csv(out / "kdd_tsad_135_stomp.csv", index=False)
    print(pd.Series(row).to_string())
    print(f"STOMP took {seconds:.1f} s, numba's compilation of stumpy included")


if __name__ == "__main__":
    main()

"""Score new rows of a CSV file with a saved detector, and write the scores and flags as CSV.

    vaetools-detect detector.pt new_rows.csv -o scores.csv
    vaetools-detect detector.pt new_rows.csv --columns s0 s1 s2 --keep id
    python -m vaetools.detect detector.pt new_rows.csv -o scores.csv      (the same, without the script)

Each row holds one sample, flattened (a signal's time steps, or a window's channels one after the
other); the detector reshapes it to its model's input shape. The feature columns are, in this order,
``--columns``, else the columns of the DataFrame the detector was fitted on, else every column but
``--keep``. The output has the kept columns, then ``score`` and ``is_anomaly`` (score >= the detector's
threshold). A missing file or a column that does not fit ends the command with a one-line error and
exit code 2.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .data import load_signals_csv
from .detector import Detector
from .files import CheckpointError

__all__ = ["score_csv", "main"]


def score_csv(
    detector: Detector,
    path: str | Path,
    out: str | Path,
    *,
    columns: list[str] | None = None,
    keep: list[str] | None = None,
) -> pd.DataFrame:
    """Score every row of ``path`` with ``detector`` and write ``out``; returns the written table.

    Args:
        detector: a fitted (or loaded) :class:`~vaetools.detector.Detector`.
        path: the CSV of new rows.
        out: the CSV to write.
        columns: the feature columns, in the order the detector was trained on (default: the columns of
            the DataFrame it was fitted on, else all but ``keep``).
        keep: columns copied to the output unchanged (an id, a time stamp, a label).
    """
    keep = list(keep or [])
    if columns is None and detector.feature_names_in_ is not None:
        columns = list(detector.feature_names_in_)
    if columns is None:
        columns = [c for c in pd.read_csv(path, nrows=0).columns if c not in keep]
    x, _ = load_signals_csv(path, label_column=None, columns=columns)
    shape = detector.model.input_shape
    if x.shape[1] != int(np.prod(shape)):
        raise ValueError(
            f"{path}: {x.shape[1]} feature columns, but the detector's model takes samples of shape {shape} "
            f"({int(np.prod(shape))} values); choose the columns with --columns"
        )
    scores = detector.decision_function(x.reshape(len(x), *shape))
    table = pd.read_csv(path, usecols=keep) if keep else pd.DataFrame(index=range(len(x)))
    table["score"] = scores
    table["is_anomaly"] = scores >= detector.threshold_
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    return table


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (the ``vaetools-detect`` script)."""
    parser = argparse.ArgumentParser(prog="vaetools-detect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("detector", help="a file written by Detector.save")
    parser.add_argument("csv", help="the CSV of new rows (with a header)")
    parser.add_argument("-o", "--out", default="scores.csv", help="the CSV to write (default: scores.csv)")
    parser.add_argument("--columns", nargs="+", help="feature columns (default: those the detector was fitted "
                                                     "on, else all but --keep)")
    parser.add_argument("--keep", nargs="+", default=[], help="columns copied to the output (id, time, label)")
    parser.add_argument("--device", help="cpu or cuda (default: cpu)")
    args = parser.parse_args(argv)
    try:
        detector = Detector.load(args.detector, device=args.device)
        table = score_csv(detector, args.csv, args.out, columns=args.columns, keep=args.keep)
    except (CheckpointError, OSError, ValueError, TypeError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(f"scored {len(table)} rows, flagged {int(table.is_anomaly.sum())} as anomalies "
          f"(score >= {detector.threshold_:.4g}) -> {args.out}")


if __name__ == "__main__":
    main()

"""``benchmarks/tables.py`` on two tiny ADBench sets, one seed and two epochs (the full run takes an hour)."""
import importlib
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))  # the script imports its sibling cli.py
tables = importlib.import_module("tables")

ADBENCH = Path(os.environ.get("VAETOOLS_DATA", "data")) / "adbench"
SETS = ("14_glass", "42_WBC")


def test_split_follows_the_protocol():
    y = np.r_[np.zeros(9000, int), np.ones(1000, int)]
    x = np.arange(10000, dtype=float)[:, None]
    x_train, x_test, labels = tables.split(x, y, seed=0)
    assert len(x_train) == tables.MAX_TRAIN  # half the 9,000 normal rows, capped
    assert set(x_train[:, 0]) <= set(range(9000))  # normal rows only
    assert len(x_test) == tables.MAX_TEST and labels.mean() == pytest.approx(1000 / 5500, abs=1e-3)
    assert not set(x_train[:, 0]) & set(x_test[:, 0])  # no row in both
    assert (labels == (x_test[:, 0] >= 9000)).all()
    again = tables.split(x, y, seed=0)
    other = tables.split(x, y, seed=1)
    assert (again[0] == x_train).all() and not np.array_equal(other[0], x_train)
    small = tables.split(x[8000:], y[8000:], seed=0)  # 1,000 normal rows: half train, the rest and every anomaly test
    assert len(small[0]) == 500 and len(small[1]) == 1500 and small[2].sum() == 1000


@pytest.mark.skipif(not all((ADBENCH / f"{name}.npz").is_file() for name in SETS), reason="no ADBench data")
def test_tables_runs_the_detector_beside_the_peers_and_summarizes(tmp_path):
    argv = ["--sets", *SETS, "--seeds", "0", "--epochs", "2", "--jobs", "1", "--out", str(tmp_path / "out"),
            "--cache", str(tmp_path / "peers")]
    results = tables.main(argv)
    detector = "rows"  # the default: the library's rule for rows
    parts = {f"{detector}: iwae alone", f"{detector}: knn5 alone"}  # the sum's parts, from the same fitted detector
    assert set(results.method) == {detector, *parts, *tables.PEERS}
    assert len(results) == len(SETS) * (len(tables.PEERS) + 3)
    timed = results[~results.method.isin(parts)]
    assert results.auroc.between(0, 1).all() and (timed.seconds > 0).all()
    assert all(f"| {part} (in place of {detector}) |" in (tmp_path / "out" / "tables.md").read_text() for part in parts)
    written = pd.read_csv(tmp_path / "out" / "tables.csv")
    assert written.shape == results.shape
    table = (tmp_path / "out" / "tables.md").read_text().splitlines()
    assert table[2] == "| method | mean AUROC | mean rank of 8 | detector wins / ties / losses |"
    rows = [line for line in table if line.startswith("| ") and line.split(" | ")[0][2:] in {detector, *tables.PEERS}]
    assert len(rows) == 8
    knn = results[results.method == "kNN"].auroc.mean()
    knn_row = next(line for line in rows if line.startswith("| kNN |"))
    assert knn_row.startswith(f"| kNN | {knn:.3f} |")
    assert sum(map(int, knn_row.split(" | ")[3].rstrip(" |").split(" / "))) == len(SETS)  # wins + ties + losses
    assert sorted(p.name for p in (tmp_path / "peers").iterdir()) == sorted(f"{s}_seed0.npz" for s in SETS)
    again = tables.main(argv)  # the peers come from the cache: same AUROCs and seconds
    peers = results[results.method.isin(tables.PEERS)].reset_index(drop=True)
    assert again[again.method.isin(tables.PEERS)].reset_index(drop=True).equals(peers)

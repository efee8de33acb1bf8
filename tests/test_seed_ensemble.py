"""``benchmarks/seed_ensemble.py``: several models' scores, each standardized on its own normal validation images."""
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
seed_ensemble = importlib.import_module("seed_ensemble")

FLAGS = np.array([False, False, True, True])


def save(folder: Path, seed: int, test: list[float], val: list[float], flags: np.ndarray = FLAGS) -> None:
    """One (class 0, seed) file as ``one_class.py --save-scores`` writes it."""
    np.savez(folder / f"mnist_class0_seed{seed}.npz", is_anomaly=flags, test_turn_cw=np.array(test),
             val_turn_cw=np.array(val))


def test_each_model_is_standardized_on_its_own_validation_images(tmp_path):
    save(tmp_path, 0, [0, 1, 2, 3], [-1, 1])              # a good ranking on a small scale
    save(tmp_path, 1, [0, 100, -100, -50], [-100, 100])   # a bad one on a scale 100 times larger
    rows = seed_ensemble.ensemble_aurocs(tmp_path, "mnist", [0], [0, 1]).set_index("members").auroc
    assert rows["0"] == 1.0 and rows["1"] == 0.0
    # standardized: mean of (0, 1, 2, 3) and (0, 1, -1, -0.5); the raw mean would rank every anomaly last (0.0)
    assert rows["0 1"] == 0.75
    table = seed_ensemble.markdown(seed_ensemble.ensemble_aurocs(tmp_path, "mnist", [0], [0, 1])).splitlines()
    assert table[2] == "| turn_cw, 1 model | 50.0 ± 70.7 | **50.00 ± 70.71** |"
    assert table[3] == "| turn_cw, 2 models | 75.0 | **75.00** |"


def test_files_of_different_runs_are_refused(tmp_path):
    save(tmp_path, 0, [0, 1, 2, 3], [-1, 1])
    save(tmp_path, 1, [0, 1, 2, 3], [-1, 1], flags=FLAGS[::-1])
    with pytest.raises(ValueError, match="flag different test images"):
        seed_ensemble.ensemble_aurocs(tmp_path, "mnist", [0], [0, 1])

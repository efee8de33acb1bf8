"""A detector on table rows: DataFrames, and each bad input a clear error (or warning) with nothing lost."""
import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import vaetools as vt
from vaetools.detect import main as detect_main

COLUMNS = ["temperature", "pressure", "flow", "valve", "level"]


def _rows(n, seed, shift=0.0):
    """Five correlated sensor columns in very different units, each with noise in its own units (a table as
    a user has it); ``shift`` moves the valve column by that many of its units (0.1 each)."""
    rng = np.random.default_rng(seed)
    units = np.array([2.0, 50.0, 3.0, 0.1, 1.0])
    x = np.array([20.0, 1000.0, 0.0, 0.0, 0.0]) + units * (rng.normal(size=(n, 1)) + rng.normal(0, 0.1, (n, 5)))
    x[:, 3] += shift * units[3]
    return pd.DataFrame(x, columns=COLUMNS)


@pytest.fixture(scope="module")
def fitted():
    detector = vt.Detector(vt.DenseVAE(input_dim=5, z_dim=2, hidden=(16,)), scaling="feature")
    return detector.fit(_rows(300, 0), x_val=_rows(60, 1), epochs=20, batch_size=32, lr=3e-3, progress=False)


def test_a_dataframe_keeps_its_column_names_and_columns_are_matched_by_name(fitted):
    assert list(fitted.feature_names_in_) == COLUMNS
    x = _rows(20, 2)
    scores = fitted.decision_function(x)
    shuffled = x[COLUMNS[::-1]].assign(id=range(20))  # another order and an extra column: matched by name
    assert np.array_equal(fitted.decision_function(shuffled), scores)
    assert np.array_equal(fitted.decision_function(x.to_numpy()), scores)  # arrays: in the fitted order
    assert np.allclose(fitted.decision_function(x.to_numpy().tolist()), scores)  # any array-like
    assert list(fitted.score_parts(x.set_index(x.index + 100)).index) == list(range(100, 120))
    with pytest.raises(ValueError, match=r"lacks the columns \['level'\]"):
        fitted.decision_function(x.drop(columns="level"))


def test_integer_and_boolean_columns_are_numbers(fitted):
    x = _rows(10, 3).assign(valve=lambda t: (t.valve > 0).astype(int))
    assert fitted.decision_function(x).shape == (10,)


def test_non_numeric_columns_are_named(fitted):
    x = _rows(10, 3).assign(flow="high")
    with pytest.raises(TypeError, match=r"non-numeric columns \['flow'\]"):
        fitted.decision_function(x)
    with pytest.raises(TypeError, match="not numbers"):
        fitted.decision_function(np.array([["a"] * 5, ["b"] * 5]))


def test_missing_values_are_counted_by_row_and_named_by_column(fitted):
    x = _rows(10, 4)
    x.loc[[2, 7], "pressure"] = np.nan
    with pytest.raises(ValueError, match=r"missing values in 2 of 10 rows \(columns \['pressure'\]\)"):
        fitted.decision_function(x)
    with pytest.raises(ValueError, match="NaN or infinite values in 2 of 10 samples"):
        fitted.decision_function(x.to_numpy())


def test_a_constant_column_trains_and_scores():
    train = _rows(200, 5).assign(valve=1.0)
    detector = vt.Detector(vt.DenseVAE(input_dim=5, z_dim=2, hidden=(16,)), scaling="feature")
    detector.fit(train, x_val=_rows(60, 6).assign(valve=1.0), epochs=5, progress=False)
    assert detector.scaler_.std_[0, 3] == 1.0  # standardized to 0, not to NaN
    scores = detector.decision_function(_rows(10, 7).assign(valve=1.0))
    assert np.isfinite(scores).all()


def test_the_shape_is_checked_before_scaling(fitted):
    with pytest.raises(ValueError, match=r"single sample of shape \(5,\).*reshape\(1, -1\)"):
        fitted.decision_function(np.ones(5))
    with pytest.raises(ValueError, match=r"shape \(N, 5\).*got \(3, 4\) \(4 columns where the model takes 5\)"):
        fitted.decision_function(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"single sample"):
        fitted.decision_function(_rows(1, 8).iloc[0])  # one row of a DataFrame is a Series


def test_a_single_training_or_validation_row_is_refused_before_training(monkeypatch):
    monkeypatch.setattr(vt.detector, "fit", lambda *a, **k: pytest.fail("trained before the inputs were checked"))
    with pytest.raises(ValueError, match="x_train has 1 sample;"):
        vt.Detector(vt.DenseVAE(5), scaling="feature").fit(_rows(1, 9), x_val=_rows(20, 10))
    with pytest.raises(ValueError, match="x_val has 1 sample;"):
        vt.Detector(vt.DenseVAE(5), scaling="feature").fit(_rows(20, 9), x_val=_rows(1, 10))


def test_too_few_normal_validation_rows_for_fpr_get_a_warning_that_says_how_many():
    detector = vt.Detector(vt.DenseVAE(input_dim=5, z_dim=2, hidden=(16,)), threshold="fpr", fpr=0.02,
                           scaling="feature")
    with pytest.warns(UserWarning, match=r"on 60 normal validation samples.*at least 500 \(10 / fpr"):
        detector.fit(_rows(200, 11), x_val=_rows(60, 12), epochs=2, progress=False)
    assert detector.threshold_ is not None  # calibrated all the same: nothing lost


def test_baselines_in_the_detectors_own_scaling(fitted):
    train, test = _rows(300, 0), pd.concat([_rows(50, 13), _rows(50, 14, shift=3.0)], ignore_index=True)
    own = fitted.baseline_scores(train, test)
    scaled = vt.baseline_scores(train.to_numpy(), test.to_numpy(), scaling="feature")
    for name in vt.BASELINES:
        np.testing.assert_allclose(own[name], scaled[name], rtol=1e-5, atol=1e-6, err_msg=name)
    is_anomaly = np.r_[np.zeros(50, bool), np.ones(50, bool)]
    raw = vt.baseline_scores(train.to_numpy(), test.to_numpy())
    # the shift is in a column of small units: unscaled, the PCA's error is the pressure's noise, and misses it
    assert vt.auroc(is_anomaly, own["PCA reconstruction"]) > 0.95 > vt.auroc(is_anomaly, raw["PCA reconstruction"])


def test_the_csv_command_uses_the_fitted_columns(fitted, tmp_path, capsys):
    path = fitted.save(tmp_path / "detector.pt")
    rows = _rows(10, 15)[COLUMNS[::-1]].assign(id=range(10))
    rows.to_csv(tmp_path / "rows.csv", index=False)
    detect_main([str(path), str(tmp_path / "rows.csv"), "-o", str(tmp_path / "out.csv"), "--keep", "id"])
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["id", "score", "is_anomaly"]
    assert np.allclose(out.score, fitted.decision_function(rows))
    assert "scored 10 rows" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["missing detector", "missing csv", "wrong columns", "not a detector"])
def test_the_csv_command_fails_with_one_line_and_exit_code_2(fitted, tmp_path, capsys, case):
    detector, rows = fitted.save(tmp_path / "detector.pt"), tmp_path / "rows.csv"
    _rows(5, 16).drop(columns="level").to_csv(rows, index=False)
    (tmp_path / "junk.pt").write_bytes(b"junk")
    arguments = {"missing detector": [str(tmp_path / "none.pt"), str(rows)],
                 "missing csv": [str(detector), str(tmp_path / "none.csv")],
                 "wrong columns": [str(detector), str(rows)],
                 "not a detector": [str(tmp_path / "junk.pt"), str(rows)]}[case]
    with pytest.raises(SystemExit) as error:
        detect_main([*arguments, "-o", str(tmp_path / "out.csv")])
    message = capsys.readouterr().err
    assert error.value.code == 2 and message.startswith("vaetools-detect: error: ")
    assert message.count("\n") == 1 and "Traceback" not in message


def test_the_console_script_is_declared_and_runs_without_a_traceback(tmp_path):
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    module, function = pyproject["project"]["scripts"]["vaetools-detect"].split(":")
    assert getattr(import_module(module), function) is detect_main
    done = subprocess.run([sys.executable, "-m", "vaetools.detect", str(tmp_path / "none.pt"), "x.csv"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.strip().endswith("none.pt") and "Traceback" not in done.stderr


def test_a_detector_of_table_rows_saves_and_loads_its_column_names(fitted, tmp_path):
    loaded = vt.Detector.load(fitted.save(tmp_path / "d.pt"))
    assert list(loaded.feature_names_in_) == COLUMNS
    x = _rows(10, 17)[COLUMNS[::-1]]
    assert np.array_equal(loaded.decision_function(x), fitted.decision_function(x))
    assert torch.equal(loaded.scaler_.mean_, fitted.scaler_.mean_)

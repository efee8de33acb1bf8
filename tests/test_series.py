"""Tests of vaetools.series: windows of one or many channels, scores back to time points, the split
of a long recording, and the range-based metrics."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest
import torch

import vaetools as vt
from vaetools.series import (
    as_series,
    collection_windows,
    series_metrics,
    series_one_class,
    sliding_windows,
    window_labels,
    windows_to_points,
)

#: aeon is an optional dependency (``pip install -e ".[series]"``): its tests are skipped without it.
needs_aeon = pytest.mark.skipif(importlib.util.find_spec("aeon") is None, reason="aeon is not installed")


def test_import_does_not_import_aeon():
    code = "import sys, vaetools, vaetools.series; print('aeon' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sliding_windows_one_channel():
    w = sliding_windows(np.arange(10.0), window=3, stride=2)
    assert w.shape == (4, 1, 3)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w[:, 0, 0], [0, 2, 4, 6])
    np.testing.assert_array_equal(w[-1, 0], [6, 7, 8])


def test_sliding_windows_many_channels_keep_channels_apart():
    series = np.stack([np.arange(8.0), 100 + np.arange(8.0)], axis=1)  # (T=8, C=2)
    w = sliding_windows(series, window=4)
    assert w.shape == (5, 2, 4)
    np.testing.assert_array_equal(w[1, 0], [1, 2, 3, 4])
    np.testing.assert_array_equal(w[1, 1], [101, 102, 103, 104])


def test_sliding_windows_feed_conv1d_vae():
    w = sliding_windows(np.random.default_rng(0).normal(size=(64, 3)), window=16, stride=4)
    model = vt.Conv1dVAE((3, 16), z_dim=2, channels=(4, 8))
    assert vt.anomaly_scores(model, w, "mse").shape == (len(w),)


@pytest.mark.parametrize(
    ("series", "window", "stride", "message"),
    [
        (np.arange(5.0), 6, 1, "longer than the series"),
        (np.arange(5.0), 0, 1, "positive integer"),
        (np.arange(5.0), 2, 0, "positive integer"),
        (np.array([0.0, np.nan, 1.0]), 2, 1, "NaN"),
        (np.zeros((2, 3, 4)), 2, 1, r"\(T,\) or \(T, C\)"),
        (np.zeros(0), 1, 1, "empty"),
    ],
)
def test_sliding_windows_bad_input(series, window, stride, message):
    with pytest.raises(ValueError, match=message):
        sliding_windows(series, window, stride)


def test_collection_windows_per_recording():
    x = np.arange(2 * 3 * 10, dtype=np.float32).reshape(2, 3, 10)  # two recordings, three channels
    w = collection_windows(x, window=4, stride=3)
    assert w.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(w[1, 2, 0], x[1, 0, 6:10])
    np.testing.assert_array_equal(w[0, 0, 2], x[0, 2, 0:4])
    with pytest.raises(ValueError, match=r"\(N, C, L\)"):
        collection_windows(np.zeros(5), 2)
    with pytest.raises(ValueError, match="longer than the series"):
        collection_windows(x, 11)


def test_as_series_rejects_text():
    with pytest.raises(TypeError, match="numbers"):
        as_series(np.array(["a", "b"]))


def test_window_labels_any_point():
    flags = np.zeros(10, bool)
    flags[5] = True
    np.testing.assert_array_equal(window_labels(flags, 3, 2), [False, False, True, False])
    np.testing.assert_array_equal(window_labels(flags, 3, 1), [False, False, False, True, True, True, False, False])
    with pytest.raises(ValueError, match="0/1"):
        window_labels(np.array([0, 2, 1]), 2)


@needs_aeon
def test_windows_to_points_mean_and_max():
    scores = np.array([1.0, 4.0, 8.0, 2.0])
    np.testing.assert_allclose(windows_to_points(scores, 10, 3, 2), [1, 1, 2.5, 4, 6, 8, 5, 2, 2, 2])
    np.testing.assert_allclose(windows_to_points(scores, 10, 3, 2, reduction="max"), [1, 1, 4, 4, 8, 8, 8, 2, 2, 2])


@needs_aeon
def test_windows_to_points_bad_input():
    with pytest.raises(ValueError, match="windows of length"):
        windows_to_points(np.ones(5), 10, 3, 2)
    with pytest.raises(ValueError, match="reduction"):
        windows_to_points(np.ones(4), 10, 3, 2, reduction="sum")
    with pytest.raises(ValueError, match="NaN"):
        windows_to_points(np.array([1.0, np.nan, 1.0, 1.0]), 10, 3, 2)


@needs_aeon
def test_series_one_class_no_overlap_between_train_and_val():
    train = np.arange(100.0)
    test = np.arange(50.0)
    flags = np.zeros(50, bool)
    flags[20:23] = True
    split = series_one_class(train, test, flags, window=10, stride=5, val_fraction=0.2)
    w = split.windows
    assert w.x_train.shape[1:] == (1, 10) and w.x_test.shape == (41, 1, 10)
    assert float(w.x_train.max()) < float(w.x_val.min())  # the validation windows come after
    assert w.is_anomaly.sum() == 12  # windows starting at 11 .. 22 touch points 20-22
    points = split.to_points(np.arange(41.0))
    assert points.shape == (50,)


def test_series_one_class_standardize_uses_training_windows_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 2.0, size=(300, 2))
    test = rng.normal(50.0, 2.0, size=(100, 2))
    split, scaler = series_one_class(train, test, np.zeros(100, bool), window=8).standardize()
    assert abs(float(split.windows.x_train.mean())) < 1e-4
    assert float(split.windows.x_test.mean()) > 10  # test statistics were not used
    assert isinstance(scaler, vt.Standardizer)


def test_series_one_class_bad_input():
    with pytest.raises(ValueError, match="channels"):
        series_one_class(np.zeros((50, 2)), np.zeros((50, 3)), np.zeros(50, bool), window=5)
    with pytest.raises(ValueError, match="one flag per test time point"):
        series_one_class(np.zeros(50), np.zeros(50), np.zeros(49, bool), window=5)
    with pytest.raises(ValueError, match="training part"):
        series_one_class(np.zeros(20), np.zeros(50), np.zeros(50, bool), window=18)


@needs_aeon
def test_series_metrics_perfect_and_random():
    flags = np.zeros(200, bool)
    flags[100:110] = True
    perfect = series_metrics(flags, flags.astype(float))
    assert set(perfect) == {"auroc", "range_auroc", "range_auprc", "vus_roc", "vus_pr"}
    reversed_ = series_metrics(flags, -flags.astype(float))
    assert perfect["auroc"] == 1.0 and reversed_["auroc"] == 0.0
    # the range-based curves give credit near the range (a buffer), so a perfect score stays below 1
    assert perfect["range_auroc"] > 0.8 > 0.5 > reversed_["range_auroc"]


@needs_aeon
def test_series_metrics_bad_input():
    with pytest.raises(ValueError, match="flags"):
        series_metrics(np.arange(5) * 2, np.zeros(5))
    with pytest.raises(ValueError, match="shape"):
        series_metrics(np.zeros(5, bool), np.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        series_metrics(np.array([0, 1, 0]), np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="vus_buffer"):
        series_metrics(np.array([0, 1, 0]), np.array([0.0, 1.0, 0.0]), vus_buffer=0)
    assert set(series_metrics(np.array([0, 1, 0]), np.array([0.0, 1.0, 0.0]), vus_buffer=None)) == {
        "auroc", "range_auroc", "range_auprc"}


def test_windows_are_float32_tensors_in_split():
    split = series_one_class(np.zeros(40), np.zeros(40), np.zeros(40, bool), window=8, val_fraction=0.25)
    assert split.windows.x_train.dtype == torch.float32

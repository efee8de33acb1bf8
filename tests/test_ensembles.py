"""Score standardization and sums (vaetools.ensembles) and the statistics they share with the data scaling."""
import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

import vaetools as vt
from vaetools.scaling import mean_and_scale


def test_mean_and_scale_are_those_of_scikit_learn_to_the_last_bit():
    rng = np.random.default_rng(0)
    rows = rng.normal(3.0, [1.0, 1e-3, 50.0], (257, 3))
    rows = np.column_stack([rows, np.full(257, 7.25), 1e6 + rng.normal(0, 1e-3, 257)])  # a constant column too
    mean, scale = mean_and_scale(rows)
    scaler = StandardScaler().fit(rows)
    np.testing.assert_array_equal(mean, scaler.mean_)
    np.testing.assert_array_equal(scale, scaler.scale_)
    assert scale[3] == 1.0


def test_a_constant_column_standardizes_to_zero():
    x = np.column_stack([np.linspace(0, 1, 20), np.full(20, 4.0)]).astype(np.float32)
    scaled = vt.Standardizer("feature").fit(x).transform(x)
    assert torch.isfinite(scaled).all() and (scaled[:, 1] == 0).all()


def test_standardized_sum_is_the_benchmarks_standard_scaler_sum():
    rng = np.random.default_rng(1)
    val = {"vae": rng.normal(100, 20, 600), "knn": rng.gamma(2.0, 3.0, 600)}
    test = {"vae": rng.normal(120, 30, 1000), "knn": rng.gamma(2.5, 3.0, 1000)}
    scaler = StandardScaler().fit(np.column_stack([val["vae"], val["knn"]]))
    expected = scaler.transform(np.column_stack([test["vae"], test["knn"]])).sum(1)
    np.testing.assert_array_equal(vt.standardized_sum([test["vae"], test["knn"]], [val["vae"], val["knn"]]),
                                  expected)
    one = StandardScaler().fit(val["vae"].reshape(-1, 1)).transform(test["vae"].reshape(-1, 1)).ravel()
    np.testing.assert_array_equal(vt.standardize_scores(test["vae"], val["vae"]), one)


def test_standardizing_needs_matching_finite_scores():
    with pytest.raises(ValueError, match="one reference per part"):
        vt.standardized_sum([np.ones(3)], [np.ones(3), np.ones(3)])
    with pytest.raises(ValueError, match="different numbers"):
        vt.standardized_sum([np.ones(3), np.ones(4)], [np.arange(3.0), np.arange(3.0)])
    with pytest.raises(ValueError, match="at least 2"):
        vt.standardize_scores(np.ones(3), np.ones(1))
    with pytest.raises(ValueError, match="NaN"):
        vt.standardize_scores(np.array([1.0, np.nan]), np.arange(3.0))
    with pytest.raises(ValueError, match="shape"):
        vt.standardize_scores(np.ones((3, 2)), np.arange(3.0))

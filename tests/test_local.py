"""vt.local_error: an error relative to its neighbours' among normal reference inputs (ARES)."""
import numpy as np
import pytest

import vaetools as vt


def test_an_error_is_measured_against_its_code_neighbours_not_the_whole_reference():
    # two kinds of normal input: codes near 0 restored with error 1, codes near 10 with error 100
    codes = np.r_[np.zeros(30), np.full(30, 10.0)][:, None] + np.linspace(0, 0.1, 60)[:, None]
    errors = np.r_[np.ones(30), np.full(30, 100.0)]
    scored = vt.local_error([100.0, 100.0, 1.0], [[0.05], [10.05], [10.05]], errors, codes, n_neighbors=20)
    # 100 is 100 times worse among the easy inputs, as expected among the hard, 100 times better than them
    assert np.allclose(scored, [np.log(100), 0.0, -np.log(100)])


def test_the_mean_is_taken_over_exactly_n_neighbors_of_the_logarithms():
    rng = np.random.default_rng(0)
    reference_codes, codes = rng.normal(size=(50, 3)), rng.normal(size=(4, 3))
    reference_errors, errors = rng.uniform(0.5, 2, 50), rng.uniform(0.5, 2, 4)
    nearest = np.argsort(((codes[:, None] - reference_codes[None]) ** 2).sum(-1), axis=1)[:, :7]
    expected = np.log(errors) - np.log(reference_errors)[nearest].mean(1)
    assert np.allclose(vt.local_error(errors, codes, reference_errors, reference_codes, n_neighbors=7), expected)


@pytest.mark.parametrize("change, message", [
    (dict(errors=[0.0, 1.0]), "errors must be finite and > 0"),
    (dict(reference_errors=[1.0, np.nan, 1.0]), "reference_errors must be finite and > 0"),
    (dict(errors=[[1.0, 1.0]]), r"errors must be one error per input"),
    (dict(codes=np.ones((3, 2))), r"codes must be one row per error, shape \(2, D\)"),
    (dict(reference_codes=np.ones((3, 5))), "codes have 2 dimensions but reference_codes 5"),
    (dict(codes=[[1.0, np.inf], [0.0, 0.0]]), "codes contain NaN"),
    (dict(n_neighbors=4), "n_neighbors must be between 1 and the 3 reference inputs"),
])
def test_bad_inputs_are_named(change, message):
    arguments = dict(errors=[1.0, 2.0], codes=np.zeros((2, 2)), reference_errors=[1.0, 1.0, 1.0],
                     reference_codes=np.ones((3, 2)), n_neighbors=2) | change
    with pytest.raises(ValueError, match=message):
        vt.local_error(**arguments)

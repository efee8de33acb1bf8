"""A restoration error compared with that of the normal inputs the model codes most like it.

The locally adaptive scoring of ARES (Goodge, Hooi, Ng & Ng, ECML PKDD 2022, "ARES: Locally Adaptive
Reconstruction-based Anomaly Scoring") in its simplest form. Some normal inputs are hard to restore (a
bold 8, a patterned shirt) and some anomalies are easy (a thin 1 under a model of 8s), so one threshold on
the raw error flags the first and misses the second. :func:`local_error` divides each input's error by
that of its neighbours among normal reference inputs, neighbours found in the model's code space::

    local(x) = log e(x) - mean over j in N(x) of log e(x_j)

A score of 0 means "as hard to restore as the normal inputs it resembles", 1 means e times harder.
Unlike the complexity correction (:mod:`vaetools.complexity`) it needs no code length and fits no weight,
and it works on any input the model can code: images of any size, signals, table rows.
"""
from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

__all__ = ["local_error"]


def local_error(errors, codes, reference_errors, reference_codes, *, n_neighbors: int = 20) -> np.ndarray:
    """Each input's restoration error relative to its neighbours' among normal reference inputs.

    Args:
        errors: restoration errors of the inputs to score, shape (N,), all > 0 (e.g. ``mse`` from
            :func:`~vaetools.scoring.score_table` or :func:`~vaetools.turns.turn_restoration_error`).
        codes: their codes, shape (N, D), e.g. from :func:`~vaetools.scoring.encode`.
        reference_errors: the same error of normal reference inputs (e.g. the training data), shape (M,).
        reference_codes: their codes, shape (M, D).
        n_neighbors: how many reference inputs make up an input's neighbourhood (scikit-learn's default
            for :class:`~sklearn.neighbors.LocalOutlierFactor`, the density ARES builds on).

    Returns:
        ``log e(x)`` minus the mean ``log e`` of the ``n_neighbors`` reference inputs whose codes are
        nearest to the input's (Euclidean), shape (N,); higher = more anomalous.
    """
    errors, reference_errors = _positive(errors, "errors"), _positive(reference_errors, "reference_errors")
    codes = _codes(codes, len(errors), "codes")
    reference_codes = _codes(reference_codes, len(reference_errors), "reference_codes")
    if codes.shape[1] != reference_codes.shape[1]:
        raise ValueError(f"codes have {codes.shape[1]} dimensions but reference_codes {reference_codes.shape[1]}")
    if not 1 <= n_neighbors <= len(reference_errors):
        raise ValueError(f"n_neighbors must be between 1 and the {len(reference_errors)} reference inputs, "
                         f"got {n_neighbors}")
    neighbours = NearestNeighbors(n_neighbors=n_neighbors).fit(reference_codes).kneighbors(codes)[1]
    return np.log(errors) - np.log(reference_errors)[neighbours].mean(1)


def _positive(errors, name: str) -> np.ndarray:
    """``errors`` as a 1-D float64 array of finite values > 0 (their logarithm is taken)."""
    errors = np.asarray(errors, dtype=np.float64)
    if errors.ndim != 1:
        raise ValueError(f"{name} must be one error per input, shape (N,), got {errors.shape}")
    if not np.all(np.isfinite(errors)) or np.any(errors <= 0):
        raise ValueError(f"{name} must be finite and > 0 (their logarithm is taken)")
    return errors


def _codes(codes, n: int, name: str) -> np.ndarray:
    """``codes`` as a finite (n, D) float64 array."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) != n:
        raise ValueError(f"{name} must be one row per error, shape ({n}, D), got {codes.shape}")
    if not np.all(np.isfinite(codes)):
        raise ValueError(f"{name} contain NaN or infinite values")
    return codes

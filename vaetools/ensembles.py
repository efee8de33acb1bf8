"""Sums of scores, each standardized on the scores of normal validation data.

Two scores on different scales (a restoration error in bits and a distance in pixels) are added after
each is standardized with the mean and standard deviation of its own scores on *normal validation* data
(data the models did not train on): equal weights, since the spread of the normal scores is the only
scale known without labels. The same standardization puts several models' scores on one scale before
they are averaged (an ensemble of seeds). Both give the numbers of scikit-learn's ``StandardScaler``
fitted on the validation scores (:func:`~vaetools.scaling.mean_and_scale`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .scaling import mean_and_scale

__all__ = ["standardize_scores", "standardized_sum"]


def standardize_scores(scores, reference) -> np.ndarray:
    """``(scores - mean) / std`` with the mean and standard deviation of ``reference``, the same score of
    normal validation data (a constant reference gets a standard deviation of 1).

    Args:
        scores: the scores to standardize, shape (N,).
        reference: the normal validation data's scores, shape (M,), M >= 2.

    Returns:
        A float64 array of shape (N,): 0 is the normal mean, 1 one normal standard deviation above it.
    """
    return _standardized([scores], [reference])[:, 0]


def standardized_sum(parts: Sequence, references: Sequence) -> np.ndarray:
    """The sum of several scores of the same samples, each standardized on its normal validation scores.

    Args:
        parts: the scores to add, each of shape (N,) (e.g. a VAE's restoration score and a nearest-neighbour
            distance of the test data).
        references: the same scores of the normal validation data, in the same order, each of shape (M,).

    Returns:
        A float64 array of shape (N,): ``sum_i standardize_scores(parts[i], references[i])``; higher = more
        anomalous when every part is.
    """
    return _standardized(parts, references).sum(axis=1)


def _standardized(parts: Sequence, references: Sequence) -> np.ndarray:
    """The parts as the columns of an (N, k) array, each standardized on its reference (computed on the
    stacked columns, as ``StandardScaler`` does, so that the numbers agree to the last bit)."""
    if len(parts) != len(references) or not parts:
        raise ValueError(f"give one reference per part, got {len(parts)} parts and {len(references)} references")
    parts, references = ([_scores(v, name) for v in values] for values, name in ((parts, "scores"),
                                                                               (references, "reference")))
    for name, values in (("parts", parts), ("references", references)):
        if len({len(v) for v in values}) > 1:
            raise ValueError(f"the {name} hold different numbers of samples: {[len(v) for v in values]}")
    if len(references[0]) < 2:
        raise ValueError(f"standardize on the scores of at least 2 normal validation samples, got {len(references[0])}")
    mean, scale = mean_and_scale(np.column_stack(references))
    return (np.column_stack(parts) - mean) / scale


def _scores(values, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float64 array."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one score per sample, shape (N,), got {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contain NaN or infinite values")
    return values

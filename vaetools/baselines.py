"""The classical baselines that stand beside every VAE result, fitted on the same normal training samples:
PCA's reconstruction error, IsolationForest and LocalOutlierFactor (scikit-learn), and the nearest-neighbour
distances of :mod:`vaetools.neighbors`."""
from __future__ import annotations

import numpy as np

from .models import as_rows
from .neighbors import local_outlier_factor

__all__ = ["BASELINES", "PCA_VARIANCE", "baseline_scores", "fit_pca", "pca_error"]

#: Names of the baselines, in the order :func:`baseline_scores` returns them.
BASELINES = ("PCA reconstruction", "IsolationForest", "LocalOutlierFactor")

#: The share of the normal training variance that every PCA of the package keeps, fixed up front and without
#: labels: 95 % is the usual rule of thumb for "most of the signal", it leaves the noise (the last 5 %) to the
#: reconstruction error, and it is what the tutorial's baselines used from the start. (The image benchmark
#: used 90 % in its rounds 1-12; one setting for the whole package is 95 %.)
PCA_VARIANCE = 0.95


def fit_pca(x_train, *, variance: float = PCA_VARIANCE, seed: int = 0):
    """scikit-learn's :class:`~sklearn.decomposition.PCA` fitted on normal training samples, each flattened to
    one vector, with as many components as explain ``variance`` of their variance.

    Args:
        x_train: normal training samples, (N, ...) tensor or float array (standardized like the VAE's).
        variance: the share of the variance to keep, in (0, 1).
        seed: random state of the solver (scikit-learn picks an exact one for a share of the variance).

    Returns:
        The fitted PCA: ``n_components_`` and ``explained_variance_ratio_`` are label-free criteria; score
        with :func:`pca_error`.
    """
    from sklearn.decomposition import PCA

    if not 0.0 < variance < 1.0:
        raise ValueError(f"variance must be a share in (0, 1), got {variance}")
    train = as_rows(x_train, "x_train")
    if len(train) < 2:
        raise ValueError(f"x_train needs at least 2 samples to fit a PCA, got {len(train)}")
    return PCA(n_components=variance, random_state=seed).fit(train)


def pca_error(pca, x) -> np.ndarray:
    """Mean squared error per value of the PCA's reconstruction of each sample of ``x`` (higher = more
    anomalous): a restoration error, which :class:`~vaetools.complexity.ComplexityCorrection` can correct."""
    samples = as_rows(x, "x")
    if samples.shape[1] != pca.n_features_in_:
        raise ValueError(f"the PCA was fitted on {pca.n_features_in_} values per sample but x has {samples.shape[1]}")
    return ((samples - pca.inverse_transform(pca.transform(samples))) ** 2).mean(axis=1)


def baseline_scores(
    x_train,
    x_test,
    *,
    pca_variance: float = PCA_VARIANCE,
    n_estimators: int = 200,
    n_neighbors: int = 20,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Fit the three baselines on normal training samples and score test samples (higher = more anomalous).

    Every sample is flattened to one vector (a signal of C channels and L steps to C * L values, an
    image to its pixels), as the baselines see no structure in time or space.

    * ``"PCA reconstruction"``: :func:`pca_error` of :func:`fit_pca` with ``pca_variance``;
    * ``"IsolationForest"``: minus ``score_samples`` of ``n_estimators`` trees;
    * ``"LocalOutlierFactor"``: :func:`~vaetools.neighbors.local_outlier_factor` with ``n_neighbors``.

    Args:
        x_train: normal training samples, (N, ...) tensor or float array (standardized like the VAE's).
        x_test: samples to score, of the same shape per sample.
        pca_variance, n_estimators, n_neighbors: the baselines' settings (fixed up front, the tutorial's).
        seed: random state of the PCA solver and the forest.

    Returns:
        ``{name: scores}`` in the order of :data:`BASELINES`, each a float array of ``len(x_test)`` scores.

    Raises:
        TypeError: integer or non-array inputs. ValueError: NaN or infinite values, too few training
            samples, or a different number of values per sample.
    """
    # imported here: scikit-learn's ensemble module adds half a second to `import vaetools`
    from sklearn.ensemble import IsolationForest

    train, test = (as_rows(x, name) for x, name in ((x_train, "x_train"), (x_test, "x_test")))
    if len(train) < 2:
        raise ValueError(f"x_train needs at least 2 samples to fit the baselines, got {len(train)}")
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"x_train has {train.shape[1]} values per sample but x_test has {test.shape[1]}")
    forest = IsolationForest(n_estimators=n_estimators, random_state=seed).fit(train)
    return {
        "PCA reconstruction": pca_error(fit_pca(train, variance=pca_variance, seed=seed), test),
        "IsolationForest": -forest.score_samples(test),
        "LocalOutlierFactor": local_outlier_factor(train, test, n_neighbors=n_neighbors),
    }

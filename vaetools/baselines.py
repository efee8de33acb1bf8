"""The classical baselines that stand beside every VAE result, fitted on the same normal training samples:
PCA's reconstruction error, IsolationForest and LocalOutlierFactor (scikit-learn), and the nearest-neighbour
distances of :mod:`vaetools.neighbors`."""
from __future__ import annotations

import numpy as np

from .models import as_float_tensor, as_rows
from .neighbors import local_outlier_factor
from .scaling import Standardizer

__all__ = ["BASELINES", "PCA_VARIANCE", "baseline_scores", "fit_pca", "pca_error"]

#: Names of the baselines, in the order :func:`baseline_scores` returns them.
BASELINES = ("PCA reconstruction", "IsolationForest", "LocalOutlierFactor")

#: The share of the normal training variance that every PCA of the package keeps, fixed without labels:
#: 90 % is the setting the image benchmark's published baseline rows were measured with from its first round,
#: so one setting for the whole package keeps those baselines as strong as they were (the tutorial's notebooks
#: used 95 % before; a baseline is never weakened after its results are known).
PCA_VARIANCE = 0.90


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
    scaling: str | None = None,
    pca_variance: float = PCA_VARIANCE,
    n_estimators: int = 200,
    n_neighbors: int = 20,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Fit the three baselines on normal training samples and score test samples (higher = more anomalous).

    Every sample is flattened to one vector (a signal of C channels and L steps to C * L values, an
    image to its pixels), as the baselines see no structure in time or space. Raw table rows want
    ``scaling="feature"``: a PCA and the neighbour searches compare values across columns, so a column in
    large units would drown the rest (a fitted :class:`~vaetools.detector.Detector` scales them as its
    model saw them: :meth:`Detector.baseline_scores <vaetools.detector.Detector.baseline_scores>`).

    * ``"PCA reconstruction"``: :func:`pca_error` of :func:`fit_pca` with ``pca_variance``;
    * ``"IsolationForest"``: minus ``score_samples`` of ``n_estimators`` trees;
    * ``"LocalOutlierFactor"``: :func:`~vaetools.neighbors.local_outlier_factor` with ``n_neighbors``.

    Args:
        x_train: normal training samples, (N, ...) tensor or float array.
        x_test: samples to score, of the same shape per sample.
        scaling: ``None`` (the samples as they are, e.g. already standardized), ``"feature"`` or
            ``"channel"``: standardize both with statistics of ``x_train`` (:class:`~vaetools.scaling.
            Standardizer`; rows (N, L) or signals (N, C, L)).
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
    if scaling is not None:
        scaler = Standardizer(scaling).fit(as_float_tensor(x_train, "x_train"))
        train, test = (as_rows(scaler.transform(x), name) for x, name in ((x_train, "x_train"), (x_test, "x_test")))
    forest = IsolationForest(n_estimators=n_estimators, random_state=seed).fit(train)
    return {
        "PCA reconstruction": pca_error(fit_pca(train, variance=pca_variance, seed=seed), test),
        "IsolationForest": -forest.score_samples(test),
        "LocalOutlierFactor": local_outlier_factor(train, test, n_neighbors=n_neighbors),
    }

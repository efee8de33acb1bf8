"""The classical baselines that stand beside every VAE result: PCA reconstruction error, IsolationForest and
LocalOutlierFactor, all from scikit-learn, fitted on the same normal training samples as the VAE."""
from __future__ import annotations

import numpy as np

from .models import as_float_tensor, check_finite

__all__ = ["BASELINES", "baseline_scores"]

#: Names of the baselines, in the order :func:`baseline_scores` returns them.
BASELINES = ("PCA reconstruction", "IsolationForest", "LocalOutlierFactor")


def baseline_scores(
    x_train,
    x_test,
    *,
    pca_variance: float = 0.95,
    n_estimators: int = 200,
    n_neighbors: int = 20,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Fit the three baselines on normal training samples and score test samples (higher = more anomalous).

    Every sample is flattened to one vector (a signal of C channels and L steps to C * L values, an
    image to its pixels), as the baselines see no structure in time or space.

    * ``"PCA reconstruction"``: mean squared error of the restoration by a PCA that keeps
      ``pca_variance`` of the normal training variance;
    * ``"IsolationForest"``: minus ``score_samples`` of ``n_estimators`` trees;
    * ``"LocalOutlierFactor"``: minus ``score_samples`` of ``LocalOutlierFactor(novelty=True)`` with
      ``n_neighbors`` neighbours (one fewer than the training samples when there are not enough, as
      scikit-learn would do with a warning).

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
    # imported here: scikit-learn's ensemble and neighbours modules add half a second to `import vaetools`
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor

    train, test = (_flat(x, name) for x, name in ((x_train, "x_train"), (x_test, "x_test")))
    if len(train) < 2:
        raise ValueError(f"x_train needs at least 2 samples to fit the baselines, got {len(train)}")
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"x_train has {train.shape[1]} values per sample but x_test has {test.shape[1]}")
    pca = PCA(n_components=pca_variance, random_state=seed).fit(train)
    restored = pca.inverse_transform(pca.transform(test))
    forest = IsolationForest(n_estimators=n_estimators, random_state=seed).fit(train)
    lof = LocalOutlierFactor(n_neighbors=min(n_neighbors, len(train) - 1), novelty=True).fit(train)
    return {
        "PCA reconstruction": ((test - restored) ** 2).mean(axis=1),
        "IsolationForest": -forest.score_samples(test),
        "LocalOutlierFactor": -lof.score_samples(test),
    }


def _flat(x, name: str) -> np.ndarray:
    """``x`` as a 2-D float array, one flattened sample per row, checked for NaN and infinite values."""
    x = as_float_tensor(x, name)
    if x.dim() < 2 or len(x) == 0:
        raise ValueError(f"{name} must hold samples along its first axis, got shape {tuple(x.shape)}")
    check_finite(x, name)
    return x.flatten(1).numpy()

"""The classical baselines that stand beside every VAE result: PCA reconstruction error, IsolationForest and
LocalOutlierFactor, all from scikit-learn, fitted on the same normal training samples as the VAE."""
from __future__ import annotations

import numpy as np
import torch

from .models import as_float_tensor, check_finite

__all__ = ["BASELINES", "baseline_scores", "shifted_knn_distance"]

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


def shifted_knn_distance(x_train, x, *, n_neighbors: int = 5, shift: int = 1) -> np.ndarray:
    """Mean Euclidean distance from each image of ``x`` to its ``n_neighbors`` nearest training images, each
    distance the smallest over the translations of the training image by up to ``shift`` pixels.

    A one-pixel shift of a thin stroke changes nearly as many pixels as another stroke does, so the plain
    distance (scikit-learn's ``NearestNeighbors``) counts a normal image that sits a pixel off its nearest
    training images as far from all of them; this distance forgives it (the idea of tangent distance,
    Simard, LeCun & Denker, 1993). The training images are shifted with zero fill (no wrap-around), and the
    neighbours are distinct training images: scikit-learn's ``NearestNeighbors`` finds the
    ``n_neighbors * (2 * shift + 1) ** 2`` nearest shifted copies, among which are always the copies of the
    ``n_neighbors`` nearest distinct images.

    Args:
        x_train: normal training images, (N, C, H, W) tensor or float array.
        x: images to score, (M, C, H, W) with the same C, H and W.
        n_neighbors: how many distinct training images to average over.
        shift: the largest translation in pixels, along each axis (0: the plain distance).

    Returns:
        A float array of ``len(x)`` distances (higher = more anomalous).

    Raises:
        TypeError: integer or non-array inputs. ValueError: NaN or infinite values, inputs that are not
            images of one shape, fewer than ``n_neighbors`` training images, or a negative shift.
    """
    from sklearn.neighbors import NearestNeighbors

    train, images = (_images(v, name) for v, name in ((x_train, "x_train"), (x, "x")))
    if train.shape[1:] != images.shape[1:]:
        raise ValueError(f"x_train holds images of shape {tuple(train.shape[1:])} but x of {tuple(images.shape[1:])}")
    if shift < 0 or 2 * shift >= min(train.shape[2:]):
        raise ValueError(f"shift must be >= 0 and smaller than half the image, got {shift}")
    if not 1 <= n_neighbors <= len(train):
        raise ValueError(f"n_neighbors must be between 1 and the {len(train)} training images, got {n_neighbors}")
    padded = torch.nn.functional.pad(train, (shift,) * 4)
    height, width = train.shape[2:]
    offsets = range(2 * shift + 1)
    copies = torch.cat([padded[..., dy:dy + height, dx:dx + width] for dy in offsets for dx in offsets])
    search = NearestNeighbors(n_neighbors=n_neighbors * len(offsets) ** 2).fit(copies.flatten(1).double().numpy())
    distances, indices = search.kneighbors(images.flatten(1).double().numpy())
    sources = indices % len(train)  # copy j of the shift grid holds training image j mod N
    order = np.argsort(sources, axis=1, kind="stable")  # per row: copies grouped by source, nearest first
    first = np.diff(np.take_along_axis(sources, order, axis=1), axis=1, prepend=-1) != 0  # each source's nearest
    nearest = np.where(first, np.take_along_axis(distances, order, axis=1), np.inf)
    return np.sort(nearest, axis=1)[:, :n_neighbors].mean(axis=1)


def _images(x, name: str) -> torch.Tensor:
    """``x`` as a 4-D float tensor of images (N, C, H, W), checked for NaN and infinite values."""
    x = as_float_tensor(x, name)
    if x.dim() != 4 or len(x) == 0:
        raise ValueError(f"{name} must be images of shape (N, C, H, W), got shape {tuple(x.shape)}")
    check_finite(x, name)
    return x


def _flat(x, name: str) -> np.ndarray:
    """``x`` as a 2-D float array, one flattened sample per row, checked for NaN and infinite values."""
    x = as_float_tensor(x, name)
    if x.dim() < 2 or len(x) == 0:
        raise ValueError(f"{name} must hold samples along its first axis, got shape {tuple(x.shape)}")
    check_finite(x, name)
    return x.flatten(1).numpy()

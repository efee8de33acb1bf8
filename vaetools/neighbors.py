"""Nearest-neighbour scores: how far a sample lies from the normal training samples (higher = more anomalous).

The plain distance of :func:`knn_distance` is the image benchmark's ``knn1`` and ``knn5`` and the neighbour
part of a :class:`~vaetools.detector.Detector` on vectors and signals; :func:`shifted_knn_distance`, which
forgives a one-pixel shift, is ``knn5s`` and the neighbour part on images; :func:`local_outlier_factor`
compares a sample's neighbourhood density with its neighbours' (a baseline, and the code-space LOF of the
benchmark's round 4). The searches are scikit-learn's; the distances are computed in float64.
"""
from __future__ import annotations

import numpy as np
import torch

from .models import as_float_tensor, as_rows, check_finite

__all__ = ["knn_distance", "shifted_knn_distance", "local_outlier_factor"]


def knn_distance(x_train, x, *, n_neighbors: int = 5) -> np.ndarray:
    """Mean Euclidean distance from each sample of ``x`` to its ``n_neighbors`` nearest training samples.

    Every sample is flattened to one vector (an image to its pixels, a signal's channels one after the
    other); the search is scikit-learn's :class:`~sklearn.neighbors.NearestNeighbors`, in float64.

    Args:
        x_train: normal training samples, (N, ...) tensor or float array.
        x: samples to score, (M, ...) with the same number of values per sample.
        n_neighbors: how many training samples to average over (1: the distance to the nearest).

    Returns:
        A float array of ``len(x)`` distances (higher = more anomalous).
    """
    from sklearn.neighbors import NearestNeighbors

    train, samples = _paired_rows(x_train, x)
    _check_neighbors(n_neighbors, len(train), "training samples")
    distances = NearestNeighbors(n_neighbors=n_neighbors).fit(train).kneighbors(samples)[0]
    return distances.mean(axis=1)


def local_outlier_factor(x_train, x, *, n_neighbors: int = 20) -> np.ndarray:
    """Minus scikit-learn's ``LocalOutlierFactor(novelty=True).score_samples`` of ``x`` among the normal
    training samples (higher = more anomalous), with ``n_neighbors`` neighbours (one fewer than the
    training samples when there are not enough, as scikit-learn would do with a warning).

    Every sample is flattened to one vector; the values keep the input's float precision.
    """
    from sklearn.neighbors import LocalOutlierFactor

    train, samples = (as_rows(v, name) for v, name in ((x_train, "x_train"), (x, "x")))
    if len(train) < 2:
        raise ValueError(f"x_train needs at least 2 samples for the local outlier factor, got {len(train)}")
    _check_width(train, samples)
    lof = LocalOutlierFactor(n_neighbors=min(n_neighbors, len(train) - 1), novelty=True).fit(train)
    return -lof.score_samples(samples)


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
    _check_neighbors(n_neighbors, len(train), "training images")
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


def _check_neighbors(n_neighbors: int, available: int, what: str) -> None:
    if not 1 <= n_neighbors <= available:
        raise ValueError(f"n_neighbors must be between 1 and the {available} {what}, got {n_neighbors}")


def _check_width(train: np.ndarray, samples: np.ndarray) -> None:
    if train.shape[1] != samples.shape[1]:
        raise ValueError(f"x_train has {train.shape[1]} values per sample but x has {samples.shape[1]}")


def _paired_rows(x_train, x) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 arrays of flattened samples of one width."""
    train, samples = (as_rows(v, name).astype(np.float64) for v, name in ((x_train, "x_train"), (x, "x")))
    _check_width(train, samples)
    return train, samples


def _images(x, name: str) -> torch.Tensor:
    """``x`` as a 4-D float tensor of images (N, C, H, W), checked for NaN and infinite values."""
    x = as_float_tensor(x, name)
    if x.dim() != 4 or len(x) == 0:
        raise ValueError(f"{name} must be images of shape (N, C, H, W), got shape {tuple(x.shape)}")
    check_finite(x, name)
    return x

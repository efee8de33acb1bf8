"""Dequantization: uniform noise within each feature's quantization step, for density models of discrete values.

Many table columns hold values on a lattice (counts, grades 1 to 10, pixel levels, flags). A model with a
learned variance per feature (``likelihood="gaussian_var"``) fitted to such values can shrink its variance
onto the lattice points and drive its likelihood without bound there, so that a normal row with an
unseen but ordinary value gets an absurd score. The standard remedy (Theis, van den Oord & Bethge, 2016;
Ho et al., 2019) is to train on the values spread uniformly over their quantization step. Here the step of
a feature is the median gap between its consecutive distinct values in the training data: 1 for integers,
the lattice spacing for scaled grades, and a negligible width for continuous columns, which the noise
leaves as they are.
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["quantization_steps", "dequantize"]


def quantization_steps(x) -> np.ndarray:
    """Each feature's quantization step: the median gap between its consecutive distinct values.

    Args:
        x: samples of shape (N, ...) (tensor or array); every position after the first axis is a feature.

    Returns:
        A float64 array with one step per feature, of shape ``x.shape[1:]`` (0 for a constant feature).
    """
    rows = _rows(x)
    steps = np.zeros(rows.shape[1])
    for j in range(rows.shape[1]):
        distinct = np.unique(rows[:, j])
        if len(distinct) > 1:
            steps[j] = np.median(np.diff(distinct))
    return steps.reshape(np.shape(x)[1:])


def dequantize(x, steps=None, *, seed: int = 0) -> torch.Tensor:
    """``x`` plus uniform noise in (-step / 2, step / 2) per feature, drawn once from ``seed``.

    Args:
        x: samples of shape (N, ...) (tensor or array).
        steps: one step per feature (default: :func:`quantization_steps` of ``x``).
        seed: seed of the noise (a NumPy generator).

    Returns:
        A float32 CPU tensor of the shape of ``x``.
    """
    rows = _rows(x)
    steps = quantization_steps(x) if steps is None else np.asarray(steps, dtype=np.float64)
    if steps.shape != tuple(np.shape(x)[1:]):
        raise ValueError(f"steps must have one value per feature, shape {tuple(np.shape(x)[1:])}, got {steps.shape}")
    noise = np.random.default_rng(seed).random(rows.shape) - 0.5
    jittered = rows + noise * steps.reshape(1, -1)
    return torch.as_tensor(jittered.reshape(np.shape(x)), dtype=torch.float32)


def _rows(x) -> np.ndarray:
    """``x`` as an (N, D) float64 array."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected samples of shape (N, ...), got {x.shape}")
    return x.reshape(len(x), -1)

"""Standardization fitted on normal training data only, kept with a detector.

A Gaussian likelihood with unit variance expects standardized inputs; the statistics must come from
the normal training data alone (the test set, and anomalies, must not leak into them).
:class:`Standardizer` decides what is a "feature" for data of shape (N, L) or (N, C, L) and keeps the
statistics as tensors, so a detector can save them in a weights-only file; :func:`mean_and_scale`
computes them as scikit-learn's :class:`~sklearn.preprocessing.StandardScaler` does, to the last bit,
without importing scikit-learn (which would add a second to ``import vaetools``).
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["Standardizer", "SCALINGS", "mean_and_scale"]

#: ``"feature"``: every position (column, or channel and time step) on its own, for rows of a table;
#: ``"channel"``: one mean and standard deviation per channel over all time steps, for sliding windows
#: (a shift in time must not change the scaling).
SCALINGS = ("feature", "channel")


def mean_and_scale(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation of every column of ``rows`` (N, D), as ``StandardScaler`` fits them.

    In float64, with the corrected two-pass variance that scikit-learn uses; a column that is constant (its
    variance within rounding of 0) gets a scale of 1, so that it standardizes to 0 instead of NaN.

    Returns:
        ``(mean, scale)``, each of shape (D,).
    """
    rows = np.asarray(rows, dtype=np.float64)
    n = len(rows)
    mean = rows.sum(axis=0) / n
    centred = rows - mean
    variance = ((centred**2).sum(axis=0) - centred.sum(axis=0) ** 2 / n) / n
    eps = np.finfo(np.float64).eps
    constant = variance <= n * eps * variance + (n * mean * eps) ** 2
    return mean, np.where(constant, 1.0, np.sqrt(variance))


class Standardizer:
    """``(x - mean) / std`` with statistics of the normal training data.

    Args:
        per: ``"feature"`` or ``"channel"`` (see :data:`SCALINGS`); for (N, L) data ``"channel"``
            means one mean and standard deviation for all values.
    """

    def __init__(self, per: str = "feature") -> None:
        if per not in SCALINGS:
            raise ValueError(f"per must be one of {SCALINGS}, got {per!r}")
        self.per = per
        self.mean_: torch.Tensor | None = None
        self.std_: torch.Tensor | None = None

    def fit(self, x) -> Standardizer:
        """Fit the statistics on ``x`` of shape (N, L) or (N, C, L) (normal training data only)."""
        x = _as_array(x)
        if x.ndim == 2:
            x = x[:, None, :]
        if x.ndim != 3 or len(x) < 2:
            raise ValueError(f"standardize at least two samples of shape (N, L) or (N, C, L), got {x.shape}")
        n, c, length = x.shape
        rows = x.reshape(n, c * length) if self.per == "feature" else x.transpose(0, 2, 1).reshape(-1, c)
        mean, scale = mean_and_scale(rows)
        shape = (c, length) if self.per == "feature" else (c, 1)
        self.mean_ = torch.as_tensor(mean, dtype=torch.float32).reshape(shape)
        self.std_ = torch.as_tensor(scale, dtype=torch.float32).reshape(shape)
        return self

    def transform(self, x) -> torch.Tensor:
        """Standardize ``x`` (same layout as the data it was fitted on); returns a float32 tensor."""
        if self.mean_ is None:
            raise RuntimeError("fit the Standardizer on normal training data first")
        t = torch.as_tensor(_as_array(x), dtype=torch.float32)
        flat = t.dim() == 2
        t = t[:, None, :] if flat else t
        fits = t.dim() == 3 and t.shape[1] == self.mean_.shape[0]
        if not fits or (self.per == "feature" and t.shape[2] != self.mean_.shape[1]):
            raise ValueError(
                f"the Standardizer was fitted on samples of shape {tuple(self.mean_.shape)}, got {tuple(t.shape[1:])}"
            )
        out = (t - self.mean_) / self.std_
        return out[:, 0, :] if flat else out

    def inverse_transform(self, x) -> torch.Tensor:
        """Undo :meth:`transform`."""
        t = torch.as_tensor(_as_array(x), dtype=torch.float32)
        flat = t.dim() == 2
        t = t[:, None, :] if flat else t
        out = t * self.std_ + self.mean_
        return out[:, 0, :] if flat else out

    def state_dict(self) -> dict:
        """The fitted statistics, for a weights-only file."""
        return {"per": self.per, "mean": self.mean_, "std": self.std_}

    @classmethod
    def from_state_dict(cls, state: dict) -> Standardizer:
        """Rebuild a fitted Standardizer from :meth:`state_dict`."""
        scaler = cls(state["per"])
        scaler.mean_, scaler.std_ = state["mean"], state["std"]
        return scaler

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean_ is None else f"fitted on samples of shape {tuple(self.mean_.shape)}"
        return f"Standardizer(per={self.per!r}, {fitted})"


def _as_array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"expected numbers, got {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError("the data contain NaN or infinite values; clean or impute them first")
    return x.astype(np.float64)

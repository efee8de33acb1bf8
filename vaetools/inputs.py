"""What a user hands a detector, checked at the door: arrays, tensors, array-likes and DataFrames.

Each bad input ends in one clear message that says what is wrong and how to fix it, before anything is
scaled or trained: a single sample where a batch belongs, a wrong width, non-numeric columns, missing
values, too few samples, validation data where ``fit``'s ``y`` goes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .models import VAE, as_float_tensor, check_finite

__all__ = ["as_samples", "column_names", "frame_values", "check_labels", "check_count"]


def as_samples(x, model: VAE, name: str) -> torch.Tensor:
    """``x`` (a tensor, an array or an array-like of numbers) as a float32 CPU tensor of samples of the model's
    input shape, with finite values."""
    if not isinstance(x, (np.ndarray, torch.Tensor)):
        x = np.asarray(x)
    if isinstance(x, np.ndarray) and not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"{name} holds {x.dtype} values, not numbers")
    x = as_float_tensor(x, name).cpu()
    expected, dims = tuple(model.input_shape), ", ".join(map(str, model.input_shape))
    if tuple(x.shape) == expected:
        raise ValueError(f"{name} is a single sample of shape {expected}; give a batch of shape (1, {dims}): "
                         "x.reshape(1, -1) for one row, x[None] for one image or signal")
    if x.dim() != len(expected) + 1 or tuple(x.shape[1:]) != expected:
        rows = x.dim() == 2 and len(expected) == 1
        width = f" ({x.shape[1]} columns where the model takes {expected[0]})" if rows else ""
        raise ValueError(f"{name} must be samples of shape (N, {dims}) for this detector's {type(model).__name__}, "
                         f"got {tuple(x.shape)}{width}")
    if len(x) == 0:
        raise ValueError(f"{name} has no samples")
    check_finite(x, name)
    return x


def column_names(x) -> np.ndarray | None:
    """The column names of a DataFrame whose columns are all named by strings (scikit-learn's
    ``feature_names_in_``), else ``None``."""
    if isinstance(x, pd.DataFrame) and all(isinstance(column, str) for column in x.columns):
        return np.asarray(x.columns, dtype=object)
    return None


def frame_values(frame: pd.DataFrame, name: str, columns: np.ndarray | None = None) -> np.ndarray:
    """The values of a DataFrame as float64, its ``columns`` chosen by name (in that order; other columns are
    left out) when given; non-numeric columns and missing values are named."""
    if columns is not None:
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks the columns {missing} that the detector was fitted on")
        frame = frame[list(columns)]
    text = [column for column in frame.columns if not pd.api.types.is_numeric_dtype(frame[column])]
    if text:
        raise TypeError(f"{name} has non-numeric columns {text}: encode them as numbers or drop them")
    values = frame.to_numpy(dtype=np.float64)
    missing = np.isnan(values)
    if missing.any():
        columns = [column for column, bad in zip(frame.columns, missing.any(axis=0)) if bad]
        raise ValueError(f"{name} has missing values in {int(missing.any(axis=1).sum())} of {len(frame)} rows "
                         f"(columns {columns}); impute or drop them first")
    return values


def check_labels(y, n: int) -> None:
    """``y`` of ``fit(X, y)`` may be ``None`` or one label per row (ignored); anything else is a mistake."""
    if y is None:
        return
    shape = tuple(y.shape) if hasattr(y, "shape") else np.shape(y)
    if len(shape) != 1 or shape[0] != n:
        raise ValueError(f"fit(X, y): y is ignored (every row of X is normal) and may only be None or one label "
                         f"per row of X, got shape {shape}; pass normal validation data as fit(X, x_val=...)")


def check_count(x: torch.Tensor, name: str) -> None:
    """At least two samples: one row can neither be learned from nor calibrate a threshold."""
    if len(x) < 2:
        raise ValueError(f"{name} has {len(x)} sample{'' if len(x) == 1 else 's'}; a detector needs several normal "
                         "samples to train on and several to calibrate its threshold on")

"""Long recordings as windows: cut a series of one or many channels into sliding windows for the
1-D models, map the windows' scores back to time points, and evaluate them like a time series.

A recording here is an array with one row per time point: shape (T,) for one channel or (T, C) for C
channels (the layout of a CSV file or a pandas DataFrame, and of aeon's series detectors). Windows
come out as (n_windows, C, W), the layout :class:`~vaetools.models.Conv1dVAE` takes.

The windows come from NumPy's :func:`~numpy.lib.stride_tricks.sliding_window_view`; window scores
go back to time points with aeon's :func:`aeon.utils.windowing.reverse_windowing`, and the range-based
metrics are aeon's (:mod:`aeon.benchmarking.metrics.anomaly_detection`). aeon is an optional
dependency: it is imported inside the functions that need it, never when ``vaetools`` is imported.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from .data import OneClassSplit

__all__ = [
    "SeriesSplit", "as_series", "sliding_windows", "collection_windows", "window_labels", "windows_to_points",
    "series_one_class", "series_metrics",
]

_REDUCTIONS = {"mean": np.nanmean, "max": np.nanmax, "median": np.nanmedian}


def as_series(series, name: str = "series") -> np.ndarray:
    """Check a recording and return it as a float32 array of shape (T, C).

    Args:
        series: shape (T,) (one channel) or (T, C) (one column per channel); a NumPy array, a tensor,
            or anything :func:`numpy.asarray` takes (a pandas DataFrame of numeric columns).
        name: the argument's name, for the error messages.

    Raises:
        TypeError: non-numeric values.
        ValueError: not 1-D or 2-D, no time points, NaN or infinite values.
    """
    values = np.asarray(series.detach().cpu().numpy() if isinstance(series, torch.Tensor) else series)
    if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"{name} must hold numbers, got {values.dtype}")
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must have shape (T,) or (T, C), one row per time point, got {values.shape}; "
            "for a collection of recordings (N, C, L) window each one on its own"
        )
    if len(values) == 0 or values.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {values.shape}")
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise ValueError(f"{name} has NaN or infinite values at {int(bad.sum())} time points "
                         f"(first at index {int(np.flatnonzero(bad)[0])}); clean or impute them first")
    return values.astype(np.float32)


def _check_window(n_timepoints: int, window: int, stride: int) -> None:
    if int(window) != window or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    if int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    if window > n_timepoints:
        raise ValueError(f"window {window} is longer than the series ({n_timepoints} time points)")


def sliding_windows(series, window: int, stride: int = 1) -> np.ndarray:
    """Cut a recording into windows of ``window`` time points, one every ``stride`` points.

    Args:
        series: shape (T,) or (T, C), one row per time point (see :func:`as_series`).
        window: window length W.
        stride: step between window starts (1: every start; W: windows that do not overlap).

    Returns:
        A float32 array of shape (n_windows, C, W), with ``n_windows = (T - W) // stride + 1``; window
        ``i`` covers time points ``i * stride`` to ``i * stride + W - 1``. When ``(T - W)`` is not a
        multiple of the stride, the last ``(T - W) % stride`` points are in no window.

    Raises:
        ValueError: a window longer than the series, a window or stride below 1, bad values.
    """
    values = as_series(series)
    _check_window(len(values), window, stride)
    view = sliding_window_view(values, int(window), axis=0)[:: int(stride)]  # (n_windows, C, W)
    return np.ascontiguousarray(view)


def collection_windows(x, window: int, stride: int = 1) -> np.ndarray:
    """Windows of every recording of a collection of equal-length recordings (N, C, L), e.g. aeon's
    classification data sets: short recordings give many training windows.

    Args:
        x: shape (N, C, L) (aeon's ``numpy3d`` layout) or (N, L) for one channel.
        window, stride: as in :func:`sliding_windows`, along each recording's L time points.

    Returns:
        A float32 array of shape (N, n_windows, C, W); ``.reshape(-1, C, W)`` gives the windows of all
        recordings one after the other.

    Raises:
        ValueError: not 2-D or 3-D, no recordings, a window longer than the recordings, bad values.
    """
    values = np.asarray(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x)
    if values.ndim == 2:
        values = values[:, None, :]
    if values.ndim != 3 or len(values) == 0:
        raise ValueError(f"a collection must have shape (N, C, L) or (N, L) with N >= 1, got {values.shape}")
    return np.stack([sliding_windows(recording.T, window, stride) for recording in values])


def window_labels(is_anomaly, window: int, stride: int = 1) -> np.ndarray:
    """Label each window abnormal when any of its time points is labelled abnormal.

    Args:
        is_anomaly: one boolean (or 0/1) flag per time point, shape (T,).
        window, stride: as in :func:`sliding_windows`.

    Returns:
        A boolean array, one flag per window.
    """
    flags = np.asarray(is_anomaly)
    if flags.ndim != 1:
        raise ValueError(f"is_anomaly needs one flag per time point, shape (T,), got {flags.shape}")
    if not np.isin(flags, (0, 1)).all():
        raise ValueError("is_anomaly must hold booleans or 0/1 flags")
    _check_window(len(flags), window, stride)
    return sliding_window_view(flags.astype(bool), int(window))[:: int(stride)].any(axis=1)


def windows_to_points(
    window_scores, n_timepoints: int, window: int, stride: int = 1, reduction: str = "mean"
) -> np.ndarray:
    """Give every time point a score from the windows that contain it (aeon's
    :func:`~aeon.utils.windowing.reverse_windowing`).

    Args:
        window_scores: one score per window, from windows made by :func:`sliding_windows` with the same
            ``window`` and ``stride`` over a series of ``n_timepoints`` points.
        n_timepoints: length T of the series.
        window, stride: as in :func:`sliding_windows`.
        reduction: ``"mean"``, ``"max"`` or ``"median"`` of the scores of the windows that cover a point.

    Returns:
        A float64 array of shape (T,). Points after the last window (when ``(T - W) % stride > 0``)
        take the last window's score.

    Raises:
        ValueError: the number of scores does not match the windows of such a series, NaN scores, an
            unknown reduction.
    """
    from aeon.utils.windowing import reverse_windowing

    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {sorted(_REDUCTIONS)}, got {reduction!r}")
    scores = np.asarray(window_scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"window_scores needs one score per window, shape (n_windows,), got {scores.shape}")
    _check_window(int(n_timepoints), window, stride)
    expected = (int(n_timepoints) - int(window)) // int(stride) + 1
    if len(scores) != expected:
        raise ValueError(f"{len(scores)} window scores, but a series of {n_timepoints} points has {expected} "
                         f"windows of length {window} with stride {stride}")
    if not np.isfinite(scores).all():
        raise ValueError("window_scores contain NaN or infinite values")
    padding = (int(n_timepoints) - int(window)) % int(stride)
    points = reverse_windowing(scores, int(window), _REDUCTIONS[reduction], int(stride), padding)
    if padding:
        points[-padding:] = scores[-1]
    return points


@dataclass
class SeriesSplit:
    """A one-class split of one long recording into windows.

    Attributes:
        windows: a :class:`~vaetools.data.OneClassSplit` of windows (N, C, W): ``x_train`` and ``x_val``
            from the normal training series, ``x_test`` every window of the test series, ``y_test`` 1
            for a window that touches a labelled anomaly and 0 otherwise (normal class 0).
        is_anomaly: the test series' flag per time point (the truth the scores are measured against).
        window: window length W.
        stride: stride of the test windows (training windows may use another).
    """

    windows: OneClassSplit
    is_anomaly: np.ndarray
    window: int
    stride: int

    @property
    def n_timepoints(self) -> int:
        """Length of the test series."""
        return len(self.is_anomaly)

    def to_points(self, window_scores, reduction: str = "mean") -> np.ndarray:
        """Scores of the test windows mapped to the test series' time points (:func:`windows_to_points`)."""
        return windows_to_points(window_scores, self.n_timepoints, self.window, self.stride, reduction)

    def standardize(self, per: str = "channel") -> tuple[SeriesSplit, object]:
        """Standardize all windows with the statistics of the normal training windows only (one mean and
        standard deviation per channel by default); returns ``(split, scaler)``."""
        windows, scaler = self.windows.standardize(per)
        return SeriesSplit(windows, self.is_anomaly, self.window, self.stride), scaler


def series_one_class(
    train,
    test,
    is_anomaly,
    window: int,
    *,
    stride: int = 1,
    test_stride: int = 1,
    val_fraction: float = 0.2,
) -> SeriesSplit:
    """Windows for anomaly detection on a recording: train on a normal stretch, score another.

    The validation windows come from the **end** of the training series (the last ``val_fraction`` of
    its points), and the training windows from the points before it, so that no training window
    overlaps a validation window (random windows would share points and make validation too easy).

    Args:
        train: the normal training series, (T_train,) or (T_train, C).
        test: the series to score, (T_test,) or (T_test, C), the same channels.
        is_anomaly: one flag per test time point (labels used for evaluation only).
        window: window length W.
        stride: stride of the training and validation windows.
        test_stride: stride of the test windows (1 scores every start).
        val_fraction: share of the training series held out for validation (0 for none).

    Returns:
        A :class:`SeriesSplit`.

    Raises:
        ValueError: different channel counts, a flag count that does not match the test series, a
            training part too short for one window, bad values.
    """
    train, test = as_series(train, "train"), as_series(test, "test")
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"train has {train.shape[1]} channels but test has {test.shape[1]}")
    flags = np.asarray(is_anomaly)
    if flags.shape != (len(test),):
        raise ValueError(f"is_anomaly needs one flag per test time point ({len(test)}), got shape {flags.shape}")
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    n_val = int(round(val_fraction * len(train)))
    fit_part, val_part = train[: len(train) - n_val], train[len(train) - n_val :]
    if len(fit_part) < window or (n_val and len(val_part) < window):
        raise ValueError(f"window {window} is longer than the training part ({len(fit_part)} points) or the "
                         f"validation part ({n_val} points); use a shorter window or a smaller val_fraction")
    x_val = sliding_windows(val_part, window, stride) if n_val else np.zeros((0, train.shape[1], window), np.float32)
    labels = window_labels(flags, window, test_stride).astype(np.int64)
    windows = OneClassSplit(
        x_train=torch.from_numpy(sliding_windows(fit_part, window, stride)),
        x_val=torch.from_numpy(x_val),
        x_test=torch.from_numpy(sliding_windows(test, window, test_stride)),
        y_test=labels,
        normal_class=0,
        class_names=["normal", "anomaly"],
    )
    return SeriesSplit(windows, flags.astype(bool), int(window), int(test_stride))


def series_metrics(is_anomaly, scores, *, vus_buffer: int | None = 100) -> dict[str, float]:
    """Point-wise and range-based scores of a detector's per-point scores on a labelled series.

    Args:
        is_anomaly: one flag per time point.
        scores: one score per time point (higher = more anomalous).
        vus_buffer: the largest buffer of the two volume-under-the-surface metrics (aeon's
            ``max_buffer_size``; aeon's default 500 costs about 15 s on a series of 7,500 points, 100
            about 3 s); ``None`` skips them.

    Returns:
        ``auroc`` (point-wise, :func:`~vaetools.metrics.auroc`), and aeon's range-based metrics
        (:mod:`aeon.benchmarking.metrics.anomaly_detection`): ``range_auroc`` and ``range_auprc``
        (range-based ROC and PR curves, Paparrizos et al. 2022), ``vus_roc`` and ``vus_pr`` (their
        volumes under the surface over buffer sizes up to ``vus_buffer``).

    Raises:
        ValueError: a length mismatch, NaN scores, flags that are not booleans, a bad ``vus_buffer``.
    """
    from aeon.benchmarking.metrics import anomaly_detection as ad

    from .metrics import auroc, check_flags

    flags = check_flags(is_anomaly)
    values = np.asarray(scores, dtype=np.float64)
    if values.shape != flags.shape:
        raise ValueError(f"{len(flags)} flags but scores of shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("scores contain NaN or infinite values")
    if vus_buffer is not None and (int(vus_buffer) != vus_buffer or vus_buffer < 1):
        raise ValueError(f"vus_buffer must be a positive integer or None, got {vus_buffer!r}")
    truth = flags.astype(int)
    result = {
        "auroc": auroc(flags, values),
        "range_auroc": float(ad.range_roc_auc_score(truth, values)),
        "range_auprc": float(ad.range_pr_auc_score(truth, values)),
    }
    if vus_buffer is not None:
        result["vus_roc"] = float(ad.range_roc_vus_score(truth, values, max_buffer_size=int(vus_buffer)))
        result["vus_pr"] = float(ad.range_pr_vus_score(truth, values, max_buffer_size=int(vus_buffer)))
    return result

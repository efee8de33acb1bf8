"""Metrics: ROC and AUROC (scikit-learn), ROC tables as CSV, thresholds and the confusion matrix.

scikit-learn is imported inside the functions that use it: it takes a second to import, and a detector
needs only the thresholds."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "auroc",
    "average_precision",
    "roc_table",
    "save_roc_csv",
    "load_roc_csv",
    "threshold_mean_std",
    "threshold_youden",
    "threshold_at_fpr",
    "threshold_median_mad",
    "check_flags",
    "evaluate_threshold",
    "histogram_intersection",
    "bootstrap_auroc",
]


def check_flags(is_anomaly, name: str = "is_anomaly") -> np.ndarray:
    """``is_anomaly`` as a boolean array; only True/False or 0/1 values are flags.

    Raises:
        ValueError: other values, e.g. class labels passed where flags belong.
    """
    y = np.asarray(is_anomaly).ravel()
    if y.dtype == bool:
        return y
    values = np.unique(y)
    if not (np.issubdtype(y.dtype, np.number) and np.isin(values, (0, 1)).all()):
        shown = ", ".join(map(str, values[:6])) + (", ..." if len(values) > 6 else "")
        raise ValueError(
            f"{name} must hold anomaly flags (True/False or 1/0, True = anomaly), got the values {shown}. "
            "Class labels? Pass split.is_anomaly, or labels != normal_class"
        )
    return y.astype(bool)


def _check(is_anomaly, scores) -> tuple[np.ndarray, np.ndarray]:
    y = check_flags(is_anomaly)
    s = np.asarray(scores, dtype=np.float64).ravel()
    if len(y) != len(s):
        raise ValueError(f"{len(y)} labels but {len(s)} scores")
    if not np.isfinite(s).all():
        raise ValueError("scores contain NaN or infinite values")
    if y.all() or not y.any():
        raise ValueError("ROC needs both normal and abnormal samples")
    return y, s


def auroc(is_anomaly, scores) -> float:
    """Area under the ROC curve (:func:`sklearn.metrics.roc_auc_score`), anomalies as positives."""
    from sklearn import metrics as skm
    return float(skm.roc_auc_score(*_check(is_anomaly, scores)))


def average_precision(is_anomaly, scores) -> float:
    """Average precision (area under the precision-recall curve), anomalies as positives."""
    from sklearn import metrics as skm
    return float(skm.average_precision_score(*_check(is_anomaly, scores)))


def roc_table(is_anomaly, scores) -> pd.DataFrame:
    """The ROC curve as a table with columns ``fpr``, ``tpr``, ``threshold`` (one row per point)."""
    from sklearn import metrics as skm
    fpr, tpr, threshold = skm.roc_curve(*_check(is_anomaly, scores))
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": threshold})


def save_roc_csv(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a ROC table to CSV (columns ``fpr,tpr,threshold``, no index), folders created."""
    if list(table.columns) != ["fpr", "tpr", "threshold"]:
        raise ValueError(f"a ROC table has the columns fpr, tpr, threshold; got {list(table.columns)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def load_roc_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ROC table written by :func:`save_roc_csv`."""
    table = pd.read_csv(path, dtype=np.float64, float_precision="round_trip")  # exact, as written
    if list(table.columns) != ["fpr", "tpr", "threshold"]:
        raise ValueError(f"{path} is not a ROC table (columns {list(table.columns)})")
    return table


def threshold_mean_std(normal_scores, k: float = 3.0) -> float:
    """``mean + k * std`` of scores of normal samples (the original example used k = 3)."""
    s = np.asarray(normal_scores, dtype=np.float64)
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError("need at least one finite normal score")
    return float(s.mean() + k * s.std())


def threshold_youden(is_anomaly, scores) -> float:
    """The threshold that maximizes Youden's J = TPR - FPR (needs labelled scores)."""
    table = roc_table(is_anomaly, scores)
    return float(table.threshold[(table.tpr - table.fpr).idxmax()])


def threshold_at_fpr(normal_scores, fpr: float = 0.01) -> float:
    """The threshold that flags a share ``fpr`` of normal samples: their (1 - fpr) quantile."""
    if not 0.0 < fpr < 1.0:
        raise ValueError(f"fpr must be in (0, 1), got {fpr}")
    s = np.asarray(normal_scores, dtype=np.float64)
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError("need at least one finite normal score")
    return float(np.quantile(s, 1.0 - fpr))


def threshold_median_mad(normal_scores, k: float = 3.0) -> float:
    """``median + k * MAD`` of scores of normal samples, the MAD scaled to a Gaussian's standard
    deviation (:func:`scipy.stats.median_abs_deviation`, ``scale="normal"``): robust to a few outliers
    in the normal data, and to the long right tail anomaly scores often have."""
    from scipy.stats import median_abs_deviation

    s = np.asarray(normal_scores, dtype=np.float64)
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError("need at least one finite normal score")
    return float(np.median(s) + k * median_abs_deviation(s, scale="normal"))


def evaluate_threshold(is_anomaly, scores, threshold: float) -> dict[str, float]:
    """Flag ``score >= threshold`` as anomalous (as :func:`sklearn.metrics.roc_curve` does); return the
    confusion matrix, precision, recall, F1 and false-positive rate."""
    from sklearn import metrics as skm
    y, s = _check(is_anomaly, scores)
    flagged = s >= threshold
    tn, fp, fn, tp = skm.confusion_matrix(y, flagged, labels=[False, True]).ravel()
    return {
        "threshold": float(threshold),
        "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
        "precision": float(skm.precision_score(y, flagged, zero_division=0)),
        "recall": float(skm.recall_score(y, flagged, zero_division=0)),
        "f1": float(skm.f1_score(y, flagged, zero_division=0)),
        "fpr": float(fp / (fp + tn)),
    }


def histogram_intersection(a, b, bins: int = 50) -> float:
    """Overlap of two score distributions: sum of the minimum of their normalized histograms.

    1 means identical histograms, 0 means no overlap; both use the same ``bins`` over the joint range.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        raise ValueError("both score sets need at least one value")
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=bins)
    ha = np.histogram(a, edges)[0] / a.size
    hb = np.histogram(b, edges)[0] / b.size
    return float(np.minimum(ha, hb).sum())


def bootstrap_auroc(
    is_anomaly, scores, *, n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Bootstrap confidence interval of the AUROC (:func:`scipy.stats.bootstrap`, percentile method)."""
    from scipy.stats import bootstrap
    from sklearn import metrics as skm

    y, s = _check(is_anomaly, scores)
    result = bootstrap(
        (y, s), lambda yy, ss: skm.roc_auc_score(yy, ss), paired=True, vectorized=False,
        n_resamples=n_resamples, confidence_level=confidence, method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)

"""A detector to keep: model, data scaling, score, fitted score parts and threshold in one object.

In the habits of scikit-learn and PyOD::

    detector = vt.Detector(vt.ConvVAE(), score="mse_c", threshold="mean_std", k=3)
    detector.fit(split.x_train, x_val=split.x_val, epochs=10)   # train, then calibrate on normal data
    detector.score_samples(x_new)                                # higher = more anomalous
    detector.predict(x_new)                                      # True = anomaly
    detector.save("detector.pt"); same = vt.Detector.load("detector.pt")

Scores follow PyOD's convention (higher = more anomalous), the opposite of scikit-learn's
``score_samples``.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .metrics import threshold_at_fpr, threshold_mean_std, threshold_median_mad
from .models import MODELS, VAE, as_float_tensor, check_inputs
from .scaling import SCALINGS, Standardizer
from .scoring import SCORES, anomaly_scores, fit_complexity_weight, restoration_variance
from .training import fit

__all__ = ["Detector", "THRESHOLDS"]

#: Threshold rules, each on the scores of normal validation data: ``mean_std`` (mean + k·σ, the
#: original example's rule with k = 3), ``fpr`` (the quantile that flags a share ``fpr`` of normal
#: data), ``mad`` (median + k·MAD, robust to skewed scores and outliers among the normal data).
THRESHOLDS = ("mean_std", "fpr", "mad")
_FORMAT = "vaetools-detector-v1"


class Detector:
    """A VAE anomaly detector: train on normal data, calibrate a threshold, flag new data.

    Args:
        model: a :class:`~vaetools.models.VAE` on the device to compute on (trained by :meth:`fit`, or
            already trained: then call :meth:`calibrate`).
        score: one of :data:`~vaetools.scoring.SCORES` (``mse_c`` for images, ``mse`` or ``recon``
            for signals).
        threshold: the rule, one of :data:`THRESHOLDS`.
        k: the multiplier of ``mean_std`` and ``mad``.
        fpr: the target false-positive rate of ``fpr``.
        scaling: ``None`` (use the data as they are, e.g. images in [0, 1]), ``"feature"`` or
            ``"channel"``: standardize with statistics of the normal training data
            (:class:`~vaetools.scaling.Standardizer`).
        iwae_k: draws of z for the ``elbo`` and ``iwae`` scores.
        codec: the lossless codec of ``mse_c`` and ``mse_cw``.

    Attributes (after :meth:`fit` or :meth:`calibrate`):
        threshold_: scores at or above it are flagged.
        sigma2_: the restoration variance of ``mse_c`` and ``mse_cw`` (``None`` for other scores).
        weight_: the fitted weight of ``L(x)`` in ``mse_cw`` (``None`` for other scores).
        scaler_: the fitted :class:`~vaetools.scaling.Standardizer`, or ``None``.
        history_: the training history (:meth:`fit` only).
        val_scores_: the scores of the normal validation data the threshold came from.
    """

    def __init__(
        self,
        model: VAE,
        score: str = "mse_c",
        *,
        threshold: str = "mean_std",
        k: float = 3.0,
        fpr: float = 0.01,
        scaling: str | None = None,
        iwae_k: int = 16,
        codec: str = "webp",
    ) -> None:
        if not isinstance(model, VAE):
            raise TypeError(f"model must be a vaetools VAE, got {type(model).__name__}")
        if score not in SCORES:
            raise ValueError(f"unknown score {score!r}; choose from {SCORES}")
        if threshold not in THRESHOLDS:
            raise ValueError(f"unknown threshold rule {threshold!r}; choose from {THRESHOLDS}")
        if scaling is not None and scaling not in SCALINGS:
            raise ValueError(f"scaling must be None or one of {SCALINGS}, got {scaling!r}")
        if not 0.0 < fpr < 1.0:
            raise ValueError(f"fpr must be in (0, 1), got {fpr}")
        self.model, self.score, self.threshold = model, score, threshold
        self.k, self.fpr, self.scaling, self.iwae_k, self.codec = float(k), float(fpr), scaling, int(iwae_k), codec
        self.threshold_: float | None = None
        self.sigma2_: float | None = None
        self.weight_: float | None = None
        self.scaler_: Standardizer | None = None
        self.history_: pd.DataFrame | None = None
        self.val_scores_: np.ndarray | None = None

    def fit(self, x_train, x_val=None, *, val_fraction: float = 0.1, seed: int = 0, **fit_options) -> Detector:
        """Train the model on normal data, then :meth:`calibrate` on normal validation data.

        Args:
            x_train: normal training data (tensor or array, any float dtype).
            x_val: normal validation data; without it, a seeded ``val_fraction`` of ``x_train`` is
                held out.
            val_fraction: the share held out when ``x_val`` is not given.
            seed: seed of the hold-out and of training.
            **fit_options: training settings for :func:`~vaetools.training.fit` (``epochs``,
                ``batch_size``, ``lr``, ``beta`` or ``ratio``, ``patience``, ``progress``, ...).

        Returns:
            ``self``.
        """
        x_train = self._as_raw(x_train, "x_train")
        if x_val is None:
            if not 0.0 < val_fraction < 1.0:
                raise ValueError(f"val_fraction must be in (0, 1) when x_val is not given, got {val_fraction}")
            order = np.random.default_rng(seed).permutation(len(x_train))
            n_val = max(1, int(round(val_fraction * len(x_train))))
            x_train, x_val = x_train[np.sort(order[n_val:])], x_train[np.sort(order[:n_val])]
        else:
            x_val = self._as_raw(x_val, "x_val")
        self.scaler_ = None if self.scaling is None else Standardizer(self.scaling).fit(x_train)
        self.history_ = fit(self.model, self._prepare(x_train, "x_train"), x_val=self._prepare(x_val, "x_val"),
                            seed=seed, **fit_options)
        return self._calibrate(x_val)

    def calibrate(self, x_val) -> Detector:
        """Fit the score's parts and the threshold on normal validation data, keeping the model as
        it is (for a model trained elsewhere). Returns ``self``."""
        return self._calibrate(self._as_raw(x_val, "x_val"))

    def _calibrate(self, x_val: torch.Tensor) -> Detector:
        prepared = self._prepare(x_val, "x_val")
        if self.score in ("mse_c", "mse_cw"):
            self.sigma2_ = restoration_variance(self.model, prepared)
        if self.score == "mse_cw":
            self.weight_ = fit_complexity_weight(self.model, prepared, self.sigma2_, codec=self.codec)
        self.val_scores_ = self._scores(prepared)
        rule = {"mean_std": lambda s: threshold_mean_std(s, self.k), "fpr": lambda s: threshold_at_fpr(s, self.fpr),
                "mad": lambda s: threshold_median_mad(s, self.k)}[self.threshold]
        self.threshold_ = rule(self.val_scores_)
        return self

    def score_samples(self, x) -> np.ndarray:
        """Anomaly scores of ``x`` (higher = more anomalous), as a NumPy array."""
        self._check_fitted()
        return self._scores(self._prepare(self._as_raw(x, "x"), "x"))

    def predict(self, x) -> np.ndarray:
        """Boolean flags: True where the score is at or above the threshold (an anomaly)."""
        return self.score_samples(x) >= self.threshold_

    def _scores(self, prepared: torch.Tensor) -> np.ndarray:
        return anomaly_scores(self.model, prepared, self.score, k=self.iwae_k, sigma2=self.sigma2_, codec=self.codec,
                              weight=self.weight_)

    def _as_raw(self, x, name: str) -> torch.Tensor:
        """Any float array or tensor as a float32 CPU tensor (before scaling)."""
        return as_float_tensor(x, name).cpu()

    def _prepare(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """Scale (if the detector scales) and check the inputs for the model."""
        if self.scaler_ is not None:
            if not torch.isfinite(x).all():
                raise ValueError(f"{name} contains NaN or infinite values; clean or impute them first")
            x = self.scaler_.transform(x)
        return check_inputs(self.model, x, name)

    def _check_fitted(self) -> None:
        if self.threshold_ is None:
            raise RuntimeError("this Detector is not fitted yet: call fit(x_train, x_val) or calibrate(x_val) first")

    def save(self, path: str | os.PathLike) -> Path:
        """Save model, settings, data scaling, fitted score parts and threshold in one file."""
        self._check_fitted()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": _FORMAT,
            "model_class": type(self.model).__name__,
            "model_config": self.model.config(),
            "state_dict": {k: v.detach().cpu() for k, v in self.model.state_dict().items()},
            "settings": {"score": self.score, "threshold": self.threshold, "k": self.k, "fpr": self.fpr,
                         "scaling": self.scaling, "iwae_k": self.iwae_k, "codec": self.codec},
            "threshold_": self.threshold_,
            "sigma2_": self.sigma2_,
            "weight_": self.weight_,
            "scaler_": None if self.scaler_ is None else self.scaler_.state_dict(),
            "val_scores_": torch.tensor(self.val_scores_),
            "history_": None if self.history_ is None else self.history_.reset_index().to_dict(orient="list"),
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
        torch.save(payload, tmp)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: str | torch.device | None = None) -> Detector:
        """Load a detector saved by :meth:`save` (weights only: no code from the file is run).

        Args:
            path: the file.
            device: where the model goes (default: the CPU).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no detector file at {path}")
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as error:
            raise ValueError(f"{path} is not a readable detector file ({type(error).__name__})") from None
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a {_FORMAT} file (a checkpoint? load it with vt.load_checkpoint)")
        model = MODELS[payload["model_class"]](**payload["model_config"])
        model.load_state_dict(payload["state_dict"])
        detector = cls(model.to(device or "cpu").eval(), **payload["settings"])
        detector.threshold_, detector.sigma2_ = payload["threshold_"], payload["sigma2_"]
        detector.weight_ = payload.get("weight_")  # absent in files saved before mse_cw
        if payload["scaler_"] is not None:
            detector.scaler_ = Standardizer.from_state_dict(payload["scaler_"])
        detector.val_scores_ = payload["val_scores_"].numpy()
        if payload["history_"] is not None:
            detector.history_ = pd.DataFrame(payload["history_"]).set_index("epoch")
        return detector

    def __repr__(self) -> str:
        fitted = "unfitted" if self.threshold_ is None else f"threshold_={self.threshold_:.4g}"
        return (f"Detector({type(self.model).__name__}, score={self.score!r}, threshold={self.threshold!r}, "
                f"scaling={self.scaling!r}, {fitted})")

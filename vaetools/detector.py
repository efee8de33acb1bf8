"""A detector to keep: model, data scaling, score, fitted score parts and threshold in one object.

In the habits of scikit-learn and PyOD::

    detector = vt.Detector(vt.ConvVAE(), threshold="mean_std", k=3)   # score "mse", the safe default
    detector.fit(split.x_train, x_val=split.x_val, epochs=10)          # train, then calibrate on normal data
    detector.decision_function(x_new)                                   # higher = more anomalous
    detector.predict(x_new)                                             # True = anomaly
    detector.save("detector.pt"); same = vt.Detector.load("detector.pt")

The image benchmark's rule in one call: a VAE trained to restore the upright image from a random quarter
turn, scored by its complexity-corrected restoration error (``turn_cw``), plus the mean distance to the 5
nearest normal training images that forgives a one-pixel shift (``knn5s``), the two standardized on the
normal validation images and added::

    detector = vt.Detector(vt.ConvVAE(z_dim=32, refine=3), score="turn_cw", neighbors=5)
    detector.fit(split.x_train, x_val=split.x_val, epochs=80)
    detector.score_parts(split.x_test)       # columns turn_cw, knn5s and their sum turn_cw_knn5s

Scores follow PyOD's convention (higher = more anomalous), the opposite of scikit-learn's
``score_samples``, which is kept here as another name of :meth:`Detector.decision_function`.
"""
from __future__ import annotations

import dataclasses
import inspect
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .baselines import baseline_scores
from .checkpoints import fit_or_load
from .complexity import CODECS, ComplexityCorrection
from .ensembles import standardized_sum
from .files import build_model, history_table, read_file, write_file
from .inputs import as_samples, check_count, check_labels, column_names, frame_values
from .metrics import threshold_at_fpr, threshold_mean_std, threshold_median_mad
from .models import VAE, check_inputs
from .neighbors import knn_distance, shifted_knn_distance
from .scaling import SCALINGS, Standardizer
from .scoring import SCORES, anomaly_scores
from .training import fit
from .turns import TURN_SCORES, random_quarter_turns, turn_restoration_error

__all__ = ["Detector", "THRESHOLDS", "DETECTOR_SCORES", "default_score"]

#: Threshold rules, each on the scores of normal validation data: ``mean_std`` (mean + k·σ, the
#: original example's rule with k = 3), ``fpr`` (the quantile that flags a share ``fpr`` of normal
#: data), ``mad`` (median + k·MAD, robust to skewed scores and outliers among the normal data).
THRESHOLDS = ("mean_std", "fpr", "mad")
#: The scores a detector offers: every score of :func:`~vaetools.scoring.score_table` and the scores of a
#: model trained to restore quarter turns (:data:`~vaetools.turns.TURN_SCORES`).
DETECTOR_SCORES = SCORES + TURN_SCORES
#: The complexity-corrected scores: the restoration error each corrects, and whether the weight of the code
#: length is fitted on normal validation images (else 1).
_CORRECTED = {"mse_c": ("mse", False), "mse_cw": ("mse", True), "turn_cw": ("turn_mse", True)}
#: ``threshold="fpr"`` wants at least this many normal validation scores above the threshold.
_ABOVE_THRESHOLD = 10


def default_score(model: VAE) -> str:
    """The score a :class:`Detector` uses when none is named: ``recon`` for a model with a learned variance
    per feature (``likelihood="gaussian_var"``), where the decoder's own variance weighs every feature, and
    ``mse`` for every other model (notebook 06's safe default for images, and the rows' recipe)."""
    return "recon" if model.likelihood == "gaussian_var" else "mse"


class Detector:
    """A VAE anomaly detector: train on normal data, calibrate a threshold, flag new data.

    An estimator in scikit-learn's and PyOD's habits: the constructor only stores its settings
    (:meth:`get_params`, :meth:`set_params`, so ``sklearn.base.clone`` works) and checks them against each
    other and the model at once; :meth:`fit` takes ``(X, y=None)`` and ignores ``y``;
    :meth:`decision_function` is higher for more anomalous inputs.

    Args:
        model: a :class:`~vaetools.models.VAE` on the device to compute on (trained by :meth:`fit`, or
            already trained: then call :meth:`calibrate`).
        score: one of :data:`DETECTOR_SCORES`; ``None`` (the default) picks :func:`default_score`. The
            complexity-corrected ``mse_c``, ``mse_cw`` and ``turn_cw`` need images in [0, 1]; ``turn_mse``
            and ``turn_cw`` square images, and :meth:`fit` then trains the model to restore the upright
            image from a random quarter turn (:func:`~vaetools.turns.random_quarter_turns`).
        neighbors: ``None``, or add a nearest-neighbour part: the mean distance to the ``neighbors`` nearest
            normal training samples (kept with the detector), standardized on the normal validation data
            like the VAE's score, and the two added (:func:`~vaetools.ensembles.standardized_sum`).
        shift: the translation in pixels the neighbour part forgives on images
            (:func:`~vaetools.neighbors.shifted_knn_distance`); ``None``: 1 on images, and the plain
            Euclidean distance (:func:`~vaetools.neighbors.knn_distance`) on vectors and signals.
        threshold: the rule, one of :data:`THRESHOLDS`.
        k: the multiplier of ``mean_std`` and ``mad``.
        fpr: the target false-positive rate of ``fpr``; the threshold is stable with at least 10 / ``fpr``
            normal validation samples (10 of them above it), and a warning says so when there are fewer.
        scaling: ``None`` (use the data as they are, e.g. images in [0, 1]), ``"feature"`` or
            ``"channel"``: standardize with statistics of the normal training data
            (:class:`~vaetools.scaling.Standardizer`).
        iwae_k: draws of z for the ``elbo`` and ``iwae`` scores.
        codec: the lossless codec of the complexity-corrected scores.

    Attributes (after :meth:`fit` or :meth:`calibrate`):
        threshold_: scores at or above it are flagged.
        correction_: the :class:`~vaetools.complexity.ComplexityCorrection` of a corrected score, else
            ``None`` (``sigma2_`` and ``weight_`` are its restoration variance and weight).
        scaler_: the fitted :class:`~vaetools.scaling.Standardizer`, or ``None``.
        history_: the training history (:meth:`fit` only).
        val_parts_: the normal validation data's score parts (as :meth:`score_parts` names them), each
            part's mean and spread standardize it.
        val_scores_: the scores of the normal validation data the threshold came from.
        reference_: the normal training samples of the neighbour part (as the model sees them), or ``None``.
        feature_names_in_: the column names of a DataFrame ``X`` given to :meth:`fit`, else ``None``.
    """

    def __init__(
        self,
        model: VAE,
        score: str | None = None,
        *,
        neighbors: int | None = None,
        shift: int | None = None,
        threshold: str = "mean_std",
        k: float = 3.0,
        fpr: float = 0.01,
        scaling: str | None = None,
        iwae_k: int = 16,
        codec: str = "webp",
    ) -> None:
        self.model, self.score, self.neighbors, self.shift, self.threshold = model, score, neighbors, shift, threshold
        self.k, self.fpr, self.scaling, self.iwae_k, self.codec = k, fpr, scaling, iwae_k, codec
        self._check_params()
        self.threshold_: float | None = None
        self.correction_: ComplexityCorrection | None = None
        self.scaler_: Standardizer | None = None
        self.history_: pd.DataFrame | None = None
        self.val_parts_: dict[str, np.ndarray] | None = None
        self.val_scores_: np.ndarray | None = None
        self.reference_: torch.Tensor | None = None
        self.feature_names_in_: np.ndarray | None = None

    # ----- settings --------------------------------------------------------------------------------------

    @classmethod
    def _param_names(cls) -> list[str]:
        return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's arguments by name (scikit-learn's estimator interface; ``deep`` changes nothing,
        the model is not an estimator)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> Detector:
        """Change constructor arguments (checked as the constructor checks them); returns ``self``."""
        unknown = sorted(set(params) - set(self._param_names()))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; a Detector has {self._param_names()}")
        before = self.get_params()
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self._check_params()
        except (TypeError, ValueError):
            for name, value in before.items():
                setattr(self, name, value)
            raise
        return self

    def _check_params(self) -> None:
        """Every setting on its own, then score, scaling and neighbour part against the model."""
        model = self.model
        if not isinstance(model, VAE):
            raise TypeError(f"model must be a vaetools VAE, got {type(model).__name__}")
        if self.score is not None and self.score not in DETECTOR_SCORES:
            raise ValueError(f"unknown score {self.score!r}; choose from {DETECTOR_SCORES}")
        if self.threshold not in THRESHOLDS:
            raise ValueError(f"unknown threshold rule {self.threshold!r}; choose from {THRESHOLDS}")
        if self.scaling is not None and self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be None or one of {SCALINGS}, got {self.scaling!r}")
        if not 0.0 < self.fpr < 1.0:
            raise ValueError(f"fpr must be in (0, 1), got {self.fpr}")
        if self.codec not in CODECS:
            raise ValueError(f"unknown codec {self.codec!r}; choose from {sorted(CODECS)}")
        if isinstance(self.k, bool) or not isinstance(self.k, (int, float)) or self.k < 0:
            raise ValueError(f"k must be a number >= 0, got {self.k!r}")
        for name, low in (("neighbors", 1), ("shift", 0), ("iwae_k", 1)):
            value = getattr(self, name)
            if (value is not None or name == "iwae_k") and (isinstance(value, bool) or not isinstance(value, int)
                                                             or value < low):
                raise ValueError(f"{name} must be {'' if name == 'iwae_k' else 'None or '}an integer >= {low}, "
                                 f"got {value!r}")
        shape, name, score = tuple(model.input_shape), type(model).__name__, self._score
        images = len(shape) == 3
        if score in _CORRECTED and (not images or shape[0] not in (1, 3)):
            raise ValueError(f"score {score!r} corrects for an image's code length, so it needs a model of grey or "
                             f"colour images (1 or 3, H, W); this {name} takes {shape}: use 'mse' or 'recon'")
        if score in TURN_SCORES and (not images or shape[1] != shape[2]):
            raise ValueError(f"score {score!r} restores quarter turns, so it needs a model of square images "
                             f"(C, H, H); this {name} takes {shape}: use 'mse' or 'recon'")
        if self.scaling is not None and (score in _CORRECTED or score == "bce" or model.likelihood == "bernoulli"):
            what = f"score {score!r}" if score in _CORRECTED or score == "bce" else "a Bernoulli likelihood"
            raise ValueError(f"{what} needs the inputs as they are, in [0, 1], which standardized data are not: "
                             "use scaling=None" + ("" if what.startswith("score") else " or likelihood='gaussian'"))
        if self.shift and not images:
            raise ValueError(f"shift forgives a translation of images; this {name} takes {shape}: leave shift=None")

    @property
    def _score(self) -> str:
        return default_score(self.model) if self.score is None else self.score

    @property
    def _shift(self) -> int:
        return (1 if len(self.model.input_shape) == 3 else 0) if self.shift is None else self.shift

    def _part_names(self) -> tuple[str, ...]:
        """The VAE's score, then with ``neighbors`` the neighbour part (``knn5``, ``knn5s`` for a one-pixel
        shift, ``knn5s2`` for two) and their sum (``turn_cw_knn5s``)."""
        if self.neighbors is None:
            return (self._score,)
        shift = self._shift
        knn = f"knn{self.neighbors}" + ("" if shift == 0 else "s" if shift == 1 else f"s{shift}")
        return self._score, knn, f"{self._score}_{knn}"

    @property
    def sigma2_(self) -> float | None:
        """The restoration variance of a complexity-corrected score (``None`` for other scores)."""
        return None if self.correction_ is None else self.correction_.sigma2

    @property
    def weight_(self) -> float | None:
        """The weight of the code length in a complexity-corrected score (``None`` for other scores)."""
        return None if self.correction_ is None else self.correction_.weight

    # ----- training and calibration ----------------------------------------------------------------------

    def fit(self, X, y=None, *, x_val=None, val_fraction: float = 0.1, seed: int = 0,
            cache: str | os.PathLike | None = None, **fit_options) -> Detector:
        """Train the model on normal data, then :meth:`calibrate` on normal validation data.

        Args:
            X: normal training data: a tensor, array or DataFrame (its column names are kept as
                ``feature_names_in_``), any float dtype.
            y: ignored, as by scikit-learn's outlier detectors (every row of ``X`` is normal); it may be
                ``None`` or one label per row. Validation data go in ``x_val=``.
            x_val: normal validation data; without it, a seeded ``val_fraction`` of ``X`` is held out.
            val_fraction: the share held out when ``x_val`` is not given.
            seed: seed of the hold-out and of training.
            cache: a folder: load the model from there if the same configuration was trained before, else
                train and save it there (:func:`~vaetools.checkpoints.fit_or_load`), so that scoring a kept
                model again needs no training.
            **fit_options: training settings for :func:`~vaetools.training.fit` (``epochs``,
                ``batch_size``, ``lr``, ``beta`` or ``ratio``, ``patience``, ``progress``, ...); a ``turn_*``
                score trains with ``corrupt=vt.random_quarter_turns`` unless ``corrupt`` is given.

        Returns:
            ``self``.
        """
        x_train = self._as_raw(X, "x_train", fitting=True)
        check_labels(y, len(x_train))
        if x_val is None:
            if not 0.0 < val_fraction < 1.0:
                raise ValueError(f"val_fraction must be in (0, 1) when x_val is not given, got {val_fraction}")
            order = np.random.default_rng(seed).permutation(len(x_train))
            n_val = max(1, int(round(val_fraction * len(x_train))))
            x_train, x_val = x_train[np.sort(order[n_val:])], x_train[np.sort(order[:n_val])]
        else:
            x_val = self._as_raw(x_val, "x_val")
        check_count(x_train, "x_train")
        check_count(x_val, "x_val")
        self.scaler_ = None if self.scaling is None else Standardizer(self.scaling).fit(x_train)
        train, val = self._prepare(x_train, "x_train"), self._prepare(x_val, "x_val")
        options = ({"corrupt": random_quarter_turns} if self._score in TURN_SCORES else {}) | fit_options
        options |= {"x_val": val, "seed": seed}
        if cache is None:
            self.history_ = fit(self.model, train, **options)
        else:
            self.history_ = fit_or_load(self.model, train, name="detector", cache=cache, **options)
        return self._calibrate(val, train)

    def calibrate(self, x_val, *, x_train=None) -> Detector:
        """Fit the score's parts and the threshold on normal validation data, keeping the model as it is
        (for a model trained elsewhere). ``x_train``, the normal training data, is needed by the neighbour
        part and by a scaling that is not fitted yet. Returns ``self``."""
        x_val = self._as_raw(x_val, "x_val")
        x_train = None if x_train is None else self._as_raw(x_train, "x_train")
        if self.scaling is not None and self.scaler_ is None:
            if x_train is None:
                raise ValueError(f"scaling={self.scaling!r} is fitted on the normal training data: "
                                 "calibrate(x_val, x_train=...)")
            self.scaler_ = Standardizer(self.scaling).fit(x_train)
        train = None if x_train is None else self._prepare(x_train, "x_train")
        return self._calibrate(self._prepare(x_val, "x_val"), train)

    def _calibrate(self, val: torch.Tensor, train: torch.Tensor | None) -> Detector:
        check_count(val, "x_val")
        if self.neighbors is None:
            self.reference_ = None
        else:
            self.reference_ = self.reference_ if train is None else train.cpu()
            if self.reference_ is None:
                raise ValueError(f"neighbors={self.neighbors} measures distances to the normal training data: "
                                 "calibrate(x_val, x_train=...)")
            if len(self.reference_) < self.neighbors:
                raise ValueError(f"neighbors={self.neighbors} needs at least as many normal training samples, "
                                 f"got {len(self.reference_)}")
        self.correction_ = None
        if self._score in _CORRECTED:
            error, weighted = _CORRECTED[self._score]
            self.correction_ = ComplexityCorrection.fit(self._error(val, error), val, weighted=weighted,
                                                        codec=self.codec)
        self.val_parts_ = self._parts(val)
        self.val_scores_ = self._combined(self.val_parts_)
        rule = {"mean_std": lambda s: threshold_mean_std(s, self.k), "fpr": lambda s: threshold_at_fpr(s, self.fpr),
                "mad": lambda s: threshold_median_mad(s, self.k)}[self.threshold]
        self.threshold_ = rule(self.val_scores_)
        needed = math.ceil(_ABOVE_THRESHOLD / self.fpr - 1e-9)
        if self.threshold == "fpr" and len(val) < needed:
            warnings.warn(f"threshold='fpr' with fpr={self.fpr:g} was calibrated on {len(val)} normal validation "
                          f"samples, of which only about {len(val) * self.fpr:.1f} lie above it, so it is unstable: "
                          f"give at least {needed} (10 / fpr, for {_ABOVE_THRESHOLD} above it), or a larger fpr",
                          UserWarning, stacklevel=3)
        return self

    # ----- scoring ---------------------------------------------------------------------------------------

    def decision_function(self, X) -> np.ndarray:
        """Anomaly scores of ``X`` (higher = more anomalous, as PyOD's), as a NumPy array: the VAE's score,
        or with ``neighbors`` the standardized sum of its parts (:meth:`score_parts`' last column)."""
        self._check_fitted()
        return self._combined(self._parts(self._prepare(self._as_raw(X, "x"), "x")))

    def score_samples(self, X) -> np.ndarray:
        """The same as :meth:`decision_function` (kept for code written before it; note that scikit-learn's
        ``score_samples`` is the opposite, higher = more normal)."""
        return self.decision_function(X)

    def score_parts(self, X) -> pd.DataFrame:
        """The parts of the score of ``X``, one row per sample: the VAE's score (named as ``score``), and
        with ``neighbors`` the neighbour part (``knn5``, or ``knn5s`` on images) and their standardized sum
        (``turn_cw_knn5s``, what :meth:`decision_function` returns), all from this one fitted detector."""
        self._check_fitted()
        parts = self._parts(self._prepare(self._as_raw(X, "x"), "x"))
        table = pd.DataFrame(parts, index=X.index if isinstance(X, pd.DataFrame) else None)
        if self.neighbors is not None:
            table[self._part_names()[-1]] = self._combined(parts)
        return table

    def baseline_scores(self, x_train, X, **options) -> dict[str, np.ndarray]:
        """:func:`~vaetools.baselines.baseline_scores` fitted on the normal training data ``x_train`` and
        scoring ``X``, both scaled as this detector's model sees them (its fitted ``scaling``), so that the
        baselines beside it compare like with like. ``options`` are those of ``baseline_scores``."""
        self._check_fitted()
        train, x = (self._prepare(self._as_raw(v, name), name) for v, name in ((x_train, "x_train"), (X, "x")))
        return baseline_scores(train, x, **options)

    def predict(self, X) -> np.ndarray:
        """Boolean flags: True where the score is at or above the threshold (an anomaly)."""
        return self.decision_function(X) >= self.threshold_

    def _parts(self, prepared: torch.Tensor) -> dict[str, np.ndarray]:
        """The VAE's score and, with ``neighbors``, the neighbour distance of prepared inputs."""
        error = _CORRECTED.get(self._score, (self._score,))[0]
        score = self._error(prepared, error)
        if self.correction_ is not None:
            score = self.correction_.score(score, prepared)
        parts = {self._score: score}
        if self.neighbors is not None:
            search = shifted_knn_distance if self._shift else knn_distance
            extra = {"shift": self._shift} if self._shift else {}
            parts[self._part_names()[1]] = search(self.reference_, prepared.cpu(), n_neighbors=self.neighbors, **extra)
        return parts

    def _error(self, prepared: torch.Tensor, name: str) -> np.ndarray:
        """An uncorrected score of the VAE."""
        if name == "turn_mse":
            return turn_restoration_error(self.model, prepared)
        return anomaly_scores(self.model, prepared, name, k=self.iwae_k)

    def _combined(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """The one part, or the sum of the parts each standardized on the normal validation data's."""
        if len(parts) == 1:
            return next(iter(parts.values()))
        return standardized_sum(list(parts.values()), [self.val_parts_[name] for name in parts])

    # ----- inputs ----------------------------------------------------------------------------------------

    def _as_raw(self, x, name: str, *, fitting: bool = False) -> torch.Tensor:
        """Any array, tensor or DataFrame as a float32 CPU tensor of the model's inputs, before scaling; the
        column names of a DataFrame recorded (``fitting``) or used to choose its columns."""
        if fitting:
            self.feature_names_in_ = column_names(x)
        if isinstance(x, pd.DataFrame):
            x = frame_values(x, name, self.feature_names_in_)
        return as_samples(x, self.model, name)

    def _prepare(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """Scale (if the detector scales) and check the inputs for the model."""
        if self.scaler_ is not None:
            x = self.scaler_.transform(x)
        return check_inputs(self.model, x, name)

    def _check_fitted(self) -> None:
        if self.threshold_ is None:
            raise RuntimeError("this Detector is not fitted yet: call fit(X, x_val=...) or calibrate(x_val) first")

    # ----- files -----------------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Save model, settings, data scaling, fitted score parts, threshold and (with ``neighbors``) the normal
        training samples in one file of :mod:`vaetools.files` (weights-only, with the vaetools and torch
        versions); :func:`~vaetools.checkpoints.load_checkpoint` reads its model too."""
        self._check_fitted()
        state = {
            "params": {name: value for name, value in self.get_params().items() if name != "model"}
            | {"score": self._score},  # as resolved, so that a later default cannot change a saved detector
            "threshold_": self.threshold_,
            "correction_": None if self.correction_ is None else dataclasses.asdict(self.correction_),
            "scaler_": None if self.scaler_ is None else self.scaler_.state_dict(),
            "val_parts_": {name: torch.tensor(v) for name, v in self.val_parts_.items()},
            "reference_": self.reference_,
            "feature_names_in_": None if self.feature_names_in_ is None else list(self.feature_names_in_),
        }
        return write_file(path, self.model, history=self.history_, detector=state)

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: str | torch.device | None = None) -> Detector:
        """Load a detector saved by :meth:`save` (weights only: no code from the file is run). A file that
        holds a model alone (:func:`~vaetools.checkpoints.save_checkpoint`, :func:`~vaetools.checkpoints.
        fit_or_load`) gives an unfitted detector around that model, with the default settings: change them
        with :meth:`set_params`, then :meth:`calibrate` it.

        Args:
            path: the file.
            device: where the model goes (default: the CPU).

        Raises:
            FileNotFoundError: no file at ``path``. CheckpointError: not a readable vaetools file.
        """
        payload = read_file(path)
        model = build_model(payload, path, device)
        state = payload["detector"]
        if state is not None and state.get("format") == "vaetools-detector-v1":
            state = _state_from_v1(state, model)
        detector = cls(model, **({} if state is None else state["params"]))
        detector.history_ = history_table(payload)
        if state is None:
            return detector
        detector.threshold_ = state["threshold_"]
        if state["correction_"] is not None:
            detector.correction_ = ComplexityCorrection(**state["correction_"])
        if state["scaler_"] is not None:
            detector.scaler_ = Standardizer.from_state_dict(state["scaler_"])
        detector.val_parts_ = {name: v.numpy() for name, v in state["val_parts_"].items()}
        detector.val_scores_ = detector._combined(detector.val_parts_)
        detector.reference_ = state["reference_"]
        if state["feature_names_in_"] is not None:
            detector.feature_names_in_ = np.asarray(state["feature_names_in_"], dtype=object)
        return detector

    def __repr__(self) -> str:
        fitted = "unfitted" if self.threshold_ is None else f"threshold_={self.threshold_:.4g}"
        neighbors = "" if self.neighbors is None else f"neighbors={self.neighbors}, "
        return (f"Detector({type(self.model).__name__}, score={self._score!r}, {neighbors}"
                f"threshold={self.threshold!r}, scaling={self.scaling!r}, {fitted})")


def _state_from_v1(old: dict, model: VAE) -> dict:
    """The detector state of a ``vaetools-detector-v1`` file in the layout :meth:`Detector.save` writes."""
    settings = old["settings"]
    correction = None
    if settings["score"] in _CORRECTED:
        weight = 1.0 if old.get("weight_") is None else old["weight_"]
        correction = {"sigma2": old["sigma2_"], "weight": weight, "size": int(np.prod(model.input_shape)),
                      "codec": settings["codec"]}
    return {"params": settings, "threshold_": old["threshold_"], "correction_": correction,
            "scaler_": old["scaler_"], "val_parts_": {settings["score"]: old["val_scores_"]},
            "reference_": None, "feature_names_in_": None}

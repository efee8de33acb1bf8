"""One file format for trained models and fitted detectors.

Every file that vaetools writes (:func:`~vaetools.checkpoints.save_checkpoint`,
:func:`~vaetools.checkpoints.fit_or_load`, :meth:`Detector.save <vaetools.detector.Detector.save>`) is a
weights-only torch file (``torch.load(..., weights_only=True)`` reads it without running any code from it)
holding one dict:

==================  =====================================================================================
key                 what it holds
==================  =====================================================================================
``format``          :data:`FORMAT`
``vaetools``        the vaetools version that wrote it
``torch``           the torch version that wrote it
``model_class``     the model's class name (:data:`~vaetools.models.MODELS`)
``model_config``    the keyword arguments that rebuild the model
``state_dict``      the weights, on the CPU
``history``         the training history as a dict of lists, or ``None``
``config``          the training configuration (:func:`~vaetools.checkpoints.config_key`), or ``{}``
``detector``        a fitted detector's settings and state, or ``None`` for a model alone
==================  =====================================================================================

So a detector file is a checkpoint with a ``detector`` entry: :func:`~vaetools.checkpoints.load_checkpoint`
reads the model of any file, and :meth:`Detector.load <vaetools.detector.Detector.load>` a fitted detector
from a detector file or an unfitted one around the model of a checkpoint. The files of earlier releases
(``vaetools-checkpoint-v1``, ``vaetools-detector-v1``) are read too.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import torch

from .models import MODELS, VAE

__all__ = ["FORMAT", "CheckpointError", "write_file", "read_file", "build_model", "load_weights", "history_table"]

#: The ``format`` entry of every file vaetools writes.
FORMAT = "vaetools-v2"
_CHECKPOINT_V1, _DETECTOR_V1 = "vaetools-checkpoint-v1", "vaetools-detector-v1"


class CheckpointError(RuntimeError):
    """A model or detector file is unreadable, or it does not match the model or configuration asked for."""


def write_file(
    path: str | os.PathLike,
    model: VAE,
    *,
    history: pd.DataFrame | None = None,
    config: dict | None = None,
    detector: dict | None = None,
) -> Path:
    """Write one file of :data:`FORMAT` (see the module docstring), whole or not at all."""
    from . import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "vaetools": __version__,
        "torch": str(torch.__version__),
        "model_class": type(model).__name__,
        "model_config": model.config(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "history": None if history is None else history.reset_index().to_dict(orient="list"),
        "config": config or {},
        "detector": detector,
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one per process: parallel test workers may save
    torch.save(payload, tmp)                                 # the same configuration at the same time
    tmp.replace(path)  # never leave a half-written file behind
    return path


def read_file(path: str | os.PathLike) -> dict:
    """Read a file written by :func:`write_file` (or by an earlier release) as a dict of :data:`FORMAT`.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        CheckpointError: the file is corrupt or not a vaetools file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(
            f"{path} is corrupt or not a vaetools file ({type(error).__name__}); delete it and train again"
        ) from None
    kind = payload.get("format") if isinstance(payload, dict) else None
    if kind == FORMAT:
        return payload
    if kind == _CHECKPOINT_V1:
        return payload | {"format": FORMAT, "vaetools": None, "torch": None, "detector": None}
    if kind == _DETECTOR_V1:
        keep = ("model_class", "model_config", "state_dict")
        return {"format": FORMAT, "vaetools": None, "torch": None, **{k: payload[k] for k in keep},
                "history": payload["history_"], "config": {}, "detector": payload}
    raise CheckpointError(f"{path} is not a vaetools file (format {kind!r}, expected {FORMAT!r})")


def build_model(payload: dict, path: str | os.PathLike, device: str | torch.device | None = None) -> VAE:
    """A new model of the file's class and configuration with its weights, on ``device`` (default: the CPU),
    in ``eval()`` mode."""
    name = payload["model_class"]
    if name not in MODELS:
        raise CheckpointError(f"{path} holds an unknown model class {name!r}")
    model = MODELS[name](**payload["model_config"])
    load_weights(model, payload, path)
    return model.to(device or "cpu").eval()


def load_weights(model: VAE, payload: dict, path: str | os.PathLike) -> None:
    """Load the file's weights into ``model``, with a clear error when they do not fit."""
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(f"{path}: the weights do not fit the model ({error})") from None


def history_table(payload: dict) -> pd.DataFrame | None:
    """The training history of a file as a DataFrame indexed by epoch, or ``None``."""
    return None if payload["history"] is None else pd.DataFrame(payload["history"]).set_index("epoch")

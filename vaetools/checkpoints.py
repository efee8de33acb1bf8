"""Checkpoints: save and load trained models, and reuse them across notebooks with :func:`fit_or_load`."""
from __future__ import annotations

import hashlib
import inspect
import json
import os
from pathlib import Path

import pandas as pd
import torch

from . import training
from .models import MODELS, VAE, check_inputs
from .paths import cache_dir
from .training import fit

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "fit_or_load", "config_key"]

_FORMAT = "vaetools-checkpoint-v1"


class CheckpointError(RuntimeError):
    """A checkpoint is unreadable, or it does not match the model or configuration asked for."""


def save_checkpoint(
    path: str | os.PathLike, model: VAE, *, history: pd.DataFrame | None = None, config: dict | None = None
) -> Path:
    """Save a model with its constructor arguments, its training history and a configuration dict."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": _FORMAT,
        "model_class": type(model).__name__,
        "model_config": model.config(),
        "state_dict": model.state_dict(),
        "history": None if history is None else history.reset_index().to_dict(orient="list"),
        "config": config or {},
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one per process: parallel test workers may save
    torch.save(payload, tmp)                                 # the same configuration at the same time
    tmp.replace(path)  # never leave a half-written checkpoint behind
    return path


def load_checkpoint(
    path: str | os.PathLike,
    *,
    model: VAE | None = None,
    config: dict | None = None,
    device: str | torch.device | None = None,
) -> tuple[VAE, pd.DataFrame | None]:
    """Load a checkpoint written by :func:`save_checkpoint`.

    Args:
        path: the file.
        model: if given, the weights are loaded into it, and its class and constructor arguments must
            match the checkpoint's; otherwise a new model is built from the checkpoint.
        config: if given, must equal the configuration stored with the checkpoint.
        device: where a newly built model goes (default: the CPU); a given ``model`` keeps its
            device. Checkpoints load onto any device, whatever device saved them.

    Returns:
        ``(model, history)`` with the model in ``eval()`` mode.

    Raises:
        CheckpointError: the file is missing, corrupt, not a vaetools checkpoint, or does not match.
    """
    path = Path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}") from None
    except Exception as error:
        raise CheckpointError(
            f"{path} is corrupt or not a checkpoint ({type(error).__name__}); delete it and train again"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise CheckpointError(f"{path} is not a {_FORMAT} file; delete it and train again")
    name, kwargs = payload["model_class"], payload["model_config"]
    if model is None:
        if name not in MODELS:
            raise CheckpointError(f"{path} holds an unknown model class {name!r}")
        model = MODELS[name](**kwargs).to(device or "cpu")
    elif type(model).__name__ != name or model.config() != kwargs:
        raise CheckpointError(
            f"{path} holds a {name}({kwargs}), not the {type(model).__name__}({model.config()}) asked for"
        )
    if config is not None and payload["config"] != config:
        changed = sorted(k for k in set(config) | set(payload["config"]) if config.get(k) != payload["config"].get(k))
        raise CheckpointError(f"{path} was trained with another configuration (differs in: {changed})")
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(f"{path}: the weights do not fit the model ({error})") from None
    history = None if payload["history"] is None else pd.DataFrame(payload["history"]).set_index("epoch")
    return model.eval(), history


def _fingerprint(x: torch.Tensor) -> str:
    return f"{tuple(x.shape)}:" + hashlib.sha256(x.detach().cpu().contiguous().numpy().tobytes()).hexdigest()


def config_key(model: VAE, x: torch.Tensor, fit_kwargs: dict) -> tuple[str, dict]:
    """The full training configuration and its hash.

    The configuration holds the model class and constructor arguments, every argument of
    :func:`~vaetools.training.fit` (defaults included, ``progress`` and ``callback`` excluded; ``corrupt``
    by its module and name) and a fingerprint of the training and validation data, so any change gives
    another key. The device is not part of the key: a model trained on a GPU is reused on the CPU and
    vice versa.
    """
    if fit_kwargs.get("warm_start"):
        raise ValueError("fit_or_load trains from fresh weights; warm_start=True would make the key ambiguous")
    bound = inspect.signature(training.fit).bind(model, x, **fit_kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    for name in ("model", "x", "progress", "callback"):
        arguments.pop(name)
    corrupt = arguments.pop("corrupt")
    if corrupt is not None:  # named, so the key is stable; without one the key is that of earlier releases
        if "<" in getattr(corrupt, "__qualname__", "<"):
            raise ValueError("corrupt must be a function defined at the top of a module (e.g. "
                             "vt.random_quarter_turns), so that the checkpoint key can name it")
        arguments["corrupt"] = f"{corrupt.__module__}.{corrupt.__qualname__}"
    arguments["x_val"] = None if arguments["x_val"] is None else _fingerprint(check_inputs(model, arguments["x_val"]))
    config = {
        "model_class": type(model).__name__,
        "model_config": model.config(),
        "data": _fingerprint(check_inputs(model, x)),
        "fit": arguments,
        "torch": torch.__version__.split("+")[0],
    }
    key = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
    return key, config


def fit_or_load(
    model: VAE,
    x: torch.Tensor,
    *,
    name: str,
    cache: str | os.PathLike | None = None,
    **fit_kwargs,
) -> pd.DataFrame:
    """Train ``model`` with :func:`~vaetools.training.fit`, or load the weights a run with the same
    configuration saved before.

    The checkpoint is ``<cache>/<name>-<key>.pt`` where the key hashes the full configuration
    (:func:`config_key`), so a later notebook reuses the model an earlier one trained, and a changed
    configuration never loads a stale model.

    Args:
        model: a freshly built model; trained or loaded in place.
        x: training inputs.
        name: a readable prefix for the file name.
        cache: checkpoint folder; defaults to ``$VAETOOLS_CACHE``, else ``./checkpoints``.
        **fit_kwargs: passed to :func:`~vaetools.training.fit`.

    Returns:
        The training history.
    """
    key, config = config_key(model, x, fit_kwargs)
    path = cache_dir(cache) / f"{name}-{key}.pt"
    if path.exists():
        return load_checkpoint(path, model=model, config=config)[1]
    history = fit(model, x, **fit_kwargs)
    save_checkpoint(path, model, history=history, config=config)
    return history

"""Checkpoints: save and load trained models, and reuse them across notebooks with :func:`fit_or_load`.

The files are those of :mod:`vaetools.files`, the one format for models and detectors."""
from __future__ import annotations

import hashlib
import inspect
import json
import os
from pathlib import Path

import pandas as pd
import torch

from . import training
from .files import CheckpointError, build_model, history_table, load_weights, read_file, write_file
from .models import VAE, check_inputs
from .paths import cache_dir
from .training import fit

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "fit_or_load", "config_key"]


def save_checkpoint(
    path: str | os.PathLike, model: VAE, *, history: pd.DataFrame | None = None, config: dict | None = None
) -> Path:
    """Save a model with its constructor arguments, its training history and a configuration dict, in the
    one file format of :mod:`vaetools.files` (with the vaetools and torch versions that wrote it)."""
    return write_file(path, model, history=history, config=config)


def load_checkpoint(
    path: str | os.PathLike,
    *,
    model: VAE | None = None,
    config: dict | None = None,
    device: str | torch.device | None = None,
) -> tuple[VAE, pd.DataFrame | None]:
    """Load the model of a file written by :func:`save_checkpoint`, :func:`fit_or_load` or
    :meth:`Detector.save <vaetools.detector.Detector.save>` (or by an earlier release).

    Args:
        path: the file.
        model: if given, the weights are loaded into it, and its class and constructor arguments must
            match the file's; otherwise a new model is built from the file.
        config: if given, must equal the configuration stored with the checkpoint.
        device: where a newly built model goes (default: the CPU); a given ``model`` keeps its
            device. Checkpoints load onto any device, whatever device saved them.

    Returns:
        ``(model, history)`` with the model in ``eval()`` mode.

    Raises:
        CheckpointError: the file is missing, corrupt, not a vaetools file, or does not match.
    """
    try:
        payload = read_file(path)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}") from None
    name, kwargs = payload["model_class"], payload["model_config"]
    if model is not None and (type(model).__name__ != name or model.config() != kwargs):
        raise CheckpointError(
            f"{path} holds a {name}({kwargs}), not the {type(model).__name__}({model.config()}) asked for"
        )
    if config is not None and payload["config"] != config:
        changed = sorted(k for k in set(config) | set(payload["config"]) if config.get(k) != payload["config"].get(k))
        raise CheckpointError(f"{path} was trained with another configuration (differs in: {changed})")
    if model is None:
        model = build_model(payload, path, device)
    else:
        load_weights(model, payload, path)
    return model.eval(), history_table(payload)


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

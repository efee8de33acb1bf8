"""Which device the tutorial computes on: a GPU when there is one, else the CPU.

``VAETOOLS_DEVICE`` overrides the choice (``cpu``, ``cuda``, ``cuda:1``, ``mps``), e.g. to compare
timings or to keep a busy GPU free.
"""
from __future__ import annotations

import os

import torch

__all__ = ["default_device"]


def default_device(device: str | torch.device | None = None) -> torch.device:
    """The device to compute on: ``device`` if given, else ``$VAETOOLS_DEVICE``, else CUDA when
    available, else the CPU.

    Raises:
        ValueError: the name is not a device, or names CUDA on a machine without it.
    """
    name = device if device is not None else os.environ.get("VAETOOLS_DEVICE") or None
    if name is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(name)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"{name!r} is not a device name (try 'cpu' or 'cuda'): {error}") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {name!r} asked for, but this machine has no CUDA GPU; use 'cpu' "
            "(or unset VAETOOLS_DEVICE)"
        )
    return chosen

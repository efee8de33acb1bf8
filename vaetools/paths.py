"""Where vaetools reads data and writes checkpoints, tables and figures.

Every location comes from an argument first, then an environment variable, then a default
relative to the current working directory (the notebook's folder inside Jupyter):

=====================  =====================  ==========================
what                   environment variable   default
=====================  =====================  ==========================
data sets              ``VAETOOLS_DATA``      ``./data``
model checkpoints      ``VAETOOLS_CACHE``     ``./checkpoints``
tables (CSV files)     ``VAETOOLS_OUTPUT``    ``./outputs``
figures                ``VAETOOLS_FIGURES``   ``<output folder>/figures``
=====================  =====================  ==========================
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "cache_dir", "output_dir", "figure_path", "output_path"]


def _resolve(path: str | os.PathLike | None, variable: str, default: str | Path) -> Path:
    if path is None:
        path = os.environ.get(variable) or default
    return Path(path).expanduser()


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """Folder that holds the data sets: ``root``, else ``$VAETOOLS_DATA``, else ``./data``."""
    return _resolve(root, "VAETOOLS_DATA", "data")


def cache_dir(root: str | os.PathLike | None = None) -> Path:
    """Folder for model checkpoints: ``root``, else ``$VAETOOLS_CACHE``, else ``./checkpoints``."""
    return _resolve(root, "VAETOOLS_CACHE", "checkpoints")


def output_dir(root: str | os.PathLike | None = None) -> Path:
    """Folder for generated tables: ``root``, else ``$VAETOOLS_OUTPUT``, else ``./outputs``."""
    return _resolve(root, "VAETOOLS_OUTPUT", "outputs")


def output_path(name: str) -> Path:
    """Path of a generated file (e.g. a CSV) inside :func:`output_dir`, folder created."""
    folder = output_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def figure_path(name: str) -> Path:
    """Path of a figure file: inside ``$VAETOOLS_FIGURES``, else ``<output folder>/figures``.

    The tests leave the figures in the (git-ignored) output folder; ``python -m vaetools.tutorial``
    points ``VAETOOLS_FIGURES`` at the repository's ``figures/`` folder shown in the README.
    """
    folder = _resolve(None, "VAETOOLS_FIGURES", output_dir() / "figures")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name

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

The benchmark tables that ship with the repository (``benchmarks/results/``) are read by
:func:`read_benchmark_csv`: from the checkout where there is one, else from GitHub (Colab).
"""
from __future__ import annotations

import os
import urllib.error
from importlib import metadata
from pathlib import Path

import pandas as pd

__all__ = ["data_dir", "cache_dir", "output_dir", "figure_path", "output_path", "read_benchmark_csv"]

#: Where the benchmark scripts write their tables, relative to the repository root.
RESULTS_FOLDER = Path("benchmarks") / "results"


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

    The tests and ``python -m vaetools.tutorial`` leave the figures in the (git-ignored) output folder;
    ``python -m vaetools.tutorial --figures`` points ``VAETOOLS_FIGURES`` at the repository's ``figures/``
    folder shown in the README.
    """
    folder = _resolve(None, "VAETOOLS_FIGURES", output_dir() / "figures")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _results_url(name: str) -> str:
    """URL of ``benchmarks/results/<name>`` on the main branch of the repository in the package metadata."""
    urls = dict(entry.split(", ", 1) for entry in metadata.metadata("vaetools").get_all("Project-URL") or [])
    repo = urls["Repository"].removeprefix("https://github.com/")
    return f"https://raw.githubusercontent.com/{repo}/main/{RESULTS_FOLDER.as_posix()}/{name}"


def read_benchmark_csv(name: str, start: str | os.PathLike | None = None) -> pd.DataFrame:
    """A table that a benchmark script wrote to the repository's ``benchmarks/results/`` folder.

    Read from the checkout when ``start`` (default: the current folder, e.g. ``notebooks/``) or a
    folder above it holds ``benchmarks/results/<name>``; otherwise, where only the package is
    installed (Colab), from the repository on GitHub that the package metadata names.
    """
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / RESULTS_FOLDER / name).is_file():
            return pd.read_csv(folder / RESULTS_FOLDER / name)
    url = _results_url(name)
    try:
        return pd.read_csv(url)
    except (urllib.error.URLError, OSError) as error:
        raise FileNotFoundError(
            f"{RESULTS_FOLDER.as_posix()}/{name} is neither in {start} nor in a folder above it, and {url} "
            f"could not be read ({error}). Run from a clone of the repository, or run the benchmark "
            "script that writes it (see benchmarks/README.md)."
        ) from None

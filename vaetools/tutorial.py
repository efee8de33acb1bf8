"""Run the whole tutorial headless: execute every notebook in order, writing figures and CSV tables.

    python -m vaetools.tutorial             # figures -> figures/, tables -> outputs/, executed copies -> outputs/notebooks/
    python -m vaetools.tutorial --inplace   # also store the fresh outputs in notebooks/*.ipynb (maintainers)

Run it from the repository root. The data folder comes from ``VAETOOLS_DATA`` (default ``./data``,
downloaded where a network exists); checkpoints are cached in ``notebooks/checkpoints``.
"""
from __future__ import annotations

import argparse
import os
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["run_notebooks", "main"]


def run_notebooks(root: str | Path = ".", *, inplace: bool = False, pattern: str = "[0-9]*.ipynb") -> list[Path]:
    """Execute the notebooks in ``<root>/notebooks`` in a fresh kernel each; return the written paths."""
    root = Path(root).resolve()
    settings = {
        "VAETOOLS_FIGURES": os.environ.get("VAETOOLS_FIGURES") or str(root / "figures"),
        "VAETOOLS_OUTPUT": os.environ.get("VAETOOLS_OUTPUT") or str(root / "outputs"),
        "VAETOOLS_DATA": str(Path(os.environ.get("VAETOOLS_DATA") or root / "data").resolve()),
    }
    with _environment(settings):  # the kernels inherit these; the caller's environment is restored after
        return [_execute(path, root, inplace) for path in sorted((root / "notebooks").glob(pattern))]


def _execute(path: Path, root: Path, inplace: bool) -> Path:
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    target = path if inplace else root / "outputs" / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    print(f"{path.name}: {time.perf_counter() - start:.0f} s -> {target.relative_to(root)}", flush=True)
    return target


@contextmanager
def _environment(values: dict[str, str]):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inplace", action="store_true", help="store the outputs in the notebooks themselves")
    parser.add_argument("--only", default="[0-9]*.ipynb", help="glob of notebooks to run (default: all)")
    args = parser.parse_args(argv)
    run_notebooks(".", inplace=args.inplace, pattern=args.only)


if __name__ == "__main__":
    main()

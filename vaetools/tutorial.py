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
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["run_notebooks", "main"]


def run_notebooks(root: str | Path = ".", *, inplace: bool = False, pattern: str = "[0-9]*.ipynb") -> list[Path]:
    """Execute the notebooks in ``<root>/notebooks`` in a fresh kernel each; return the written paths."""
    root = Path(root).resolve()
    os.environ.setdefault("VAETOOLS_FIGURES", str(root / "figures"))
    os.environ.setdefault("VAETOOLS_OUTPUT", str(root / "outputs"))
    if "VAETOOLS_DATA" in os.environ:
        os.environ["VAETOOLS_DATA"] = str(Path(os.environ["VAETOOLS_DATA"]).resolve())
    else:
        os.environ["VAETOOLS_DATA"] = str(root / "data")
    written = []
    for path in sorted((root / "notebooks").glob(pattern)):
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        target = path if inplace else root / "outputs" / "notebooks" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
        print(f"{path.name}: {time.perf_counter() - start:.0f} s -> {target.relative_to(root)}", flush=True)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inplace", action="store_true", help="store the outputs in the notebooks themselves")
    parser.add_argument("--only", default="[0-9]*.ipynb", help="glob of notebooks to run (default: all)")
    args = parser.parse_args(argv)
    run_notebooks(".", inplace=args.inplace, pattern=args.only)


if __name__ == "__main__":
    main()

"""Run the whole tutorial headless: execute every notebook in order, writing figures and CSV tables.

    python -m vaetools.tutorial             # tables -> outputs/, figures -> outputs/figures/,
                                            # executed copies -> outputs/notebooks/ (all git-ignored)
    python -m vaetools.tutorial --figures   # also refresh the README's figures in figures/ (maintainers)
    python -m vaetools.tutorial --inplace   # also store the fresh outputs in notebooks/*.ipynb (maintainers)

Run it from the repository root. Without ``--figures`` or ``--inplace`` it writes only to git-ignored
folders, so the working tree stays clean on any machine (models trained on another CPU differ in their
last bits, and so would the figures). The data folder comes from ``VAETOOLS_DATA`` (default ``./data``,
downloaded where a network exists); checkpoints are cached in ``notebooks/checkpoints``.
"""
from __future__ import annotations

import argparse
import html
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

__all__ = ["run_notebooks", "finish_progress_bars", "main"]


def run_notebooks(
    root: str | Path = ".", *, inplace: bool = False, figures: bool = False, pattern: str = "[0-9]*.ipynb"
) -> list[Path]:
    """Execute the notebooks in ``<root>/notebooks`` in a fresh kernel each; return the written paths.

    Tables go to ``$VAETOOLS_OUTPUT`` (default: the git-ignored ``<root>/outputs``); figures go to the
    README's ``<root>/figures`` when ``figures`` is true, else to ``$VAETOOLS_FIGURES`` (default: the
    output folder's ``figures``).
    """
    root = Path(root).resolve()
    output = Path(os.environ.get("VAETOOLS_OUTPUT") or root / "outputs").resolve()
    figure_folder = Path(os.environ.get("VAETOOLS_FIGURES") or output / "figures").resolve()
    if figures:
        figure_folder = root / "figures"
    settings = {
        "VAETOOLS_FIGURES": str(figure_folder),
        "VAETOOLS_OUTPUT": str(output),
        "VAETOOLS_DATA": str(Path(os.environ.get("VAETOOLS_DATA") or root / "data").resolve()),
    }
    with _environment(settings):  # the kernels inherit these; the caller's environment is restored after
        return [_execute(path, root, inplace) for path in sorted((root / "notebooks").glob(pattern))]


def _execute(path: Path, root: Path, inplace: bool) -> Path:
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    # IPC transport: the kernel talks over local sockets, so it prints no warning about unencrypted TCP
    with tempfile.TemporaryDirectory() as sockets:
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        try:
            NotebookClient(nb, km=kernel, timeout=None, startup_timeout=60,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:  # the client shuts down only kernels it created itself
            if kernel.has_kernel:
                kernel.shutdown_kernel()
    finish_progress_bars(nb)
    target = path if inplace else root / "outputs" / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    print(f"{path.name}: {time.perf_counter() - start:.0f} s -> {target.relative_to(root)}", flush=True)
    return target


def finish_progress_bars(nb) -> int:
    """Replace the text of every stored progress-bar widget by the bar's final state; return how many.

    A ``tqdm`` bar in a notebook is a widget; its ``text/plain`` fallback, which GitHub and other
    static viewers show, is the bar's *first* state ("0%| 0/10"). The widget state that nbclient
    stores in the notebook's metadata holds the final one: we write that as the text instead.
    """
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            text = _bar_text(state, view["model_id"]) if view else None
            if text is not None:
                output["data"]["text/plain"] = text
                changed += 1
    return changed


def _bar_text(state: dict, model_id: str) -> str | None:
    """``"desc: 100%|##########| 10/10 [...]"`` from a tqdm widget (an HBox of HTML, progress, HTML)."""
    children = state.get(model_id, {}).get("state", {}).get("children", [])
    models = [state.get(str(c).removeprefix("IPY_MODEL_"), {}) for c in children]
    if len(models) != 3 or models[1].get("model_name") != "FloatProgressModel":
        return None
    left, bar, right = (m.get("state", {}) for m in models)

    def clean(value: str) -> str:
        return html.unescape(value or "").replace("\u2007", " ")

    done = min(max(float(bar.get("value", 0)) / float(bar.get("max", 1) or 1), 0.0), 1.0)
    filled = round(10 * done)
    return clean(left.get("value")) + "|" + "\u2588" * filled + " " * (10 - filled) + "|" + clean(right.get("value"))


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
    parser.add_argument("--figures", action="store_true", help="refresh the README's figures in figures/")
    parser.add_argument("--only", default="[0-9]*.ipynb", help="glob of notebooks to run (default: all)")
    args = parser.parse_args(argv)
    run_notebooks(".", inplace=args.inplace, figures=args.figures, pattern=args.only)


if __name__ == "__main__":
    main()

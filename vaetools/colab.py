"""Colab badges and install cells of the notebooks.

The repository's GitHub ``OWNER/REPO`` lives in one place: ``[project.urls] Repository`` in
``pyproject.toml``. After changing it (e.g. in a fork), re-stamp every notebook::

    python -m vaetools.colab            # from the repository root
    python -m vaetools.colab --repo you/your-fork   # writes the new slug to pyproject.toml too

The first cell of every notebook is the badge; right after the title comes a one-line note and the
first code cell, which installs vaetools on Colab and does nothing elsewhere.
"""
from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import nbformat

__all__ = ["repository", "badge_markdown", "install_source", "notebook_extras", "stamp_notebook", "main"]

_URL = re.compile(r'(Repository\s*=\s*")https://github\.com/([^"/]+/[^"/]+)(")')
_BADGE_MARK = "colab-badge"
_INSTALL_MARK = "# Colab only:"
_NOTE = "*On Colab?* The next cell installs `vaetools` there; anywhere else it does nothing."


def repository(root: str | Path = ".") -> str:
    """The ``OWNER/REPO`` slug written in ``<root>/pyproject.toml``."""
    url = tomllib.loads((Path(root) / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", url)
    if not match:
        raise ValueError(f"pyproject.toml: Repository should be https://github.com/OWNER/REPO, got {url!r}")
    return match.group(1)


def badge_markdown(repo: str, notebook: str) -> str:
    """The 'Open in Colab' badge for ``notebook`` (a path relative to the repository root)."""
    url = f"https://colab.research.google.com/github/{repo}/blob/main/{notebook}"
    image = f"https://colab.research.google.com/assets/{_BADGE_MARK}.svg"
    return f'<a href="{url}" target="_parent"><img src="{image}" alt="Open In Colab"/></a>'


def install_source(repo: str, extras: tuple[str, ...] = ()) -> str:
    """The first code cell: installs vaetools (with optional ``extras``, e.g. ``("series",)`` for aeon)
    from GitHub when the notebook runs on Colab."""
    package = f"vaetools[{','.join(extras)}]" if extras else "vaetools"
    return (
        f"{_INSTALL_MARK} install vaetools from GitHub (elsewhere the README's install command did it).\n"
        "import sys\n\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{package} @ git+https://github.com/{repo}"'
    )


def notebook_extras(nb) -> tuple[str, ...]:
    """The optional dependencies a notebook needs: ``series`` (aeon) where its code imports aeon."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return ("series",) if "aeon" in code else ()


def stamp_notebook(path: str | Path, repo: str, root: str | Path = ".") -> bool:
    """Rewrite the badge cell and the install cell of one notebook; return True if it changed."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    relative = path.resolve().relative_to(Path(root).resolve()).as_posix()
    badge = nbformat.v4.new_markdown_cell(badge_markdown(repo, relative))
    install = nbformat.v4.new_code_cell(install_source(repo, notebook_extras(nb)))
    cells = nb.cells
    if cells and cells[0].cell_type == "markdown" and _BADGE_MARK in cells[0].source:
        changed = cells[0].source != badge.source
        cells[0].source = badge.source
    else:
        cells.insert(0, badge)
        changed = True
    note = nbformat.v4.new_markdown_cell(_NOTE)
    first = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    if first < len(cells) and cells[first].source.startswith(_INSTALL_MARK):
        changed |= cells[first].source != install.source
        cells[first].source = install.source
        if cells[first - 1].source != _NOTE:
            cells.insert(first, note)
            changed = True
    else:  # right after the title (the first markdown cell after the badge), before any other code
        at = 2 if len(cells) > 1 and cells[1].cell_type == "markdown" and first > 1 else 1
        cells[at:at] = [note, install]
        changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> None:
    """Command line: re-stamp every notebook under ``notebooks/`` with the slug from pyproject.toml."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", help="new OWNER/REPO, written to pyproject.toml first")
    parser.add_argument("--root", default=".", help="repository root (default: the current folder)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if args.repo:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
            parser.error(f"--repo must look like OWNER/REPO, got {args.repo!r}")
        pyproject = root / "pyproject.toml"
        text, n = _URL.subn(rf"\g<1>https://github.com/{args.repo}\g<3>", pyproject.read_text())
        if n != 1:
            parser.error("pyproject.toml has no Repository = \"https://github.com/...\" line to update")
        pyproject.write_text(text)
    repo = repository(root)
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        print(f"{'stamped' if stamp_notebook(path, repo, root) else 'unchanged'}: {path.as_posix()}")


if __name__ == "__main__":
    main()

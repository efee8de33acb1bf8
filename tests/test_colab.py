"""Every notebook opens in Colab at its own path and installs vaetools there."""
import shutil
from pathlib import Path

import nbformat
import pytest

from vaetools import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_points_at_the_notebook_itself(path):
    nb = nbformat.read(path, as_version=4)
    repo = colab.repository(ROOT)
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source == colab.badge_markdown(repo, f"notebooks/{path.name}")
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert nb.cells[first].source == colab.install_source(repo, colab.notebook_extras(nb))
    assert nb.cells[first - 1].source == colab._NOTE and nb.cells[1].source.startswith("# "), "badge, title, note"


def test_restamping_for_a_fork(tmp_path):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(nb, tmp_path / "notebooks" / "01_x.ipynb")
    colab.main(["--root", str(tmp_path), "--repo", "someone/fork"])
    assert colab.repository(tmp_path) == "someone/fork"
    stamped = nbformat.read(tmp_path / "notebooks" / "01_x.ipynb", as_version=4)
    assert "github/someone/fork/blob/main/notebooks/01_x.ipynb" in stamped.cells[0].source
    assert [c.cell_type for c in stamped.cells] == ["markdown", "markdown", "code", "code"]
    assert "git+https://github.com/someone/fork" in stamped.cells[2].source
    assert stamped.cells[3].source == "print(1)"
    assert not colab.stamp_notebook(tmp_path / "notebooks" / "01_x.ipynb", "someone/fork", tmp_path)
    with pytest.raises(SystemExit):
        colab.main(["--root", str(tmp_path), "--repo", "not a slug"])


def test_a_notebook_that_uses_aeon_installs_the_series_extra():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from aeon.datasets import load_basic_motions")])
    assert colab.notebook_extras(nb) == ("series",)
    assert '"vaetools[series] @ git+https://github.com/a/b"' in colab.install_source("a/b", ("series",))
    assert colab.notebook_extras(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])) == ()

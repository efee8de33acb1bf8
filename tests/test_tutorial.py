import os

import nbformat

from vaetools import tutorial


def test_run_notebooks_executes_in_order_and_writes_figures(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    for name, code in [("01_a.ipynb", "import vaetools as vt\nprint(vt.figure_path('f.png'))"),
                       ("02_b.ipynb", "print(2 + 2)"), ("scratch.ipynb", "raise SystemExit")]:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), tmp_path / "notebooks" / name)
    for variable in ("VAETOOLS_FIGURES", "VAETOOLS_OUTPUT", "VAETOOLS_DATA"):
        monkeypatch.delenv(variable, raising=False)
    written = tutorial.run_notebooks(tmp_path)
    assert [p.name for p in written] == ["01_a.ipynb", "02_b.ipynb"]
    executed = nbformat.read(tmp_path / "outputs" / "notebooks" / "01_a.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(tmp_path / "figures" / "f.png")
    assert (tmp_path / "figures").is_dir()
    assert "VAETOOLS_FIGURES" not in os.environ, "the caller's environment is restored"

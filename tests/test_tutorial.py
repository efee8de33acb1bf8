import os

import nbformat

from vaetools import tutorial


def _notebooks(root, cells):
    (root / "notebooks").mkdir()
    for name, code in cells:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), root / "notebooks" / name)


def test_run_notebooks_executes_in_order_and_writes_only_ignored_folders(tmp_path, monkeypatch):
    _notebooks(tmp_path, [("01_a.ipynb", "import vaetools as vt\nprint(vt.figure_path('f.png'))"),
                          ("02_b.ipynb", "print(2 + 2)"), ("scratch.ipynb", "raise SystemExit")])
    for variable in ("VAETOOLS_FIGURES", "VAETOOLS_OUTPUT", "VAETOOLS_DATA"):
        monkeypatch.delenv(variable, raising=False)
    written = tutorial.run_notebooks(tmp_path)
    assert [p.name for p in written] == ["01_a.ipynb", "02_b.ipynb"]
    executed = nbformat.read(tmp_path / "outputs" / "notebooks" / "01_a.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(tmp_path / "outputs" / "figures" / "f.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "outputs"], "the README's figures/ untouched"
    assert "VAETOOLS_FIGURES" not in os.environ, "the caller's environment is restored"


def test_run_notebooks_refreshes_the_readme_figures_only_when_asked(tmp_path, monkeypatch):
    _notebooks(tmp_path, [("01_a.ipynb", "import vaetools as vt\nprint(vt.figure_path('f.png'))")])
    monkeypatch.setenv("VAETOOLS_FIGURES", str(tmp_path / "elsewhere"))
    monkeypatch.chdir(tmp_path)
    tutorial.main(["--figures"])
    executed = nbformat.read(tmp_path / "outputs" / "notebooks" / "01_a.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(tmp_path / "figures" / "f.png")
    assert (tmp_path / "figures").is_dir() and not (tmp_path / "elsewhere").exists()


def test_finish_progress_bars_stores_the_final_state():
    nb = nbformat.v4.new_notebook()
    view = {"model_id": "bar", "version_major": 2, "version_minor": 0}
    output = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": view, "text/plain": "training:   0%|          | 0/10 [00:00<?]"})
    nb.cells.append(nbformat.v4.new_code_cell("fit()", outputs=[output]))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_l", "IPY_MODEL_p", "IPY_MODEL_r"]}},
        "l": {"model_name": "HTMLModel", "state": {"value": "training:\u2007100%"}},
        "p": {"model_name": "FloatProgressModel", "state": {"value": 10.0, "max": 10.0}},
        "r": {"model_name": "HTMLModel", "state": {"value": "\u200710/10\u2007[00:05&lt;00:00,\u2007loss=65.2]"}},
    }}}
    assert tutorial.finish_progress_bars(nb) == 1
    text = nb.cells[0].outputs[0]["data"]["text/plain"]
    assert text == "training: 100%|" + "\u2588" * 10 + "| 10/10 [00:05<00:00, loss=65.2]"


def test_runner_prints_no_transport_warning(tmp_path, capfd):
    _notebooks(tmp_path, [("01_a.ipynb", "1 + 1")])
    tutorial.run_notebooks(tmp_path)
    captured = capfd.readouterr()
    assert "WARNING" not in captured.err + captured.out, captured.err

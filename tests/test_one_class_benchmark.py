"""The label-free selection and the table of ``benchmarks/one_class.py`` (the script itself trains for minutes)."""
import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))  # the script imports its sibling cli.py
one_class = importlib.import_module("one_class")


def rows(val_elbo: dict[tuple[int, int], float]) -> pd.DataFrame:
    """Two score rows per (class, seed), as the script writes them, with that run's validation -ELBO."""
    return pd.DataFrame([{"class": c, "seed": s, "score": score, "auroc": 0.9, "val_elbo": value}
                         for (c, s), value in val_elbo.items() for score in ("mse", "turn_cw_knn")])


def test_schedule_selection_picks_the_lower_validation_elbo(tmp_path):
    constant = tmp_path / "constant.csv"
    # the constant-rate file holds more classes than this run: only the shared ones count
    rows({(0, 0): 100.0, (1, 0): 110.0, (2, 0): 1.0}).to_csv(constant, index=False)
    line = one_class.schedule_selection(rows({(0, 0): 99.0, (1, 0): 108.0}), constant, "40 epochs, constant rate",
                                        "cosine")
    assert "40 epochs, constant rate 105.000, cosine 103.500; lower: cosine" in line
    line = one_class.schedule_selection(rows({(0, 0): 101.0, (1, 0): 110.0}), constant, "40 epochs, constant rate",
                                        "60 epochs")
    assert line.endswith("lower: 40 epochs, constant rate")


def test_schedule_selection_says_what_it_cannot_compare(tmp_path):
    missing = one_class.schedule_selection(rows({(0, 0): 1.0}), tmp_path / "none.csv", "60 epochs, constant rate",
                                           "80 epochs")
    assert missing.startswith("schedule selection: no results of the schedule in place (60 epochs, constant rate)")
    constant = tmp_path / "constant.csv"
    rows({(0, 0): 1.0}).to_csv(constant, index=False)
    lacking = one_class.schedule_selection(rows({(0, 0): 1.0, (0, 1): 2.0}), constant, "40 epochs, constant rate",
                                           "cosine")
    assert "lacks some of these classes and seeds" in lacking


def test_markdown_gives_mean_and_spread_over_seeds():
    results = pd.DataFrame([{"class": c, "seed": s, "score": "knn5", "auroc": auroc}
                            for c, s, auroc in ((0, 0, 0.90), (0, 1, 0.92), (1, 0, 0.80), (1, 1, 0.82))])
    table = one_class.markdown(results).splitlines()
    assert table[0] == "| score | 0 | 1 | mean |"
    assert table[2] == "| knn5 | 91.0 ± 1.4 | 81.0 ± 1.4 | **86.0 ± 1.4** |"


def test_screen_scores_only_the_normal_validation_images(tmp_path, monkeypatch):
    generator = torch.Generator().manual_seed(0)
    x_train, x_test = torch.rand(60, 1, 28, 28, generator=generator), torch.rand(20, 1, 28, 28, generator=generator)
    y_train, y_test = np.arange(60) % 2, np.arange(20) % 2
    monkeypatch.setattr(one_class, "images", lambda dataset, data: (x_train, y_train, x_test, y_test, ["a", "b"]))
    scored = []
    score_table = one_class.vt.score_table
    monkeypatch.setattr(one_class.vt, "score_table", lambda model, x, **kw: scored.append(len(x)) or score_table(
        model, x, **kw))
    path = tmp_path / "one_class_mnist_screen.csv"
    for network in ([], [], ["--refine", "3", "--channels", "8", "16"]):  # each screen appends its rows
        one_class.main(["--screen", "--turns", "--epochs", "1", "--classes", "0", "--lr", "2e-3", "--jobs", "1",
                        "--out", str(tmp_path), *network])
    screen = pd.read_csv(path)
    assert scored == [3, 3, 3]  # 10 % of the 30 normal training images; never the 20 test images
    assert list(screen["class"]) == [0, 0, 0] and (screen.lr == 2e-3).all() and screen.turns.all()
    assert list(screen.refine) == [0, 0, 3] and list(screen.channels) == ["32-64", "32-64", "8-16"]
    assert np.isfinite(screen.val_elbo).all() and screen.val_elbo[0] == screen.val_elbo[1]
    assert screen.val_elbo[2] != screen.val_elbo[1]  # the network options reach the model
    committed = pd.read_csv(Path(one_class.__file__).parent / "results" / "one_class_mnist_screen.csv")
    assert list(committed.columns) == list(screen.columns)  # new rows append under the committed header
    assert not list(tmp_path.glob("*.md"))  # no AUROC table


def test_a_cut_off_run_resumes_where_it_stopped_with_the_same_rows(tmp_path, monkeypatch):
    generator = torch.Generator().manual_seed(0)
    x_train, x_test = torch.rand(60, 1, 28, 28, generator=generator), torch.rand(20, 1, 28, 28, generator=generator)
    y_train, y_test = np.arange(60) % 2, np.arange(20) % 2
    monkeypatch.setattr(one_class, "images", lambda dataset, data: (x_train, y_train, x_test, y_test, ["a", "b"]))
    argv = ["--turns", "--epochs", "1", "--classes", "0", "1", "--jobs", "1"]
    one_class.main([*argv, "--out", str(tmp_path / "whole")])
    def rows(folder):  # all but the wall times
        return pd.read_csv(tmp_path / folder / "one_class_mnist_turns_e1.csv", float_precision="round_trip").drop(
            columns="seconds")
    whole = rows("whole")
    assert not (tmp_path / "whole" / "one_class_mnist_turns_e1.parts").exists()  # removed once the results are out

    normal_class, ran = one_class.normal_class, []
    def cut_off_at_class_1(task, *args):
        ran.append(task)
        if task == (1, 0):
            raise KeyboardInterrupt  # the session ends
        return normal_class(task, *args)
    monkeypatch.setattr(one_class, "normal_class", cut_off_at_class_1)
    with pytest.raises(KeyboardInterrupt):
        one_class.main([*argv, "--out", str(tmp_path / "cut")])
    assert [p.name for p in sorted((tmp_path / "cut" / "one_class_mnist_turns_e1.parts").glob("*.csv"))] == [
        "class0_seed0.csv"]
    with pytest.raises(SystemExit, match="other settings"):  # another setting cannot read these parts back
        one_class.main([*argv, "--k", "8", "--resume", "--out", str(tmp_path / "cut")])

    ran.clear()
    monkeypatch.setattr(one_class, "normal_class", lambda task, *args: ran.append(task) or normal_class(task, *args))
    # the checkpoints' folder changes no row, so it may differ from the cut-off run's
    one_class.main([*argv, "--resume", "--checkpoints", str(tmp_path / "models"), "--out", str(tmp_path / "cut")])
    assert ran == [(1, 0)]  # class 0 was read back, not run again
    pd.testing.assert_frame_equal(rows("cut"), whole, check_exact=True)
    assert "read back 1 of the 2" in (tmp_path / "cut" / "one_class_mnist_turns_e1.md").read_text()


def test_shifted_knn_adds_its_rows_and_checkpoints_give_the_same_models(tmp_path, monkeypatch):
    generator = torch.Generator().manual_seed(0)
    x_train, x_test = torch.rand(60, 1, 28, 28, generator=generator), torch.rand(20, 1, 28, 28, generator=generator)
    y_train, y_test = np.arange(60) % 2, np.arange(20) % 2
    monkeypatch.setattr(one_class, "images", lambda dataset, data: (x_train, y_train, x_test, y_test, ["a", "b"]))
    argv = ["--turns", "--epochs", "1", "--classes", "0", "--jobs", "1"]
    one_class.main([*argv, "--out", str(tmp_path / "plain")])
    checkpoints = ["--shifted-knn", "--checkpoints", str(tmp_path / "models")]
    one_class.main([*argv, *checkpoints, "--out", str(tmp_path / "trained")])
    assert len(list((tmp_path / "models").glob("one_class-*.pt"))) == 1

    fit = one_class.vt.fit
    monkeypatch.setattr(one_class.vt, "fit", lambda *a, **kw: pytest.fail("trained although a checkpoint exists"))
    one_class.main([*argv, *checkpoints, "--out", str(tmp_path / "loaded")])
    monkeypatch.setattr(one_class.vt, "fit", fit)

    def rows(folder, name):  # all but the wall times
        return pd.read_csv(tmp_path / folder / f"{name}.csv", float_precision="round_trip").drop(columns="seconds")
    plain = rows("plain", "one_class_mnist_turns_e1")
    trained, loaded = (rows(folder, "one_class_mnist_turns_e1_shift") for folder in ("trained", "loaded"))
    pd.testing.assert_frame_equal(loaded, trained, check_exact=True)
    new = {"knn5s", "pca_cw_knn5s", "turn_cw_knn5s"}
    assert set(trained.score) == set(plain.score) | new
    same = trained[~trained.score.isin(new)].reset_index(drop=True)  # the rows of the run without the option
    pd.testing.assert_frame_equal(same, plain, check_exact=True)
    assert trained[trained.score.isin(new)].auroc.between(0, 1).all()
    table = (tmp_path / "trained" / "one_class_mnist_turns_e1_shift.md").read_text()
    assert "| turn_cw_knn5s |" in table and "schedule selection" not in table  # round 11 selects nothing

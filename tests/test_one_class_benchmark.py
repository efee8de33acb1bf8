"""``benchmarks/one_class.py`` and ``benchmarks/report.py``: configs, the results file, the tables, and that the
benchmark's rows are what a user of ``vt.Detector`` gets (the full runs train for hours; these take seconds)."""
import copy
import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the scripts import their sibling cli.py
one_class = importlib.import_module("one_class")
report = importlib.import_module("report")
vt = one_class.vt


def tiny(config: str = "round11", **training) -> dict:
    """A committed config on a small network trained for one epoch, two classes, one seed."""
    config = copy.deepcopy(one_class.load_config(config))
    config["model"] |= {"channels": [8, 16]}
    config["training"] |= {"epochs": 1, **training}
    config |= {"datasets": ["mnist"], "classes": [0, 1], "seeds": [0]}
    return config


@pytest.fixture
def random_images(monkeypatch):
    """60 training and 20 test images of two classes in place of MNIST."""
    generator = torch.Generator().manual_seed(0)
    x_train, x_test = torch.rand(60, 1, 28, 28, generator=generator), torch.rand(20, 1, 28, 28, generator=generator)
    data = (x_train, np.arange(60) % 2, x_test, np.arange(20) % 2, ["a", "b"])
    monkeypatch.setattr(one_class, "images", lambda dataset, root: data)
    monkeypatch.setattr(one_class, "test_lengths", lambda dataset, root, codec: vt.input_complexity(x_test, codec))
    return data


def rows(path: Path) -> pd.DataFrame:
    """The results file without what differs between two runs of the same rows (time, date)."""
    return pd.read_csv(path, float_precision="round_trip").drop(columns=["seconds", "date"])


def test_every_committed_config_loads_and_its_hash_ignores_what_selects_rows(tmp_path):
    names = {one_class.load_config(path)["name"] for path in (BENCHMARKS / "configs").glob("*.toml")}
    assert {"headline", "round11", "round03", "baselines", "round09-reference"} <= names
    text = (BENCHMARKS / "configs" / "round11.toml").read_text()
    other = tmp_path / "other.toml"
    other.write_text(text.replace("seeds = [0, 1, 2]", "seeds = [5]").replace('name = "round11"', 'name = "x"'))
    assert one_class.load_config(other)["hash"] == one_class.load_config("round11")["hash"]
    other.write_text(text.replace("epochs = 80", "epochs = 81"))
    assert one_class.load_config(other)["hash"] != one_class.load_config("round11")["hash"]
    other.write_text(text.replace('"knn5s"]', '"knn9"]'))
    with pytest.raises(SystemExit, match="unknown scores"):
        one_class.load_config(other)


def test_rows_are_appended_per_run_and_a_cut_off_run_goes_on_where_it_stopped(tmp_path, random_images, monkeypatch):
    config = tiny()
    whole = tmp_path / "whole.csv"
    table = one_class.run(config, whole, jobs=1)
    assert list(table.columns) == list(one_class.COLUMNS)
    expected = set(config["scores"]["baselines"] + config["scores"]["vae"] + list(config["scores"]["sums"]))
    assert set(table.score) == expected and len(table) == 2 * len(expected)
    assert (table.config == "round11").all() and (table.config_hash == config["hash"]).all()
    assert table.auroc.between(0, 1).all() and table.val_elbo.notna().all() and table.w_turn.notna().all()

    cut = tmp_path / "cut.csv"
    one_class.run(config, cut, classes=[0], jobs=1)  # the session ends after class 0
    ran = []
    run_task = one_class.run_task
    monkeypatch.setattr(one_class, "run_task", lambda task, *args: ran.append(task) or run_task(task, *args))
    one_class.run(config, cut, jobs=1)
    assert ran == [("mnist", 1, 0)]  # class 0 was not run again
    pd.testing.assert_frame_equal(rows(cut), rows(whole), check_exact=True)
    one_class.run(config, cut, jobs=1)
    assert ran == [("mnist", 1, 0)] and len(pd.read_csv(cut)) == len(table)  # nothing left to do


def test_checkpoints_give_the_same_rows_without_training(tmp_path, random_images, monkeypatch):
    config = tiny("round03")
    config["scores"]["vae"] = ["mse_cw", "turn_cw"]
    config["scores"]["sums"] = {"turn_cw_knn": ["turn_cw", "knn5"]}
    one_class.run(config, tmp_path / "trained.csv", jobs=1, checkpoints=str(tmp_path / "models"))
    assert len(list((tmp_path / "models").glob("detector-*.pt"))) == 2
    monkeypatch.setattr(vt, "fit", lambda *a, **kw: pytest.fail("trained although a checkpoint exists"))
    one_class.run(config, tmp_path / "loaded.csv", jobs=1, checkpoints=str(tmp_path / "models"))
    pd.testing.assert_frame_equal(rows(tmp_path / "loaded.csv"), rows(tmp_path / "trained.csv"), check_exact=True)


def test_a_config_without_scores_is_a_screen_that_scores_no_test_image(tmp_path, random_images, monkeypatch):
    config = one_class.load_config("round09-lr2e-3")
    config["training"] |= {"epochs": 1}
    config["classes"] = {"mnist": [0]}  # the screens ran one class per data set
    scored = []
    score_table = vt.score_table
    monkeypatch.setattr(vt, "score_table", lambda model, x, **kw: scored.append(len(x)) or score_table(model, x, **kw))
    screen = one_class.run(config, tmp_path / "screen.csv", datasets=["mnist"], jobs=1)
    assert set(scored) == {3}  # 10 % of the 30 normal training images; never the 20 test images
    assert len(screen) == 1 and screen.score.isna().all() and screen.auroc.isna().all()
    assert np.isfinite(screen.val_elbo).all() and (screen.config == "round09-lr2e-3").all()


def test_table_gives_mean_and_spread_over_seeds_and_compare_lines_up_two_configs():
    results = pd.DataFrame([{"config": name, "dataset": "mnist", "class": c, "seed": s, "score": "knn5",
                             "auroc": auroc + shift, "val_elbo": 100.0 + shift, "device": "cpu", "commit": "abc"}
                            for name, shift in (("a", 0.0), ("b", 0.01))
                            for c, s, auroc in ((0, 0, 0.90), (0, 1, 0.92), (1, 0, 0.80), (1, 1, 0.82))])
    for column in ("val_mse", "w_turn", "pca_components"):
        results[column] = np.nan
    table = report.table(results, "a", "mnist").splitlines()
    assert table[0] == "| MNIST | 0 | 1 | mean |"
    assert table[2] == "| **`knn5`** | 91.0 ± 1.4 | 81.0 ± 1.4 | **86.0 ± 1.4** |"
    lines = report.compare(results, "a", "b", "mnist").splitlines()
    assert lines[2] == "| val_elbo (mean, label-free) | 100 | 100 | +0.01 |"
    assert lines[3] == "| `knn5` AUROC % (mean; 4 of 4 runs differ, by up to 1) | 86.00 | 87.00 | +1.00 |"


def test_the_benchmarks_readme_shows_the_results_files_tables(tmp_path):
    """Every table of benchmarks/README.md is the report step's output for the committed results, and a
    changed number is caught."""
    assert report.readme(report.README, check=True) == 0
    stale = tmp_path / "README.md"
    stale.write_text(report.README.read_text().replace("| **`turn_cw_knn5s`** | ", "| **`turn_cw_knn5s`** | 1", 1))
    assert report.readme(stale, check=True) == 1


@pytest.mark.skipif(not (vt.data_dir() / "MNIST" / "raw").is_dir(), reason="needs MNIST in $VAETOOLS_DATA")
def test_the_detector_a_user_calls_gives_the_benchmarks_rows(tmp_path, monkeypatch):
    """``vt.Detector``'s AUROC for one MNIST class at one seed equals the benchmark's rows to 0.001: the
    headline's rule on a short config (2 epochs, digit 5, the first 1,000 test images, for time)."""
    config = copy.deepcopy(one_class.load_config("headline"))
    config["training"]["epochs"] = 2
    config["scores"] |= {"baselines": [], "sums": {}}
    x_all, y_all, names = vt.load_images("mnist", train=True, download=False)
    x_test, y_test, _ = vt.load_images("mnist", train=False, download=False)
    data = (x_all, y_all, x_test[:1000], y_test[:1000], names)
    monkeypatch.setattr(one_class, "images", lambda dataset, root: data)
    rows = one_class.run(config, tmp_path / "one_class.csv", datasets=["mnist"], classes=[5], seeds=[0], jobs=1)
    benchmark = rows.set_index("score").auroc
    assert list(benchmark.index) == ["turn_cw", "knn5s", "turn_cw_knn5s"]

    split = vt.one_class_split(x_all, y_all, x_test[:1000], y_test[:1000], 5, seed=0)  # what a user writes
    model = vt.ConvVAE(z_dim=32, channels=(32, 64), refine=3).to(vt.default_device())
    detector = vt.Detector(model, score="turn_cw", neighbors=5)
    detector.fit(split.x_train, x_val=split.x_val, epochs=2, progress=False)
    parts = detector.score_parts(split.x_test)
    for name in benchmark.index:
        assert vt.auroc(split.is_anomaly, parts[name]) == pytest.approx(benchmark[name], abs=1e-3)
    assert vt.auroc(split.is_anomaly, detector.decision_function(split.x_test)) == pytest.approx(
        benchmark["turn_cw_knn5s"], abs=1e-3)

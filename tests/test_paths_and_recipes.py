import numpy as np
import pytest
import torch

import vaetools as vt


def test_locations_follow_arguments_then_variables(tmp_path, monkeypatch):
    for variable in ("VAETOOLS_CACHE", "VAETOOLS_OUTPUT", "VAETOOLS_FIGURES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    assert vt.cache_dir().as_posix() == "checkpoints" and vt.output_dir().as_posix() == "outputs"
    assert vt.figure_path("a.png") == tmp_path.joinpath("outputs", "figures", "a.png").relative_to(tmp_path)
    assert (tmp_path / "outputs" / "figures").is_dir()
    monkeypatch.setenv("VAETOOLS_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("VAETOOLS_CACHE", str(tmp_path / "cache"))
    assert vt.output_path("roc.csv") == tmp_path / "out" / "roc.csv" and (tmp_path / "out").is_dir()
    assert vt.cache_dir() == tmp_path / "cache" and vt.cache_dir("mine").as_posix() == "mine"
    monkeypatch.setenv("VAETOOLS_FIGURES", str(tmp_path / "figs"))
    assert vt.figure_path("b.png") == tmp_path / "figs" / "b.png"



def test_read_benchmark_csv_from_the_checkout_then_github(tmp_path, monkeypatch):
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "t.csv").write_text("a,b\n1,2\n")
    inside = tmp_path / "notebooks"
    inside.mkdir()
    monkeypatch.chdir(inside)  # a notebook's folder: the table is one folder up
    assert vt.read_benchmark_csv("t.csv").to_dict("list") == {"a": [1], "b": [2]}
    # Colab: no checkout, the table comes from the repository named in the package metadata
    assert vt.paths._results_url("signals.csv") == (
        "https://raw.githubusercontent.com/vae-anomaly/vae-anomaly/main/benchmarks/results/signals.csv")
    monkeypatch.setattr(vt.paths, "_results_url", lambda name: f"http://127.0.0.1:9/{name}")  # nothing listens
    with pytest.raises(FileNotFoundError, match="missing.csv is neither in .* could not be read"):
        vt.read_benchmark_csv("missing.csv")
    with pytest.raises(FileNotFoundError, match="t.csv is neither"):
        vt.read_benchmark_csv("t.csv", start=tmp_path.parent)

def test_train_image_vae_caches_by_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("VAETOOLS_CACHE", str(tmp_path))
    x = torch.rand(40, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    split = vt.OneClassSplit(x[:32], x[32:], x, np.zeros(40, dtype=np.int64), normal_class=0)
    model, history = vt.train_image_vae(split, z_dim=2, epochs=1, channels=(4, 8), progress=False)
    assert isinstance(model, vt.ConvVAE) and model.channels == (4, 8) and "val_loss" in history
    again, history_again = vt.train_image_vae(split, z_dim=2, epochs=1, channels=(4, 8), progress=False)
    assert history_again.equals(history)
    assert [p.name.split("-")[:3] for p in tmp_path.iterdir()] == [["cvae", "class0", "z2"]]
    vt.train_image_vae(split, z_dim=2, epochs=1, channels=(4, 8), beta=4.0, progress=False)
    assert len(list(tmp_path.iterdir())) == 2


def test_train_signal_vae(tmp_path, monkeypatch):
    monkeypatch.setenv("VAETOOLS_CACHE", str(tmp_path))
    x = torch.randn(50, 12, generator=torch.Generator().manual_seed(0))
    split = vt.OneClassSplit(x[:40], x[40:], x, np.zeros(50, dtype=np.int64), normal_class=0)
    model, history = vt.train_signal_vae(split, epochs=2, hidden=(8,), progress=False)
    assert isinstance(model, vt.DenseVAE) and model.input_shape == (12,) and model.likelihood == "gaussian"
    row = history.iloc[-1]
    assert row["loss"] == pytest.approx(0.5 * row["recon"] + 0.5 * row["kl"], rel=1e-5)  # ratio 0.5
    _, beta_history = vt.train_signal_vae(split, epochs=2, hidden=(8,), beta=2.0, progress=False)
    row = beta_history.iloc[-1]
    assert row["loss"] == pytest.approx(row["recon"] + 2.0 * row["kl"], rel=1e-5)  # beta replaces the ratio
    _, again = vt.train_signal_vae(split, epochs=2, hidden=(8,), progress=False)
    assert again.equals(history) and len(list(tmp_path.iterdir())) == 2
    images = vt.OneClassSplit(torch.rand(4, 1, 28, 28), torch.rand(0, 1, 28, 28), torch.rand(4, 1, 28, 28),
                              np.zeros(4, dtype=np.int64), normal_class=0)
    with pytest.raises(ValueError, match=r"shape \(N, L\)"):
        vt.train_signal_vae(images)


def test_train_signal_cvae_adds_a_channel_axis_and_takes_the_likelihood(tmp_path, monkeypatch):
    monkeypatch.setenv("VAETOOLS_CACHE", str(tmp_path))
    x = torch.randn(30, 16, generator=torch.Generator().manual_seed(0))  # (N, L): one channel added
    split = vt.OneClassSplit(x[:20], x[20:], x, np.zeros(30, dtype=np.int64), normal_class=0)
    small = {"channels": (4, 8), "refine": 0, "z_dim": 2, "epochs": 1, "progress": False}
    model, _ = vt.train_signal_cvae(split, **small)
    assert isinstance(model, vt.Conv1dVAE) and model.input_shape == (1, 16) and model.likelihood == "gaussian"
    var_model, _ = vt.train_signal_cvae(split, likelihood="gaussian_var", **small)
    assert var_model.likelihood == "gaussian_var" and len(list(tmp_path.iterdir())) == 2  # its own checkpoint
    with pytest.raises(ValueError, match=r"\(N, L\) or \(N, C, L\)"):
        vt.train_signal_cvae(vt.OneClassSplit(x[:, None, None], x[:2, None, None], x[:, None, None],
                                              np.zeros(30, dtype=np.int64), normal_class=0), **small)

import numpy as np
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

import urllib.error

import numpy as np
import pytest
import torch
from torchvision import datasets

import vaetools as vt


def test_load_images_from_the_raw_layout(fake_mnist):
    x, y, names = vt.load_images("mnist", root=fake_mnist)
    assert x.shape == (200, 1, 28, 28) and x.dtype == torch.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() > 0.99
    assert y.dtype == np.int64 and len(names) == 10


def test_data_folder_from_argument_then_variable_then_default(fake_mnist, monkeypatch, tmp_path):
    monkeypatch.setenv("VAETOOLS_DATA", str(fake_mnist))
    assert vt.data_dir() == fake_mnist
    assert vt.data_dir("elsewhere").as_posix() == "elsewhere"
    assert len(vt.load_images("mnist", train=False)[0]) == 100
    monkeypatch.delenv("VAETOOLS_DATA")
    assert vt.data_dir().as_posix() == "data"


def test_one_class_split(fake_mnist):
    split = vt.image_one_class("mnist", normal_class=1, val_fraction=0.25, root=fake_mnist)
    n_normal = 23  # 200 training images, labels cycle through 0..8
    assert len(split.x_train) + len(split.x_val) == n_normal and len(split.x_val) == 6
    assert len(split.x_test) == len(split.y_test) == 100
    assert split.is_anomaly.sum() == 90 and not split.is_anomaly[split.y_test == 1].any()
    counts = split.counts()
    assert counts.loc[1, "role"] == "normal" and counts["test"].sum() == 100
    assert counts.loc[1, "train"] == 17 and counts.loc[0, "train"] == 0


def test_unknown_and_empty_normal_class(fake_mnist):
    with pytest.raises(ValueError, match="unknown class label 11"):
        vt.image_one_class("mnist", normal_class=11, root=fake_mnist)
    with pytest.raises(ValueError, match="normal class 9 has no training samples"):
        vt.image_one_class("mnist", normal_class=9, root=fake_mnist)
    with pytest.raises(ValueError, match="val_fraction"):
        vt.image_one_class("mnist", normal_class=1, val_fraction=1.0, root=fake_mnist)
    with pytest.raises(ValueError, match="unknown data set"):
        vt.load_images("cifar")


def test_missing_files_without_download(tmp_path):
    with pytest.raises(vt.DataNotFoundError) as info:
        vt.load_images("mnist", root=tmp_path / "empty", download=False)
    message = str(info.value)
    assert str((tmp_path / "empty").resolve()) in message and "VAETOOLS_DATA" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_offline_machine_gets_one_clear_error(tmp_path, monkeypatch):
    def offline(self):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(datasets.MNIST, "download", offline)
    with pytest.raises(vt.DataNotFoundError, match="could not be fetched .*name resolution") as info:
        vt.load_images("fashion-mnist", root=tmp_path)
    assert "FashionMNIST" in str(info.value) and info.value.__suppress_context__


def test_real_mnist_counts(real_data_dir):
    split = vt.image_one_class("mnist", normal_class=1, root=real_data_dir)
    assert len(split.x_train) + len(split.x_val) == 6742
    assert len(split.x_test) == 10000 and int((~split.is_anomaly).sum()) == 1135


def test_mnist1d_is_generated_locally():
    split = vt.mnist1d_one_class(normal_class=0, num_samples=500)
    assert split.x_train.shape[1] == 40 and len(split.x_test) == 100
    x_train, y_train, _, _ = vt.load_mnist1d(num_samples=500)
    assert x_train.shape == (400, 40) and set(np.unique(y_train)) <= set(range(10))
    with pytest.raises(ValueError, match="unknown MNIST-1D arguments"):
        vt.load_mnist1d(samples=3)


def test_own_signals_from_an_array_and_a_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 16)).astype(np.float32)
    y = np.where(np.arange(100) < 70, "ok", "fault")
    split = vt.signals_one_class(x, y, normal_class="ok", test_fraction=0.2, val_fraction=0.1)
    assert split.normal_class == "ok" and set(split.y_test) == {"ok", "fault"}  # labels kept as given
    assert (split.is_anomaly == (split.y_test == "fault")).all()
    assert split.counts().loc["ok", "role"] == "normal"
    assert len(split.x_test) == 30 + 14 and int(split.is_anomaly.sum()) == 30
    assert len(split.x_train) + len(split.x_val) == 56

    import pandas as pd

    table = pd.DataFrame(x, columns=[f"t{i}" for i in range(16)]).assign(label=y)
    table.to_csv(tmp_path / "signals.csv", index=False)
    x2, y2 = vt.load_signals_csv(tmp_path / "signals.csv")
    assert np.allclose(x2, x) and (y2 == y).all()
    with pytest.raises(ValueError, match="no label column 'class'"):
        vt.load_signals_csv(tmp_path / "signals.csv", label_column="class")


def test_bad_signals():
    with pytest.raises(ValueError, match=r"shape \(N, L\) or \(N, C, L\)"):
        vt.signals_one_class(np.zeros((4, 2, 2, 2)), [0, 0, 1, 1], 0)
    with pytest.raises(ValueError, match="NaN"):
        vt.signals_one_class(np.array([[np.nan, 1.0]] * 4), [0, 0, 1, 1], 0)
    with pytest.raises(ValueError, match="unknown class label 5"):
        vt.signals_one_class(np.zeros((4, 2)), [0, 0, 1, 1], 5)
    with pytest.raises(ValueError, match="4 samples but 3 labels"):
        vt.signals_one_class(np.zeros((4, 2)), [0, 0, 1], 0)

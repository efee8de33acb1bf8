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


def test_standardize_uses_normal_training_statistics_only():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(5, 2, (80, 2, 8)), rng.normal(50, 9, (20, 2, 8))])
    y = np.array(["ok"] * 80 + ["fault"] * 20)
    split = vt.signals_one_class(x, y, "ok")
    scaled, scaler = split.standardize(per="channel")
    assert torch.allclose(scaled.x_train.mean((0, 2)), torch.zeros(2), atol=1e-5)
    assert torch.allclose(scaled.x_train.std((0, 2), unbiased=False), torch.ones(2), atol=1e-4)
    assert scaled.x_test[torch.as_tensor(scaled.is_anomaly)].mean() > 10  # anomalies did not shape the scaling
    assert torch.allclose(scaler.inverse_transform(scaled.x_test), split.x_test, atol=1e-4)
    flat = vt.signals_one_class(x.reshape(100, 16), y, "ok").standardize(per="feature")[1]
    assert tuple(flat.mean_.shape) == (1, 16)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        scaler.transform(np.zeros((2, 3, 8)))
    with pytest.raises(RuntimeError, match="fit"):
        vt.Standardizer().transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="per must be"):
        vt.Standardizer("row")


def test_csv_columns_are_chosen_and_checked(tmp_path):
    import pandas as pd

    table = pd.DataFrame({"num": [1, 2, 3], "a": [0.1, 0.2, 0.3], "b": [1.0, 2.0, 3.0], "label": ["x", "y", "x"],
                          "site": ["p", "q", "r"]})
    table.to_csv(tmp_path / "rows.csv", index=False)
    x, y = vt.load_signals_csv(tmp_path / "rows.csv", columns=["a", "b"])
    assert x.shape == (3, 2) and list(y) == ["x", "y", "x"]
    x, y = vt.load_signals_csv(tmp_path / "rows.csv", label_column=None, columns=["b"])
    assert x.shape == (3, 1) and y is None
    with pytest.raises(ValueError, match=r"no columns \['c'\]"):
        vt.load_signals_csv(tmp_path / "rows.csv", columns=["a", "c"])
    with pytest.raises(TypeError, match=r"non-numeric columns \['site'\]"):
        vt.load_signals_csv(tmp_path / "rows.csv", columns=["a", "site"])
    table.assign(a=[0.1, None, 0.3]).to_csv(tmp_path / "gaps.csv", index=False)
    with pytest.raises(ValueError, match="missing values"):
        vt.load_signals_csv(tmp_path / "gaps.csv", columns=["a"])


def test_own_image_folder_into_the_one_class_split(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, n in (("good", 12), ("scratch", 4)):
        (tmp_path / name).mkdir()
        for i in range(n):
            size = (40, 30) if i % 2 else (36, 36)
            Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(tmp_path / name / f"{i}.png")
    split = vt.image_folder_one_class(tmp_path, "good", size=32, grayscale=True, test_fraction=0.25)
    assert split.x_train.shape[1:] == (1, 32, 32) and split.normal_class == "good"
    assert int(split.is_anomaly.sum()) == 4 and len(split.x_test) == 4 + 3
    colour, labels = vt.load_image_folder(tmp_path, size=(32, 16))
    assert colour.shape == (16, 3, 32, 16) and set(labels) == {"good", "scratch"}
    assert 0 <= float(colour.min()) and float(colour.max()) <= 1
    with pytest.raises(ValueError, match="different sizes"):
        vt.load_image_folder(tmp_path)
    with pytest.raises(vt.DataNotFoundError, match="no image folder"):
        vt.load_image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="unknown class label 'ok'"):
        vt.image_folder_one_class(tmp_path, "ok", size=32)

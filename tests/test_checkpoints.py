import pytest
import torch

import vaetools as vt


def _trained(seed=0):
    model = vt.DenseVAE(input_dim=8, z_dim=2, hidden=(8,))
    x = torch.randn(32, 8, generator=torch.Generator().manual_seed(0))
    history = vt.fit(model, x, epochs=2, seed=seed, progress=False)
    return model, history, x


def test_round_trip(tmp_path):
    model, history, x = _trained()
    path = vt.save_checkpoint(tmp_path / "m.pt", model, history=history, config={"a": 1})
    loaded, loaded_history = vt.load_checkpoint(path)
    assert isinstance(loaded, vt.DenseVAE) and not loaded.training
    for a, b in zip(model.state_dict().values(), loaded.state_dict().values()):
        assert torch.equal(a, b)
    assert loaded_history.equals(history)
    same, _ = vt.load_checkpoint(path, model=vt.DenseVAE(input_dim=8, z_dim=2, hidden=(8,)), config={"a": 1})
    assert torch.equal(same.decode(torch.zeros(1, 2)), model.decode(torch.zeros(1, 2)))


def test_mismatch_errors(tmp_path):
    model, history, _ = _trained()
    path = vt.save_checkpoint(tmp_path / "m.pt", model, config={"epochs": 2})
    with pytest.raises(vt.CheckpointError, match="not the DenseVAE"):
        vt.load_checkpoint(path, model=vt.DenseVAE(input_dim=8, z_dim=3, hidden=(8,)))
    with pytest.raises(vt.CheckpointError, match="not the ConvVAE"):
        vt.load_checkpoint(path, model=vt.ConvVAE(z_dim=2))
    with pytest.raises(vt.CheckpointError, match=r"differs in: \['epochs'\]"):
        vt.load_checkpoint(path, config={"epochs": 3})


def test_corrupt_missing_and_foreign_files(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(vt.CheckpointError, match="corrupt"):
        vt.load_checkpoint(bad)
    with pytest.raises(vt.CheckpointError, match="no checkpoint"):
        vt.load_checkpoint(tmp_path / "missing.pt")
    torch.save({"weights": torch.zeros(1)}, tmp_path / "foreign.pt")
    with pytest.raises(vt.CheckpointError, match="not a vaetools"):
        vt.load_checkpoint(tmp_path / "foreign.pt")
    model, _, _ = _trained()
    path = vt.save_checkpoint(tmp_path / "m.pt", model)
    payload = torch.load(path, weights_only=True)
    payload["state_dict"].pop("encoder.0.weight")
    torch.save(payload, path)
    with pytest.raises(vt.CheckpointError, match="weights do not fit"):
        vt.load_checkpoint(path)


def test_fit_or_load_reuses_and_never_loads_a_stale_model(tmp_path, monkeypatch):
    x = torch.randn(32, 8, generator=torch.Generator().manual_seed(0))
    build = lambda: vt.DenseVAE(input_dim=8, z_dim=2, hidden=(8,))  # noqa: E731
    first = build()
    history = vt.fit_or_load(first, x, name="m", cache=tmp_path, epochs=2, progress=False)
    assert len(list(tmp_path.glob("m-*.pt"))) == 1

    calls = []
    monkeypatch.setattr(vt.checkpoints, "fit", lambda *a, **k: calls.append(1) or vt.training.fit(*a, **k))
    second = build()
    assert vt.fit_or_load(second, x, name="m", cache=tmp_path, epochs=2, progress=True).equals(history)
    assert calls == []  # loaded, not trained
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)

    vt.fit_or_load(build(), x, name="m", cache=tmp_path, epochs=3, progress=False)  # another configuration
    vt.fit_or_load(build(), x + 1, name="m", cache=tmp_path, epochs=2, progress=False)  # other data
    assert len(calls) == 2 and len(list(tmp_path.glob("m-*.pt"))) == 3


def test_config_key_covers_defaults_and_data():
    model = vt.DenseVAE(input_dim=8, z_dim=2, hidden=(8,))
    x = torch.zeros(4, 8)
    key, config = vt.config_key(model, x, {"epochs": 10})
    assert config["fit"]["lr"] == 1e-3 and "progress" not in config["fit"] and "callback" not in config["fit"]
    assert key == vt.config_key(model, x, {"callback": print})[0]  # a callback does not change the training
    assert key == vt.config_key(model, x, {})[0]  # epochs=10 is the default
    assert key != vt.config_key(model, x, {"lr": 2e-3})[0]
    assert key != vt.config_key(vt.DenseVAE(input_dim=8, z_dim=3, hidden=(8,)), x, {})[0]


def test_config_key_names_the_corruption_and_keeps_the_old_key_without_one():
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    x = torch.zeros(4, 1, 28, 28)
    key, config = vt.config_key(model, x, {})
    assert "corrupt" not in config["fit"] and key == vt.config_key(model, x, {"corrupt": None})[0]
    turned, turned_config = vt.config_key(model, x, {"corrupt": vt.random_quarter_turns})
    assert turned != key and turned_config["fit"]["corrupt"] == "vaetools.turns.random_quarter_turns"
    with pytest.raises(ValueError, match="top of a module"):
        vt.config_key(model, x, {"corrupt": lambda batch, generator: batch})


def test_checkpoints_load_onto_a_chosen_device_and_reject_warm_start(tmp_path):
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    path = vt.save_checkpoint(tmp_path / "m.pt", model)
    loaded, _ = vt.load_checkpoint(path, device="cpu")
    assert isinstance(loaded, vt.ConvVAE) and loaded.device.type == "cpu"
    assert loaded.config() == model.config()
    with pytest.raises(ValueError, match="warm_start"):
        vt.fit_or_load(model, torch.rand(4, 1, 28, 28), name="m", cache=tmp_path, warm_start=True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_a_gpu_checkpoint_loads_on_the_cpu(tmp_path):
    model = vt.ConvVAE(z_dim=2, channels=(4, 8)).cuda()
    path = vt.save_checkpoint(tmp_path / "m.pt", model)
    loaded, _ = vt.load_checkpoint(path)
    assert loaded.device.type == "cpu"
    assert all(torch.equal(a.cpu(), b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))

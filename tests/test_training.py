import numpy as np
import pytest
import torch

import vaetools as vt


def _data(n=64, dim=12):
    return torch.rand(n, dim, generator=torch.Generator().manual_seed(1))


def _model():
    return vt.DenseVAE(input_dim=12, z_dim=2, hidden=(16,), likelihood="bernoulli")


def test_same_seed_gives_identical_weights():
    x = _data()
    a, b, c = _model(), _model(), _model()
    vt.fit(a, x, epochs=3, batch_size=16, seed=7, progress=False)
    vt.fit(b, x, epochs=3, batch_size=16, seed=7, progress=False)
    vt.fit(c, x, epochs=3, batch_size=16, seed=8, progress=False)
    for (name, pa), pb, pc in zip(a.state_dict().items(), b.state_dict().values(), c.state_dict().values()):
        assert torch.equal(pa, pb), name
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.state_dict().values(), c.state_dict().values()))


def test_history_and_learning():
    x = _data()
    history = vt.fit(_model(), x, x_val=x[:16], epochs=8, batch_size=16, lr=1e-2, progress=False)
    assert list(history.columns) == ["recon", "kl", "loss", "val_recon", "val_kl", "val_loss"]
    assert list(history.index) == list(range(1, 9))
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert np.allclose(history["loss"], history["recon"] + history["kl"], rtol=1e-5)


def test_callback_sees_every_epoch_and_the_model_in_training():
    x, seen = _data(), []
    model = _model()

    def callback(epoch, trained):
        assert trained is model
        seen.append((epoch, float(vt.anomaly_scores(trained, x).mean())))

    history = vt.fit(model, x, epochs=4, batch_size=16, lr=1e-2, progress=False, callback=callback)
    assert [epoch for epoch, _ in seen] == list(history.index) == [1, 2, 3, 4]
    assert seen[-1][1] < seen[0][1]  # the model the callback sees is the one being trained
    # evaluating in the callback (which switches to eval mode) does not change the training
    plain = _model()
    vt.fit(plain, x, epochs=4, batch_size=16, lr=1e-2, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), plain.state_dict().values()))


def test_ratio_weights_the_recorded_total():
    history = vt.fit(_model(), _data(), epochs=1, ratio=0.25, progress=False)
    row = history.iloc[0]
    assert row["loss"] == pytest.approx(0.25 * row["recon"] + 0.75 * row["kl"], rel=1e-5)


def test_early_stopping_stops_and_keeps_the_best_weights():
    x = _data()
    history = vt.fit(_model(), x, x_val=x[:8], epochs=200, batch_size=64, lr=0.5, patience=2, progress=False)
    assert len(history) < 200


def test_fit_rejects_bad_input():
    model = _model()
    with pytest.raises(ValueError, match="NaN"):
        vt.fit(model, torch.full((4, 12), float("nan")), progress=False)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        vt.fit(model, _data() * 3, progress=False)
    with pytest.raises(ValueError, match="no samples"):
        vt.fit(model, _data()[:0], progress=False)
    with pytest.raises(ValueError, match=r"shape \(N, 12\)"):
        vt.fit(model, torch.rand(4, 13), progress=False)
    with pytest.raises(ValueError, match="x_val"):
        vt.fit(model, _data(), x_val=torch.full((2, 12), float("inf")), progress=False)
    with pytest.raises(ValueError, match="epochs"):
        vt.fit(model, _data(), epochs=0, progress=False)
    with pytest.raises(ValueError, match="ratio"):
        vt.fit(model, _data(), ratio=1.5, progress=False)

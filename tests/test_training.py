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
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
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
    snapshots = {}
    model = _model()

    def keep(epoch, trained):
        snapshots[epoch] = {k: v.clone() for k, v in trained.state_dict().items()}

    history = vt.fit(model, x, x_val=x[:8], epochs=200, batch_size=64, lr=0.5, patience=2, progress=False,
                     callback=keep)
    assert len(history) < 200
    best = int(history["val_loss"].idxmin())
    assert best < len(history)  # later epochs were worse, so restoring matters
    final = model.state_dict()
    assert all(torch.equal(final[k], v) for k, v in snapshots[best].items())
    assert any(not torch.equal(final[k], v) for k, v in snapshots[len(history)].items())


def test_progress_bar_ends_full_when_training_stops_early(capsys):
    history = vt.fit(_model(), _data(), x_val=_data()[:8], epochs=200, batch_size=64, lr=0.5, patience=2)
    assert len(history) < 200
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert f"{len(history)}/{len(history)}" in last and "100%" in last, last


def test_fit_leaves_the_global_random_state_alone_and_matches_a_plain_loop(written_out_fit):
    x = _data()
    model = _model()
    state = torch.get_rng_state()
    history = vt.fit(model, x, epochs=2, batch_size=16, seed=3, progress=False)
    assert torch.equal(state, torch.get_rng_state())
    # the loop written out: seeded initial weights, one generator for the order, one for the noise
    torch.manual_seed(3)
    plain = _model()
    losses = written_out_fit(plain, x, epochs=2, batch_size=16, seed=3)
    assert np.allclose(losses, history["loss"], rtol=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), plain.state_dict().values()))


def test_warm_start_continues_from_the_current_weights():
    x = _data()
    model = _model()
    first = vt.fit(model, x, epochs=3, batch_size=16, lr=1e-2, progress=False)
    more = vt.fit(model, x, epochs=1, batch_size=16, lr=1e-2, warm_start=True, progress=False)
    assert more["loss"].iloc[0] < first["loss"].iloc[0]  # not back at the start
    again = vt.fit(model, x, epochs=1, batch_size=16, lr=1e-2, progress=False)
    assert again["loss"].iloc[0] == pytest.approx(first["loss"].iloc[0])  # re-initialized


def test_cosine_schedule_starts_at_lr_and_ends_with_small_steps():
    x = _data()

    def run(schedule):
        snapshots = []
        model = _model()
        callback = lambda epoch, m: snapshots.append(torch.cat([p.detach().flatten().clone() for p in m.parameters()]))  # noqa: E731
        history = vt.fit(model, x, epochs=4, batch_size=16, lr=1e-2, lr_schedule=schedule, progress=False,
                         callback=callback)
        return history, float((snapshots[-1] - snapshots[-2]).norm())  # how far the last epoch moved

    h_constant, last_constant = run("constant")
    h_cosine, last_cosine = run("cosine")
    assert h_cosine["loss"].iloc[0] == pytest.approx(h_constant["loss"].iloc[0])  # epoch 1 at the full rate
    assert last_cosine < 0.5 * last_constant  # epoch 4 of 4 runs at 15 % of the rate
    with pytest.raises(ValueError, match="lr_schedule"):
        vt.fit(_model(), x, lr_schedule="step", progress=False)


def test_a_diverging_run_stops_with_a_clear_error():
    x = torch.randn(64, 12) * 1e3
    model = vt.DenseVAE(input_dim=12, z_dim=2, hidden=(16,), likelihood="gaussian")
    with pytest.raises(vt.TrainingDivergedError, match=r"diverged in epoch \d+.*Lower the learning rate"):
        vt.fit(model, x, epochs=20, batch_size=16, lr=1e6, progress=False)


def test_fit_converts_float64_and_numpy_inputs():
    x = _data()
    a, b = _model(), _model()
    ha = vt.fit(a, x.double().numpy(), x_val=x[:8].double(), epochs=2, batch_size=16, progress=False)
    hb = vt.fit(b, x, x_val=x[:8], epochs=2, batch_size=16, progress=False)
    assert np.allclose(ha.to_numpy(), hb.to_numpy())
    with pytest.raises(TypeError, match="x / 255"):
        vt.fit(_model(), (x * 255).to(torch.uint8), progress=False)
    with pytest.raises(TypeError, match="Tensor or a NumPy array"):
        vt.fit(_model(), x.tolist(), progress=False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_fit_on_the_gpu_is_repeatable():
    x = _data()
    a, b = _model().cuda(), _model().cuda()
    ha = vt.fit(a, x, x_val=x[:8], epochs=2, batch_size=16, progress=False)
    hb = vt.fit(b, x, x_val=x[:8], epochs=2, batch_size=16, progress=False)
    assert ha.equals(hb) and a.device.type == "cuda"


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

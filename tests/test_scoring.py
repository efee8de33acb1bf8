import numpy as np
import pytest
import torch

import vaetools as vt


@pytest.fixture(scope="module")
def trained():
    x = torch.rand(128, 1, 28, 28, generator=torch.Generator().manual_seed(0)).round()
    model = vt.ConvVAE(z_dim=4, channels=(4, 8))
    vt.fit(model, x, epochs=2, batch_size=32, progress=False)
    return model, x


def test_scores_are_deterministic_and_consistent(trained):
    model, x = trained
    table = vt.score_table(model, x, batch_size=50)
    assert list(table.columns) == list(vt.SCORES) and len(table) == len(x)
    again = vt.score_table(model, x, batch_size=7)
    assert np.allclose(table.to_numpy(), again.to_numpy(), rtol=1e-5)
    assert np.allclose(table["elbo"], table["recon"] + table["kl"])
    assert np.allclose(table["bce"], table["recon"], rtol=1e-3)  # BCE is the Bernoulli recon term
    assert np.array_equal(vt.anomaly_scores(model, x, "kl"), table["kl"].to_numpy())
    assert (table["kl"] >= 0).all() and (table["mse"] >= 0).all()


def test_monte_carlo_scores(trained):
    model, x = trained
    a = vt.anomaly_scores(model, x, "recon", n_samples=4, seed=1)
    b = vt.anomaly_scores(model, x, "recon", n_samples=4, seed=1)
    assert np.array_equal(a, b)
    assert not np.allclose(a, vt.anomaly_scores(model, x, "recon"))


def test_iwae_is_tighter_than_the_elbo_on_average(trained):
    model, x = trained
    elbo = vt.anomaly_scores(model, x, "elbo", n_samples=64)
    iwae = vt.anomaly_scores(model, x, "iwae")
    assert iwae.shape == (len(x),) and np.isfinite(iwae).all()
    assert iwae.mean() < elbo.mean()
    assert np.array_equal(iwae, vt.iwae_nll(model, x, k=16))
    with pytest.raises(ValueError):
        vt.iwae_nll(model, x, k=0)


def test_encode_and_reconstruct(trained):
    model, x = trained
    assert vt.encode(model, x).shape == (len(x), 4)
    restored = vt.reconstruct(model, x)
    assert restored.shape == x.shape and 0 <= restored.min() and restored.max() <= 1


def test_scoring_rejects_bad_input(trained):
    model, x = trained
    with pytest.raises(ValueError, match="unknown scores"):
        vt.score_table(model, x, scores=("likelihood",))
    with pytest.raises(ValueError, match="NaN"):
        vt.anomaly_scores(model, torch.full_like(x, float("nan")))
    with pytest.raises(ValueError, match=r"shape \(N, 1, 28, 28\)"):
        vt.anomaly_scores(model, x[:, 0])
    gaussian = vt.DenseVAE(input_dim=3)
    with pytest.raises(ValueError, match="'bce' score needs inputs"):
        vt.anomaly_scores(gaussian, torch.full((2, 3), 5.0), "bce")
    with pytest.raises(ValueError, match="n_samples"):
        vt.anomaly_scores(model, x, n_samples=-1)

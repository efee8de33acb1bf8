import math

import numpy as np
import pytest
import torch
from torch import nn

import vaetools as vt


@pytest.fixture(scope="module")
def trained():
    x = torch.rand(128, 1, 28, 28, generator=torch.Generator().manual_seed(0)).round()
    model = vt.ConvVAE(z_dim=4, channels=(4, 8))
    vt.fit(model, x, epochs=2, batch_size=32, progress=False)
    return model, x


def test_scores_are_deterministic_and_consistent(trained):
    model, x = trained
    table = vt.score_table(model, x, scores=vt.SCORES, sigma2=0.1, weight=0.5, batch_size=50)
    assert list(table.columns) == list(vt.SCORES) and len(table) == len(x)
    again = vt.score_table(model, x, scores=vt.SCORES, sigma2=0.1, weight=0.5, batch_size=50)
    assert np.array_equal(table.to_numpy(), again.to_numpy())  # the same seed draws the same z
    other_batches = vt.score_table(model, x, batch_size=7)
    assert np.allclose(table[list(vt.DEFAULT_SCORES)].to_numpy(), other_batches.to_numpy(), rtol=1e-5)
    assert np.allclose(table["bce"], table["recon"], rtol=1e-3)  # BCE is the Bernoulli recon term
    assert np.array_equal(vt.anomaly_scores(model, x, "kl"), table["kl"].to_numpy())
    assert (table["kl"] >= 0).all() and (table["mse"] >= 0).all()
    assert not np.allclose(table["elbo"], table["recon"] + table["kl"])  # sampled, not z = mu


def test_sampled_scores_depend_on_the_seed_only(trained):
    model, x = trained
    a = vt.anomaly_scores(model, x, "elbo", k=4, seed=1)
    assert np.array_equal(a, vt.anomaly_scores(model, x, "elbo", k=4, seed=1))
    assert not np.allclose(a, vt.anomaly_scores(model, x, "elbo", k=4, seed=2))


def test_iwae_is_tighter_than_the_elbo_on_average(trained):
    model, x = trained
    elbo = vt.anomaly_scores(model, x, "elbo", k=64)
    iwae = vt.anomaly_scores(model, x, "iwae", k=64)
    assert iwae.shape == (len(x),) and np.isfinite(iwae).all()
    assert iwae.mean() < elbo.mean()
    assert np.array_equal(vt.anomaly_scores(model, x, "iwae"), vt.iwae_nll(model, x, k=16))
    with pytest.raises(ValueError, match="k must be"):
        vt.iwae_nll(model, x, k=0)


class LinearGaussianVAE(vt.VAE):
    """p(z) = N(0, I), p(x | z) = N(W z + b, I): p(x) = N(b, W W^T + I) is known exactly."""

    def __init__(self, dim: int = 5, z_dim: int = 2) -> None:
        super().__init__(z_dim, "gaussian")
        self.input_shape = (dim,)
        self.encoder = nn.Linear(dim, 2 * z_dim)
        self.decoder = nn.Linear(z_dim, dim)

    def config(self) -> dict:
        return {}


def test_iwae_matches_the_exact_log_likelihood_of_a_linear_gaussian_vae():
    torch.manual_seed(0)
    model = LinearGaussianVAE()
    with torch.no_grad():
        model.encoder.weight.mul_(0.3)
        model.encoder.bias.zero_()
    x = torch.randn(20, 5)
    W, b = model.decoder.weight.detach().double(), model.decoder.bias.detach().double()
    exact = -torch.distributions.MultivariateNormal(b, W @ W.T + torch.eye(5, dtype=torch.float64)).log_prob(x.double())
    iwae = vt.iwae_nll(model, x, k=20000)
    elbo = vt.anomaly_scores(model, x, "elbo", k=20000)
    assert np.allclose(iwae, exact.numpy(), atol=0.05)  # K large: the bound is tight
    assert (elbo > exact.numpy() + 0.01).all()  # a crude encoder: the ELBO is a loose upper bound


def test_scoring_leaves_grad_mode_and_training_mode_alone(trained):
    model, x = trained
    model.train()
    assert torch.is_grad_enabled()
    vt.score_table(model, x[:8], scores=("recon", "iwae"), k=2)
    vt.encode(model, x[:8])
    restored = vt.reconstruct(model, x[:8])
    assert torch.is_grad_enabled() and model.training
    assert isinstance(vt.encode(model, x[:8]), np.ndarray) and isinstance(restored, torch.Tensor)
    (restored * 2).sum()  # an ordinary tensor, usable outside inference mode
    model.eval()


def test_encode_and_reconstruct_take_arrays_of_any_float_dtype(trained):
    model, x = trained
    assert vt.encode(model, x).shape == (len(x), 4)
    restored = vt.reconstruct(model, x.double().numpy())
    assert restored.shape == x.shape and restored.dtype == torch.float32
    assert 0 <= restored.min() and restored.max() <= 1


def test_mse_c_is_the_complexity_corrected_restoration_error(trained):
    model, x = trained
    sigma2 = vt.restoration_variance(model, x[:64])
    assert sigma2 == pytest.approx(float(vt.anomaly_scores(model, x[:64], "mse").mean()))
    table = vt.score_table(model, x, scores=("mse", "mse_c"), sigma2=sigma2)
    nll = 784 * (table["mse"] / (2 * sigma2) + 0.5 * math.log(2 * math.pi * sigma2))
    expected = nll / math.log(2) - vt.input_complexity(x)
    assert np.allclose(table["mse_c"], expected)
    with pytest.raises(ValueError, match="restoration_variance"):
        vt.anomaly_scores(model, x, "mse_c")
    with pytest.raises(ValueError, match="images"):
        vt.anomaly_scores(vt.DenseVAE(input_dim=3), torch.zeros(2, 3), "mse_c", sigma2=1.0)


def test_mse_cw_weighs_the_code_length_with_a_weight_fitted_on_normal_data(trained):
    model, x = trained
    sigma2 = vt.restoration_variance(model, x[:64])
    weight = vt.fit_complexity_weight(model, x[:64], sigma2)
    val = vt.score_table(model, x[:64], scores=("mse",))
    nll = 784 * (val["mse"] / (2 * sigma2) + 0.5 * math.log(2 * math.pi * sigma2))
    assert weight == pytest.approx(vt.complexity_weight(nll, vt.input_complexity(x[:64])))
    table = vt.score_table(model, x, scores=("mse_c", "mse_cw"), sigma2=sigma2, weight=weight)
    lengths = vt.input_complexity(x)
    assert np.allclose(table["mse_cw"] - table["mse_c"], (1 - weight) * lengths)
    flat = vt.score_table(model, x, scores=("mse", "mse_cw"), sigma2=sigma2, weight=0.0)
    assert np.array_equal(np.argsort(flat["mse"]), np.argsort(flat["mse_cw"]))  # weight 0 ranks as mse
    with pytest.raises(ValueError, match="fit_complexity_weight"):
        vt.anomaly_scores(model, x, "mse_cw", sigma2=sigma2)


def test_scoring_rejects_bad_input(trained):
    model, x = trained
    with pytest.raises(ValueError, match="unknown scores"):
        vt.score_table(model, x, scores=("likelihood",))
    with pytest.raises(ValueError, match="NaN"):
        vt.anomaly_scores(model, torch.full_like(x, float("nan")))
    with pytest.raises(ValueError, match=r"shape \(N, 1, 28, 28\)"):
        vt.anomaly_scores(model, x[:, 0])
    with pytest.raises(TypeError, match="x / 255"):
        vt.anomaly_scores(model, (x * 255).to(torch.uint8))
    gaussian = vt.DenseVAE(input_dim=3)
    with pytest.raises(ValueError, match="'bce' score needs inputs"):
        vt.anomaly_scores(gaussian, torch.full((2, 3), 5.0), "bce")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_scores_on_the_gpu_match_the_cpu(trained):
    model, x = trained
    cpu = vt.score_table(model, x, scores=("recon", "mse", "kl"))
    gpu_model = vt.ConvVAE(z_dim=4, channels=(4, 8)).to("cuda")
    gpu_model.load_state_dict(model.state_dict())
    gpu = vt.score_table(gpu_model, x, scores=("recon", "mse", "kl", "elbo", "iwae"), k=4)
    assert np.allclose(cpu.to_numpy(), gpu[["recon", "mse", "kl"]].to_numpy(), rtol=1e-3, atol=1e-3)
    assert np.isfinite(gpu.to_numpy()).all()
    assert vt.encode(gpu_model, x).shape == (len(x), 4) and vt.reconstruct(gpu_model, x).device.type == "cpu"

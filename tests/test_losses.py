import math

import pytest
import torch
import torch.nn.functional as F

import vaetools as vt


def test_kl_against_a_value_computed_by_hand():
    mu = torch.tensor([[1.0, 2.0]])
    logvar = torch.tensor([[0.0, math.log(4.0)]])
    # 0.5 * [(1 + 1 - 1 - 0) + (4 + 4 - 1 - log 4)] = 0.5 * (8 - log 4)
    expected = 0.5 * (8.0 - math.log(4.0))
    assert vt.kl_divergence(mu, logvar).item() == pytest.approx(expected)
    assert vt.kl_divergence(torch.zeros(3, 5), torch.zeros(3, 5)).tolist() == [0.0, 0.0, 0.0]


def test_bce_matches_torch():
    torch.manual_seed(0)
    logits, x = torch.randn(4, 1, 28, 28) * 3, torch.rand(4, 1, 28, 28)
    ours = vt.reconstruction_loss(logits, x, "bernoulli")
    per_sample = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="none").sum((1, 2, 3))
    assert ours.shape == (4,)
    assert torch.allclose(ours, per_sample, rtol=1e-4)
    total = F.binary_cross_entropy_with_logits(logits, x, reduction="sum").item()
    assert ours.sum().item() == pytest.approx(total, rel=1e-5)


def test_bce_from_logits_is_stable_for_extreme_logits():
    loss = vt.reconstruction_loss(torch.tensor([[1e4, -1e4]]), torch.tensor([[1.0, 0.0]]))
    assert torch.isfinite(loss).all() and loss.item() == pytest.approx(0.0, abs=1e-6)


def test_gaussian_reconstruction_is_the_negative_log_likelihood():
    mean, x = torch.zeros(1, 3), torch.tensor([[1.0, 2.0, 2.0]])
    expected = -torch.distributions.Normal(mean, 1.0).log_prob(x).sum().item()
    assert vt.reconstruction_loss(mean, x, "gaussian").item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="likelihood"):
        vt.reconstruction_loss(mean, x, "laplace")
    with pytest.raises(ValueError, match="shape"):
        vt.reconstruction_loss(mean, x[:, :2], "gaussian")



def test_gaussian_var_uses_the_decoders_variance_within_soft_bounds():
    x = torch.tensor([[[1.0, 2.0, 2.0]]])  # (N, C, L)
    mean, logvar = torch.zeros(1, 1, 3), torch.tensor([[[0.0, math.log(4.0), -1.0]]])
    got_mean, got_logvar = vt.gaussian_parameters(torch.cat([mean, logvar], dim=1))
    assert torch.equal(got_mean, mean) and (got_logvar.flatten().argsort() == logvar.flatten().argsort()).all()
    expected = -torch.distributions.Normal(mean, torch.exp(0.5 * got_logvar)).log_prob(x).sum().item()
    assert vt.reconstruction_loss(torch.cat([mean, logvar], 1), x, "gaussian_var").item() == pytest.approx(expected)
    low, high = vt.LOG_VARIANCE_RANGE
    _, extreme = vt.gaussian_parameters(torch.tensor([[[0.0, 0.0], [-1e4, 1e4]]]))
    assert extreme[0, 0, 0].item() == pytest.approx(low, abs=1e-3) and extreme[0, 0, 1].item() == pytest.approx(high)
    exact = vt.reconstruction_loss(torch.tensor([[[1.0], [-1e4]]]), torch.tensor([[[1.0]]]), "gaussian_var")
    assert torch.isfinite(exact).all()  # a perfect restoration cannot reach -inf
    with pytest.raises(ValueError, match="twice the channels"):
        vt.reconstruction_loss(mean, x, "gaussian_var")

def test_loss_weight_mapping():
    assert vt.ratio_to_beta(0.5) == 1.0
    assert vt.ratio_to_beta(0.2) == pytest.approx(4.0)
    assert vt.beta_to_ratio(4.0) == pytest.approx(0.2)
    for a in (0.1, 0.5, 0.9, 1.0):
        assert vt.beta_to_ratio(vt.ratio_to_beta(a)) == pytest.approx(a)
    assert vt.loss_weights() == (1.0, 1.0)
    assert vt.loss_weights(beta=0.0) == (1.0, 0.0)
    assert vt.loss_weights(ratio=0.25) == (0.25, 0.75)
    with pytest.raises(ValueError):
        vt.loss_weights(beta=1.0, ratio=0.5)
    with pytest.raises(ValueError):
        vt.ratio_to_beta(0.0)
    with pytest.raises(ValueError):
        vt.beta_to_ratio(-1.0)


def test_ratio_loss_is_beta_loss_times_a():
    torch.manual_seed(0)
    output, x = torch.randn(6, 10), torch.randn(6, 10)
    mu, logvar = torch.randn(6, 2), torch.randn(6, 2)
    a = 0.3
    ratio_loss = vt.vae_loss(output, x, mu, logvar, "gaussian", ratio=a)
    beta_loss = vt.vae_loss(output, x, mu, logvar, "gaussian", beta=vt.ratio_to_beta(a))
    assert torch.allclose(ratio_loss.total, a * beta_loss.total)
    assert torch.equal(ratio_loss.recon, beta_loss.recon) and torch.equal(ratio_loss.kl, beta_loss.kl)
    elbo = vt.vae_loss(output, x, mu, logvar, "gaussian")
    assert torch.allclose(elbo.total, elbo.recon + elbo.kl)

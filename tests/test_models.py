import pytest
import torch

import vaetools as vt


@pytest.mark.parametrize("z_dim", [2, 128])
def test_conv_vae_shapes(z_dim):
    model = vt.ConvVAE(z_dim=z_dim)
    x = torch.rand(5, 1, 28, 28)
    mu, logvar = model.encode(x)
    assert mu.shape == logvar.shape == (5, z_dim)
    z = model.reparameterize(mu, logvar)
    assert z.shape == (5, z_dim)
    assert model.decode(z).shape == x.shape
    output, mu2, logvar2 = model(x)
    assert output.shape == x.shape and mu2.shape == (5, z_dim)


@pytest.mark.parametrize("z_dim", [2, 128])
def test_dense_vae_shapes(z_dim):
    model = vt.DenseVAE(input_dim=40, z_dim=z_dim, hidden=(32, 16))
    x = torch.randn(7, 40)
    output, mu, logvar = model(x)
    assert output.shape == (7, 40) and mu.shape == logvar.shape == (7, z_dim)


def test_wrong_input_shape_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 1, 28, 28\), got \(4, 28, 28\)"):
        vt.ConvVAE(z_dim=2).encode(torch.rand(4, 28, 28))
    with pytest.raises(ValueError, match=r"\(N, 40\)"):
        vt.DenseVAE(input_dim=40)(torch.rand(3, 41))
    with pytest.raises(ValueError, match=r"decodes z of shape \(N, 2\)"):
        vt.ConvVAE(z_dim=2).decode(torch.rand(3, 5))
    with pytest.raises(TypeError):
        vt.ConvVAE(z_dim=2).encode([[0.0]])


def test_bad_settings():
    with pytest.raises(ValueError, match="likelihood"):
        vt.ConvVAE(likelihood="poisson")
    with pytest.raises(ValueError, match="z_dim"):
        vt.ConvVAE(z_dim=0)
    with pytest.raises(ValueError, match="input_dim"):
        vt.DenseVAE(input_dim=0)
    with pytest.raises(ValueError, match="hidden"):
        vt.DenseVAE(input_dim=4, hidden=())


def test_eval_forward_uses_the_mean_and_train_forward_samples():
    model = vt.DenseVAE(input_dim=6, z_dim=2, hidden=(8,))
    x = torch.randn(4, 6)
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
    assert torch.equal(model(x)[0], model.decode(model.encode(x)[0]))
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])


def test_mean_maps_logits_to_probabilities():
    logits = torch.tensor([[-50.0, 0.0, 50.0]])
    assert torch.allclose(vt.DenseVAE(3, likelihood="bernoulli").mean(logits), torch.tensor([[0.0, 0.5, 1.0]]))
    assert torch.equal(vt.DenseVAE(3, likelihood="gaussian").mean(logits), logits)


def test_check_inputs_rejects_nan_empty_and_out_of_range():
    model = vt.ConvVAE(z_dim=2)
    x = torch.rand(3, 1, 28, 28)
    vt.check_inputs(model, x)
    with pytest.raises(ValueError, match="NaN or infinite values in 1 of 3"):
        vt.check_inputs(model, torch.cat([x[:2], torch.full((1, 1, 28, 28), float("nan"))]))
    with pytest.raises(ValueError, match="no samples"):
        vt.check_inputs(model, x[:0])
    with pytest.raises(ValueError, match=r"Bernoulli likelihood needs x in \[0, 1\]"):
        vt.check_inputs(model, x * 255)
    vt.check_inputs(vt.ConvVAE(z_dim=2, likelihood="gaussian"), x * 255)  # any real value is fine

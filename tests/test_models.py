import numpy as np
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


@pytest.mark.parametrize(
    ("shape", "channels"), [((1, 28, 28), (8, 16)), ((1, 64, 64), (8, 16, 32)), ((3, 32, 32), (8, 16))]
)
def test_conv_vae_takes_grey_and_colour_images_of_common_sizes(shape, channels):
    model = vt.ConvVAE(input_shape=shape, z_dim=3, channels=channels)
    x = torch.rand(2, *shape)
    output, mu, _ = model(x)
    assert output.shape == x.shape and mu.shape == (2, 3)
    assert model.config()["input_shape"] == list(shape)


def test_conv_vae_says_how_to_fix_a_size_it_cannot_take():
    with pytest.raises(ValueError, match=r"divisible by 4, got 30x30: resize or pad the inputs \(e.g. to 32x32\)"):
        vt.ConvVAE(input_shape=(1, 30, 30))
    with pytest.raises(ValueError, match=r"input_shape \(C, H, W\)"):
        vt.ConvVAE(input_shape=(28, 28))
    with pytest.raises(ValueError, match="channels"):
        vt.ConvVAE(channels=())


def test_conv1d_vae_for_multichannel_signals():
    model = vt.Conv1dVAE(input_shape=(6, 40), z_dim=4, channels=(8, 16))
    x = torch.randn(3, 6, 40)
    output, mu, logvar = model(x)
    assert output.shape == x.shape and mu.shape == (3, 4) and model.likelihood == "gaussian"
    with pytest.raises(ValueError, match=r"\(N, 6, 40\)"):
        model.encode(torch.randn(3, 40))
    with pytest.raises(ValueError, match="divisible by 4"):
        vt.Conv1dVAE(input_shape=(1, 42))



@pytest.mark.parametrize("model", [vt.Conv1dVAE((2, 8), z_dim=2, channels=(4,), likelihood="gaussian_var"),
                                   vt.DenseVAE(input_dim=5, z_dim=2, hidden=(6,), likelihood="gaussian_var")])
def test_gaussian_var_decoder_returns_a_mean_and_a_variance_per_feature(model, tmp_path):
    x = torch.randn(4, *model.input_shape)
    output, _, _ = model.eval()(x)
    assert output.shape == (4, 2 * model.input_shape[0], *model.input_shape[1:]) and model.outputs_per_feature == 2
    assert torch.equal(model.mean(output), output[:, : model.input_shape[0]])
    history = vt.fit(model, x, epochs=2, batch_size=2, progress=False)
    assert np.isfinite(history.loss).all()
    table = vt.score_table(model, x, scores=("recon", "mse", "elbo"), k=2)
    assert table.shape == (4, 3) and np.isfinite(table.to_numpy()).all()
    loaded, _ = vt.load_checkpoint(vt.save_checkpoint(tmp_path / "m.pt", model))
    assert loaded.likelihood == "gaussian_var" and np.allclose(vt.anomaly_scores(loaded, x), table.recon)

def test_check_inputs_converts_arrays_and_float64_and_rejects_integers():
    model = vt.DenseVAE(input_dim=3)
    x = vt.check_inputs(model, np.zeros((2, 3)))
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32
    assert vt.check_inputs(model, torch.zeros(2, 3, dtype=torch.float64)).dtype == torch.float32
    with pytest.raises(TypeError, match="int64"):
        vt.check_inputs(model, np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="bool"):
        vt.check_inputs(model, torch.zeros(2, 3, dtype=torch.bool))


def test_default_device(monkeypatch):
    monkeypatch.delenv("VAETOOLS_DEVICE", raising=False)
    assert vt.default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv("VAETOOLS_DEVICE", "cpu")
    assert vt.default_device() == torch.device("cpu")
    assert vt.default_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("VAETOOLS_DEVICE", "gpu0")
    with pytest.raises(ValueError, match="not a device name"):
        vt.default_device()
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            vt.default_device("cuda")


def test_reparameterize_with_a_generator_is_repeatable():
    mu, logvar = torch.zeros(4, 2), torch.zeros(4, 2)
    a = vt.VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(1))
    b = vt.VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


@pytest.mark.parametrize("model_class, shape", [(vt.Conv1dVAE, (2, 40)), (vt.ConvVAE, (1, 28, 28))])
def test_refine_adds_a_size_keeping_convolution_per_stage(model_class, shape):
    plain = model_class(shape, z_dim=3, channels=(4, 8))
    refined = model_class(shape, z_dim=3, channels=(4, 8), refine=5)
    convs = lambda m: [c for c in m.modules() if isinstance(c, (torch.nn.Conv1d, torch.nn.Conv2d))]  # noqa: E731
    assert len(convs(refined)) == len(convs(plain)) + 4  # one per stage in the encoder and in the decoder
    assert all(c.kernel_size[0] == 5 for c in convs(refined)[1::2][:2])
    x = torch.randn(6, *shape).clamp(0, 1)
    assert refined.eval()(x)[0].shape == x.shape
    assert refined.config()["refine"] == 5 and "refine" not in plain.config()  # old checkpoints keep their keys
    assert model_class(**refined.config()).config() == refined.config()
    for bad in (2, -1, 1.5):
        with pytest.raises(ValueError, match="refine"):
            model_class(shape, refine=bad)

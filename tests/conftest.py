"""Shared fixtures: a tiny MNIST-shaped data folder written in torchvision's raw (IDX) layout."""
import os

import matplotlib
import numpy as np
import pytest
import torch

import vaetools as vt

matplotlib.use("Agg")


def _write_idx(path, array: np.ndarray) -> None:
    """IDX file: zero bytes, type code 0x08 (uint8), number of dimensions, big-endian sizes, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="session")
def fake_mnist(tmp_path_factory):
    """A data folder with 200 training and 100 test 'images' of every class except that 9 never occurs
    in the training split, so class 9 is known but has no training samples."""
    root = tmp_path_factory.mktemp("data")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 200), ("t10k", 100)):
        labels = np.arange(n) % (9 if prefix == "train" else 10)
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return root


def _written_out_fit(model, x, *, epochs, batch_size, seed, corrupt=None) -> list[float]:
    """vt.fit's loop written out (Bernoulli likelihood, lr 1e-3, the model's current weights): one generator
    for the batch order, one for the noise, one for ``corrupt``; returns the mean loss of every epoch."""
    order, noise, corruption = (torch.Generator().manual_seed(seed) for _ in range(3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(x), generator=order).split(batch_size):
            batch = x[idx]
            mu, logvar = model.encode(batch if corrupt is None else corrupt(batch, corruption))
            z = mu + torch.randn(mu.shape, generator=noise) * torch.exp(0.5 * logvar)
            terms = vt.vae_loss(model.decode(z), batch, mu, logvar, "bernoulli")
            optimizer.zero_grad()
            terms.total.mean().backward()
            optimizer.step()
            total += float(terms.total.detach().sum())
        losses.append(total / len(x))
    return losses


@pytest.fixture
def written_out_fit():
    """The function that trains a model with :func:`vaetools.fit`'s loop written out, to compare with it."""
    return _written_out_fit


@pytest.fixture
def real_data_dir():
    """The real data folder from $VAETOOLS_DATA (CI sets it); skipped where there is none."""
    root = os.environ.get("VAETOOLS_DATA")
    if not root or not os.path.isdir(os.path.join(root, "MNIST", "raw")):
        pytest.skip("VAETOOLS_DATA does not point at a folder with MNIST")
    return root

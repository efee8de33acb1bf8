"""Variational auto-encoders: a convolutional one for 1x28x28 images, a dense one for 1-D vectors.

Both share the same interface (:class:`VAE`): ``encode(x) -> (mu, logvar)``, ``reparameterize``,
``decode(z)`` and ``forward(x) -> (output, mu, logvar)``. The decoder's ``output`` is in the
*parameter space of the likelihood*: logits for a Bernoulli likelihood (the loss uses the numerically
stable BCE-with-logits), the mean for a Gaussian one. :meth:`VAE.mean` maps it to data space.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["VAE", "ConvVAE", "DenseVAE", "LIKELIHOODS", "check_inputs", "MODELS"]

#: Supported likelihoods p(x | z).
LIKELIHOODS = ("bernoulli", "gaussian")


class VAE(nn.Module):
    """Base class: Gaussian encoder q(z | x) = N(mu, diag(exp(logvar))), prior N(0, I)."""

    input_shape: tuple[int, ...]

    def __init__(self, z_dim: int, likelihood: str) -> None:
        super().__init__()
        if not isinstance(z_dim, int) or z_dim < 1:
            raise ValueError(f"z_dim must be a positive integer, got {z_dim!r}")
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
        self.z_dim = z_dim
        self.likelihood = likelihood

    def config(self) -> dict:
        """The keyword arguments that rebuild this model (used by checkpoints)."""
        raise NotImplementedError

    def check_shape(self, x: torch.Tensor) -> None:
        """Raise a ``ValueError`` naming the expected shape when ``x`` is not a batch of inputs."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
        if x.dim() != len(self.input_shape) + 1 or tuple(x.shape[1:]) != self.input_shape:
            expected = ", ".join(["N", *map(str, self.input_shape)])
            raise ValueError(
                f"{type(self).__name__} expects input of shape ({expected}), got {tuple(x.shape)}"
            )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the mean and log-variance of q(z | x), each of shape (N, z_dim)."""
        self.check_shape(x)
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """Draw z = mu + sigma * eps with eps ~ N(0, I) (differentiable in mu and logvar)."""
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes (N, z_dim) to likelihood parameters (logits or means) of input shape."""
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"{type(self).__name__} decodes z of shape (N, {self.z_dim}), got {tuple(z.shape)}")
        return self.decoder(z)

    def mean(self, output: torch.Tensor) -> torch.Tensor:
        """Data-space mean of p(x | z) from the decoder's output (sigmoid of the logits if Bernoulli)."""
        return torch.sigmoid(output) if self.likelihood == "bernoulli" else output

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, draw z (in training mode; z = mu in eval mode) and decode.

        Returns:
            ``(output, mu, logvar)``: decoder output in the likelihood's parameter space, and q(z | x).
        """
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar) if self.training else mu
        return self.decoder(z), mu, logvar


class ConvVAE(VAE):
    """Convolutional VAE for 1x28x28 images.

    Encoder: two 4x4 stride-2 convolutions (28 -> 14 -> 7) and a linear layer to (mu, logvar);
    decoder: the mirror image with transposed convolutions. Lean on purpose: it trains on the 6,742
    MNIST ones in seconds on a laptop CPU.

    Args:
        z_dim: size of the latent space (2 to draw it, 128 for the best restorations).
        channels: feature maps after the first and second convolution.
        likelihood: ``"bernoulli"`` (decoder returns logits; inputs must lie in [0, 1]) or ``"gaussian"``.
    """

    input_shape = (1, 28, 28)

    def __init__(self, z_dim: int = 128, channels: tuple[int, int] = (32, 64), likelihood: str = "bernoulli") -> None:
        super().__init__(z_dim, likelihood)
        c1, c2 = (int(c) for c in channels)
        self.channels = (c1, c2)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 4, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(c2 * 7 * 7, 2 * z_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(z_dim, c2 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (c2, 7, 7)),
            nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1),
        )

    def config(self) -> dict:
        return {"z_dim": self.z_dim, "channels": list(self.channels), "likelihood": self.likelihood}


class DenseVAE(VAE):
    """Fully connected VAE for 1-D vectors of length ``input_dim`` (as in the Keras example).

    Args:
        input_dim: length L of each input vector; inputs have shape (N, L).
        z_dim: size of the latent space.
        hidden: widths of the hidden layers of the encoder (the decoder mirrors them).
        likelihood: ``"gaussian"`` (decoder returns the mean) or ``"bernoulli"`` (logits; inputs in [0, 1]).
    """

    def __init__(
        self, input_dim: int, z_dim: int = 2, hidden: tuple[int, ...] = (128, 64), likelihood: str = "gaussian"
    ) -> None:
        super().__init__(z_dim, likelihood)
        if not isinstance(input_dim, int) or input_dim < 1:
            raise ValueError(f"input_dim must be a positive integer, got {input_dim!r}")
        if len(hidden) == 0:
            raise ValueError("hidden needs at least one layer width")
        self.input_shape = (input_dim,)
        self.hidden = tuple(int(h) for h in hidden)
        self.encoder = nn.Sequential(*_mlp([input_dim, *self.hidden]), nn.Linear(self.hidden[-1], 2 * z_dim))
        self.decoder = nn.Sequential(*_mlp([z_dim, *self.hidden[::-1]]), nn.Linear(self.hidden[0], input_dim))

    def config(self) -> dict:
        return {
            "input_dim": self.input_shape[0], "z_dim": self.z_dim,
            "hidden": list(self.hidden), "likelihood": self.likelihood,
        }


def _mlp(widths: list[int]) -> list[nn.Module]:
    """Linear layers between consecutive widths, each followed by a ReLU."""
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return layers


#: Model classes by name, for rebuilding a model from a checkpoint.
MODELS: dict[str, type[VAE]] = {"ConvVAE": ConvVAE, "DenseVAE": DenseVAE}


def check_inputs(model: VAE, x: torch.Tensor, name: str = "x") -> None:
    """Check a whole data tensor before training or scoring.

    Raises:
        ValueError: wrong shape, no samples, NaN or infinite values, or values outside [0, 1] when the
            model's likelihood is Bernoulli.
    """
    model.check_shape(x)
    if len(x) == 0:
        raise ValueError(f"{name} has no samples")
    if not torch.isfinite(x).all():
        bad = int((~torch.isfinite(x)).flatten(1).any(1).sum())
        raise ValueError(f"{name} contains NaN or infinite values in {bad} of {len(x)} samples")
    if model.likelihood == "bernoulli":
        lo, hi = float(x.min()), float(x.max())
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"a Bernoulli likelihood needs {name} in [0, 1], got values in [{lo:.3g}, {hi:.3g}]; "
                "scale the data (e.g. min-max) or use likelihood='gaussian'"
            )

"""Variational auto-encoders: convolutional ones for images and for signals, a dense one for vectors.

All share one interface (:class:`VAE`): ``encode(x) -> (mu, logvar)``, ``reparameterize``,
``decode(z)`` and ``forward(x) -> (output, mu, logvar)``. The decoder's ``output`` is in the
*parameter space of the likelihood*: logits for a Bernoulli likelihood (the loss uses the numerically
stable BCE-with-logits), the mean for a Gaussian one. :meth:`VAE.mean` maps it to data space.

======================  ====================  =====================================================
model                   inputs                 use
======================  ====================  =====================================================
:class:`ConvVAE`        (N, C, H, W)          grey or colour images (MNIST, your own image folder)
:class:`Conv1dVAE`      (N, C, L)             signals of one or several channels, sliding windows
:class:`DenseVAE`       (N, L)                vectors, e.g. rows of a table (the Keras example)
======================  ====================  =====================================================
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .losses import gaussian_parameters

__all__ = [
    "VAE", "ConvVAE", "Conv1dVAE", "DenseVAE", "LIKELIHOODS", "MODELS",
    "check_inputs", "check_finite", "as_float_tensor", "as_rows",
]

#: Supported likelihoods p(x | z).
LIKELIHOODS = ("bernoulli", "gaussian", "gaussian_var")


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

    @property
    def outputs_per_feature(self) -> int:
        """How many numbers the decoder returns per input feature: 2 (mean, log-variance) for a
        ``"gaussian_var"`` likelihood, else 1."""
        return 2 if self.likelihood == "gaussian_var" else 1

    @property
    def device(self) -> torch.device:
        """The device of the model's weights (move the model with ``model.to(device)``)."""
        return next(self.parameters()).device

    def config(self) -> dict:
        """The keyword arguments that rebuild this model (used by checkpoints)."""
        raise NotImplementedError

    def check_shape(self, x: torch.Tensor) -> None:
        """Raise a ``ValueError`` naming the expected shape when ``x`` is not a batch of inputs."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(x).__name__} (vt.check_inputs converts arrays)")
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
    def reparameterize(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Draw z = mu + sigma * eps with eps ~ N(0, I) (differentiable in mu and logvar).

        ``generator`` (on the device of ``mu``) makes the draw repeatable without touching torch's
        global random state.
        """
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + eps * torch.exp(0.5 * logvar)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes (N, z_dim) to likelihood parameters (logits or means) of input shape."""
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"{type(self).__name__} decodes z of shape (N, {self.z_dim}), got {tuple(z.shape)}")
        return self.decoder(z)

    def mean(self, output: torch.Tensor) -> torch.Tensor:
        """Data-space mean of p(x | z) from the decoder's output (sigmoid of the logits if Bernoulli,
        the first half of the channels for ``"gaussian_var"``)."""
        if self.likelihood == "gaussian_var":
            return gaussian_parameters(output)[0]
        return torch.sigmoid(output) if self.likelihood == "bernoulli" else output

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, draw z (in training mode; z = mu in eval mode) and decode.

        Returns:
            ``(output, mu, logvar)``: decoder output in the likelihood's parameter space, and q(z | x).
        """
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar) if self.training else mu
        return self.decoder(z), mu, logvar


class _ConvNet(VAE):
    """Shared body of the convolutional VAEs: each stage a 4-wide stride-2 convolution that halves
    every spatial size (followed, with ``refine=k``, by a k-wide stride-1 convolution that keeps it);
    a linear layer to (mu, logvar); the decoder mirrors the encoder with transposed convolutions."""

    _conv: type[nn.Module]
    _deconv: type[nn.Module]

    def __init__(self, input_shape, z_dim: int, channels, likelihood: str, refine: int = 0) -> None:
        super().__init__(z_dim, likelihood)
        shape = tuple(int(s) for s in input_shape)
        name = type(self).__name__
        if len(shape) != self._spatial_dims + 1 or min(shape) < 1:
            axes = "(C, H, W)" if self._spatial_dims == 2 else "(C, L)"
            raise ValueError(f"{name} needs input_shape {axes} of positive sizes, got {tuple(input_shape)}")
        widths = tuple(int(c) for c in channels)
        if not widths or min(widths) < 1:
            raise ValueError(f"channels needs at least one positive width, got {tuple(channels)}")
        if int(refine) != refine or refine < 0 or (refine and refine % 2 == 0):
            raise ValueError(f"refine must be 0 (none) or an odd kernel size such as 3 or 5, got {refine!r}")
        factor = 2 ** len(widths)
        if any(s % factor for s in shape[1:]):
            sizes = "x".join(map(str, shape[1:]))
            fix = [s + (-s) % factor for s in shape[1:]]
            raise ValueError(
                f"{name} with {len(widths)} down-sampling stages needs every size divisible by {factor}, "
                f"got {sizes}: resize or pad the inputs (e.g. to {'x'.join(map(str, fix))}), or use fewer "
                "stages (entries of channels)"
            )
        self.input_shape = shape
        self.channels = widths
        self.refine = int(refine)
        inner = [s // factor for s in shape[1:]]
        flat = widths[-1] * int(np.prod(inner))
        # Layers are built in the order the modules are listed, so that re-initializing them one by
        # one after torch.manual_seed(seed) (as vt.fit does) gives the weights a fresh model would get.
        self.encoder = nn.Sequential()
        for a, b in zip((shape[0], *widths[:-1]), widths):
            self.encoder.extend([self._conv(a, b, 4, stride=2, padding=1), nn.ReLU(), *self._refined(b)])
        self.encoder.extend([nn.Flatten(), nn.Linear(flat, 2 * z_dim)])
        self.decoder = nn.Sequential(nn.Linear(z_dim, flat), nn.ReLU(), nn.Unflatten(1, (widths[-1], *inner)))
        for a, b in zip(widths[::-1], widths[-2::-1]):
            self.decoder.extend([*self._refined(a), self._deconv(a, b, 4, stride=2, padding=1), nn.ReLU()])
        out = shape[0] * self.outputs_per_feature
        self.decoder.extend([*self._refined(widths[0]), self._deconv(widths[0], out, 4, stride=2, padding=1)])

    def _refined(self, width: int) -> list[nn.Module]:
        """The optional stride-1 convolution (and its ReLU) that keeps the size and the width."""
        if not self.refine:
            return []
        return [self._conv(width, width, self.refine, padding=self.refine // 2), nn.ReLU()]

    def config(self) -> dict:
        config = {
            "input_shape": list(self.input_shape), "z_dim": self.z_dim,
            "channels": list(self.channels), "likelihood": self.likelihood,
        }
        if self.refine:  # only when used, so that the checkpoints of models without it keep their keys
            config["refine"] = self.refine
        return config


class ConvVAE(_ConvNet):
    """Convolutional VAE for images of shape (C, H, W), grey (C = 1) or colour (C = 3).

    Encoder: one 4x4 stride-2 convolution per entry of ``channels`` (28 -> 14 -> 7 for MNIST with two)
    and a linear layer to (mu, logvar); decoder: the mirror image with transposed convolutions. Lean on
    purpose: it trains on the 6,742 MNIST ones in seconds on a laptop CPU.

    Args:
        input_shape: (C, H, W); H and W must be divisible by 2 ** len(channels) (28, 32, 64 with two
            stages; use three stages, e.g. ``channels=(32, 64, 128)``, for 64x64 and larger).
        z_dim: size of the latent space (2 to draw it, 128 for the best restorations).
        channels: feature maps after each convolution.
        likelihood: ``"bernoulli"`` (decoder returns logits; inputs must lie in [0, 1]), ``"gaussian"``
            or ``"gaussian_var"`` (a variance per pixel too; see :func:`vaetools.losses.reconstruction_loss`).
        refine: 0 (the default) or an odd kernel size: add a stride-1 convolution of that size after
            every down-sampling stage and before every up-sampling one (more depth at the same size).

    Raises:
        ValueError: a size the stride-2 stages cannot halve exactly (the message says how to fix it).
    """

    _spatial_dims, _conv, _deconv = 2, nn.Conv2d, nn.ConvTranspose2d

    def __init__(
        self,
        input_shape: tuple[int, int, int] = (1, 28, 28),
        z_dim: int = 128,
        channels: tuple[int, ...] = (32, 64),
        likelihood: str = "bernoulli",
        refine: int = 0,
    ) -> None:
        super().__init__(input_shape, z_dim, channels, likelihood, refine)


class Conv1dVAE(_ConvNet):
    """Convolutional VAE for signals of shape (C, L): one or several channels of L time steps.

    The same design as :class:`ConvVAE` with 1-D convolutions: each stage halves the length, so the
    filters see local shapes wherever they occur in time (a dense network must learn every shift anew).

    Args:
        input_shape: (C, L); L must be divisible by 2 ** len(channels).
        z_dim: size of the latent space.
        channels: feature maps after each convolution.
        likelihood: ``"gaussian"`` (standardized signals; decoder returns the mean), ``"gaussian_var"``
            (the decoder also returns a variance per time step: noisy stretches weigh less) or ``"bernoulli"``.
        refine: 0 or an odd kernel size (see :class:`ConvVAE`): 5 in ``vt.SIGNAL_CVAE``, 3 in
            benchmarks/signals.py (MNIST-1D).
    """

    _spatial_dims, _conv, _deconv = 1, nn.Conv1d, nn.ConvTranspose1d

    def __init__(
        self,
        input_shape: tuple[int, int],
        z_dim: int = 8,
        channels: tuple[int, ...] = (32, 64),
        likelihood: str = "gaussian",
        refine: int = 0,
    ) -> None:
        super().__init__(input_shape, z_dim, channels, likelihood, refine)


class DenseVAE(VAE):
    """Fully connected VAE for 1-D vectors of length ``input_dim`` (as in the Keras example).

    Args:
        input_dim: length L of each input vector; inputs have shape (N, L).
        z_dim: size of the latent space.
        hidden: widths of the hidden layers of the encoder (the decoder mirrors them).
        likelihood: ``"gaussian"`` (decoder returns the mean), ``"gaussian_var"`` (mean and log-variance
            per feature) or ``"bernoulli"`` (logits; inputs in [0, 1]).
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
        out = input_dim * self.outputs_per_feature
        self.decoder = nn.Sequential(*_mlp([z_dim, *self.hidden[::-1]]), nn.Linear(self.hidden[0], out))

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
MODELS: dict[str, type[VAE]] = {"ConvVAE": ConvVAE, "Conv1dVAE": Conv1dVAE, "DenseVAE": DenseVAE}


def check_inputs(model: VAE, x, name: str = "x") -> torch.Tensor:
    """Check and convert a whole data set at the door, before training or scoring.

    Accepts a tensor or a NumPy array of any floating dtype and returns a float32 tensor (on the
    device it came on; arrays come to the CPU).

    Raises:
        TypeError: not an array, or integer / boolean values (scale them to floats first).
        ValueError: wrong shape (the message names the expected one), no samples, NaN or infinite
            values, or values outside [0, 1] when the model's likelihood is Bernoulli.
    """
    x = as_float_tensor(x, name)
    model.check_shape(x)
    if len(x) == 0:
        raise ValueError(f"{name} has no samples")
    check_finite(x, name)
    if model.likelihood == "bernoulli":
        lo, hi = float(x.min()), float(x.max())
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"a Bernoulli likelihood needs {name} in [0, 1], got values in [{lo:.3g}, {hi:.3g}]; "
                "scale the data (e.g. min-max) or use likelihood='gaussian'"
            )
    return x


def check_finite(x: torch.Tensor, name: str = "x") -> None:
    """Raise a ``ValueError`` that counts the samples (rows of ``x``) with NaN or infinite values."""
    finite = torch.isfinite(x).flatten(1).all(1)
    if not finite.all():
        raise ValueError(f"{name} contains NaN or infinite values in {int((~finite).sum())} of {len(x)} samples; "
                         "clean or impute them first")


def as_float_tensor(x, name: str = "x") -> torch.Tensor:
    """A tensor or NumPy array of any floating dtype as a float32 tensor (arrays come to the CPU).

    Raises:
        TypeError: not an array, or integer / boolean values (the message says how to convert them).
    """
    if isinstance(x, np.ndarray):
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(_dtype_message(name, x.dtype))
        x = torch.from_numpy(np.ascontiguousarray(x) if x.flags.writeable else x.copy())  # pandas' may be read-only
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or a NumPy array, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(_dtype_message(name, x.dtype))
    return x.detach().float()


def _dtype_message(name: str, dtype) -> str:
    return (f"{name} holds {dtype} values; the models take floats: convert first, e.g. x / 255 for 8-bit "
            "images or x.astype('float32') for integer readings")


def as_rows(x, name: str = "x") -> np.ndarray:
    """``x`` as a 2-D float32 array, one flattened sample per row (an image to its pixels, a signal's channels
    one after the other), checked for NaN and infinite values: what the scikit-learn baselines see."""
    x = as_float_tensor(x, name)
    if x.dim() < 2 or len(x) == 0:
        raise ValueError(f"{name} must hold samples along its first axis, got shape {tuple(x.shape)}")
    check_finite(x, name)
    return x.flatten(1).cpu().numpy()

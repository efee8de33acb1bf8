"""The VAE objective: a reconstruction term and the KL divergence to the prior, per sample.

Two ways to weight the terms are in common use, and both are supported:

* the **ratio** of the Keras example, ``a * recon + (1 - a) * KL`` with ``a = 0.5`` there;
* **beta-VAE**, ``recon + beta * KL`` (``beta = 1`` is the plain ELBO).

They describe the same family of objectives: dividing the ratio form by ``a`` gives
``recon + ((1 - a) / a) * KL``, so ``beta = (1 - a) / a`` and ``a = 1 / (1 + beta)``; the two losses
then differ only by the constant factor ``a``, which rescales the gradients (like a learning rate)
but not the optimum. ``a = 0.5`` is ``beta = 1``: the Keras example optimizes half the ELBO.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

__all__ = [
    "reconstruction_loss",
    "gaussian_parameters",
    "LOG_VARIANCE_RANGE",
    "kl_divergence",
    "loss_weights",
    "ratio_to_beta",
    "beta_to_ratio",
    "vae_loss",
    "LossTerms",
]


class LossTerms(NamedTuple):
    """Per-sample terms of the objective, each of shape (N,)."""

    total: torch.Tensor
    recon: torch.Tensor
    kl: torch.Tensor


#: Soft bounds of the decoder's log-variance for ``likelihood="gaussian_var"`` (standardized data: a
#: standard deviation between 0.03 and 4.5), so that a perfectly restored point cannot drive the
#: likelihood to infinity.
LOG_VARIANCE_RANGE = (-7.0, 3.0)


def gaussian_parameters(output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and log-variance of p(x | z) from the output of a ``"gaussian_var"`` decoder.

    The decoder returns twice the input's channels (features, for 1-D vectors): the first half is the
    mean, the second half a raw log-variance, softly bounded to :data:`LOG_VARIANCE_RANGE`.
    """
    mean, raw = output.chunk(2, dim=1)
    low, high = LOG_VARIANCE_RANGE
    logvar = low + F.softplus(raw - low)
    return mean, high - F.softplus(high - logvar)


def reconstruction_loss(output: torch.Tensor, x: torch.Tensor, likelihood: str = "bernoulli") -> torch.Tensor:
    """Negative log-likelihood -log p(x | z) per sample, summed over all features.

    Args:
        output: the decoder's output: logits (Bernoulli) or means (Gaussian), same shape as ``x``;
            for ``"gaussian_var"`` means and raw log-variances, concatenated along dimension 1.
        x: the inputs; in [0, 1] for a Bernoulli likelihood.
        likelihood: ``"bernoulli"``: binary cross-entropy computed from logits (stable for any logit);
            ``"gaussian"``: unit-variance Gaussian, ``0.5 * ||x - output||^2 + 0.5 * D * log(2 pi)``;
            ``"gaussian_var"``: a Gaussian whose variance the decoder predicts for every feature
            (:func:`gaussian_parameters`), so that noisy parts of a signal weigh less than exact ones.

    Returns:
        A tensor of shape (N,).
    """
    if likelihood == "gaussian_var":
        if output.dim() != x.dim() or output.shape[1] != 2 * x.shape[1] or output.shape[2:] != x.shape[2:]:
            raise ValueError(f"a gaussian_var output has twice the channels of the input {tuple(x.shape)}, "
                             f"got {tuple(output.shape)}")
        mean, logvar = gaussian_parameters(output)
        per_feature = 0.5 * ((x - mean).pow(2) * torch.exp(-logvar) + logvar + math.log(2 * math.pi))
        return per_feature.flatten(1).sum(1)
    if output.shape != x.shape:
        raise ValueError(f"output shape {tuple(output.shape)} differs from input shape {tuple(x.shape)}")
    if likelihood == "bernoulli":
        per_feature = F.binary_cross_entropy_with_logits(output, x, reduction="none")
        return per_feature.flatten(1).sum(1)
    if likelihood == "gaussian":
        dim = x[0].numel()
        return 0.5 * (output - x).pow(2).flatten(1).sum(1) + 0.5 * dim * math.log(2 * math.pi)
    raise ValueError(f"likelihood must be 'bernoulli', 'gaussian' or 'gaussian_var', got {likelihood!r}")


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) per sample, in closed form.

    ``0.5 * sum(mu^2 + exp(logvar) - 1 - logvar)`` over the latent dimensions; shape (N,).
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)


def ratio_to_beta(ratio: float) -> float:
    """The beta-VAE weight equivalent to the Keras ratio ``a``: ``beta = (1 - a) / a``."""
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"the ratio a must be in (0, 1], got {ratio}")
    return (1.0 - ratio) / ratio


def beta_to_ratio(beta: float) -> float:
    """The Keras ratio ``a`` equivalent to a beta-VAE weight: ``a = 1 / (1 + beta)``."""
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    return 1.0 / (1.0 + beta)


def loss_weights(beta: float | None = None, ratio: float | None = None) -> tuple[float, float]:
    """Weights ``(w_recon, w_kl)`` of the two terms.

    Give ``ratio`` (a) for ``a * recon + (1 - a) * KL``, or ``beta`` for ``recon + beta * KL``;
    with neither, ``beta = 1`` (the ELBO).
    """
    if beta is not None and ratio is not None:
        raise ValueError("give either beta or ratio, not both")
    if ratio is not None:
        ratio_to_beta(ratio)  # validates the range
        return float(ratio), 1.0 - float(ratio)
    beta = 1.0 if beta is None else float(beta)
    beta_to_ratio(beta)  # validates the range
    return 1.0, beta


def vae_loss(
    output: torch.Tensor,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    likelihood: str = "bernoulli",
    *,
    beta: float | None = None,
    ratio: float | None = None,
) -> LossTerms:
    """The weighted objective per sample (see the module docstring for ``beta`` and ``ratio``).

    Returns:
        :class:`LossTerms` ``(total, recon, kl)``, each of shape (N,); ``recon`` and ``kl`` unweighted.
    """
    w_recon, w_kl = loss_weights(beta, ratio)
    recon = reconstruction_loss(output, x, likelihood)
    kl = kl_divergence(mu, logvar)
    return LossTerms(w_recon * recon + w_kl * kl, recon, kl)

"""Anomaly scores: how badly a trained VAE explains each input (higher = more anomalous).

Every function here is a plain function: it checks and converts its input, runs the model on the
model's own device in ``eval()`` mode under :func:`torch.inference_mode`, in batches, puts the model
back in the mode it was in, and returns scores and codes as NumPy arrays, images as CPU tensors.
The scores are deterministic: the restoration decodes ``z = mu``; the two sampled scores draw their
``k`` codes from a generator seeded with ``seed`` on the model's device.

=========  ===================================================================================
score      what it is
=========  ===================================================================================
``recon``  -log p(x | z = mu): the model's own reconstruction term at the code's mean (BCE for a
           Bernoulli likelihood, the unit-variance Gaussian negative log-likelihood for
           ``"gaussian"``, which ranks inputs as ``mse`` does, and for ``"gaussian_var"`` the
           Gaussian's with the decoder's own variance per feature)
``bce``    binary cross-entropy between ``x`` and the restoration (needs ``x`` in [0, 1])
``mse``    mean squared error between ``x`` and the restoration, in data space
``kl``     KL(q(z | x) || p(z)): how unusual the code is
``elbo``   the negative ELBO, ``E_q[-log p(x | z)] + KL``, the expectation estimated with ``k`` draws
           ``z ~ q(z | x)`` and the KL in closed form; in expectation an upper bound on -log p(x)
``iwae``   the importance-weighted bound on -log p(x) with ``k`` draws (Burda et al., 2016): tighter
           than ``elbo``, and equal to -log p(x) as ``k`` grows
``mse_c``  the restoration error in bits, corrected for input complexity (Serrà et al., 2020):
           ``-log2 N(x; restoration, sigma2) - L(x)``, with ``sigma2`` the squared restoration
           error of normal validation images (:func:`restoration_variance`) and ``L(x)`` the
           image's lossless code length (:func:`~vaetools.complexity.input_complexity`; images only)
``mse_cw`` the same with ``weight * L(x)``, the weight fitted on normal validation data
           (:func:`fit_complexity_weight`): as much of the correction as the code length explains
           among normal images; 0 ranks as ``mse`` does, 1 is ``mse_c``
=========  ===================================================================================
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .complexity import ComplexityCorrection, input_complexity
from .losses import gaussian_parameters, kl_divergence, reconstruction_loss
from .models import VAE, check_inputs

__all__ = [
    "SCORES", "DEFAULT_SCORES", "score_table", "anomaly_scores", "iwae_nll", "restoration_variance",
    "fit_complexity_weight", "encode", "reconstruct", "restoration_std",
]

#: Every score :func:`score_table` can compute.
SCORES = ("recon", "bce", "mse", "kl", "elbo", "iwae", "mse_c", "mse_cw")
#: The scores computed when none are named (one decoder pass each; no sampling, no fitted parts).
DEFAULT_SCORES = ("recon", "mse", "kl")


@contextmanager
def _evaluating(model: VAE):
    """``eval()`` mode and inference mode inside; the model's previous mode restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        model.train(was_training)


def score_table(
    model: VAE,
    x,
    *,
    scores: tuple[str, ...] = DEFAULT_SCORES,
    k: int = 16,
    sigma2: float | None = None,
    codec: str = "webp",
    weight: float | None = None,
    batch_size: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Several per-sample anomaly scores from one pass over ``x`` (see the module docstring).

    Args:
        model: a trained VAE.
        x: inputs of the model's input shape (tensor or NumPy array, any float dtype).
        scores: which columns to compute, from :data:`SCORES`.
        k: draws of z for ``elbo`` and ``iwae`` (the same draws serve both).
        sigma2: the restoration variance for ``mse_c`` and ``mse_cw`` (:func:`restoration_variance` of
            normal validation data).
        codec: lossless codec of ``L(x)`` for ``mse_c`` and ``mse_cw``: ``"webp"`` or ``"png"``.
        weight: the weight of ``L(x)`` in ``mse_cw`` (:func:`fit_complexity_weight` on normal
            validation data).
        batch_size: inputs per forward pass.
        seed: seed of the draws of z.

    Returns:
        A DataFrame with one column per score and one row per sample.
    """
    unknown = set(scores) - set(SCORES)
    if unknown:
        raise ValueError(f"unknown scores {sorted(unknown)}; choose from {SCORES}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    x = check_inputs(model, x)
    if "bce" in scores and (float(x.min()) < 0 or float(x.max()) > 1):
        raise ValueError("the 'bce' score needs inputs in [0, 1]; use 'mse' or 'recon' instead")
    corrected = [name for name in ("mse_c", "mse_cw") if name in scores]
    if corrected:
        _check_mse_c(model, sigma2)
    if "mse_cw" in scores and (weight is None or not np.isfinite(weight)):
        raise ValueError("mse_cw needs the weight of L(x) fitted on normal validation data: "
                         "weight=vt.fit_complexity_weight(model, x_val, sigma2)")
    wanted = set(scores) | ({"mse"} if corrected else set())
    sampled = bool(wanted & {"elbo", "iwae"})
    device = model.device
    generator = torch.Generator(device).manual_seed(seed)
    columns: dict[str, list[torch.Tensor]] = {name: [] for name in wanted - {"mse_c", "mse_cw"}}
    with _evaluating(model):
        for start in range(0, len(x), batch_size):
            batch = x[start : start + batch_size].to(device)
            mu, logvar = model.encode(batch)
            output = model.decode(mu)
            mean = model.mean(output)
            values = {"kl": kl_divergence(mu, logvar)}
            if "recon" in wanted:
                values["recon"] = reconstruction_loss(output, batch, model.likelihood)
            if "bce" in wanted:
                bce = F.binary_cross_entropy(mean.clamp(1e-7, 1 - 1e-7), batch, reduction="none")
                values["bce"] = bce.flatten(1).sum(1)
            if "mse" in wanted:
                values["mse"] = (mean - batch).pow(2).flatten(1).mean(1)
            if sampled:
                recon_k, log_w = _importance_weights(model, batch, mu, logvar, k, generator)
                values["elbo"] = recon_k.mean(0) + values["kl"]
                values["iwae"] = -(torch.logsumexp(log_w, 0) - math.log(k))
            for name in columns:
                columns[name].append(values[name].double().cpu())
    table = pd.DataFrame({name: torch.cat(parts).numpy() for name, parts in columns.items()})
    if corrected:
        size, lengths = int(np.prod(model.input_shape)), input_complexity(x, codec)
        for name in corrected:
            correction = ComplexityCorrection(sigma2, 1.0 if name == "mse_c" else weight, size, codec)
            table[name] = correction.score(table["mse"].to_numpy(), lengths=lengths)
    return table[list(scores)]


def _check_mse_c(model: VAE, sigma2: float | None) -> None:
    if len(model.input_shape) != 3 or model.input_shape[0] not in (1, 3):
        raise ValueError(
            f"mse_c and mse_cw need images of shape (1 or 3, H, W) for their code length; this model takes "
            f"{model.input_shape}: use 'mse' for other data"
        )
    if sigma2 is None or not np.isfinite(sigma2) or sigma2 <= 0:
        raise ValueError(
            "mse_c needs the restoration variance of normal validation data, sigma2 > 0: "
            "sigma2=vt.restoration_variance(model, x_val) (vt.Detector fits it for you)"
        )


def _importance_weights(model, batch, mu, logvar, k, generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``-log p(x | z_i)`` and the log importance weights ``log p(x, z_i) - log q(z_i | x)``, each (k, B)."""
    eps = torch.randn((k, *mu.shape), generator=generator, device=mu.device, dtype=mu.dtype)
    z = mu + torch.exp(0.5 * logvar) * eps
    output = model.decode(z.flatten(0, 1))
    repeated = batch.expand(k, *batch.shape).flatten(0, 1)
    recon = reconstruction_loss(output, repeated, model.likelihood).view(k, -1)
    log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)
    log_qz = -0.5 * (eps.pow(2) + logvar + math.log(2 * math.pi)).sum(-1)
    return recon, -recon + log_pz - log_qz


def anomaly_scores(model: VAE, x, score: str = "recon", **options) -> np.ndarray:
    """One anomaly score per sample (higher = more anomalous), as a NumPy array.

    ``score`` is one of :data:`SCORES`; ``options`` are those of :func:`score_table` (``k``,
    ``sigma2``, ``codec``, ``batch_size``, ``seed``).
    """
    return score_table(model, x, scores=(score,), **options)[score].to_numpy()


def iwae_nll(model: VAE, x, *, k: int = 16, batch_size: int = 500, seed: int = 0) -> np.ndarray:
    """Importance-weighted estimate of -log p(x) (Burda et al., 2016) with ``k`` samples per input.

    ``-log (1/k) sum_i p(x | z_i) p(z_i) / q(z_i | x)`` with ``z_i ~ q(z | x)``: an upper bound on
    -log p(x) in expectation, tighter than the negative ELBO (``k = 1``) and exact as ``k`` grows.
    """
    return anomaly_scores(model, x, "iwae", k=k, batch_size=batch_size, seed=seed)


def restoration_variance(model: VAE, x_val, *, batch_size: int = 500) -> float:
    """The maximum-likelihood variance of the restoration error: the mean squared error per value
    over (normal) validation inputs, the fitted part of the ``mse_c`` score."""
    return float(anomaly_scores(model, x_val, "mse", batch_size=batch_size).mean())


def fit_complexity_weight(model: VAE, x_val, sigma2: float, *, codec: str = "webp", batch_size: int = 500) -> float:
    """The weight of ``L(x)`` in the ``mse_cw`` score, fitted on normal validation inputs ``x_val``.

    The weight of :meth:`ComplexityCorrection.fit <vaetools.complexity.ComplexityCorrection.fit>` for the
    model's restoration error (a Gaussian with variance ``sigma2`` around the restoration): the slope that
    leaves their scores least spread. Images only, like ``mse_c``.
    """
    _check_mse_c(model, sigma2)
    x_val = check_inputs(model, x_val, "x_val")
    mse = anomaly_scores(model, x_val, "mse", batch_size=batch_size)
    return ComplexityCorrection.fit(mse, x_val, sigma2=sigma2, codec=codec).weight


def encode(model: VAE, x, *, batch_size: int = 1000) -> np.ndarray:
    """The latent means ``mu`` of ``x``, an array of shape (N, z_dim)."""
    x = check_inputs(model, x)
    with _evaluating(model):
        parts = [model.encode(x[i : i + batch_size].to(model.device))[0].cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(parts).numpy()


def reconstruct(model: VAE, x, *, batch_size: int = 1000) -> torch.Tensor:
    """Restorations of ``x`` in data space (decoded from z = mu): a CPU tensor of the shape of ``x``."""
    return _decoded(model, x, model.mean, batch_size)


def restoration_std(model: VAE, x, *, batch_size: int = 1000) -> torch.Tensor:
    """Standard deviation of p(x | z = mu) per feature, beside :func:`reconstruct`'s mean: the decoder's
    own for a ``"gaussian_var"`` likelihood (where it expects noise), 1 for the unit-variance ``"gaussian"``.
    A CPU tensor of the shape of ``x``."""
    if model.likelihood == "bernoulli":
        raise ValueError("a Bernoulli likelihood has no standard deviation of its own: its variance is p(1 - p)")
    if model.likelihood == "gaussian":
        return torch.ones(check_inputs(model, x).shape)
    return _decoded(model, x, lambda output: torch.exp(0.5 * gaussian_parameters(output)[1]), batch_size)


def _decoded(model: VAE, x, transform, batch_size: int) -> torch.Tensor:
    """``transform`` of the decoder's output at z = mu, batch by batch, as one CPU tensor."""
    x = check_inputs(model, x)
    parts = []
    with _evaluating(model):
        for i in range(0, len(x), batch_size):
            mu = model.encode(x[i : i + batch_size].to(model.device))[0]
            parts.append(transform(model.decode(mu)).cpu())
    return torch.cat(parts)

"""Anomaly scores: how badly a trained VAE explains each input.

All functions run the model in ``eval()`` mode under ``torch.no_grad()``, in batches, and are
deterministic: the latent code is the encoder's mean ``z = mu``, unless ``n_samples > 0`` asks for a
Monte-Carlo average over ``z ~ q(z | x)`` (seeded, so also repeatable).

Scores (higher = more anomalous):

* ``recon``: -log p(x | z), the model's own reconstruction term (BCE for a Bernoulli likelihood,
  the Gaussian negative log-likelihood otherwise);
* ``bce``: binary cross-entropy between ``x`` and the restoration (needs ``x`` in [0, 1]);
* ``mse``: mean squared error between ``x`` and the restoration, in data space;
* ``kl``: KL(q(z | x) || p(z)), how unusual the code is;
* ``elbo``: the negative ELBO, ``recon + kl`` (an upper bound on -log p(x));
* ``iwae``: importance-weighted estimate of -log p(x) with ``k`` samples (:func:`iwae_nll`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .losses import kl_divergence, reconstruction_loss
from .models import VAE, check_inputs

__all__ = ["SCORES", "anomaly_scores", "score_table", "encode", "reconstruct", "iwae_nll"]

SCORES = ("recon", "bce", "mse", "kl", "elbo")


def _batches(model: VAE, x: torch.Tensor, batch_size: int):
    check_inputs(model, x)
    model.eval()
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size]


def score_table(
    model: VAE,
    x: torch.Tensor,
    *,
    scores: tuple[str, ...] = SCORES,
    batch_size: int = 1000,
    n_samples: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Several per-sample anomaly scores from one pass over ``x``.

    Args:
        model: a trained VAE.
        x: inputs of the model's input shape.
        scores: which columns to compute, from :data:`SCORES`.
        batch_size: samples per forward pass.
        n_samples: 0 decodes z = mu; n > 0 averages the reconstruction terms over n draws of z.
        seed: seed of those draws.

    Returns:
        A DataFrame with one column per score and one row per sample.
    """
    unknown = set(scores) - set(SCORES)
    if unknown:
        raise ValueError(f"unknown scores {sorted(unknown)}; choose from {SCORES}")
    if "bce" in scores and (float(x.min()) < 0 or float(x.max()) > 1):
        raise ValueError("the 'bce' score needs inputs in [0, 1]; use 'mse' or 'recon' instead")
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    generator = torch.Generator().manual_seed(seed)
    columns: dict[str, list[torch.Tensor]] = {name: [] for name in scores}
    for batch in _batches(model, x, batch_size):
        mu, logvar = model.encode(batch)
        if n_samples == 0:
            zs = [mu]
        else:
            std = torch.exp(0.5 * logvar)
            zs = [mu + std * torch.randn(mu.shape, generator=generator) for _ in range(n_samples)]
        terms = {name: torch.zeros(len(batch)) for name in ("recon", "bce", "mse")}
        for z in zs:
            output = model.decode(z)
            mean = model.mean(output)
            if "recon" in scores or "elbo" in scores:
                terms["recon"] += reconstruction_loss(output, batch, model.likelihood) / len(zs)
            if "bce" in scores:
                bce = F.binary_cross_entropy(mean.clamp(1e-7, 1 - 1e-7), batch, reduction="none")
                terms["bce"] += bce.flatten(1).sum(1) / len(zs)
            if "mse" in scores:
                terms["mse"] += (mean - batch).pow(2).flatten(1).mean(1) / len(zs)
        kl = kl_divergence(mu, logvar)
        values = {**terms, "kl": kl, "elbo": terms["recon"] + kl}
        for name in scores:
            columns[name].append(values[name])
    return pd.DataFrame({name: torch.cat(parts).numpy() for name, parts in columns.items()})


def anomaly_scores(
    model: VAE, x: torch.Tensor, score: str = "recon", *, batch_size: int = 1000, n_samples: int = 0, seed: int = 0
) -> np.ndarray:
    """One anomaly score per sample (higher = more anomalous); see the module docstring for ``score``."""
    if score == "iwae":
        return iwae_nll(model, x, batch_size=batch_size, seed=seed)
    table = score_table(model, x, scores=(score,), batch_size=batch_size, n_samples=n_samples, seed=seed)
    return table[score].to_numpy()


def encode(model: VAE, x: torch.Tensor, *, batch_size: int = 1000) -> np.ndarray:
    """The latent means ``mu`` of ``x``, an array of shape (N, z_dim)."""
    return torch.cat([model.encode(batch)[0] for batch in _batches(model, x, batch_size)]).numpy()


def reconstruct(model: VAE, x: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Restorations of ``x`` in data space (decoded from z = mu), same shape as ``x``."""
    return torch.cat([model.mean(model.decode(model.encode(b)[0])) for b in _batches(model, x, batch_size)])


def iwae_nll(model: VAE, x: torch.Tensor, *, k: int = 16, batch_size: int = 500, seed: int = 0) -> np.ndarray:
    """Importance-weighted estimate of -log p(x) (Burda et al., 2016) with ``k`` samples per input.

    ``-log (1/k) sum_i p(x | z_i) p(z_i) / q(z_i | x)`` with ``z_i ~ q(z | x)``; tighter than the
    negative ELBO, to which it reduces for ``k = 1`` (in expectation).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    generator = torch.Generator().manual_seed(seed)
    out = []
    for batch in _batches(model, x, batch_size):
        mu, logvar = model.encode(batch)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn((k, *mu.shape), generator=generator)
        z = mu + std * eps  # (k, B, z_dim)
        output = model.decode(z.flatten(0, 1))
        repeated = batch.expand(k, *batch.shape).flatten(0, 1)
        log_px_z = -reconstruction_loss(output, repeated, model.likelihood).view(k, -1)
        log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)
        log_qz = -0.5 * (eps.pow(2) + logvar + math.log(2 * math.pi)).sum(-1)
        log_w = log_px_z + log_pz - log_qz
        out.append(-(torch.logsumexp(log_w, 0) - math.log(k)))
    return torch.cat(out).numpy()

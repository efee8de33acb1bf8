"""Input complexity: correct a likelihood score for how simple an input is (Serrà et al., ICLR 2020).

Likelihood-based detectors tend to find *simple* inputs likely: a thin ``1`` costs few bits under
almost any image model, so a VAE trained on ``2``s can give it a higher likelihood than to many ``2``s.
Serrà et al. estimate each input's complexity ``L(x)`` as its length under a generic lossless
compressor, and score with

    S(x) = -log2 p(x) - L(x)

(bits): how many more bits the model needs than a general-purpose compressor. Any lossless code length
is an upper bound on the input's complexity, so the shorter the codes, the closer the estimate
(Serrà et al. try PNG, JPEG 2000 and FLIF). Of the lossless codecs Pillow offers, WebP (with Pillow's
default settings) gives MNIST's test images the shortest codes (1,645 bits on average, against 2,192
for PNG and 5,298 for JPEG 2000), so it is the default here.
Both terms count bits
for the same image; for a density model of continuous pixels, ``-log2 p(x)`` of the 8-bit image differs
from that of the continuous one by a constant (the bin width), which does not change any ranking.
"""
from __future__ import annotations

import io
import math

import numpy as np
import torch

__all__ = ["CODECS", "input_complexity", "complexity_score", "complexity_weight"]

#: Lossless codecs for :func:`input_complexity`, with their Pillow save options.
CODECS = {"webp": {"format": "WEBP", "lossless": True}, "png": {"format": "PNG", "optimize": True}}


def input_complexity(x: torch.Tensor | np.ndarray, codec: str = "webp") -> np.ndarray:
    """Complexity ``L(x)`` in bits: the size of each image saved losslessly as an 8-bit image.

    Args:
        x: images in [0, 1], grey of shape (N, 1, H, W) or (N, H, W), or colour of shape (N, 3, H, W).
        codec: ``"webp"`` (lossless WebP, the shortest codes) or ``"png"`` (Serrà et al.'s PNG).

    Returns:
        An array of shape (N,): compressed lengths in bits.
    """
    from PIL import Image

    if codec not in CODECS:
        raise ValueError(f"unknown codec {codec!r}; choose from {sorted(CODECS)}")
    pixels = np.asarray(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x, dtype=np.float64)
    grey, colour = pixels.ndim == 3, pixels.ndim == 4 and pixels.shape[1] in (1, 3)
    if colour:
        pixels = pixels[:, 0] if pixels.shape[1] == 1 else pixels.transpose(0, 2, 3, 1)
    if not (grey or colour) or len(pixels) == 0:
        raise ValueError(f"expected images of shape (N, 1, H, W), (N, 3, H, W) or (N, H, W), got {pixels.shape}")
    if not np.isfinite(pixels).all() or pixels.min() < 0.0 or pixels.max() > 1.0:
        raise ValueError("input_complexity needs finite pixel values in [0, 1]")
    images = np.rint(pixels * 255.0).astype(np.uint8)
    bits = np.empty(len(images))
    for i, image in enumerate(images):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, **CODECS[codec])
        bits[i] = 8.0 * buffer.getbuffer().nbytes
    return bits


def complexity_score(nll: np.ndarray, complexity: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """Serrà et al.'s score ``S = -log2 p(x) - weight * L(x)`` (higher = more anomalous).

    Args:
        nll: ``-log p(x)`` in nats per input, e.g. from :func:`~vaetools.scoring.iwae_nll`.
        complexity: ``L(x)`` in bits per input, from :func:`input_complexity`.
        weight: how many bits of ``-log2 p(x)`` one bit of ``L(x)`` explains: 1 in Serrà et al.,
            or fitted on normal validation data with :func:`complexity_weight`.
    """
    nll, complexity = _paired(nll, complexity)
    return nll / math.log(2) - weight * complexity


def complexity_weight(nll: np.ndarray, complexity: np.ndarray) -> float:
    """The ``weight`` of :func:`complexity_score` fitted on *normal* (validation) inputs.

    The least-squares slope of ``-log2 p(x)`` on ``L(x)``: the weight for which the scores of normal
    inputs vary least, since ``Var(b - w L)`` is smallest at ``w = Cov(b, L) / Var(L)``. It takes out of
    the likelihood the part that the input's complexity explains among normal data, and no more:
    0 leaves the score as it is, 1 is Serrà et al.'s correction.

    Args:
        nll: ``-log p(x)`` in nats of normal inputs (not used in training).
        complexity: their ``L(x)`` in bits.
    """
    nll, complexity = _paired(nll, complexity)
    if len(nll) < 2 or not np.all(np.isfinite(nll)) or not np.all(np.isfinite(complexity)):
        raise ValueError("complexity_weight needs at least two finite (likelihood, complexity) pairs")
    spread = complexity.var()
    if spread == 0:
        raise ValueError("every input has the same complexity: no weight can be fitted")
    bits = nll / math.log(2)
    return float(((bits - bits.mean()) * (complexity - complexity.mean())).mean() / spread)


def _paired(nll, complexity) -> tuple[np.ndarray, np.ndarray]:
    """Both arguments as float64 arrays of one shape."""
    nll, complexity = np.asarray(nll, dtype=np.float64), np.asarray(complexity, dtype=np.float64)
    if nll.shape != complexity.shape:
        raise ValueError(f"{nll.shape} likelihoods but {complexity.shape} complexities")
    return nll, complexity

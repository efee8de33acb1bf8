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

:class:`ComplexityCorrection` applies the correction to any restoration error (a VAE's, a PCA's, the
error of restoring an image from a quarter turn), fitted on normal validation images: the one place where
the ``mse_c`` and ``mse_cw`` scores are computed.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace

import numpy as np
import torch

__all__ = ["CODECS", "input_complexity", "complexity_score", "complexity_weight", "restoration_nll",
           "ComplexityCorrection"]

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


def restoration_nll(mse, sigma2: float, size: int) -> np.ndarray:
    """-log N(x; restoration, sigma2 I) in nats, from the mean squared error over ``size`` values."""
    mse = np.asarray(mse, dtype=np.float64)
    return size * (mse / (2 * sigma2) + 0.5 * math.log(2 * math.pi * sigma2))


@dataclass(frozen=True)
class ComplexityCorrection:
    """The complexity-corrected score of a restoration error, in bits (higher = more anomalous)::

        S(x) = -log2 N(x; restoration, sigma2 I) - weight * L(x)

    The restoration error is the mean squared error per value of any restoration of the image (a VAE's
    at ``z = mu``, a PCA's, the upright image restored from a quarter turn); ``L(x)`` is the image's
    lossless code length (:func:`input_complexity`). Fit it on *normal validation* images with
    :meth:`fit`, then :meth:`score` new images.

    Attributes:
        sigma2: the restoration variance, the mean squared error per value of the normal validation images
            (the maximum-likelihood variance of a Gaussian around the restoration).
        weight: the weight of ``L(x)``: 1 is Serrà et al.'s correction (the ``_c`` scores), a fitted
            weight (:func:`complexity_weight`) the ``_cw`` ones.
        size: values per image (C x H x W), the number of Gaussian terms in the likelihood.
        codec: the codec of ``L(x)``, one of :data:`CODECS`.
    """

    sigma2: float
    weight: float
    size: int
    codec: str = "webp"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma2) and self.sigma2 > 0):
            raise ValueError(f"sigma2 must be finite and > 0 (the restoration variance of normal validation "
                             f"images), got {self.sigma2}")
        if not math.isfinite(self.weight):
            raise ValueError(f"weight must be finite, got {self.weight}")
        if self.size < 1:
            raise ValueError(f"size must be the number of values per image, got {self.size}")
        if self.codec not in CODECS:
            raise ValueError(f"unknown codec {self.codec!r}; choose from {sorted(CODECS)}")

    @classmethod
    def fit(
        cls,
        errors,
        x_val: torch.Tensor | np.ndarray,
        *,
        weighted: bool = True,
        codec: str = "webp",
        sigma2: float | None = None,
        lengths: np.ndarray | None = None,
    ) -> ComplexityCorrection:
        """Fit the correction on normal validation images.

        Args:
            errors: the restoration errors (mean squared error per value) of the images ``x_val``, shape (N,).
            x_val: the normal validation images, (N, C, H, W) or (N, H, W) in [0, 1].
            weighted: fit the weight of ``L(x)`` (:func:`complexity_weight` of the images' restoration bits
                and code lengths: the slope that leaves their scores least spread); ``False``: weight 1.
            codec: the codec of ``L(x)``.
            sigma2: the restoration variance; default the mean of ``errors`` (in their own float precision).
            lengths: ``L(x)`` of ``x_val`` in bits if already computed (:func:`input_complexity` with
                ``codec``), else computed here.
        """
        errors = np.asarray(errors)  # its own precision: sigma2 is the mean of the errors as they come
        if errors.shape != (len(x_val),):
            raise ValueError(f"errors must hold one value per image of x_val, shape ({len(x_val)},), "
                             f"got {errors.shape}")
        size = int(np.prod(tuple(x_val.shape[1:])))
        serra = cls(float(errors.mean()) if sigma2 is None else float(sigma2), 1.0, size, codec)  # checks them
        if not weighted:
            return serra
        lengths = input_complexity(x_val, codec) if lengths is None else lengths
        return replace(serra, weight=complexity_weight(restoration_nll(errors, serra.sigma2, size), lengths))

    def score(self, errors, x: torch.Tensor | np.ndarray | None = None, *,
              lengths: np.ndarray | None = None) -> np.ndarray:
        """The corrected scores of images ``x`` from their restoration ``errors``, shape (N,).

        Give the images ``x`` or their code lengths ``lengths`` (:func:`input_complexity` with this
        correction's codec), e.g. computed once for a test set that several corrections score.
        """
        if lengths is None:
            if x is None:
                raise ValueError("give the images x or their code lengths (lengths=vt.input_complexity(x, codec))")
            if int(np.prod(tuple(x.shape[1:]))) != self.size:
                raise ValueError(f"the correction was fitted on images of {self.size} values, "
                                 f"got images of shape {tuple(x.shape[1:])}")
            lengths = input_complexity(x, self.codec)
        return complexity_score(restoration_nll(errors, self.sigma2, self.size), lengths, self.weight)

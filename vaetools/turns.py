"""Restore the upright image from a quarter turn (and a mirror image): orientation as the attribute a VAE
must put back.

The erase-and-restore idea of ARNet (Huang, Ye et al., "Attribute Restoration Framework for Anomaly
Detection", 2019-2020) with the image's orientation as the erased attribute: train with
``fit(..., corrupt=random_quarter_turns)``, so every training image enters the encoder turned by a
random multiple of 90 degrees while the likelihood is that of the upright image, then score with
:func:`turn_restoration_error`. A model that must turn an image upright has to know what the normal class
looks like the right way up; one that only restores can copy strokes it has never seen. With
``corrupt=random_turns_and_flips`` the image may also be mirrored left-right, so the model must also know
which way round the normal class is (handedness, which no turn undoes); score it with
``turn_restoration_error(..., flips=True)``. Quarter turns and mirror images move pixels exactly (no
interpolation); turns need square images.
"""
from __future__ import annotations

import numpy as np
import torch

from .models import VAE, check_inputs
from .scoring import reconstruct

__all__ = ["TURNS", "TURN_SCORES", "quarter_turn", "random_quarter_turns", "random_turns_and_flips",
           "turn_restoration_error"]

#: The quarter turns, in multiples of 90 degrees counter-clockwise.
TURNS = (0, 1, 2, 3)
#: The scores of a turn-restoring model that a :class:`~vaetools.detector.Detector` offers: ``turn_mse``
#: (:func:`turn_restoration_error`) and ``turn_cw`` (its complexity correction with the weight fitted on
#: normal validation images, :class:`~vaetools.complexity.ComplexityCorrection`).
TURN_SCORES = ("turn_mse", "turn_cw")


def _check_square(x: torch.Tensor) -> None:
    if x.dim() < 3 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"quarter turns need square images of shape (N, C, H, H), got {tuple(x.shape)}")


def quarter_turn(x: torch.Tensor, turns: int) -> torch.Tensor:
    """Every image of ``x`` (N, C, H, H) turned by ``turns`` quarter turns counter-clockwise."""
    _check_square(x)
    return torch.rot90(x, turns, dims=(-2, -1))


def random_quarter_turns(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``batch`` with each image turned by its own random number of quarter turns (0-3), drawn from the
    CPU ``generator``: the ``corrupt`` of :func:`~vaetools.training.fit` for a turn-restoring VAE."""
    _check_square(batch)
    drawn = torch.randint(len(TURNS), (len(batch),), generator=generator).to(batch.device)
    turned = batch.clone()
    for turns in TURNS[1:]:
        chosen = drawn == turns
        turned[chosen] = quarter_turn(batch[chosen], turns)
    return turned


def random_turns_and_flips(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``batch`` with each image turned as by :func:`random_quarter_turns` and then mirrored left-right with
    probability 1/2 (one of the eight symmetries of the square, all equally likely), drawn from the CPU
    ``generator``: the ``corrupt`` of :func:`~vaetools.training.fit` for a VAE that must also undo a mirror."""
    turned = random_quarter_turns(batch, generator)
    mirrored = (torch.randint(2, (len(batch),), generator=generator) == 1).to(batch.device)
    turned[mirrored] = turned[mirrored].flip(-1)
    return turned


def turn_restoration_error(model: VAE, x, *, flips: bool = False, batch_size: int = 1000) -> np.ndarray:
    """Mean squared error between each upright image and the model's restoration of it, averaged over the
    four quarter turns of the input, and with ``flips`` over the eight (each turn also mirrored
    left-right; for a model trained with :func:`random_turns_and_flips`). Higher = more anomalous: an array
    of shape (N,)."""
    x = check_inputs(model, x)
    _check_square(x)
    inputs = [quarter_turn(x, turns) for turns in TURNS]
    if flips:
        inputs += [turned.flip(-1) for turned in inputs]
    errors = [((reconstruct(model, turned, batch_size=batch_size) - x) ** 2).flatten(1).mean(1) for turned in inputs]
    return torch.stack(errors).mean(0).numpy()

"""The tutorial's training recipes: one place for the settings the notebooks share, so a later
notebook reuses the checkpoint an earlier one saved (see :func:`~vaetools.checkpoints.fit_or_load`)."""
from __future__ import annotations

import pandas as pd

from .checkpoints import fit_or_load
from .data import OneClassSplit
from .models import ConvVAE

__all__ = ["IMAGE_VAE", "train_image_vae"]

#: Settings of the image CVAE in notebooks 02, 03, 05 and 06: model width and training schedule.
IMAGE_VAE = {"channels": (16, 32), "epochs": 10, "batch_size": 128, "lr": 1e-3, "seed": 0}


def train_image_vae(
    split: OneClassSplit, z_dim: int = 128, *, name: str = "cvae", progress: bool = True, **overrides
) -> tuple[ConvVAE, pd.DataFrame]:
    """Build the tutorial's :class:`~vaetools.models.ConvVAE` and train it on ``split.x_train``
    (validation loss on ``split.x_val``), or load the checkpoint of an identical earlier run.

    Args:
        split: a one-class split of 1x28x28 images.
        z_dim: latent size.
        name: prefix of the checkpoint file.
        progress: show the progress bar.
        **overrides: replace entries of :data:`IMAGE_VAE` or pass other :func:`~vaetools.training.fit`
            arguments (e.g. ``beta``).

    Returns:
        ``(model, history)``.
    """
    settings = {**IMAGE_VAE, **overrides}
    model = ConvVAE(z_dim=z_dim, channels=settings.pop("channels"))
    x_val = split.x_val if len(split.x_val) else None
    history = fit_or_load(
        model, split.x_train, x_val=x_val, name=f"{name}-class{split.normal_class}-z{z_dim}",
        progress=progress, **settings,
    )
    return model, history

"""Training: a short, seeded Adam loop over in-memory tensors, with a progress bar and a history."""
from __future__ import annotations

import copy
from collections.abc import Callable

import pandas as pd
import torch
from tqdm.auto import trange

from .losses import loss_weights, vae_loss
from .models import VAE, check_inputs
from .scoring import score_table

__all__ = ["fit", "seed_everything"]


def seed_everything(seed: int) -> torch.Generator:
    """Seed PyTorch's global generator and return a separate generator for shuffling."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def fit(
    model: VAE,
    x: torch.Tensor,
    *,
    x_val: torch.Tensor | None = None,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    beta: float | None = None,
    ratio: float | None = None,
    seed: int = 0,
    patience: int | None = None,
    progress: bool = True,
    callback: Callable[[int, VAE], None] | None = None,
) -> pd.DataFrame:
    """Train ``model`` on ``x`` from freshly initialized weights, like scikit-learn's ``fit``.

    The same seed on the same machine gives the same weights: the seed sets the initial weights, the
    order of the mini-batches and the reparameterization noise.

    Args:
        model: a :class:`~vaetools.models.VAE`; its weights are re-initialized, then trained in place.
        x: training inputs (normal samples only), a tensor of the model's input shape.
        x_val: optional validation inputs; their loss (with z = mu) is recorded after every epoch.
        epochs: passes over the training set.
        batch_size: samples per Adam step.
        lr: Adam's learning rate.
        beta, ratio: weight of the KL term, as ``recon + beta * KL`` or ``a * recon + (1 - a) * KL``
            (:func:`~vaetools.losses.loss_weights`); default beta = 1.
        seed: random seed.
        patience: stop when the validation loss (the training loss without ``x_val``) has not improved
            for this many epochs, and restore the best weights; ``None`` trains all epochs.
        progress: show a ``tqdm`` progress bar.
        callback: called as ``callback(epoch, model)`` after every epoch (epochs count from 1), e.g. to
            evaluate the model as it learns; it runs outside the training loop, so it may switch the
            model to ``eval()``.

    Returns:
        The history, one row per epoch: mean ``recon``, ``kl`` and ``loss`` (weighted total) on the
        training set, and ``val_recon``, ``val_kl``, ``val_loss`` when ``x_val`` is given.

    Raises:
        ValueError: bad inputs (see :func:`~vaetools.models.check_inputs`) or settings.
    """
    check_inputs(model, x, "x")
    if x_val is not None:
        check_inputs(model, x_val, "x_val")
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError("epochs and batch_size must be >= 1 and lr > 0")
    loss_weights(beta, ratio)  # fail early on a bad weight
    generator = seed_everything(seed)
    for module in model.modules():
        if module is not model and hasattr(module, "reset_parameters"):
            module.reset_parameters()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rows: list[dict] = []
    best, best_state, waited = float("inf"), None, 0
    bar = trange(epochs, desc=f"training {type(model).__name__}", unit="epoch", disable=not progress)
    for epoch in bar:
        model.train()
        sums = torch.zeros(3)
        for idx in torch.randperm(len(x), generator=generator).split(batch_size):
            batch = x[idx]
            output, mu, logvar = model(batch)
            terms = vae_loss(output, batch, mu, logvar, model.likelihood, beta=beta, ratio=ratio)
            loss = terms.total.mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            sums += torch.stack([terms.recon.sum(), terms.kl.sum(), terms.total.sum()]).detach()
        row = {"epoch": epoch + 1, **dict(zip(("recon", "kl", "loss"), (sums / len(x)).tolist()))}
        if x_val is not None:
            val = score_table(model, x_val, scores=("recon", "kl"))
            w_recon, w_kl = loss_weights(beta, ratio)
            row.update(val_recon=float(val["recon"].mean()), val_kl=float(val["kl"].mean()))
            row["val_loss"] = w_recon * row["val_recon"] + w_kl * row["val_kl"]
        rows.append(row)
        if callback is not None:
            callback(epoch + 1, model)
        bar.set_postfix(loss=f"{row['loss']:.2f}", **({"val": f"{row['val_loss']:.2f}"} if x_val is not None else {}))
        if patience is not None:
            monitored = row["val_loss" if x_val is not None else "loss"]
            if monitored < best:
                best, best_state, waited = monitored, copy.deepcopy(model.state_dict()), 0
            else:
                waited += 1
                if waited >= patience:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return pd.DataFrame(rows).set_index("epoch")

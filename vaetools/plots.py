"""Figures for the tutorial (matplotlib and seaborn). Every function returns the Figure and saves it
when ``save`` is a path (PNG, folders created)."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import torch
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay
from torchvision.utils import make_grid

from .metrics import check_flags, histogram_intersection
from .models import VAE

__all__ = [
    "set_style",
    "plot_image_grid",
    "plot_problem_definition",
    "plot_vae_diagram",
    "plot_history",
    "plot_restoration",
    "plot_latent",
    "plot_latent_walk",
    "plot_score_box",
    "plot_score_hist",
    "plot_roc",
    "plot_precision_recall",
    "plot_signals",
    "project_latent",
]

NORMAL_COLOR, ANOMALY_COLOR = "#2ca02c", "#d62728"  # green and red, as in the Keras example


def set_style() -> None:
    """The tutorial's look: seaborn's white grid, readable font sizes."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 120, "savefig.bbox": "tight", "image.cmap": "gray"})


def _finish(fig: Figure, save: str | os.PathLike | None) -> Figure:
    fig.tight_layout()
    if save is not None:
        Path(save).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save)
    return fig


def _axes(ax, figsize: tuple[float, float]):
    """A new figure and axes of ``figsize``, or the given axes and their figure."""
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def _grid(images: torch.Tensor, nrow: int) -> np.ndarray:
    grid = make_grid(images.detach().float().cpu().clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def plot_image_grid(
    images: torch.Tensor, *, nrow: int = 10, title: str | None = None, ax=None, save: str | os.PathLike | None = None
) -> Figure:
    """Images of shape (N, 1, H, W) in a grid (:func:`torchvision.utils.make_grid`)."""
    if ax is None:
        rows = int(np.ceil(len(images) / nrow))
        fig, ax = plt.subplots(figsize=(nrow * 0.6 + 0.4, rows * 0.6 + 0.6))
    else:
        fig = ax.figure
    ax.imshow(_grid(images, nrow), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return _finish(fig, save)


def plot_problem_definition(
    images: torch.Tensor, labels: np.ndarray, normal_class: int, *, n: int = 10, seed: int = 0,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Normal examples (the normal class) beside abnormal examples (all other classes)."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    normal = rng.choice(np.flatnonzero(labels == normal_class), n, replace=False)
    others = [c for c in np.unique(labels) if c != normal_class]
    abnormal = [rng.choice(np.flatnonzero(labels == c)) for c in np.resize(others, n)]
    fig, axes = plt.subplots(1, 2, figsize=(12, 2.4))
    plot_image_grid(images[normal], nrow=n // 2, title=f"normal: class {normal_class}", ax=axes[0])
    plot_image_grid(images[abnormal], nrow=n // 2, title="abnormal: every other class", ax=axes[1])
    axes[0].title.set_color(NORMAL_COLOR)
    axes[1].title.set_color(ANOMALY_COLOR)
    return _finish(fig, save)


def plot_vae_diagram(save: str | os.PathLike | None = None) -> Figure:
    """A drawing of the VAE: encoder -> (mu, log sigma^2) -> reparameterization -> decoder."""
    fig, ax = plt.subplots(figsize=(11, 3.4))
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 3.4)
    ax.set_axis_off()
    boxes = {
        "x": (0.2, 1.2, 1.0, 1.0, "input\n$x$", "#dddddd"),
        "enc": (1.7, 0.7, 1.6, 2.0, "encoder\n$q_\\phi(z\\mid x)$\nconvolutions", "#aec7e8"),
        "mu": (3.8, 2.0, 1.2, 0.8, "$\\mu$", "#c5b0d5"),
        "lv": (3.8, 0.6, 1.2, 0.8, "$\\log\\sigma^2$", "#c5b0d5"),
        "z": (5.5, 1.2, 1.5, 1.0, "$z=\\mu+\\sigma\\odot\\epsilon$\n$\\epsilon\\sim N(0,I)$", "#ffbb78"),
        "dec": (7.5, 0.7, 1.6, 2.0, "decoder\n$p_\\theta(x\\mid z)$\ntransposed conv.", "#98df8a"),
        "xh": (9.6, 1.2, 1.2, 1.0, "restoration\n$\\hat{x}$", "#dddddd"),
    }
    for x0, y0, w, h, text, color in boxes.values():
        ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0.05", fc=color, ec="#444444"))
        ax.text(x0 + w / 2, y0 + h / 2, text, ha="center", va="center", fontsize=10)
    arrows = [((1.2, 1.7), (1.7, 1.7)), ((3.3, 2.1), (3.8, 2.4)), ((3.3, 1.3), (3.8, 1.0)),
              ((5.0, 2.4), (5.5, 1.9)), ((5.0, 1.0), (5.5, 1.5)), ((7.0, 1.7), (7.5, 1.7)), ((9.1, 1.7), (9.6, 1.7))]
    for a, b in arrows:
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color="#444444"))
    ax.text(4.4, 0.15, "KL$(q_\\phi(z\\mid x)\\,\\|\\,N(0,I))$: keeps codes near the prior",
            ha="center", fontsize=9, color="#6a3d9a")
    ax.text(5.5, 3.15, "loss = reconstruction $-\\log p_\\theta(x\\mid z)$ + KL  (the negative ELBO)",
            ha="center", fontsize=10)
    return _finish(fig, save)


def plot_history(history, *, title: str = "Training", save: str | os.PathLike | None = None) -> Figure:
    """Loss curves per epoch: reconstruction, KL and total (validation dashed when recorded)."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    for ax, (column, label) in zip(axes, [("recon", "reconstruction"), ("kl", "KL"), ("loss", "total (weighted)")]):
        ax.plot(history.index, history[column], marker="o", label="training")
        if f"val_{column}" in history:
            ax.plot(history.index, history[f"val_{column}"], marker="o", ls="--", label="validation (z = μ)")
        ax.set(xlabel="epoch", ylabel="mean per sample", title=label)
        ax.legend()
    fig.suptitle(title)
    return _finish(fig, save)


def plot_restoration(
    x: torch.Tensor, restored: torch.Tensor, *, nrow: int = 10, title: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Input, restoration and squared difference, one row each (images of shape (N, 1, H, W))."""
    diff = (x - restored).pow(2)
    fig, axes = plt.subplots(3, 1, figsize=(nrow * 0.7, 3 * 0.75 + 0.8))
    for ax, images, label in zip(axes, [x, restored, diff], ["input", "restoration", "squared difference"]):
        ax.imshow(_grid(images, nrow), cmap="gray", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title)
    return _finish(fig, save)


def project_latent(z: np.ndarray, method: str = "pca", *, seed: int = 0) -> np.ndarray:
    """Project codes of shape (N, d) to 2-D: unchanged if d = 2, else ``"pca"`` or ``"tsne"`` (scikit-learn)."""
    z = np.asarray(z)
    if z.ndim != 2:
        raise ValueError(f"latent codes must have shape (N, d), got {z.shape}")
    if z.shape[1] == 2:
        return z
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(z)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, init="pca", random_state=seed).fit_transform(z)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")


def plot_latent(
    z: np.ndarray, labels, *, method: str = "pca", title: str | None = None, ax=None,
    lim: float | None = None, palette=None, seed: int = 0, save: str | os.PathLike | None = None,
) -> Figure:
    """Scatter of latent codes coloured by class (2-D directly; higher dimensions via PCA or t-SNE).

    Args:
        z: codes of shape (N, d).
        labels: a label per code (class numbers, names, or "normal"/"abnormal").
        method: projection used when d > 2: ``"pca"`` or ``"tsne"``.
        lim: if given, both axes span [-lim, lim] (to compare panels).
        palette: seaborn palette or a dict label -> colour.
    """
    points = project_latent(z, method, seed=seed)
    fig, ax = _axes(ax, (6, 5))
    labels = np.asarray(labels)
    order = sorted(np.unique(labels).tolist(), key=lambda v: (str(type(v)), v))
    sns.scatterplot(x=points[:, 0], y=points[:, 1], hue=labels, hue_order=order, palette=palette or "tab10",
                    s=6, linewidth=0, alpha=0.7, ax=ax, legend="full")
    names = ("$z_1$", "$z_2$") if np.shape(z)[1] == 2 else (f"{method.upper()} 1", f"{method.upper()} 2")
    ax.set(xlabel=names[0], ylabel=names[1], title=title or "latent space")
    if lim is not None:
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
    ax.legend(title="class", markerscale=2.5, fontsize=8, title_fontsize=9, loc="upper right", framealpha=0.8)
    return _finish(fig, save)


def plot_latent_walk(
    model: VAE, *, lim: float = 3.0, n: int = 15, save: str | os.PathLike | None = None
) -> Figure:
    """Decode a regular grid of codes over [-lim, lim]^2 (models with z_dim = 2) into an image mosaic."""
    if model.z_dim != 2:
        raise ValueError(f"the latent walk needs a model with z_dim = 2, got {model.z_dim}")
    values = torch.linspace(-lim, lim, n)
    z2, z1 = torch.meshgrid(values.flip(0), values, indexing="ij")  # top row = largest z_2
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        codes = torch.stack([z1.flatten(), z2.flatten()], 1).to(model.device)
        images = model.mean(model.decode(codes)).cpu()
    model.train(was_training)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(_grid(images, n), cmap="gray", extent=(-lim, lim, -lim, lim), interpolation="nearest")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=f"latent walk: decodings over [{-lim:g}, {lim:g}]²")
    ax.grid(False)
    return _finish(fig, save)


def plot_score_box(
    scores, labels, *, normal_class=None, ylabel: str = "restoration loss", title: str | None = None,
    log: bool = False, ax=None, save: str | os.PathLike | None = None,
) -> Figure:
    """Box plot of anomaly scores per class (seaborn); the normal class in green, the others in red."""
    fig, ax = _axes(ax, (8, 4))
    labels = np.asarray(labels)
    order = sorted(np.unique(labels).tolist())
    palette = {c: NORMAL_COLOR if c == normal_class else ANOMALY_COLOR for c in order}
    with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib 3.11's deprecated `vert` argument
        warnings.simplefilter("ignore", MatplotlibDeprecationWarning)
        sns.boxplot(x=labels, y=np.asarray(scores), hue=labels, order=order, hue_order=order, palette=palette,
                    legend=False, fliersize=1.5, ax=ax)
    ax.set(xlabel="class", ylabel=ylabel, title=title or "anomaly score per class")
    if log:
        ax.set_yscale("log")
    return _finish(fig, save)


def plot_score_hist(
    scores, is_anomaly, *, bins: int = 50, xlabel: str = "restoration loss", title: str | None = None,
    log: bool = False, ax=None, save: str | os.PathLike | None = None,
) -> Figure:
    """Histograms of normal vs abnormal scores, with their histogram intersection in the title."""
    scores, is_anomaly = np.asarray(scores, dtype=np.float64), check_flags(is_anomaly)
    values = np.log10(scores) if log else scores
    overlap = histogram_intersection(values[~is_anomaly], values[is_anomaly], bins=bins)
    fig, ax = _axes(ax, (7, 4))
    edges = np.histogram_bin_edges(values, bins=bins)
    ax.hist(values[~is_anomaly], bins=edges, density=True, alpha=0.6, color=NORMAL_COLOR, label="normal")
    ax.hist(values[is_anomaly], bins=edges, density=True, alpha=0.6, color=ANOMALY_COLOR, label="abnormal")
    ax.set(xlabel=f"log10 {xlabel}" if log else xlabel, ylabel="density",
           title=f"{title or 'score histogram'} (intersection {overlap:.3f})")
    ax.legend()
    return _finish(fig, save)


def plot_roc(
    is_anomaly, scores, *, name: str = "VAE", ax=None, save: str | os.PathLike | None = None
) -> Figure:
    """ROC curve (:class:`sklearn.metrics.RocCurveDisplay`) with the AUROC in the legend."""
    return _curve(RocCurveDisplay, is_anomaly, scores, name, ax, save,
                  ("false positive rate", "true positive rate", "ROC curve"), "lower right")


def plot_precision_recall(
    is_anomaly, scores, *, name: str = "VAE", ax=None, save: str | os.PathLike | None = None
) -> Figure:
    """Precision-recall curve (:class:`sklearn.metrics.PrecisionRecallDisplay`) with average precision."""
    return _curve(PrecisionRecallDisplay, is_anomaly, scores, name, ax, save,
                  ("recall", "precision", "precision-recall curve"), "lower left")


def _curve(display, is_anomaly, scores, name, ax, save, labels: tuple[str, str, str], legend: str) -> Figure:
    """One scikit-learn curve display on new or given axes; a chance line with the first curve."""
    fig, ax = _axes(ax, (5, 5))
    display.from_predictions(check_flags(is_anomaly), scores, name=name, ax=ax,
                             plot_chance_level=not ax.lines)
    ax.set(xlabel=labels[0], ylabel=labels[1], title=f"{labels[2]} (anomaly = positive)")
    ax.legend(loc=legend)
    return _finish(fig, save)


def plot_signals(
    x, labels, *, per_class: int = 3, ncols: int = 5, title: str | None = None, seed: int = 0,
    save: str | os.PathLike | None = None,
) -> Figure:
    """A few 1-D signals of every class, one panel per class."""
    x, labels = np.asarray(x), np.asarray(labels)
    classes = sorted(np.unique(labels).tolist())
    rows = int(np.ceil(len(classes) / ncols))
    fig, axes = plt.subplots(rows, ncols, figsize=(3 * ncols, 2.2 * rows), sharex=True, sharey=True, squeeze=False)
    rng = np.random.default_rng(seed)
    for ax, c in zip(axes.flat, classes):
        for i in rng.choice(np.flatnonzero(labels == c), per_class, replace=False):
            ax.plot(x[i], lw=1.2)
        ax.set_title(f"class {c}")
    for ax in axes.flat:
        ax.set(xlabel="time step", ylabel="value")
    for ax in list(axes.flat)[len(classes):]:
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return _finish(fig, save)

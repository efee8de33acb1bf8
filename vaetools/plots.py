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

from .metrics import check_flags, histogram_intersection
from .models import VAE

__all__ = [
    "set_style",
    "plot_image_grid",
    "plot_problem_definition",
    "plot_vae_diagram",
    "plot_history",
    "plot_restoration",
    "plot_signal_restoration",
    "plot_mistakes",
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
#: Ten colours for plots coloured by class: tab10 without its green and red, which mean normal and anomaly.
CLASS_PALETTE = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7ba52"]
THRESHOLD_COLOR = "#333333"


def set_style() -> None:
    """The tutorial's look: seaborn's white grid, readable font sizes."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 120, "savefig.bbox": "tight", "image.cmap": "gray"})


def _finish(fig: Figure, save: str | os.PathLike | None, **pads) -> Figure:
    fig.tight_layout(**pads)
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
    from torchvision.utils import make_grid  # imported here: torchvision takes 2 s to import

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
    scores=None, score_label: str = "score", save: str | os.PathLike | None = None,
) -> Figure:
    """Input, restoration and squared difference, one row each (images of shape (N, 1, H, W)).

    ``scores`` (one per image, optional) are written under the images, with ``score_label``.
    """
    diff = (x - restored).pow(2)
    fig, axes = plt.subplots(3, 1, figsize=(nrow * 0.7, 3 * 0.75 + (1.1 if scores is not None else 0.8)))
    for ax, images, label in zip(axes, [x, restored, diff], ["input", "restoration", "squared difference"]):
        ax.imshow(_grid(images, nrow), cmap="gray", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
        ax.grid(False)
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64)
        if len(scores) != len(x):
            raise ValueError(f"one score per image: got {len(scores)} scores for {len(x)} images")
        width = x.shape[-1] + 2  # make_grid's padding of 2
        axes[-1].set_xticks(2 + width * np.arange(min(len(x), nrow)) + x.shape[-1] / 2,
                            [f"{v:.3g}" for v in scores[:nrow]], fontsize=8)
        axes[-1].tick_params(axis="x", length=0)
        axes[-1].set_xlabel(score_label)
    if title:
        fig.suptitle(title)
    return _finish(fig, save)


def plot_mistakes(
    x: torch.Tensor, scores, is_anomaly, threshold: float, *, labels=None, n: int = 10,
    score_label: str = "score", save: str | os.PathLike | None = None,
) -> Figure:
    """The errors of a threshold: false positives (normal inputs at or above ``threshold``, highest
    scores first) in the top row, false negatives (anomalies below it, lowest first) in the bottom row,
    at most ``n`` each, with their score (and label) under each image."""
    scores, is_anomaly = np.asarray(scores, dtype=np.float64), check_flags(is_anomaly)
    flagged = scores >= threshold
    fp = np.flatnonzero(flagged & ~is_anomaly)
    fn = np.flatnonzero(~flagged & is_anomaly)
    rows = [("false positives: normal, flagged", fp[np.argsort(-scores[fp])][:n], NORMAL_COLOR),
            ("false negatives: anomalies, missed", fn[np.argsort(scores[fn])][:n], ANOMALY_COLOR)]
    width = max(n, 8) * 1.0 + 0.4  # room for the row titles (left out of tight_layout)
    fig, axes = plt.subplots(2, n, figsize=(width, 2 * 1.45 + 0.4), squeeze=False)
    for row, (title, index, color) in zip(axes, rows):
        for j, ax in enumerate(row):
            ax.set_axis_off()
            if j < len(index):
                i = index[j]
                ax.imshow(x[i].detach().float().cpu().squeeze(0).numpy(), cmap="gray", vmin=0, vmax=1)
                caption = f"{scores[i]:.3g}" + (f" ({labels[i]})" if labels is not None else "")
                ax.text(0.5, -0.08, caption, transform=ax.transAxes, ha="center", va="top", fontsize=8)
        row[0].text(0, 1.12, f"{title}: {len(index)} of {len(fp) if color == NORMAL_COLOR else len(fn)} shown",
                    transform=row[0].transAxes, fontsize=10, color=color, va="bottom", in_layout=False)
    fig.suptitle(f"mistakes at threshold {threshold:.4g} ({score_label} under each image)")
    return _finish(fig, save, h_pad=2.5)


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
    lim: float | None = None, palette=None, seed: int = 0, legend_title: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Scatter of latent codes coloured by class (2-D directly; higher dimensions via PCA or t-SNE).

    Args:
        z: codes of shape (N, d).
        labels: a label per code (class numbers, names, or "normal"/"abnormal").
        method: projection used when d > 2: ``"pca"`` or ``"tsne"``.
        lim: if given, both axes span [-lim, lim] (to compare panels).
        palette: seaborn palette or a dict label -> colour; by default :data:`CLASS_PALETTE` (no green
            or red, the colours of normal and anomaly).
        legend_title: the legend's title; by default "class" when the labels are numbers, none otherwise.
    """
    points = project_latent(z, method, seed=seed)
    fig, ax = _axes(ax, (6, 5))
    labels = np.asarray(labels)
    order = sorted(np.unique(labels).tolist(), key=lambda v: (str(type(v)), v))
    if palette is None:
        palette = dict(zip(order, CLASS_PALETTE * (len(order) // len(CLASS_PALETTE) + 1)))
    if legend_title is None:
        legend_title = "class" if np.issubdtype(labels.dtype, np.number) else None
    sns.scatterplot(x=points[:, 0], y=points[:, 1], hue=labels, hue_order=order, palette=palette,
                    s=6, linewidth=0, alpha=0.7, ax=ax, legend="full")
    names = ("$z_1$", "$z_2$") if np.shape(z)[1] == 2 else (f"{method.upper()} 1", f"{method.upper()} 2")
    ax.set(xlabel=names[0], ylabel=names[1], title=title or "latent space")
    if lim is not None:
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
    ax.legend(title=legend_title, markerscale=2.5, fontsize=8, title_fontsize=9, loc="upper right", framealpha=0.8)
    return _finish(fig, save)


def plot_latent_walk(
    model: VAE, *, lim: float = 3.0, n: int = 15, extent: tuple[float, float, float, float] | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Decode a regular grid of codes (models with z_dim = 2) into an image mosaic: over [-lim, lim]^2,
    or over ``extent = (z1_min, z1_max, z2_min, z2_max)`` (e.g. the range of the training codes)."""
    if model.z_dim != 2:
        raise ValueError(f"the latent walk needs a model with z_dim = 2, got {model.z_dim}")
    x0, x1, y0, y1 = (-lim, lim, -lim, lim) if extent is None else (float(v) for v in extent)
    # top row = largest z_2
    z2, z1 = torch.meshgrid(torch.linspace(y1, y0, n), torch.linspace(x0, x1, n), indexing="ij")
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        codes = torch.stack([z1.flatten(), z2.flatten()], 1).to(model.device)
        images = model.mean(model.decode(codes)).cpu()
    model.train(was_training)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(_grid(images, n), cmap="gray", extent=(x0, x1, y0, y1), interpolation="nearest", aspect="auto")
    span = (f"[{-lim:g}, {lim:g}]²" if extent is None
            else f"$z_1$ in [{x0:.2g}, {x1:.2g}], $z_2$ in [{y0:.2g}, {y1:.2g}]")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=f"latent walk: decodings over {span}")
    ax.grid(False)
    return _finish(fig, save)


def plot_score_box(
    scores, labels, *, normal_class=None, ylabel: str = "restoration loss", title: str | None = None,
    log: bool = False, threshold: float | None = None, threshold_label: str = "threshold",
    ylim: tuple[float, float] | None = None, ax=None, save: str | os.PathLike | None = None,
) -> Figure:
    """Box plot of anomaly scores per class (seaborn); the normal class in green, the others in red.

    ``threshold`` draws the decision boundary as a dashed line (labelled ``threshold_label``); ``ylim``
    fixes the score axis, to compare figures."""
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
    if threshold is not None:
        ax.axhline(threshold, color=THRESHOLD_COLOR, ls="--", lw=1.2, label=f"{threshold_label} = {threshold:.4g}")
        ax.legend(loc="upper right", fontsize=9)
    if ylim is not None:
        ax.set_ylim(ylim)
    return _finish(fig, save)


def plot_score_hist(
    scores, is_anomaly, *, bins: int = 50, xlabel: str = "restoration loss", title: str | None = None,
    log: bool = False, threshold: float | None = None, threshold_label: str = "threshold", ax=None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Histograms of normal vs abnormal scores, with their histogram intersection in the title;
    ``threshold`` draws the decision boundary as a dashed line (labelled ``threshold_label``)."""
    scores, is_anomaly = np.asarray(scores, dtype=np.float64), check_flags(is_anomaly)
    values = np.log10(scores) if log else scores
    overlap = histogram_intersection(values[~is_anomaly], values[is_anomaly], bins=bins)
    fig, ax = _axes(ax, (7, 4))
    edges = np.histogram_bin_edges(values, bins=bins)
    ax.hist(values[~is_anomaly], bins=edges, density=True, alpha=0.6, color=NORMAL_COLOR, label="normal")
    ax.hist(values[is_anomaly], bins=edges, density=True, alpha=0.6, color=ANOMALY_COLOR, label="abnormal")
    if threshold is not None:
        ax.axvline(np.log10(threshold) if log else threshold, color=THRESHOLD_COLOR, ls="--", lw=1.2,
                   label=f"{threshold_label} = {threshold:.4g}")
    ax.set(xlabel=f"log10 {xlabel}" if log else xlabel, ylabel="density",
           title=f"{title or 'score histogram'} (intersection {overlap:.3f})")
    ax.legend()
    return _finish(fig, save)


def plot_roc(
    is_anomaly, scores, *, name: str = "VAE", ax=None, save: str | os.PathLike | None = None
) -> Figure:
    """ROC curve (:class:`sklearn.metrics.RocCurveDisplay`) with the AUROC (4 decimals) in the legend
    and the chance diagonal, which is the chance line of every ROC curve."""
    return _curve(RocCurveDisplay, is_anomaly, scores, name, ax, save,
                  ("false positive rate", "true positive rate", "ROC curve"), "lower right")


def plot_precision_recall(
    is_anomaly, scores, *, name: str = "VAE", ax=None, save: str | os.PathLike | None = None
) -> Figure:
    """Precision-recall curve (:class:`sklearn.metrics.PrecisionRecallDisplay`) with the average
    precision (4 decimals) in the legend, and each curve's own chance line (its share of anomalies)."""
    return _curve(PrecisionRecallDisplay, is_anomaly, scores, name, ax, save,
                  ("recall", "precision", "precision-recall curve"), "lower left")


def _curve(display, is_anomaly, scores, name, ax, save, labels: tuple[str, str, str], legend: str) -> Figure:
    """One scikit-learn curve display on new or given axes, labelled with 4 decimals, and its chance line."""
    fig, ax = _axes(ax, (5, 5))
    flags = check_flags(is_anomaly)
    roc = display is RocCurveDisplay
    first = not any(line.get_gid() == "curve" for line in ax.lines)
    shown = display.from_predictions(flags, scores, name=name, ax=ax, plot_chance_level=False)
    line = shown.line_[0] if isinstance(shown.line_, list) else shown.line_
    line.set_gid("curve")
    if roc:
        line.set_label(f"{name} (AUROC = {shown.roc_auc:.4f})")
        if first:
            ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label="chance (AUROC = 0.5)")
    else:
        line.set_label(f"{name} (AP = {shown.average_precision:.4f})")
        rate = float(flags.mean())
        ax.axhline(rate, ls="--", lw=1, color=line.get_color(), label=f"{name}: chance (AP = {rate:.4f})")
    ax.set(xlabel=labels[0], ylabel=labels[1], title=f"{labels[2]} (anomaly = positive)")
    ax.legend(loc=legend, fontsize=9)
    return _finish(fig, save)


def plot_signal_restoration(
    x, restored, std=None, *, titles=None, ncols: int = 4, title: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One panel per 1-D signal: the input, its restoration and, with ``std``, the band restoration ± 2 std.

    ``x``, ``restored`` and ``std`` have shape (N, L) or (N, 1, L) (e.g. :func:`~vaetools.scoring.reconstruct`
    and :func:`~vaetools.scoring.restoration_std`); ``titles`` names the panels.
    """
    x, restored = np.asarray(x).reshape(len(x), -1), np.asarray(restored).reshape(len(x), -1)
    std = None if std is None else np.asarray(std).reshape(len(x), -1)
    if restored.shape != x.shape or (std is not None and std.shape != x.shape):
        raise ValueError(f"x, restored and std need one shape, got {x.shape}, {restored.shape}"
                         + ("" if std is None else f", {std.shape}"))
    rows = int(np.ceil(len(x) / ncols))
    fig, axes = plt.subplots(rows, ncols, figsize=(3.2 * ncols + 1.9, 2.6 * rows), sharex=True, sharey=True,
                             squeeze=False)
    steps = np.arange(x.shape[1])
    for i, ax in enumerate(axes.flat):
        if i >= len(x):
            ax.set_axis_off()
            continue
        if std is not None:
            ax.fill_between(steps, restored[i] - 2 * std[i], restored[i] + 2 * std[i], alpha=0.25,
                            label="restoration ± 2 std")
        ax.plot(steps, x[i], color="black", lw=1.0, label="input")
        ax.plot(steps, restored[i], lw=1.4, label="restoration")
        ax.set(xlabel="time step", ylabel="value", title=None if titles is None else titles[i])
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="center right", frameon=False)
    if title:
        fig.suptitle(title)
    return _finish(fig, save, rect=(0, 0, 1 - 1.9 / fig.get_figwidth(), 1))  # room for the legend on the right


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

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import vaetools as vt

RNG = np.random.default_rng(0)
LABELS = np.arange(200) % 10
IS_ANOMALY = LABELS != 1
SCORES = RNG.normal(size=200) + IS_ANOMALY * 2 + 5


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _check(fig, path):
    assert isinstance(fig, Figure)
    assert path.exists() and path.stat().st_size > 1000
    for ax in fig.axes:
        if ax.axison and ax.has_data() and not ax.images:  # image panels are labelled by their title
            assert ax.get_xlabel() and ax.get_ylabel(), "every plotted axis is labelled"


def test_image_plots(tmp_path):
    images = torch.rand(200, 1, 28, 28)
    _check(vt.plot_image_grid(images[:20], nrow=10, title="t", save=tmp_path / "a.png"), tmp_path / "a.png")
    _check(vt.plot_problem_definition(images, LABELS, 1, n=6, save=tmp_path / "d.png"), tmp_path / "d.png")
    _check(vt.plot_restoration(images[:8], images[:8] * 0.5, nrow=8, title="r", save=tmp_path / "r.png"), tmp_path / "r.png")
    _check(vt.plot_vae_diagram(save=tmp_path / "v.png"), tmp_path / "v.png")


def test_latent_plots(tmp_path):
    z2 = RNG.normal(size=(200, 2))
    fig = vt.plot_latent(z2, LABELS, lim=3, save=tmp_path / "l2.png")
    _check(fig, tmp_path / "l2.png")
    assert fig.axes[0].get_xlim() == (-3, 3) and fig.axes[0].get_xlabel() == "$z_1$"
    fig = vt.plot_latent(RNG.normal(size=(200, 8)), LABELS, method="pca", save=tmp_path / "p.png")
    assert fig.axes[0].get_xlabel() == "PCA 1"
    assert vt.project_latent(RNG.normal(size=(60, 5)), "tsne").shape == (60, 2)
    with pytest.raises(ValueError, match="method"):
        vt.project_latent(RNG.normal(size=(10, 5)), "umap")
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    _check(vt.plot_latent_walk(model, lim=2, n=5, save=tmp_path / "w.png"), tmp_path / "w.png")
    with pytest.raises(ValueError, match="z_dim = 2"):
        vt.plot_latent_walk(vt.ConvVAE(z_dim=3, channels=(4, 8)))


def test_score_plots(tmp_path):
    _check(vt.plot_score_box(SCORES, LABELS, normal_class=1, log=True, save=tmp_path / "b.png"), tmp_path / "b.png")
    fig = vt.plot_score_hist(SCORES, IS_ANOMALY, save=tmp_path / "h.png")
    _check(fig, tmp_path / "h.png")
    assert "intersection" in fig.axes[0].get_title()
    fig = vt.plot_roc(IS_ANOMALY, SCORES, name="toy", save=tmp_path / "roc.png")
    _check(fig, tmp_path / "roc.png")
    assert "AUC" in fig.axes[0].get_legend().get_texts()[0].get_text()
    _check(vt.plot_precision_recall(IS_ANOMALY, SCORES, save=tmp_path / "pr.png"), tmp_path / "pr.png")


def test_history_and_signal_plots(tmp_path):
    x = torch.rand(40, 6)
    model = vt.DenseVAE(input_dim=6, hidden=(4,), likelihood="bernoulli")
    history = vt.fit(model, x, x_val=x[:5], epochs=2, progress=False)
    _check(vt.plot_history(history, save=tmp_path / "hist.png"), tmp_path / "hist.png")
    _check(vt.plot_signals(RNG.normal(size=(50, 40)), np.arange(50) % 5, per_class=2, save=tmp_path / "s.png"),
           tmp_path / "s.png")

import matplotlib
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
    restored = images[:8] * 0.5
    _check(vt.plot_restoration(images[:8], restored, nrow=8, title="r", save=tmp_path / "r.png"), tmp_path / "r.png")
    fig = vt.plot_restoration(images[:8], restored, nrow=8, scores=np.arange(8) * 1.5, score_label="mse")
    assert [t.get_text() for t in fig.axes[-1].get_xticklabels()][:3] == ["0", "1.5", "3"]
    assert fig.axes[-1].get_xlabel() == "mse"
    with pytest.raises(ValueError, match="one score per image"):
        vt.plot_restoration(images[:8], restored, scores=[1.0])


def test_mistakes_gallery(tmp_path):
    images = torch.rand(200, 1, 28, 28)
    fig = vt.plots.plot_mistakes(images, SCORES, IS_ANOMALY, threshold=6.0, labels=LABELS, n=5, save=tmp_path / "m.png")
    _check(fig, tmp_path / "m.png")
    flagged = SCORES >= 6.0
    shown = [len(ax.images) for ax in fig.axes]
    assert sum(shown[:5]) == min(5, int((flagged & ~IS_ANOMALY).sum()))
    assert sum(shown[5:]) == min(5, int((~flagged & IS_ANOMALY).sum()))
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
    assert fig.axes[0].get_legend().get_title().get_text() == "class"
    colours = {tuple(c) for c in fig.axes[0].collections[0].get_facecolors()[:, :3].round(3)}
    green_red = {tuple(np.round(matplotlib.colors.to_rgb(c), 3)) for c in ("#2ca02c", "#d62728")}
    assert not colours & green_red, "class colours avoid the normal green and the anomaly red"
    roles = np.where(IS_ANOMALY, "abnormal", "normal")
    fig = vt.plot_latent(z2, roles, palette={"normal": "#2ca02c", "abnormal": "#d62728"})
    assert fig.axes[0].get_legend().get_title().get_text() == "", "no 'class' title for roles"
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    _check(vt.plot_latent_walk(model, lim=2, n=5, save=tmp_path / "w.png"), tmp_path / "w.png")
    fig = vt.plot_latent_walk(model, n=5, extent=(-1, 4, -3, 1))
    assert fig.axes[0].get_xlim() == (-1, 4) and fig.axes[0].get_ylim() == (-3, 1)
    with pytest.raises(ValueError, match="z_dim = 2"):
        vt.plot_latent_walk(vt.ConvVAE(z_dim=3, channels=(4, 8)))


def test_score_plots(tmp_path):
    _check(vt.plot_score_box(SCORES, LABELS, normal_class=1, log=True, save=tmp_path / "b.png"), tmp_path / "b.png")
    fig = vt.plot_score_box(SCORES, LABELS, normal_class=1, threshold=7.5, threshold_label="mean + 3σ", ylim=(1, 20))
    assert fig.axes[0].get_ylim() == (1, 20)
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "mean + 3σ = 7.5"
    fig = vt.plot_score_hist(SCORES, IS_ANOMALY, save=tmp_path / "h.png")
    _check(fig, tmp_path / "h.png")
    assert "intersection" in fig.axes[0].get_title()
    fig = vt.plot_score_hist(SCORES, IS_ANOMALY, log=True, threshold=7.5)
    assert any(np.allclose(line.get_xdata(), np.log10(7.5)) for line in fig.axes[0].lines)
    fig = vt.plot_roc(IS_ANOMALY, SCORES, name="toy", save=tmp_path / "roc.png")
    _check(fig, tmp_path / "roc.png")
    vt.plot_roc(IS_ANOMALY, -SCORES, name="flipped", ax=fig.axes[0])
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[0] == f"toy (AUROC = {vt.auroc(IS_ANOMALY, SCORES):.4f})"
    assert sum("chance" in t for t in texts) == 1, "one diagonal serves every ROC curve"
    fig = vt.plot_precision_recall(IS_ANOMALY, SCORES, name="a", save=tmp_path / "pr.png")
    _check(fig, tmp_path / "pr.png")
    vt.plot_precision_recall(IS_ANOMALY[:100], SCORES[:100], name="b", ax=fig.axes[0])
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[0] == f"a (AP = {vt.average_precision(IS_ANOMALY, SCORES):.4f})"
    assert f"a: chance (AP = {IS_ANOMALY.mean():.4f})" in texts and sum("chance" in t for t in texts) == 2


def test_history_and_signal_plots(tmp_path):
    x = torch.rand(40, 6)
    model = vt.DenseVAE(input_dim=6, hidden=(4,), likelihood="bernoulli")
    history = vt.fit(model, x, x_val=x[:5], epochs=2, progress=False)
    _check(vt.plot_history(history, save=tmp_path / "hist.png"), tmp_path / "hist.png")
    _check(vt.plot_signals(RNG.normal(size=(50, 40)), np.arange(50) % 5, per_class=2, save=tmp_path / "s.png"),
           tmp_path / "s.png")


def test_signal_restoration_plot_draws_the_band_of_the_decoders_std(tmp_path):
    x = torch.randn(5, 1, 16)
    model = vt.Conv1dVAE((1, 16), z_dim=2, channels=(4,), likelihood="gaussian_var")
    restored, std = vt.reconstruct(model, x), vt.restoration_std(model, x)
    assert restored.shape == std.shape == x.shape and (std > 0).all()
    fig = vt.plot_signal_restoration(x, restored, std, titles=list("abcde"), ncols=3, save=tmp_path / "band.png")
    _check(fig, tmp_path / "band.png")
    assert [ax.get_title() for ax in fig.axes[:5]] == list("abcde") and not fig.axes[5].axison
    assert len(fig.axes[0].collections) == 1 and len(fig.legends[0].get_texts()) == 3  # the band, in the legend
    assert torch.equal(vt.restoration_std(vt.Conv1dVAE((1, 16), z_dim=2, channels=(4,)), x), torch.ones_like(x))
    with pytest.raises(ValueError, match="Bernoulli"):
        vt.restoration_std(vt.DenseVAE(input_dim=16, likelihood="bernoulli"), x.flatten(1).sigmoid())
    with pytest.raises(ValueError, match="one shape"):
        vt.plot_signal_restoration(x, restored[:, :, :8])

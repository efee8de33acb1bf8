import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.neighbors import LocalOutlierFactor

import vaetools as vt


def _signals(n, shift=0.0, seed=0):
    """Noisy sines of shape (n, 2, 16): two channels, 16 steps."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 16)
    phase = rng.uniform(0, 0.3, (n, 1, 1))
    x = np.sin(t + phase) * np.array([1.0, 0.5])[None, :, None] + 0.05 * rng.standard_normal((n, 2, 16))
    return (x + shift).astype(np.float32)


def test_baselines_rank_shifted_signals_above_normal_ones():
    train, normal, abnormal = _signals(200), _signals(50, seed=1), _signals(50, shift=1.0, seed=2)
    scores = vt.baseline_scores(torch.from_numpy(train), np.concatenate([normal, abnormal]))
    assert tuple(scores) == vt.BASELINES
    is_anomaly = np.r_[np.zeros(50, bool), np.ones(50, bool)]
    for name, s in scores.items():
        assert s.shape == (100,) and np.isfinite(s).all(), name
        assert vt.auroc(is_anomaly, s) > 0.95, name


def test_baselines_match_scikit_learn_on_flattened_samples():
    train, test = _signals(60), _signals(20, shift=0.5, seed=3)
    lof = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(train.reshape(60, -1))
    scores = vt.baseline_scores(train, test)
    assert np.allclose(scores["LocalOutlierFactor"], -lof.score_samples(test.reshape(20, -1)))
    few = vt.baseline_scores(train[:5], test)  # fewer samples than neighbours: 4 neighbours, no warning
    lof4 = LocalOutlierFactor(n_neighbors=4, novelty=True).fit(train[:5].reshape(5, -1))
    assert np.allclose(few["LocalOutlierFactor"], -lof4.score_samples(test.reshape(20, -1)))


def test_baselines_reject_bad_input():
    x = _signals(10)
    with pytest.raises(ValueError, match="NaN or infinite values in 1 of 10"):
        bad = x.copy()
        bad[3, 0, 0] = np.nan
        vt.baseline_scores(bad, x)
    with pytest.raises(ValueError, match="32 values per sample but x_test has 16"):
        vt.baseline_scores(x, x[:, 0])
    with pytest.raises(ValueError, match="at least 2 samples"):
        vt.baseline_scores(x[:1], x)
    with pytest.raises(TypeError, match="x_train holds int64"):
        vt.baseline_scores(np.ones((10, 4), dtype=np.int64), x)


def test_pca_keeps_one_share_of_the_variance_and_scores_its_reconstruction_error():
    train, test = _signals(200).reshape(200, -1), _signals(30, shift=0.5, seed=4).reshape(30, -1)
    pca = vt.fit_pca(train)
    assert vt.PCA_VARIANCE == 0.90 and pca.explained_variance_ratio_.sum() >= 0.90
    written_out = PCA(n_components=0.90, svd_solver="full").fit(train)  # the image benchmark's PCA
    assert pca.n_components_ == written_out.n_components_
    expected = ((written_out.inverse_transform(written_out.transform(test)) - test) ** 2).mean(1)
    np.testing.assert_allclose(vt.pca_error(pca, test), expected, rtol=1e-4, atol=1e-7)
    np.testing.assert_array_equal(vt.baseline_scores(train, test)["PCA reconstruction"], vt.pca_error(pca, test))
    assert vt.fit_pca(train, variance=0.5).n_components_ < pca.n_components_
    with pytest.raises(ValueError, match="variance"):
        vt.fit_pca(train, variance=95)
    with pytest.raises(ValueError, match="32 values per sample but x has 16"):
        vt.pca_error(pca, test[:, :16])

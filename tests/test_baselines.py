import numpy as np
import pytest
import torch
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

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


def _shifted_brute_force(train, x, n_neighbors, shift):
    """The definition of ``shifted_knn_distance``, written out: every shift of every training image."""
    h, w = train.shape[2:]
    padded = np.pad(train, ((0, 0), (0, 0), (shift, shift), (shift, shift)))
    out = []
    for image in x:
        per_image = [min(np.linalg.norm(padded[j, :, dy:dy + h, dx:dx + w] - image)
                         for dy in range(2 * shift + 1) for dx in range(2 * shift + 1)) for j in range(len(train))]
        out.append(np.mean(np.sort(per_image)[:n_neighbors]))
    return np.array(out)


def test_shifted_knn_distance_matches_its_definition():
    rng = np.random.default_rng(0)
    train, x = rng.random((12, 2, 7, 6)), rng.random((5, 2, 7, 6))
    for n_neighbors, shift in ((1, 1), (3, 1), (12, 1), (2, 2)):
        np.testing.assert_allclose(vt.shifted_knn_distance(train, x, n_neighbors=n_neighbors, shift=shift),
                                   _shifted_brute_force(train, x, n_neighbors, shift), rtol=1e-6)


def test_shifted_knn_distance_forgives_a_one_pixel_shift_only():
    rng = np.random.default_rng(1)
    train = np.zeros((8, 1, 10, 10), np.float32)
    train[:, 0, 2:8, 2:8] = rng.random((8, 6, 6))
    moved = np.roll(train[:1], 1, axis=3)  # the first image one pixel to the right (the border is empty)
    assert vt.shifted_knn_distance(train, moved, n_neighbors=1)[0] < 1e-6
    assert vt.shifted_knn_distance(train, moved, n_neighbors=1, shift=0)[0] > 0.5
    plain = NearestNeighbors(n_neighbors=3).fit(train.reshape(8, -1)).kneighbors(moved.reshape(1, -1))[0].mean()
    assert vt.shifted_knn_distance(train, moved, n_neighbors=3, shift=0)[0] == pytest.approx(plain)


def test_shifted_knn_distance_says_what_is_wrong():
    x = np.zeros((4, 1, 6, 6), np.float32)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        vt.shifted_knn_distance(x[:, 0], x)
    with pytest.raises(ValueError, match="shape"):
        vt.shifted_knn_distance(x, x[..., :5])
    with pytest.raises(ValueError, match="n_neighbors"):
        vt.shifted_knn_distance(x, x, n_neighbors=5)
    with pytest.raises(ValueError, match="shift"):
        vt.shifted_knn_distance(x, x, shift=3)
    bad = x.copy()
    bad[1, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        vt.shifted_knn_distance(bad, x)

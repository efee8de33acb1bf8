"""Nearest-neighbour scores (vaetools.neighbors), each against its written-out definition."""
import numpy as np
import pytest
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

import vaetools as vt


def test_knn_distance_is_the_benchmarks_knn1_and_knn5():
    rng = np.random.default_rng(0)
    train, x = rng.random((50, 1, 6, 6)).astype(np.float32), rng.random((12, 1, 6, 6)).astype(np.float32)
    rows = train.reshape(50, -1).astype(np.float64)
    distances = NearestNeighbors(n_neighbors=5).fit(rows).kneighbors(x.reshape(12, -1).astype(np.float64))[0]
    np.testing.assert_allclose(vt.knn_distance(train, x), distances.mean(1), rtol=1e-12)
    np.testing.assert_allclose(vt.knn_distance(train, x, n_neighbors=1), distances[:, 0], rtol=1e-12)
    brute = np.sort(np.linalg.norm(rows[None] - x.reshape(12, 1, -1), axis=2), axis=1)[:, :5].mean(1)
    np.testing.assert_allclose(vt.knn_distance(train, x), brute, rtol=1e-6)
    # on images without a shift, the shifted distance is the plain one
    np.testing.assert_allclose(vt.shifted_knn_distance(train, x, shift=0), vt.knn_distance(train, x), rtol=1e-12)


def test_knn_distance_says_what_is_wrong():
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="n_neighbors must be between 1 and the 4"):
        vt.knn_distance(x, x, n_neighbors=5)
    with pytest.raises(ValueError, match="3 values per sample but x has 2"):
        vt.knn_distance(x, x[:, :2])
    with pytest.raises(ValueError, match="samples along its first axis"):
        vt.knn_distance(x, x[0])


def test_local_outlier_factor_is_scikit_learns():
    rng = np.random.default_rng(1)
    train, x = rng.normal(size=(40, 3)).astype(np.float32), rng.normal(size=(10, 3)).astype(np.float32)
    lof = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(train)
    np.testing.assert_array_equal(vt.local_outlier_factor(train, x), -lof.score_samples(x))
    with pytest.raises(ValueError, match="at least 2"):
        vt.local_outlier_factor(train[:1], x)


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

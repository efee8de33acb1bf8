"""The image benchmark's rule in one vt.Detector: the same scores as the benchmark's explicit composition."""
import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

import vaetools as vt

EPOCHS, BATCH = 2, 64


def _bars(n, seed, horizontal=False):
    """28x28 images of one to three bright bars, upright (vertical) or lying (horizontal)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 1, 28, 28), np.float32)
    for image in x:
        for _ in range(rng.integers(1, 4)):
            r, c, length = rng.integers(2, 8), rng.integers(4, 22), rng.integers(12, 20)
            image[0, r:r + length, c:c + 2] = rng.uniform(0.6, 1.0)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 1, 3, 2)) if horizontal else x)


@pytest.fixture(scope="module")
def data():
    return _bars(240, 0), _bars(60, 1), torch.cat([_bars(40, 2), _bars(40, 3, horizontal=True)])


def _model():
    return vt.ConvVAE(input_shape=(1, 28, 28), z_dim=4, channels=(4, 8), refine=3)


@pytest.fixture(scope="module")
def headline(data):
    x_train, x_val, _ = data
    detector = vt.Detector(_model(), score="turn_cw", neighbors=5)
    return detector.fit(x_train, x_val=x_val, epochs=EPOCHS, batch_size=BATCH, lr=1e-3, seed=0, progress=False)


def _benchmark_composition(x_train, x_val, x_test):
    """benchmarks/one_class.py's round-11 path, written out with the functions it called: train with quarter
    turns, turn_cw with the weight fitted on the normal validation images, knn5s, StandardScaler sum."""
    model = _model()
    vt.fit(model, x_train, x_val=x_val, epochs=EPOCHS, batch_size=BATCH, lr=1e-3, seed=0, progress=False,
           corrupt=vt.random_quarter_turns)
    turn_val, turn_test = vt.turn_restoration_error(model, x_val), vt.turn_restoration_error(model, x_test)
    size, sigma2 = x_val[0].numel(), float(turn_val.mean())
    nll_val, length_val = vt.restoration_nll(turn_val, sigma2, size), vt.input_complexity(x_val, "webp")
    weight = vt.complexity_weight(nll_val, length_val)
    turn_cw = vt.complexity_score(vt.restoration_nll(turn_test, sigma2, size), vt.input_complexity(x_test), weight)
    val_cw = vt.complexity_score(nll_val, length_val, weight)
    distances = vt.shifted_knn_distance(x_train, torch.cat([x_val, x_test]), n_neighbors=5)
    val_knn, knn5s = np.split(distances, [len(x_val)])
    scaler = StandardScaler().fit(np.column_stack([val_cw, val_knn]))
    return {"turn_cw": turn_cw, "knn5s": knn5s,
            "turn_cw_knn5s": scaler.transform(np.column_stack([turn_cw, knn5s])).sum(1)}


def test_the_detector_gives_the_benchmarks_scores(data, headline):
    x_train, x_val, x_test = data
    parts = headline.score_parts(x_test)
    assert list(parts.columns) == ["turn_cw", "knn5s", "turn_cw_knn5s"]
    for name, expected in _benchmark_composition(x_train, x_val, x_test).items():
        np.testing.assert_allclose(parts[name].to_numpy(), expected, rtol=1e-6, atol=1e-6, err_msg=name)
    np.testing.assert_array_equal(headline.decision_function(x_test), parts["turn_cw_knn5s"].to_numpy())
    assert headline.weight_ is not None and headline.sigma2_ > 0
    assert headline.threshold_ == pytest.approx(np.mean(headline.val_scores_) + 3 * np.std(headline.val_scores_))


def test_the_vae_part_is_the_score_of_the_same_model_without_neighbours(data, headline):
    parts = headline.score_parts(data[2])
    alone = vt.Detector(headline.model, score="turn_cw").calibrate(data[1])  # the same model, no neighbours
    np.testing.assert_array_equal(alone.decision_function(data[2]), parts["turn_cw"].to_numpy())


def test_a_saved_headline_keeps_its_training_images(data, headline, tmp_path):
    loaded = vt.Detector.load(headline.save(tmp_path / "headline.pt"))
    assert loaded.neighbors == 5 and loaded.score == "turn_cw" and torch.equal(loaded.reference_, data[0])
    assert loaded.score_parts(data[2]).equals(headline.score_parts(data[2]))
    model, history = vt.load_checkpoint(tmp_path / "headline.pt")  # the model of a detector file
    assert type(model) is vt.ConvVAE and history.equals(headline.history_)


def test_a_cached_fit_loads_the_model_instead_of_training(data, tmp_path, monkeypatch):
    x_train, x_val, x_test = data
    options = dict(x_val=x_val, epochs=1, batch_size=BATCH, seed=0, progress=False, cache=tmp_path)
    first = vt.Detector(_model(), score="turn_cw", neighbors=5).fit(x_train, **options)
    assert len(list(tmp_path.glob("detector-*.pt"))) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(vt.checkpoints, "fit", no_training)
    again = vt.Detector(_model(), score="turn_cw", neighbors=5).fit(x_train, **options)
    assert again.score_parts(x_test).equals(first.score_parts(x_test))


def test_the_neighbour_part_is_plain_on_request_and_needs_the_training_images(data, headline):
    x_train, x_val, x_test = data
    plain = vt.Detector(headline.model, score="turn_cw", neighbors=3, shift=0).calibrate(x_val, x_train=x_train)
    parts = plain.score_parts(x_test)
    assert list(parts.columns) == ["turn_cw", "knn3", "turn_cw_knn3"]
    np.testing.assert_allclose(parts["knn3"], vt.knn_distance(x_train, x_test, n_neighbors=3), rtol=1e-12)
    with pytest.raises(ValueError, match="x_train="):
        vt.Detector(headline.model, neighbors=5).calibrate(x_val)


def test_image_scores_are_checked_against_the_model_at_construction():
    with pytest.raises(ValueError, match="square images"):
        vt.Detector(vt.ConvVAE(input_shape=(1, 28, 32)), score="turn_mse")
    with pytest.raises(ValueError, match="code length"):
        vt.Detector(vt.DenseVAE(5), score="mse_cw")
    with pytest.raises(ValueError, match="scaling=None"):
        vt.Detector(vt.ConvVAE(likelihood="gaussian"), score="mse_c", scaling="channel")
    with pytest.raises(ValueError, match="shift"):
        vt.Detector(vt.DenseVAE(5), neighbors=5, shift=1)
    with pytest.raises(ValueError, match="neighbors"):
        vt.Detector(vt.DenseVAE(5), neighbors=0)

"""The rule for table rows: dequantization, the detector's own epochs, and ``Detector.for_rows``."""
import numpy as np
import pytest
import torch
from sklearn.base import clone

import vaetools as vt
from vaetools import detector as detector_module
from vaetools.dequantization import dequantize, quantization_steps


def _grades(n, seed=0):
    """Rows of small integers (grades 0-3) with one copied column: a table of discrete values."""
    x = np.random.default_rng(seed).integers(0, 4, (n, 4)).astype(np.float64)
    x[:, 1] = x[:, 0]
    return x


def test_quantization_steps_are_the_lattice_spacing():
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.integers(0, 10, 500), 0.25 * rng.integers(0, 5, 500), rng.normal(size=500),
                         np.full(500, 7.0)])
    steps = quantization_steps(x)
    assert steps[:2] == pytest.approx([1.0, 0.25]) and steps[3] == 0.0
    assert 0 < steps[2] < 0.05  # a continuous column: a negligible step
    assert quantization_steps(np.zeros((3, 2, 5))).shape == (2, 5)  # one step per feature of (N, C, L)


def test_dequantize_spreads_each_value_within_half_a_step():
    x = _grades(300)
    steps = quantization_steps(x)
    jittered = dequantize(x, seed=1)
    assert isinstance(jittered, torch.Tensor) and jittered.dtype == torch.float32 and jittered.shape == x.shape
    offset = jittered.numpy() - x
    assert np.abs(offset).max() <= 0.5 + 1e-6 and offset.std() == pytest.approx(1 / np.sqrt(12), rel=0.1)
    assert np.array_equal(jittered, dequantize(x, steps, seed=1))  # seeded
    assert not np.array_equal(jittered, dequantize(x, seed=2))
    with pytest.raises(ValueError, match="one value per feature"):
        dequantize(x, steps[:2])


def test_dequantized_training_keeps_the_learned_variance_off_the_lattice_points():
    x = _grades(400)
    spread = {}
    for flag in (False, True):
        detector = vt.Detector(vt.DenseVAE(4, z_dim=2, hidden=(32,), likelihood="gaussian_var"), score="iwae",
                               scaling="feature", dequantize=flag, epochs=60)
        detector.fit(x, batch_size=64, lr=3e-3, progress=False)
        rows = detector.scaler_.transform(torch.as_tensor(x, dtype=torch.float32))
        spread[flag] = float(vt.restoration_std(detector.model, rows).median())
    uniform = 1 / x[:, 0].std() / np.sqrt(12)  # the standard deviation of the noise in standardized units
    assert spread[False] < 0.4 * uniform  # collapsed onto the grades
    assert spread[True] > 0.8 * uniform


def test_dequantize_changes_only_what_the_model_trains_on(monkeypatch):
    seen = []
    train = vt.fit
    monkeypatch.setattr(detector_module, "fit", lambda model, x, **kw: seen.append(x) or train(model, x, **kw))
    x = _grades(200)
    detector = vt.Detector(vt.DenseVAE(4, z_dim=2, hidden=(16,), likelihood="gaussian_var"), score="iwae",
                           neighbors=3, scaling="feature", dequantize=True, epochs=2)
    detector.fit(x, seed=3, progress=False)
    order = np.random.default_rng(3).permutation(len(x))  # fit's hold-out of 10 % for validation
    clean = detector.scaler_.transform(torch.as_tensor(x[np.sort(order[20:])], dtype=torch.float32))
    reference = detector.reference_  # the neighbour part measures distances to the clean training rows
    assert torch.equal(reference, clean)
    trained = seen[0]
    assert trained.shape == reference.shape and not torch.equal(trained, reference)
    assert ((trained - reference).abs() <= 0.5 / detector.scaler_.std_ + 1e-5).all()  # half a grade, standardized
    with pytest.raises(ValueError, match="Bernoulli"):
        vt.Detector(vt.DenseVAE(4, likelihood="bernoulli"), dequantize=True)
    with pytest.raises(ValueError, match="dequantize must be True or False"):
        vt.Detector(vt.DenseVAE(4), dequantize="yes")


def test_the_detector_keeps_its_epochs_through_clone_and_files(tmp_path):
    x = _grades(120)
    detector = vt.Detector(vt.DenseVAE(4, z_dim=2, hidden=(16,)), scaling="feature", epochs=3)
    assert len(detector.fit(x, progress=False).history_) == 3
    assert len(detector.fit(x, epochs=2, progress=False).history_) == 2  # fit's epochs= wins
    assert clone(detector).epochs == 3
    loaded = vt.Detector.load(detector.save(tmp_path / "rows.pt"))
    assert loaded.epochs == 3 and loaded.dequantize is False
    with pytest.raises(ValueError, match="epochs must be None or an integer >= 1"):
        vt.Detector(vt.DenseVAE(4), epochs=0)


def test_for_rows_is_the_benchmark_rule_and_takes_other_settings():
    detector = vt.Detector.for_rows(7)
    model = detector.model
    assert isinstance(model, vt.DenseVAE) and model.input_shape == (7,) and model.z_dim == 4
    assert model.hidden == (256, 128) and model.likelihood == "gaussian_var"
    params = detector.get_params()
    assert {k: params[k] for k in ("score", "neighbors", "scaling", "dequantize", "epochs")} == {
        "score": "iwae", "neighbors": 5, "scaling": "feature", "dequantize": True, "epochs": 300}
    assert vt.Detector.for_rows(7, threshold="fpr", fpr=0.05, epochs=10).get_params()["epochs"] == 10


def test_for_rows_scores_the_standardized_sum_of_likelihood_and_neighbours():
    x = _grades(200)
    detector = vt.Detector.for_rows(4, epochs=5).fit(x, progress=False)
    new = np.r_[_grades(20, seed=1), np.full((5, 4), 9.0)]  # five rows far off the grades
    parts = detector.score_parts(new)
    assert list(parts.columns) == ["iwae", "knn5", "iwae_knn5"]
    expected = vt.standardized_sum([parts.iwae, parts.knn5], [detector.val_parts_["iwae"], detector.val_parts_["knn5"]])
    assert np.allclose(detector.decision_function(new), expected) and np.allclose(parts.iwae_knn5, expected)
    scores = detector.decision_function(new)
    assert scores[20:].min() > scores[:20].max()

import numpy as np
import pandas as pd
import pytest
import torch

import vaetools as vt
from vaetools.detect import main as detect_main


def _signals(n, shift=0.0, seed=0):
    """Sine waves with noise; ``shift`` moves them off the normal pattern."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 16)
    phase = rng.uniform(0, 0.3, (n, 1))
    return (np.sin(t + phase) * 3 + 5 + shift * np.cos(3 * t) + rng.normal(0, 0.1, (n, 16))).astype(np.float64)


@pytest.fixture(scope="module")
def fitted():
    detector = vt.Detector(vt.DenseVAE(input_dim=16, z_dim=2, hidden=(32,)), score="mse", threshold="fpr",
                           fpr=0.05, scaling="feature")
    with pytest.warns(UserWarning, match=r"30 normal validation samples.*at least 200 \(10 / fpr"):
        detector.fit(_signals(300), epochs=30, batch_size=32, lr=3e-3, progress=False)
    return detector


def test_detector_flags_what_differs_from_the_normal_data(fitted):
    normal, odd = _signals(100, seed=1), _signals(100, shift=2.0, seed=2)
    flags_normal, flags_odd = fitted.predict(normal), fitted.predict(odd)
    assert flags_normal.dtype == bool and flags_normal.mean() < 0.2 and flags_odd.mean() > 0.9
    scores = np.concatenate([fitted.score_samples(normal), fitted.score_samples(odd)])
    assert vt.auroc(np.r_[np.zeros(100), np.ones(100)], scores) > 0.95
    assert fitted.scaler_ is not None and fitted.history_ is not None
    # the threshold is the 95 % quantile of the held-out normal scores
    assert fitted.threshold_ == pytest.approx(np.quantile(fitted.val_scores_, 0.95))


def test_save_and_load_give_identical_scores_and_flags(fitted, tmp_path):
    x = np.concatenate([_signals(20, seed=3), _signals(20, shift=2.0, seed=4)])
    path = fitted.save(tmp_path / "sub" / "detector.pt")
    loaded = vt.Detector.load(path)
    assert np.array_equal(loaded.score_samples(x), fitted.score_samples(x))
    assert np.array_equal(loaded.predict(x), fitted.predict(x))
    assert loaded.threshold_ == fitted.threshold_ and loaded.score == "mse" and loaded.threshold == "fpr"
    assert torch.equal(loaded.scaler_.mean_, fitted.scaler_.mean_)
    assert loaded.history_.equals(fitted.history_)
    # loaded safely: a weights-only file
    torch.load(path, weights_only=True)



def test_a_learned_variance_detector_scores_saves_and_loads(tmp_path):
    detector = vt.Detector(vt.DenseVAE(input_dim=16, z_dim=2, hidden=(32,), likelihood="gaussian_var"),
                           score="recon", threshold="fpr", fpr=0.05, scaling="feature")
    detector.fit(_signals(300), x_val=_signals(200, seed=14), epochs=30, batch_size=32, lr=3e-3, beta=1.0,
                 progress=False)  # 200 = 10 / fpr normal validation rows: no warning
    normal, odd = _signals(100, seed=1), _signals(100, shift=2.0, seed=2)
    scores = np.concatenate([detector.score_samples(normal), detector.score_samples(odd)])
    assert vt.auroc(np.r_[np.zeros(100), np.ones(100)], scores) > 0.95 and detector.predict(odd).mean() > 0.9
    loaded = vt.Detector.load(detector.save(tmp_path / "var.pt"))
    assert loaded.model.likelihood == "gaussian_var" and np.array_equal(loaded.score_samples(odd), scores[100:])

def test_detector_accepts_tensors_of_any_float_dtype(fitted):
    x = _signals(5, seed=5)
    scores = fitted.score_samples(x)
    assert np.allclose(fitted.score_samples(torch.from_numpy(x).float()), scores, rtol=1e-5)
    assert np.allclose(fitted.score_samples(torch.from_numpy(x).half().float()), scores, rtol=1e-2, atol=1e-3)
    with pytest.raises(TypeError, match="float"):
        fitted.score_samples(x.astype(np.int64))
    with pytest.raises(ValueError, match="NaN"):
        fitted.score_samples(np.full((2, 16), np.nan))
    with pytest.raises(ValueError, match="shape"):
        fitted.score_samples(np.zeros((2, 15)))


@pytest.mark.parametrize(("rule", "expected"), [
    ("mean_std", lambda s: s.mean() + 2 * s.std()),
    ("mad", lambda s: np.median(s) + 2 * 1.482602218505602 * np.median(np.abs(s - np.median(s)))),
])
def test_threshold_rules_on_normal_validation_scores(fitted, rule, expected):
    detector = vt.Detector(fitted.model, score="mse", threshold=rule, k=2, scaling="feature")
    detector.scaler_ = fitted.scaler_
    x_val = _signals(50, seed=6)
    detector.calibrate(x_val)
    assert detector.threshold_ == pytest.approx(expected(detector.val_scores_), rel=1e-6)


def test_calibrate_a_model_trained_elsewhere_with_mse_c():
    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0)).round()
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    vt.fit(model, x, epochs=1, progress=False)
    detector = vt.Detector(model, score="mse_c").calibrate(x[:32])
    assert detector.sigma2_ == pytest.approx(vt.restoration_variance(model, x[:32]))
    scores = detector.score_samples(x)
    assert np.allclose(scores, vt.anomaly_scores(model, x, "mse_c", sigma2=detector.sigma2_))


def test_mse_cw_detector_fits_its_weight_and_keeps_it_when_saved(tmp_path):
    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0)).round()
    model = vt.ConvVAE(z_dim=2, channels=(4, 8))
    vt.fit(model, x, epochs=1, progress=False)
    detector = vt.Detector(model, score="mse_cw").calibrate(x[:32])
    assert detector.weight_ == pytest.approx(vt.fit_complexity_weight(model, x[:32], detector.sigma2_))
    expected = vt.anomaly_scores(model, x, "mse_cw", sigma2=detector.sigma2_, weight=detector.weight_)
    assert np.allclose(detector.score_samples(x), expected)
    loaded = vt.Detector.load(detector.save(tmp_path / "cw.pt"))
    assert loaded.weight_ == detector.weight_
    assert np.array_equal(loaded.score_samples(x), detector.score_samples(x))


def test_detector_rejects_bad_settings_and_use_before_fit():
    model = vt.DenseVAE(input_dim=4)
    with pytest.raises(ValueError, match="unknown score"):
        vt.Detector(model, score="likelihood")
    with pytest.raises(ValueError, match="threshold rule"):
        vt.Detector(model, threshold="youden")
    with pytest.raises(ValueError, match="scaling"):
        vt.Detector(model, scaling="minmax")
    with pytest.raises(ValueError, match="codec"):
        vt.Detector(model, codec="gif")
    with pytest.raises(ValueError, match="k must be"):
        vt.Detector(model, k=-1)
    with pytest.raises(ValueError, match="iwae_k must be an integer"):
        vt.Detector(model, iwae_k=0)
    with pytest.raises(TypeError, match="VAE"):
        vt.Detector(torch.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="not fitted"):
        vt.Detector(model, score="mse").predict(np.zeros((1, 4)))


def test_load_rejects_other_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        vt.Detector.load(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a file torch can read")
    with pytest.raises(vt.CheckpointError, match="not a vaetools file"):
        vt.Detector.load(tmp_path / "junk.pt")
    torch.save({"format": "something else"}, tmp_path / "other.pt")
    with pytest.raises(vt.CheckpointError, match="vaetools-v2"):
        vt.Detector.load(tmp_path / "other.pt")


def test_a_checkpoint_loads_as_an_unfitted_detector_around_its_model(fitted, tmp_path):
    path = vt.save_checkpoint(tmp_path / "model.pt", fitted.model, history=fitted.history_)
    detector = vt.Detector.load(path)
    assert detector.threshold_ is None and detector.history_.equals(fitted.history_)
    assert torch.equal(detector.model.encoder[0].weight, fitted.model.encoder[0].weight)
    x = _signals(50, seed=9)
    detector.set_params(scaling="feature").calibrate(x, x_train=_signals(300))
    assert detector.decision_function(x).shape == (50,)


def test_a_detector_file_of_the_first_format_still_loads(fitted, tmp_path):
    """Files that Detector.save wrote before the one file format (vaetools-detector-v1)."""
    old = {"format": "vaetools-detector-v1", "model_class": "DenseVAE", "model_config": fitted.model.config(),
           "state_dict": fitted.model.state_dict(),
           "settings": {"score": "mse", "threshold": "fpr", "k": 3.0, "fpr": 0.05, "scaling": "feature",
                        "iwae_k": 16, "codec": "webp"},
           "threshold_": fitted.threshold_, "sigma2_": None, "weight_": None, "scaler_": fitted.scaler_.state_dict(),
           "val_scores_": torch.tensor(fitted.val_scores_), "history_": None}
    torch.save(old, tmp_path / "old.pt")
    loaded = vt.Detector.load(tmp_path / "old.pt")
    x = _signals(20, seed=10)
    assert np.array_equal(loaded.decision_function(x), fitted.decision_function(x))
    assert loaded.threshold_ == fitted.threshold_ and np.array_equal(loaded.val_scores_, fitted.val_scores_)


def test_files_record_the_versions_that_wrote_them(fitted, tmp_path):
    payload = torch.load(fitted.save(tmp_path / "d.pt"), weights_only=True)
    assert payload["format"] == "vaetools-v2" and payload["vaetools"] == vt.__version__
    assert payload["torch"] == torch.__version__ and payload["detector"]["params"]["score"] == "mse"


def test_clone_gives_an_unfitted_copy_with_the_same_settings(fitted):
    from sklearn.base import clone

    copy = clone(fitted)
    assert copy.threshold_ is None and copy.model is not fitted.model
    assert {k: v for k, v in copy.get_params().items() if k != "model"} == \
        {k: v for k, v in fitted.get_params().items() if k != "model"}
    assert copy.get_params()["fpr"] == 0.05 and copy.get_params()["scaling"] == "feature"
    assert set(fitted.get_params()) == {"model", "score", "neighbors", "shift", "threshold", "k", "fpr", "scaling",
                                        "iwae_k", "codec"}


def test_set_params_checks_like_the_constructor_and_keeps_the_old_settings_on_error():
    detector = vt.Detector(vt.DenseVAE(4))
    assert detector.set_params(threshold="mad", k=2) is detector and detector.threshold == "mad"
    with pytest.raises(ValueError, match="code length"):
        detector.set_params(score="mse_c")
    assert detector.score is None
    with pytest.raises(ValueError, match="unknown settings"):
        detector.set_params(epochs=3)


def test_fit_ignores_labels_and_refuses_validation_data_where_y_goes():
    x, x_val = _signals(120), _signals(40, seed=11)
    options = dict(x_val=x_val, epochs=3, batch_size=32, progress=False)

    def make():
        return vt.Detector(vt.DenseVAE(input_dim=16, z_dim=2, hidden=(16,)), scaling="feature")

    plain = make().fit(x, **options)
    labelled = make().fit(x, np.zeros(120), **options)  # scikit-learn's habit: y is ignored
    assert np.array_equal(plain.decision_function(x_val), labelled.decision_function(x_val))
    with pytest.raises(ValueError, match=r"x_val=\.\.\."):
        make().fit(x, x_val)


def test_decision_function_is_higher_for_anomalies_and_score_samples_is_the_same(fitted):
    x = np.concatenate([_signals(30, seed=12), _signals(30, shift=2.0, seed=13)])
    scores = fitted.decision_function(x)
    assert np.array_equal(scores, fitted.score_samples(x)) and scores[30:].min() > np.median(scores[:30])


def test_the_default_score_suits_the_model():
    assert "score='mse'" in repr(vt.Detector(vt.DenseVAE(4)))
    assert vt.default_score(vt.ConvVAE()) == "mse"
    assert vt.default_score(vt.DenseVAE(4, likelihood="gaussian_var")) == "recon"
    assert "score='mse'" in repr(vt.Detector(vt.ConvVAE()))


def test_a_bernoulli_model_cannot_take_standardized_data():
    with pytest.raises(ValueError, match="Bernoulli"):
        vt.Detector(vt.DenseVAE(4, likelihood="bernoulli"), scaling="feature")


def test_command_line_scores_a_csv(fitted, tmp_path, capsys):
    path = fitted.save(tmp_path / "detector.pt")
    x = np.concatenate([_signals(10, seed=7), _signals(10, shift=2.0, seed=8)])
    columns = [f"s{i}" for i in range(16)]
    table = pd.DataFrame(x, columns=columns).assign(id=range(20), unit="pump")
    table.to_csv(tmp_path / "rows.csv", index=False)
    detect_main([str(path), str(tmp_path / "rows.csv"), "-o", str(tmp_path / "out.csv"), "--columns", *columns,
                 "--keep", "id"])
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["id", "score", "is_anomaly"]
    assert np.allclose(out.score, fitted.score_samples(x)) and out.is_anomaly.iloc[10:].all()
    assert "scored 20 rows" in capsys.readouterr().out
    with pytest.raises(SystemExit) as error:  # the text column would be a feature
        detect_main([str(path), str(tmp_path / "rows.csv"), "-o", str(tmp_path / "out.csv"), "--keep", "id"])
    assert error.value.code == 2

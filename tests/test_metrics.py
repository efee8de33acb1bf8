import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import vaetools as vt

Y = np.array([0, 0, 1, 1], dtype=bool)
S = np.array([0.1, 0.4, 0.35, 0.8])


def test_auroc_on_a_known_case():
    # pairs (abnormal, normal): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4) -> 3 / 4
    assert vt.auroc(Y, S) == 0.75 == roc_auc_score(Y, S)
    assert vt.auroc(Y, [0, 0, 1, 1]) == 1.0
    rng = np.random.default_rng(0)
    y, s = rng.random(500) < 0.3, rng.normal(size=500)
    assert vt.auroc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_average_precision():
    assert vt.average_precision(Y, [0, 0, 1, 1]) == 1.0


def test_roc_table_and_csv_round_trip(tmp_path):
    table = vt.roc_table(Y, S)
    assert list(table.columns) == ["fpr", "tpr", "threshold"]
    assert table.fpr.is_monotonic_increasing and table.tpr.is_monotonic_increasing
    path = vt.save_roc_csv(table, tmp_path / "sub" / "roc.csv")
    assert path.read_text().splitlines()[0] == "fpr,tpr,threshold"
    back = vt.load_roc_csv(path)
    assert back.equals(table)
    with pytest.raises(ValueError, match="columns"):
        vt.save_roc_csv(table.rename(columns={"threshold": "t"}), tmp_path / "x.csv")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a ROC table"):
        vt.load_roc_csv(tmp_path / "other.csv")


def test_thresholds():
    normal = np.array([1.0, 2.0, 3.0, 4.0])
    assert vt.threshold_mean_std(normal, k=3) == pytest.approx(2.5 + 3 * np.std(normal))
    assert vt.threshold_at_fpr(np.arange(101.0), fpr=0.01) == pytest.approx(99.0)
    assert vt.threshold_youden(Y, [0.1, 0.2, 0.9, 0.8]) == 0.8
    with pytest.raises(ValueError):
        vt.threshold_at_fpr(normal, fpr=0)
    with pytest.raises(ValueError):
        vt.threshold_mean_std([])


def test_evaluate_threshold():
    result = vt.evaluate_threshold(Y, S, threshold=0.3)  # flags 0.4, 0.35, 0.8
    assert (result["tn"], result["fp"], result["fn"], result["tp"]) == (1, 1, 0, 2)
    assert result["precision"] == pytest.approx(2 / 3) and result["recall"] == 1.0
    assert result["f1"] == pytest.approx(0.8) and result["fpr"] == 0.5
    # a score equal to the threshold is flagged, so Youden's threshold reproduces its ROC point
    best = vt.evaluate_threshold(Y, S, vt.threshold_youden(Y, S))
    table = vt.roc_table(Y, S)
    assert (best["recall"] - best["fpr"]) == pytest.approx((table.tpr - table.fpr).max())


def test_histogram_intersection():
    a = np.linspace(0, 1, 100)
    assert vt.histogram_intersection(a, a) == pytest.approx(1.0)
    assert vt.histogram_intersection(a, a + 10) == 0.0
    with pytest.raises(ValueError):
        vt.histogram_intersection(a, [])


def test_bootstrap_interval_contains_the_estimate():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.5
    s = y + rng.normal(size=300)
    low, high = vt.bootstrap_auroc(y, s, n_resamples=200)
    assert low < vt.auroc(y, s) < high and high - low < 0.2


def test_bad_metric_input():
    with pytest.raises(ValueError, match="both normal and abnormal"):
        vt.auroc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        vt.auroc(Y, [0.1, np.nan, 0.3, 0.4])
    with pytest.raises(ValueError, match="4 labels but 3 scores"):
        vt.auroc(Y, S[:3])


def test_metrics_reject_class_labels_where_flags_belong():
    labels = np.array([1, 2, 7, 1, 0, 9])
    with pytest.raises(ValueError, match="is_anomaly must hold anomaly flags"):
        vt.auroc(labels, np.arange(6.0))
    with pytest.raises(ValueError, match="is_anomaly"):
        vt.roc_table(np.array(["ok", "fault"] * 3), np.arange(6.0))
    with pytest.raises(ValueError, match="is_anomaly"):
        vt.plot_score_hist(np.arange(6.0), labels)
    assert vt.auroc(np.array([0, 1, 0, 1]), [0.1, 0.9, 0.2, 0.8]) == 1.0  # 0/1 integers are flags


def test_median_mad_threshold_is_robust_to_an_outlier():
    normal = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert vt.threshold_median_mad(normal, k=2) == pytest.approx(3 + 2 * 1.482602218505602 * 1.0)
    with_outlier = np.append(normal, 1e6)
    assert vt.threshold_median_mad(with_outlier, k=2) < 10 < vt.threshold_mean_std(with_outlier, k=2)
    with pytest.raises(ValueError, match="finite"):
        vt.threshold_median_mad([np.nan])


def test_roc_csv_round_trip_is_exact_for_any_float(tmp_path):
    rng = np.random.default_rng(3)
    y, s = rng.random(300) < 0.4, rng.normal(size=300) * 1e3
    table = vt.roc_table(y, s)
    back = vt.load_roc_csv(vt.save_roc_csv(table, tmp_path / "roc.csv"))
    assert back.equals(table)  # pandas' default parser can be off in the last bit; round_trip is not

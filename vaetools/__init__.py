"""vaetools: anomaly detection with variational auto-encoders, the helpers of the vae-anomaly tutorial.

One import gives a notebook everything it needs::

    import vaetools as vt
    split = vt.image_one_class("mnist", normal_class=1)
    detector = vt.Detector(vt.ConvVAE().to(vt.default_device()))
    detector.fit(split.x_train, x_val=split.x_val, epochs=10)
    print(vt.auroc(split.is_anomaly, detector.decision_function(split.x_test)))
    detector.save("detector.pt")

Every public name is imported from its module on first use (PEP 562), so ``import vaetools`` itself costs
next to nothing, and a script pays for scikit-learn, pandas or matplotlib only when it calls what needs
them; ``vt.<name>``, ``from vaetools import <name>`` and ``from vaetools import *`` work as usual.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: The public names, by the module that holds them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "baselines": ("BASELINES", "PCA_VARIANCE", "baseline_scores", "fit_pca", "pca_error"),
    "checkpoints": ("CheckpointError", "config_key", "fit_or_load", "load_checkpoint", "save_checkpoint"),
    "complexity": (
        "ComplexityCorrection", "complexity_score", "complexity_weight", "input_complexity", "restoration_nll",
    ),
    "data": (
        "MNIST1D_ARGS", "DataNotFoundError", "OneClassSplit", "image_folder_one_class", "image_one_class",
        "labelled_one_class", "load_image_folder", "load_images", "load_mnist1d", "load_signals_csv",
        "mnist1d_one_class", "one_class_split", "signals_one_class",
    ),
    "detector": ("DETECTOR_SCORES", "THRESHOLDS", "Detector", "default_score"),
    "device": ("default_device",),
    "ensembles": ("standardize_scores", "standardized_sum"),
    "local": ("local_error",),
    "losses": (
        "LOG_VARIANCE_RANGE", "LossTerms", "beta_to_ratio", "gaussian_parameters", "kl_divergence", "loss_weights",
        "ratio_to_beta", "reconstruction_loss", "vae_loss",
    ),
    "metrics": (
        "auroc", "average_precision", "bootstrap_auroc", "check_flags", "evaluate_threshold", "histogram_intersection",
        "load_roc_csv", "roc_table", "save_roc_csv", "threshold_at_fpr", "threshold_mean_std", "threshold_median_mad",
        "threshold_youden",
    ),
    "models": ("LIKELIHOODS", "VAE", "Conv1dVAE", "ConvVAE", "DenseVAE", "check_inputs"),
    "neighbors": ("knn_distance", "local_outlier_factor", "shifted_knn_distance"),
    "paths": ("cache_dir", "data_dir", "figure_path", "output_dir", "output_path", "read_benchmark_csv"),
    "plots": (
        "CLASS_PALETTE", "plot_history", "plot_image_grid", "plot_latent", "plot_latent_walk", "plot_mistakes",
        "plot_precision_recall", "plot_problem_definition", "plot_restoration", "plot_roc", "plot_score_box",
        "plot_score_hist", "plot_signal_restoration", "plot_signals", "plot_vae_diagram", "project_latent",
        "set_style",
    ),
    "recipes": ("IMAGE_VAE", "SIGNAL_CVAE", "SIGNAL_VAE", "train_image_vae", "train_signal_cvae", "train_signal_vae"),
    "scaling": ("Standardizer",),
    "scoring": (
        "DEFAULT_SCORES", "SCORES", "anomaly_scores", "encode", "fit_complexity_weight", "iwae_nll", "reconstruct",
        "restoration_std", "restoration_variance", "score_table",
    ),
    "series": (
        "SeriesSplit", "as_series", "collection_windows", "series_metrics", "series_one_class", "sliding_windows",
        "window_labels", "windows_to_points",
    ),
    "training": ("LR_SCHEDULES", "TrainingDivergedError", "fit"),
    "turns": (
        "TURN_SCORES", "TURNS", "quarter_turn", "random_quarter_turns", "random_turns_and_flips",
        "turn_restoration_error",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """Import a public name (or a submodule, e.g. ``vt.plots``) on first use, and keep it."""
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    elif not name.startswith("_"):
        try:
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))

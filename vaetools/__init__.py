"""vaetools: anomaly detection with variational auto-encoders, the helpers of the vae-anomaly tutorial.

One import gives a notebook everything it needs::

    import vaetools as vt
    split = vt.image_one_class("mnist", normal_class=1)
    detector = vt.Detector(vt.ConvVAE().to(vt.default_device()), score="mse_c")
    detector.fit(split.x_train, x_val=split.x_val, epochs=10)
    print(vt.auroc(split.is_anomaly, detector.score_samples(split.x_test)))
    detector.save("detector.pt")
"""
from .baselines import BASELINES, PCA_VARIANCE, baseline_scores, fit_pca, pca_error
from .checkpoints import CheckpointError, config_key, fit_or_load, load_checkpoint, save_checkpoint
from .complexity import ComplexityCorrection, complexity_score, complexity_weight, input_complexity, restoration_nll
from .data import (
    MNIST1D_ARGS,
    DataNotFoundError,
    OneClassSplit,
    image_folder_one_class,
    image_one_class,
    labelled_one_class,
    load_image_folder,
    load_images,
    load_mnist1d,
    load_signals_csv,
    mnist1d_one_class,
    one_class_split,
    signals_one_class,
)
from .detector import DETECTOR_SCORES, THRESHOLDS, Detector, default_score
from .device import default_device
from .ensembles import standardize_scores, standardized_sum
from .local import local_error
from .losses import (
    LOG_VARIANCE_RANGE,
    LossTerms,
    beta_to_ratio,
    gaussian_parameters,
    kl_divergence,
    loss_weights,
    ratio_to_beta,
    reconstruction_loss,
    vae_loss,
)
from .metrics import (
    auroc,
    average_precision,
    bootstrap_auroc,
    check_flags,
    evaluate_threshold,
    histogram_intersection,
    load_roc_csv,
    roc_table,
    save_roc_csv,
    threshold_at_fpr,
    threshold_mean_std,
    threshold_median_mad,
    threshold_youden,
)
from .models import LIKELIHOODS, VAE, Conv1dVAE, ConvVAE, DenseVAE, check_inputs
from .neighbors import knn_distance, local_outlier_factor, shifted_knn_distance
from .paths import cache_dir, data_dir, figure_path, output_dir, output_path, read_benchmark_csv
from .plots import (
    CLASS_PALETTE,
    plot_history,
    plot_image_grid,
    plot_latent,
    plot_latent_walk,
    plot_mistakes,
    plot_precision_recall,
    plot_problem_definition,
    plot_restoration,
    plot_roc,
    plot_score_box,
    plot_score_hist,
    plot_signal_restoration,
    plot_signals,
    plot_vae_diagram,
    project_latent,
    set_style,
)
from .recipes import IMAGE_VAE, SIGNAL_CVAE, SIGNAL_VAE, train_image_vae, train_signal_cvae, train_signal_vae
from .scaling import Standardizer
from .scoring import (
    DEFAULT_SCORES,
    SCORES,
    anomaly_scores,
    encode,
    fit_complexity_weight,
    iwae_nll,
    reconstruct,
    restoration_std,
    restoration_variance,
    score_table,
)
from .series import (
    SeriesSplit,
    as_series,
    collection_windows,
    series_metrics,
    series_one_class,
    sliding_windows,
    window_labels,
    windows_to_points,
)
from .training import LR_SCHEDULES, TrainingDivergedError, fit
from .turns import (
    TURN_SCORES,
    TURNS,
    quarter_turn,
    random_quarter_turns,
    random_turns_and_flips,
    turn_restoration_error,
)

__version__ = "0.1.0"

"""vaetools: anomaly detection with variational auto-encoders, the helpers of the vae-anomaly tutorial.

One import gives a notebook everything it needs::

    import vaetools as vt
    split = vt.image_one_class("mnist", normal_class=1)
    model = vt.ConvVAE(z_dim=128)
    history = vt.fit_or_load(model, split.x_train, name="cvae", epochs=10)
    scores = vt.anomaly_scores(model, split.x_test)
    print(vt.auroc(split.is_anomaly, scores))
"""
from .checkpoints import CheckpointError, config_key, fit_or_load, load_checkpoint, save_checkpoint
from .complexity import complexity_score, input_complexity
from .data import (
    MNIST1D_ARGS,
    DataNotFoundError,
    OneClassSplit,
    image_one_class,
    load_images,
    load_mnist1d,
    load_signals_csv,
    mnist1d_one_class,
    one_class_split,
    signals_one_class,
)
from .losses import (
    LossTerms,
    beta_to_ratio,
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
    evaluate_threshold,
    histogram_intersection,
    load_roc_csv,
    roc_table,
    save_roc_csv,
    threshold_at_fpr,
    threshold_mean_std,
    threshold_youden,
)
from .models import LIKELIHOODS, VAE, ConvVAE, DenseVAE, check_inputs
from .paths import cache_dir, data_dir, figure_path, output_dir, output_path
from .plots import (
    plot_history,
    plot_image_grid,
    plot_latent,
    plot_latent_walk,
    plot_precision_recall,
    plot_problem_definition,
    plot_restoration,
    plot_roc,
    plot_score_box,
    plot_score_hist,
    plot_signals,
    plot_vae_diagram,
    project_latent,
    set_style,
)
from .recipes import IMAGE_VAE, SIGNAL_VAE, train_image_vae, train_signal_vae
from .scoring import SCORES, anomaly_scores, encode, iwae_nll, reconstruct, score_table
from .training import fit, seed_everything

__version__ = "0.1.0"

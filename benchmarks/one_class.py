"""One-vs-rest AUROC on MNIST or Fashion-MNIST: several scores of the vaetools CVAE and pixel baselines.

For each class c: train on the training images of c only (10 % of them held out as normal validation
images), score the whole official test split (10,000 images) and compute the AUROC with c normal and the
other nine classes abnormal. Scores (higher = more anomalous), all rows of the same table:

VAE (:class:`vaetools.ConvVAE`, Bernoulli likelihood, one model per class; :func:`vaetools.score_table`):

* ``recon``     -log p(x | z = mu), the model's reconstruction term (binary cross-entropy);
* ``elbo``      Monte-Carlo negative ELBO over ``--k`` draws z ~ q(z | x), the KL in closed form;
* ``iwae``      importance-weighted bound on -log p(x) from the same draws (Burda et al., 2016);
* ``mse``       mean squared pixel error of the restoration (decoder mean at z = mu);
* ``mse_c``     the restoration error in bits, complexity-corrected (Serra et al., ICLR 2020):
                -log2 N(x; restoration, s^2) - L(x), s^2 the mean squared error on the normal validation
                images, L(x) the lossless WebP code length of the 8-bit image;
* ``mse_c_png`` the same with Serra et al.'s PNG coder for L(x);
* ``mse_cw``    the VAE on its own, one rule for both data sets (the first round's headline):
                -log2 N(x; restoration, s^2) - w L(x) with the weight w fitted per class on the normal
                validation images (``vt.complexity_weight``: the least-squares slope of their bits on their
                L(x), the w that leaves their scores least spread); w = 0 is ``mse``, w = 1 is ``mse_c``.
                Fixed before any run of it, see results/one_class_rule.md.

Round 2 (fixed before any run of it, results/one_class_rule.md), the VAE beside its nearest neighbours:

* ``mse_cw_knn`` ``mse_cw`` and ``knn5`` (below), each standardized on the scores of the normal validation
                images (scikit-learn's ``StandardScaler``), added with equal weight.

Round 3 (``--turns``, fixed before any run of it): the same model and schedule trained to
restore the upright image from a random quarter turn (``vt.fit(..., corrupt=vt.random_quarter_turns)``); every
score above comes from that model, plus

* ``turn_mse``   the restoration error of the upright image averaged over the four quarter turns of the input
                (``vt.turn_restoration_error``);
* ``turn_cw``    ``turn_mse`` with the fitted correction of ``mse_cw``;
* ``turn_cw_knn`` ``turn_cw`` and ``knn5`` combined as in ``mse_cw_knn``.

Round 4 (``--local``, fixed before any run of it): the round-3 model (same code and seeds, so the same
weights) with a local correction in place of the fitted weight (ARES, Goodge et al., 2022):

* ``turn_loc``     ``vt.local_error``: log ``turn_mse`` minus the mean log ``turn_mse`` of the 20 normal
                   training images whose codes (the encoder's mean of the upright image) are nearest;
* ``turn_lof``     scikit-learn's ``LocalOutlierFactor`` (20 neighbours) of the code among the training codes;
* ``turn_loc_knn`` ``turn_loc`` and ``knn5`` combined as in ``mse_cw_knn``: round 4's headline.

Round 5 (``--flips``, fixed before any run of it): round 3's model and schedule trained to restore the upright,
unmirrored image from a random quarter turn that is also mirrored left-right half of the time
(``vt.fit(..., corrupt=vt.random_turns_and_flips)``); every score above from ``mse`` on comes from that model, plus

* ``flip_mse``    the restoration error of the upright image averaged over the eight symmetries of the input
                  (the four turns, plain and mirrored; ``vt.turn_restoration_error(..., flips=True)``);
* ``flip_cw``     ``flip_mse`` with the fitted correction of ``mse_cw``;
* ``flip_cw_knn`` ``flip_cw`` and ``knn5`` combined as in ``mse_cw_knn``: round 5's headline.

Round 6 (``--turns --lr-schedule cosine``, fixed before any run of it): round 3's model, task and 40 epochs with
the learning rate falling along a half cosine (``vt.fit(..., lr_schedule="cosine")``) instead of a constant rate;
the rows of round 3. The schedule is selected by the normal validation images' -ELBO (``val_elbo``, mean over
classes and seeds), lower on both data sets than round 3's constant rate; the run prints both.

Round 7 (``--turns --epochs 60``, fixed before any run of it): round 3's model, task and constant rate trained for
60 epochs instead of 40; the rows of round 3, selected as in round 6 against round 3's 40 epochs (and it was).

Round 8 (``--turns --epochs 80 --select-against 60``, fixed before any run of it): round 7's model trained for 80
epochs, selected as in round 7 but against round 7's 60 epochs (``one_class_<dataset>_turns_e60.csv``); it was
selected on both data sets, so its ``turn_cw_knn`` was the headline from round 8 to round 10.

Round 9 (``--screen``): a label-free screen before any further three-seed round. Each (class, seed) model is
trained with the settings given and only its normal validation images' mean -ELBO (``val_elbo``, nats) is
computed and printed; no test image is scored. The rows are appended to ``one_class_<dataset>_screen.csv``.
A candidate setting (another ``--lr``, ``--batch-size`` or ``--z-dim``) earns a three-seed round only if it
lowers that criterion by the margin that results/one_class_rule.md fixes.

Round 10 (``--turns --epochs 80 --refine 3 --select-against 80``, fixed before any run of it): round 8 on a
deeper network (a 3x3 stride-1 convolution after every stage, ``vt.ConvVAE(..., refine=3)``), the one of two
networks that passed round 10's screen; selected as in round 8 but against round 8's 80 epochs. It was
selected on both data sets, so its ``turn_cw_knn`` was the headline from round 10 to round 11.

Round 11 (``--turns --epochs 80 --refine 3 --shifted-knn``, fixed before any run of it): round 10's models,
trained again with the same code and seeds (on another CPU the baselines come out the same to the last digit,
the VAE's rows only to about 0.1 point), and nearest neighbours that forgive a one-pixel shift in place of
``knn5`` in the headline sum:

* ``turn_cw_knn5s`` ``turn_cw`` and ``knn5s`` (below) combined as in ``mse_cw_knn``: **the headline** since
  round 11 (no selection: the rule made it the headline whatever it scored).

The sampled likelihood rows (``recon``, ``elbo``, ``iwae``) are skipped with ``--local`` (the same weights'
rows are in the round-3 file), with ``--flips`` and with a schedule other than round 3's, so that each fits a
session.

Baselines on raw pixels (scikit-learn), fitted on the same normal training images:

* ``pca``       squared reconstruction error of PCA with as many components as explain >= 90 % of the
                variance of the normal training images (fixed before any run; label-free);
* ``pca_c``     PCA's error with the correction of ``mse_c`` (s^2 from the normal validation images, WebP);
* ``pca_cw``    PCA's error with the fitted correction of ``mse_cw``;
* ``knn1``      Euclidean distance to the nearest normal training image;
* ``knn5``      mean distance to the 5 nearest (less sensitive to a single stray training image);
* ``pca_cw_knn`` ``pca_cw`` and ``knn5`` combined as in ``mse_cw_knn``: what the VAE adds over an ensemble
                of two baselines;
* ``knn5s``     (``--shifted-knn``) ``knn5`` with each distance the smallest over the shifts of the training
                image by up to one pixel along each axis (``vt.shifted_knn_distance``);
* ``pca_cw_knn5s`` (``--shifted-knn``) ``pca_cw`` and ``knn5s`` combined as in ``mse_cw_knn``;
* ``pca_loc``   (``--local``) PCA's error with the local correction of ``turn_loc``, neighbours found among
                the training images' PCA coordinates;
* ``pca_loc_knn`` (``--local``) ``pca_loc`` and ``knn5`` combined as in ``mse_cw_knn``.

Hyper-parameters are the same for every class and both data sets; no test label is used for anything
but the AUROC. The label-free criteria (validation -ELBO and MSE of held-out normal images, explained
variance, code length, the fitted weights) are printed and written to the CSV.

The classes (and seeds) run ``--jobs`` at a time in worker processes, by default one per CPU core with
one thread each (one process on a GPU): on the 2-core CPU an epoch of 5,888 images takes 2.33 s with two
threads, 3.32 s with one and 3.46-3.58 s in each of two single-thread processes at once, so two classes
side by side give about 1.3 times the throughput.

Usage::

    VAETOOLS_DATA=/path/to/data python benchmarks/one_class.py                     # MNIST, 10 classes, seed 0
    python benchmarks/one_class.py --dataset fashion-mnist --seeds 0 1 2
    python benchmarks/one_class.py --turns --seeds 0 1 2                          # round 3
    python benchmarks/one_class.py --local --seeds 0 1 2                          # round 4
    python benchmarks/one_class.py --flips --seeds 0 1 2                          # round 5
    python benchmarks/one_class.py --turns --lr-schedule cosine --seeds 0 1 2     # round 6
    python benchmarks/one_class.py --turns --epochs 60 --seeds 0 1 2              # round 7
    python benchmarks/one_class.py --turns --epochs 80 --select-against 60 --seeds 0 1 2   # round 8
    python benchmarks/one_class.py --screen --turns --epochs 80 --classes 8 --lr 2e-3  # round 9: one model's val -ELBO
    python benchmarks/one_class.py --screen --turns --epochs 80 --classes 8 --refine 3  # round 10's screen: deeper
    python benchmarks/one_class.py --turns --epochs 80 --refine 3 --select-against 80 --seeds 0 1 2 # round 10
    python benchmarks/one_class.py --turns --epochs 80 --refine 3 --shifted-knn --seeds 0 1 2  # round 11, headline
    python benchmarks/one_class.py --baselines-only --seeds 0 1 2                 # PCA and kNN rows, minutes
    python benchmarks/one_class.py --jobs 1                                       # one class at a time
    python benchmarks/one_class.py --save-scores /tmp/scores                      # and every image's scores

Writes ``<out>/one_class_<dataset>.csv`` (one row per class, seed and score, with seconds and criteria)
and ``<out>/one_class_<dataset>.md`` (AUROC in %, mean ± std over seeds); ``--baselines-only`` writes
``one_class_<dataset>_baselines.*``, ``--turns`` ``one_class_<dataset>_turns.*``, ``--local``
``one_class_<dataset>_local.*`` and ``--flips`` ``one_class_<dataset>_flips.*`` instead, with ``_cosine``
(``--lr-schedule cosine``), ``_e<epochs>`` (other ``--epochs``), ``_lr<lr>``, ``_b<batch>``, ``_z<z_dim>``,
``_c<a>-<b>`` or ``_r<k>`` (other ``--lr``, ``--batch-size``, ``--z-dim``, ``--channels`` or ``--refine``)
and ``_shift`` (``--shifted-knn``) appended, so none overwrites the other results. With ``--checkpoints DIR`` the
trained models are kept in DIR (``vt.fit_or_load``, keyed by the full training configuration and data) and a
later run with the same settings loads them instead of training. With
``--save-scores DIR`` every (class, seed) also writes ``DIR/<dataset>_class<c>_seed<s>.npz``: the scores of
the test and normal validation images by name and the test images' anomaly flags, so that a new way to
combine scores can be tried without training again.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from cli import add_common_options, add_jobs_option, jobs_and_threads, map_jobs, parse
from sklearn.decomposition import PCA
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.preprocessing import StandardScaler

import vaetools as vt

#: Hyper-parameters, the same for every class and data set (see benchmarks/README.md for how they were chosen).
DEFAULTS = {"z_dim": 32, "channels": (32, 64), "epochs": 40, "batch_size": 128, "lr": 1e-3, "lr_schedule": "constant",
            "refine": 0, "k": 16, "likelihood": "bernoulli", "turns": False, "local": False, "flips": False,
            "shifted_knn": False, "checkpoints": None}
#: Neighbours of the local correction and of the code-space LOF (scikit-learn's LocalOutlierFactor default).
LOCAL_NEIGHBOURS = 20
#: Share of the normal training images' variance the PCA baseline keeps.
PCA_VARIANCE = 0.90
#: Row order of the Markdown table.
VAE_SCORES = ("recon", "elbo", "iwae", "mse", "mse_c", "mse_c_png", "mse_cw", "mse_cw_knn",
              "turn_mse", "turn_cw", "turn_cw_knn", "turn_cw_knn5s", "turn_loc", "turn_lof", "turn_loc_knn",
              "flip_mse", "flip_cw", "flip_cw_knn")
BASELINES = ("pca", "pca_c", "pca_cw", "knn1", "knn5", "knn5s", "pca_cw_knn", "pca_cw_knn5s", "pca_loc", "pca_loc_knn")
#: The ensembles: name -> the scores they add, each standardized on the normal validation images.
ENSEMBLES = {"mse_cw_knn": ("mse_cw", "knn5"), "pca_cw_knn": ("pca_cw", "knn5"), "turn_cw_knn": ("turn_cw", "knn5"),
             "turn_loc_knn": ("turn_loc", "knn5"), "pca_loc_knn": ("pca_loc", "knn5"),
             "flip_cw_knn": ("flip_cw", "knn5"), "turn_cw_knn5s": ("turn_cw", "knn5s"),
             "pca_cw_knn5s": ("pca_cw", "knn5s")}


def train_and_validate(split: vt.OneClassSplit, settings: dict, seed: int) -> tuple[vt.ConvVAE, pd.DataFrame]:
    """The VAE of one (class, seed): a freshly initialized CVAE on :func:`vaetools.default_device`, trained with
    :func:`vaetools.fit` on the normal training images (with ``settings["turns"]`` to restore the upright image
    from a random quarter turn, with ``settings["flips"]`` from one that may also be mirrored), and the ``elbo``
    and ``mse`` scores of the normal validation images (the label-free criteria of every round and the screen).
    With ``settings["checkpoints"]`` (a folder) the model is loaded from there if the same configuration was
    trained before, and saved there otherwise (:func:`vaetools.fit_or_load`)."""
    model = vt.ConvVAE(input_shape=(1, 28, 28), z_dim=settings["z_dim"], channels=settings["channels"],
                       likelihood=settings["likelihood"], refine=settings["refine"])
    model = model.to(vt.default_device())
    corrupt = vt.random_turns_and_flips if settings["flips"] else vt.random_quarter_turns if settings["turns"] else None
    options = dict(x_val=split.x_val, epochs=settings["epochs"], batch_size=settings["batch_size"], lr=settings["lr"],
                   lr_schedule=settings["lr_schedule"], seed=seed, progress=False, corrupt=corrupt)
    if settings["checkpoints"]:
        vt.fit_or_load(model, split.x_train, name="one_class", cache=settings["checkpoints"], **options)
    else:
        vt.fit(model, split.x_train, **options)
    return model, vt.score_table(model, split.x_val, scores=("elbo", "mse"), k=settings["k"], seed=seed)


@functools.cache
def images(dataset: str, data: str | None) -> tuple:
    """The training and test images and labels of ``dataset`` and its class names, loaded once per process."""
    x_all, y_all, names = vt.load_images(dataset, train=True, root=data)
    x_test, y_test, _ = vt.load_images(dataset, train=False, root=data)
    return x_all, y_all, x_test, y_test, names


def corrected(mse_val: np.ndarray, mse_test: np.ndarray, x_val: torch.Tensor,
              lengths: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, float]]:
    """The complexity-corrected test scores of a restoration error (``_c``: weight 1, WebP; ``_c_png``:
    weight 1, PNG; ``_cw``: WebP with the weight fitted on the normal validation images), the validation
    images' ``_cw`` scores, and s^2 and w."""
    size = x_val[0].numel()
    sigma2 = float(mse_val.mean())
    nll_val = vt.restoration_nll(mse_val, sigma2, size)
    length_val = vt.input_complexity(x_val, "webp")
    weight = vt.complexity_weight(nll_val, length_val)
    nll = vt.restoration_nll(mse_test, sigma2, size)
    scores = {"_c": vt.complexity_score(nll, lengths["webp"]), "_c_png": vt.complexity_score(nll, lengths["png"]),
              "_cw": vt.complexity_score(nll, lengths["webp"], weight)}
    return scores, vt.complexity_score(nll_val, length_val, weight), {"sigma2": sigma2, "weight": weight}


def ensemble(val: dict[str, np.ndarray], test: dict[str, np.ndarray], parts: tuple[str, ...]) -> np.ndarray:
    """The sum of the test scores ``parts``, each standardized with the mean and standard deviation of the
    normal validation images' scores (equal weights: the only label-free scale is the normal spread)."""
    scaler = StandardScaler().fit(np.column_stack([val[name] for name in parts]))
    return scaler.transform(np.column_stack([test[name] for name in parts])).sum(1)


def vae_scores(split: vt.OneClassSplit, settings: dict, seed: int, lengths: dict[str, np.ndarray]
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, float]]:
    """Train one VAE on the normal images; its test scores by name, the normal validation images' scores
    (``elbo``, ``mse``, ``mse_cw``) and label-free validation criteria (``val_elbo``: mean -ELBO of the
    normal validation images in nats, ``val_mse``: their restoration error, ``w_vae``: the fitted
    complexity weight of ``mse_cw``). With ``settings["turns"]`` also ``turn_mse`` and ``turn_cw``, test and
    validation, and ``w_turn``, the fitted weight of ``turn_cw``, named ``flip_*`` and ``w_flip`` with
    ``settings["flips"]``; with ``settings["local"]`` also ``turn_loc`` and ``turn_lof``
    (:func:`local_scores`). Without ``settings["sampled"]``, no ``recon``, ``elbo`` or ``iwae``."""
    model, val = train_and_validate(split, settings, seed)
    k = settings["k"]
    sampled = ("recon", "elbo", "iwae") if settings["sampled"] else ()
    table = vt.score_table(model, split.x_test, scores=(*sampled, "mse"), k=k, seed=seed)
    scores = {name: table[name].to_numpy() for name in table}
    extra, val_cw, fitted = corrected(val["mse"].to_numpy(), scores["mse"], split.x_val, lengths)
    scores.update({f"mse{suffix}": values for suffix, values in extra.items()})
    val_scores = {name: val[name].to_numpy() for name in val} | {"mse_cw": val_cw}
    criteria = {"val_elbo": float(val["elbo"].mean()), "val_mse": fitted["sigma2"], "w_vae": fitted["weight"]}
    if settings["turns"]:
        turn_val, turn_test = (vt.turn_restoration_error(model, x, flips=settings["flips"])
                               for x in (split.x_val, split.x_test))
        extra, val_cw, fitted = corrected(turn_val, turn_test, split.x_val, lengths)
        prefix = "flip" if settings["flips"] else "turn"
        scores |= {f"{prefix}_mse": turn_test, f"{prefix}_cw": extra["_cw"]}
        val_scores |= {f"{prefix}_mse": turn_val, f"{prefix}_cw": val_cw}
        criteria[f"w_{prefix}"] = fitted["weight"]
    if settings["local"]:
        codes = {name: vt.encode(model, x) for name, x in (("train", split.x_train), ("val", split.x_val),
                                                          ("test", split.x_test))}
        errors = {"train": vt.turn_restoration_error(model, split.x_train), "val": turn_val, "test": turn_test}
        for name, (test_values, val_values) in local_scores(codes, errors).items():
            scores[f"turn_{name}"], val_scores[f"turn_{name}"] = test_values, val_values
    return scores, val_scores, criteria


def local_scores(codes: dict[str, np.ndarray], errors: dict[str, np.ndarray], density: bool = True
                 ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Round 4's scores of the test and the normal validation images from their codes and restoration
    errors and those of the normal training images (keys ``"train"``, ``"val"``, ``"test"``): ``loc``, the
    error relative to the training images with the nearest codes (``vt.local_error``), and with ``density``
    ``lof``, scikit-learn's local outlier factor of the code among the training codes."""
    scores = {"loc": tuple(vt.local_error(errors[part], codes[part], errors["train"], codes["train"],
                                          n_neighbors=LOCAL_NEIGHBOURS) for part in ("test", "val"))}
    if density:
        lof = LocalOutlierFactor(n_neighbors=LOCAL_NEIGHBOURS, novelty=True).fit(codes["train"])
        scores["lof"] = tuple(-lof.score_samples(codes[part]) for part in ("test", "val"))
    return scores


def baseline_scores(split: vt.OneClassSplit, lengths: dict[str, np.ndarray], local: bool = False,
                    shifted: bool = False) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, float]]:
    """PCA and nearest-neighbour scores of the test images, fitted on the normal training images.

    Args:
        split: the one-class split.
        lengths: code length L(x) of every test image in bits, by codec (``"webp"``, ``"png"``).
        local: also ``pca_loc``, PCA's error with round 4's local correction (:func:`local_scores`, the PCA
            coordinates as codes).
        shifted: also ``knn5s``, the 5-NN distance that forgives a shift of one pixel (round 11,
            :func:`vaetools.shifted_knn_distance`), test and validation.

    Returns:
        The test scores by name, the normal validation images' scores (``pca``, ``pca_cw``, ``knn1``,
        ``knn5``; a validation image is never its own neighbour, it is not in the training images), and
        label-free criteria: PCA's number of components and the variance
        they explain on the training images, PCA's restoration error on the normal validation images
        (``val_pca_mse``, the s^2 of ``pca_c``), the fitted complexity weight of ``pca_cw`` (``w_pca``) and
        the validation images' mean nearest-neighbour distance (``val_knn1``).
    """
    train, val, test = (x.flatten(1).numpy().astype(np.float64) for x in (split.x_train, split.x_val, split.x_test))
    pca = PCA(n_components=PCA_VARIANCE, svd_solver="full").fit(train)

    def pca_mse(x: np.ndarray) -> np.ndarray:
        """Mean squared pixel error of PCA's reconstruction of each row of ``x``."""
        return ((pca.inverse_transform(pca.transform(x)) - x) ** 2).mean(1)

    test_mse, val_mse = pca_mse(test), pca_mse(val)
    extra, val_cw, fitted = corrected(val_mse, test_mse, split.x_val, lengths)
    neighbours = NearestNeighbors(n_neighbors=5).fit(train)
    distances, val_distances = neighbours.kneighbors(test)[0], neighbours.kneighbors(val)[0]
    scores = {"pca": test_mse, "pca_c": extra["_c"], "pca_cw": extra["_cw"],
              "knn1": distances[:, 0], "knn5": distances.mean(1)}
    val_scores = {"pca": val_mse, "pca_cw": val_cw, "knn1": val_distances[:, 0], "knn5": val_distances.mean(1)}
    if local:
        codes = {"train": pca.transform(train), "val": pca.transform(val), "test": pca.transform(test)}
        errors = {"train": pca_mse(train), "val": val_mse, "test": test_mse}
        scores["pca_loc"], val_scores["pca_loc"] = local_scores(codes, errors, density=False)["loc"]
    if shifted:
        distances = vt.shifted_knn_distance(split.x_train, torch.cat([split.x_val, split.x_test]), n_neighbors=5)
        val_scores["knn5s"], scores["knn5s"] = np.split(distances, [len(split.x_val)])
    criteria = {"pca_components": float(pca.n_components_), "pca_explained": float(pca.explained_variance_ratio_.sum()),
                "val_pca_mse": fitted["sigma2"], "w_pca": fitted["weight"],
                "val_knn1": float(val_scores["knn1"].mean())}
    return scores, val_scores, criteria


def normal_class(task: tuple[int, int], dataset: str, settings: dict, data: str | None, baselines_only: bool,
                 lengths: dict[str, np.ndarray], save_scores: str | None, parts: Path) -> list[dict]:
    """The rows of one (class, seed): the baselines, then the VAE's scores, then the ensembles, with AUROC,
    seconds and criteria. ``lengths``: the test images' code lengths in bits by codec, computed once by
    :func:`run`; ``save_scores``: a folder for every image's scores, or None; ``parts``: the folder where the
    rows are also written as soon as they are done (:func:`part_file`)."""
    c, seed = task
    x_all, y_all, x_test, y_test, names = images(dataset, data)
    split = vt.one_class_split(x_all, y_all, x_test, y_test, c, seed=seed, class_names=names)
    rows, test, val = [], {}, {}
    for method in ("baselines",) if baselines_only else ("baselines", "vae", "ensembles"):
        start = time.perf_counter()
        if method == "vae":
            scores, val_scores, criteria = vae_scores(split, settings, seed, lengths)
        elif method == "baselines":
            scores, val_scores, criteria = baseline_scores(split, lengths, settings["local"], settings["shifted_knn"])
        else:
            scores = {name: ensemble(val, test, members) for name, members in ENSEMBLES.items()
                      if all(member in test for member in members)}
            val_scores, criteria = {}, {}
        test, val = test | scores, val | val_scores
        seconds = time.perf_counter() - start
        aurocs = {name: vt.auroc(split.is_anomaly, values) for name, values in scores.items()}
        rows += [{"class": c, "seed": seed, "score": name, "auroc": value, "seconds": seconds, **criteria}
                 for name, value in aurocs.items()]
        line = "  ".join(f"{name} {value:.4f}" for name, value in aurocs.items())
        label_free = "  ".join(f"{name} {value:.5g}" for name, value in criteria.items())
        print(f"seed {seed} class {c} ({names[c]}) {method}: {line}  |  {label_free}  ({seconds:.0f} s)", flush=True)
    if save_scores:
        arrays = {f"test_{name}": v for name, v in test.items()} | {f"val_{name}": v for name, v in val.items()}
        np.savez_compressed(Path(save_scores) / f"{dataset}_class{c}_seed{seed}.npz",
                            is_anomaly=split.is_anomaly, **arrays)
    partial = part_file(parts, task).with_suffix(".tmp")  # written whole, then renamed: a run cut off while
    pd.DataFrame(rows).to_csv(partial, index=False)        # writing leaves no half file to read back
    partial.replace(part_file(parts, task))
    return rows


def part_file(parts: Path, task: tuple[int, int]) -> Path:
    """Where :func:`normal_class` keeps the rows of one (class, seed) until the whole run is written."""
    c, seed = task
    return parts / f"class{c}_seed{seed}.csv"


def screen_model(task: tuple[int, int], dataset: str, settings: dict, data: str | None) -> dict:
    """Rounds 9-10's label-free screen of one (class, seed): train its VAE and return only the normal validation
    images' mean -ELBO in nats (``val_elbo``, as in :func:`vae_scores`) and the seconds it took, with the settings
    that differ between candidates. No test image is scored."""
    c, seed = task
    x_all, y_all, x_test, y_test, names = images(dataset, data)
    split = vt.one_class_split(x_all, y_all, x_test, y_test, c, seed=seed, class_names=names)
    start = time.perf_counter()
    val = train_and_validate(split, settings, seed)[1]
    row = {"dataset": dataset, "class": c, "seed": seed,
           **{key: settings[key] for key in ("turns", "epochs", "lr", "batch_size", "z_dim", "refine")},
           "channels": "-".join(map(str, settings["channels"])),  # the column order of the screen files
           "val_elbo": float(val["elbo"].mean()), "seconds": time.perf_counter() - start}
    print(f"seed {seed} class {c} ({names[c]}) screen: val_elbo {row['val_elbo']:.2f} nats  ({row['seconds']:.0f} s)",
          flush=True)
    return row


def run(dataset: str, classes: list[int], seeds: list[int], settings: dict, data: str | None,
        baselines_only: bool, parts: Path, jobs: int = 1, threads: int = 1, save_scores: str | None = None,
        resume: bool = False) -> pd.DataFrame:
    """Score every class and seed, ``jobs`` (class, seed) pairs at a time in worker processes with ``threads``
    threads each; one row per (class, seed, score) with its AUROC, seconds and criteria. With
    ``save_scores`` (a folder), every image's scores are written there too. The rows of every finished (class,
    seed) are kept in the folder ``parts``, and with ``resume`` those already there are read back instead of
    run again (the folder must hold the same ``settings``, wherever the checkpoints are kept), so that a run
    cut off by the end of a session goes on where it stopped; the rows are the same either way, as every
    (class, seed) is seeded."""
    if save_scores:
        Path(save_scores).mkdir(parents=True, exist_ok=True)
    x_test = images(dataset, data)[2]
    lengths = {codec: vt.input_complexity(x_test, codec) for codec in ("webp", "png")}
    print(f"{dataset}: mean code length of the test images, WebP {lengths['webp'].mean():.0f} bits, "
          f"PNG {lengths['png'].mean():.0f} bits (shorter = closer to the complexity)", flush=True)
    tasks = [(c, seed) for seed in seeds for c in classes]
    parts.mkdir(parents=True, exist_ok=True)
    # where the models are kept changes no row, so a run may resume with its checkpoints in another folder
    kept = {key: value for key, value in settings.items() if key != "checkpoints"}
    described, record = f"{dataset} {kept}\n", parts / "settings.txt"
    if resume and record.exists() and record.read_text() != described:
        raise SystemExit(f"--resume: {parts} holds a run with other settings ({record.read_text().strip()}); "
                         "delete that folder, or resume with those settings")
    record.write_text(described)
    done = {task: pd.read_csv(part_file(parts, task), float_precision="round_trip")  # to the last digit
            for task in tasks if resume and part_file(parts, task).exists()}
    if resume:
        print(f"--resume: {len(done)} of {len(tasks)} (class, seed) runs read back from {parts}", flush=True)
    todo = [task for task in tasks if task not in done]
    rows = map_jobs(normal_class, todo, jobs, threads, dataset, settings, data, baselines_only, lengths, save_scores,
                    parts)
    done |= {task: pd.DataFrame(part) for task, part in zip(todo, rows)}
    return pd.concat([done[task] for task in tasks], ignore_index=True)


def markdown(results: pd.DataFrame) -> str:
    """AUROC in % per class and score (mean over seeds, ± std when there are several), and the mean."""
    per = results.groupby(["score", "class"]).auroc.agg(["mean", "std", "count"]) * [100, 100, 1]
    classes = sorted(results["class"].unique())
    lines = ["| score | " + " | ".join(map(str, classes)) + " | mean |", "|---" * (len(classes) + 2) + "|"]
    for score in [s for s in VAE_SCORES + BASELINES if s in set(results.score)]:
        cells = []
        for c in classes:
            m, s, n = per.loc[(score, c)]
            cells.append(f"{m:.1f}" + (f" ± {s:.1f}" if n > 1 else ""))
        means = results[results.score == score].groupby("seed").auroc.mean() * 100
        mean = f"{means.mean():.1f}" + (f" ± {means.std():.1f}" if len(means) > 1 else "")
        lines.append(f"| {score} | " + " | ".join(cells) + f" | **{mean}** |")
    return "\n".join(lines) + "\n"


def schedule_selection(results: pd.DataFrame, before_csv: Path, before: str, schedule: str) -> str:
    """Rounds 6-9's label-free criterion: the normal validation images' mean -ELBO (nats, over the classes and seeds
    of ``results``) of ``schedule`` (its name) beside that of the schedule in place, ``before``, whose results are in
    ``before_csv`` (the same classes, seeds and settings but the schedule), and which is lower."""
    if not before_csv.exists():
        return f"schedule selection: no results of the schedule in place ({before}) at {before_csv} to compare with"
    earlier = pd.read_csv(before_csv)
    runs = results[["class", "seed"]].drop_duplicates()
    earlier = earlier.merge(runs, on=["class", "seed"])
    if len(earlier[["class", "seed"]].drop_duplicates()) != len(runs):
        return f"schedule selection: {before_csv} lacks some of these classes and seeds"
    elbo = {before: earlier.groupby(["class", "seed"]).val_elbo.first().mean(),
            schedule: results.groupby(["class", "seed"]).val_elbo.first().mean()}
    best = min(elbo, key=elbo.get)
    return ("schedule selection (validation -ELBO of the normal images, nats, mean over classes and seeds): "
            + ", ".join(f"{name} {value:.3f}" for name, value in elbo.items()) + f"; lower: {best}")


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("mnist", "fashion-mnist"), default="mnist")
    parser.add_argument("--classes", "--digits", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--baselines-only", action="store_true", help="skip the VAE: PCA and kNN rows only")
    parser.add_argument("--save-scores", metavar="DIR", default=None,
                        help="also write every image's scores, one .npz per class and seed, to DIR")
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--z-dim", type=int, default=DEFAULTS["z_dim"])
    parser.add_argument("--channels", type=int, nargs=2, default=DEFAULTS["channels"])
    parser.add_argument("--refine", type=int, default=DEFAULTS["refine"],
                        help="0, or a stride-1 convolution of this odd size after every stage (a deeper network)")
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--lr-schedule", choices=vt.LR_SCHEDULES, default=DEFAULTS["lr_schedule"],
                        help="round 6: 'cosine' lets the rate fall to zero over the epochs (writes ..._cosine.*); "
                             "with it or other --epochs (..._e<epochs>.*) the run prints the validation -ELBO that "
                             "selects the schedule")
    parser.add_argument("--select-against", metavar="EPOCHS", type=int, default=DEFAULTS["epochs"],
                        help="round 8: the epochs of the schedule in place (constant rate 1e-3) that the selection "
                             "compares with (default: round 3's epochs; 60 for round 7's ..._e60 files, 80 for round "
                             "8's)")
    parser.add_argument("--k", type=int, default=DEFAULTS["k"], help="draws of z for elbo and iwae")
    parser.add_argument("--likelihood", choices=("bernoulli", "gaussian_var"), default=DEFAULTS["likelihood"],
                        help="p(x | z): Bernoulli (the default) or a Gaussian with a learned variance per pixel")
    parser.add_argument("--turns", action="store_true",
                        help="round 3: train the VAE to restore the upright image from a random quarter turn and "
                             "add the turn scores (writes one_class_<dataset>_turns.*)")
    rounds = parser.add_mutually_exclusive_group()
    rounds.add_argument("--local", action="store_true",
                        help="round 4: the round-3 model with the local correction and its rows, without the sampled "
                             "likelihood rows (implies --turns; writes one_class_<dataset>_local.*)")
    rounds.add_argument("--flips", action="store_true",
                        help="round 5: the round-3 model also trained to undo a left-right mirror, with its flip_* "
                             "rows and without the sampled likelihood rows (implies --turns; writes "
                             "one_class_<dataset>_flips.*)")
    parser.add_argument("--shifted-knn", action="store_true",
                        help="round 11: add knn5s, the 5-NN distance that forgives a one-pixel shift, and the sums "
                             "turn_cw_knn5s and pca_cw_knn5s (appends _shift to the results name)")
    parser.add_argument("--checkpoints", metavar="DIR", default=None,
                        help="keep the trained models in DIR and load them from there when the same configuration "
                             "was trained before")
    parser.add_argument("--screen", action="store_true",
                        help="round 9: train each (class, seed) model and print only its normal validation images' "
                             "-ELBO, no test image scored (appends to one_class_<dataset>_screen.csv)")
    parser.add_argument("--resume", action="store_true",
                        help="read back the (class, seed) runs that a cut-off run of the same settings finished "
                             "(kept in <out>/<results name>.parts until the results are written)")
    add_jobs_option(parser, "classes (of every seed)")
    add_common_options(parser)
    args = parse(parser, argv)
    jobs, threads = jobs_and_threads(args.jobs, len(args.classes) * len(args.seeds))
    # training settings other than round 3's (schedule, epochs, rate, batch, code size, network) name their own files
    schedule = "" if args.baselines_only else (
        ("" if args.lr_schedule == DEFAULTS["lr_schedule"] else f"_{args.lr_schedule}")
        + ("" if args.epochs == DEFAULTS["epochs"] else f"_e{args.epochs}")
        + ("" if args.lr == DEFAULTS["lr"] else f"_lr{args.lr:g}")
        + ("" if args.batch_size == DEFAULTS["batch_size"] else f"_b{args.batch_size}")
        + ("" if args.z_dim == DEFAULTS["z_dim"] else f"_z{args.z_dim}")
        + ("" if tuple(args.channels) == DEFAULTS["channels"] else "_c" + "-".join(map(str, args.channels)))
        + ("" if args.refine == DEFAULTS["refine"] else f"_r{args.refine}"))
    settings = {"z_dim": args.z_dim, "channels": tuple(args.channels), "epochs": args.epochs,
                "batch_size": args.batch_size, "lr": args.lr, "lr_schedule": args.lr_schedule,
                "refine": args.refine, "k": args.k,
                "likelihood": args.likelihood, "turns": args.turns or args.local or args.flips, "local": args.local,
                "flips": args.flips, "sampled": not (args.local or args.flips or schedule),
                "shifted_knn": args.shifted_knn, "checkpoints": args.checkpoints}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.screen:
        tasks = [(c, seed) for seed in args.seeds for c in args.classes]
        rows = pd.DataFrame(map_jobs(screen_model, tasks, jobs, threads, args.dataset, settings, args.data))
        path = out / f"one_class_{args.dataset}_screen.csv"
        rows.to_csv(path, mode="a", header=not path.exists(), index=False)
        print(f"mean val_elbo {rows.val_elbo.mean():.2f} nats over {len(rows)} model(s), settings {settings}; "
              f"appended to {path}")
        return
    suffix = ("_baselines" if args.baselines_only else "_local" if args.local else "_flips" if args.flips
              else "_turns" if args.turns else "")
    name = f"one_class_{args.dataset}{suffix}{schedule}" + ("_shift" if args.shifted_knn else "")
    parts = out / f"{name}.parts"
    tasks = [(c, seed) for seed in args.seeds for c in args.classes]
    resumed = sum(part_file(parts, task).exists() for task in tasks) if args.resume else 0
    start = time.perf_counter()
    results = run(args.dataset, args.classes, args.seeds, settings, args.data, args.baselines_only, parts, jobs,
                  threads, args.save_scores, args.resume)
    total = time.perf_counter() - start
    # every (class, seed) run's own seconds (one per part: baselines, VAE, ensembles), its classes in `jobs` at once
    busy = results.drop_duplicates(["class", "seed", "seconds"]).seconds.sum()
    wall = (f"total wall time {total:.0f} s" + (f" (this run, which read back {resumed} of the {len(tasks)} "
            f"(class, seed) runs from {parts.name}; their seconds summed over all runs, divided by {jobs} jobs: "
            f"{busy / jobs:.0f} s)" if resumed else ""))
    table = markdown(results)
    results.to_csv(out / f"{name}.csv", index=False)
    what = "baselines only" if args.baselines_only else f"VAE settings {settings}, device {vt.default_device()}"
    header = (f"<!-- one_class.py --dataset {args.dataset}: classes {args.classes}, seeds {args.seeds}, {what}; "
              f"PCA variance {PCA_VARIANCE}; {jobs} job(s) of {threads} torch thread(s); "
              f"{wall} -->\n")
    against = "" if args.select_against == DEFAULTS["epochs"] else f"_e{args.select_against}"
    def training(s: dict) -> str:
        return (f"{s['epochs']} epochs, {s['lr_schedule']} rate {s['lr']:g}, batch {s['batch_size']}, z_dim "
                f"{s['z_dim']}, channels " + "-".join(map(str, s["channels"]))
                + (f", refine {s['refine']}" if s["refine"] else ""))
    selection = (schedule_selection(results, out / f"one_class_{args.dataset}{suffix}{against}.csv",
                                    training(DEFAULTS | {"epochs": args.select_against}), training(settings))
                 + "\n" if schedule and not args.shifted_knn else "")  # round 11 selects nothing
    (out / f"{name}.md").write_text(header + table + ("\n" + selection if selection else ""))
    shutil.rmtree(parts)
    print(table + selection)
    print(f"{wall} ({total / 60:.1f} min) for {len(args.classes)} classes x {len(args.seeds)} seeds")


if __name__ == "__main__":
    main()

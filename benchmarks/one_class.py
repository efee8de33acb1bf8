"""One-vs-rest AUROC on MNIST and Fashion-MNIST, one config file (TOML) per method.

For each data set, class c and seed of the config: train on the training images of c only (10 % held out
as normal validation images), score the 10,000 test images, AUROC with c normal. The scores come from the
registry :data:`SCORES`: the VAE's through ``vt.Detector``, the baselines' through ``vaetools``, in the same
run. Rows (config name and hash, commit, device, data set, class, seed, score, AUROC, label-free criteria)
are appended to one CSV file as each (class, seed) finishes; runs already there for the config are skipped.
A config without scores is a screen: it trains, records the criteria and scores no test image::

    python benchmarks/one_class.py headline                        # a config by name -> outputs/benchmarks/
    python benchmarks/one_class.py benchmarks/configs/round08.toml --dataset mnist --classes 8 --seeds 0
"""
from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import json
import os
import subprocess
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from cli import add_common_options, add_jobs_option, jobs_and_threads, map_jobs, parse

import vaetools as vt

HERE = Path(__file__).resolve().parent
#: The results file's columns; the criteria are label-free (normal validation and training images only).
CRITERIA = ("val_elbo", "val_mse", "w_vae", "w_turn", "w_flip", "pca_components", "pca_explained", "val_pca_mse",
            "w_pca", "val_knn1")
COLUMNS = ("config", "config_hash", "commit", "device", "date", "dataset", "class", "seed", "score", "auroc",
           "seconds", *CRITERIA)
#: Errors ``vt.Detector`` does not score, complexity-corrected here: name -> (error, weight fitted, else 1).
CORRECTED = {"flip_cw": ("flip_mse", True), "pca_c": ("pca", False), "pca_cw": ("pca", True)}
WEIGHTS = {"mse_cw": "w_vae", "turn_cw": "w_turn", "flip_cw": "w_flip", "pca_cw": "w_pca"}


def load_config(config: str | Path) -> dict:
    """A config file, or the config of that ``name`` in ``benchmarks/configs/``, with its ``hash`` (of the model,
    training, detector and scores: what changes a row, not the data sets, classes or seeds)."""
    path = Path(config)
    if not path.is_file():
        named = {tomllib.loads(p.read_text())["name"]: p for p in sorted((HERE / "configs").glob("*.toml"))}
        if str(config) not in named:
            raise SystemExit(f"no config file {config} and no config of that name; the names: {sorted(named)}")
        path = named[str(config)]
    settings = tomllib.loads(path.read_text())
    known = {*SCORES, *settings["scores"].get("sums", {}), *settings.get("detector", {}).get("parts", ())}
    unknown = [name for name in score_names(settings) if name not in known]
    if unknown:
        raise SystemExit(f"{path}: unknown scores {unknown}; the registry has {sorted(SCORES)}")
    hashed = {part: settings.get(part) for part in ("model", "training", "detector", "scores")}
    settings["hash"] = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()[:12]
    return settings


def score_names(config: dict) -> list[str]:
    """The config's rows, in the order they are computed: the detector's parts, VAE scores, baselines, sums."""
    scores = config["scores"]
    return [*config.get("detector", {}).get("parts", []), *scores.get("vae", []), *scores.get("baselines", []),
            *scores.get("sums", {})]


class Scores:
    """The scores of one (data set, class, seed), each computed once when first asked for: ``self[name]`` is
    ``(test scores, normal validation scores)``; ``self.criteria`` the label-free criteria found on the way."""

    def __init__(self, split: vt.OneClassSplit, lengths, config: dict, seed: int, checkpoints: str | None) -> None:
        self.split, self.lengths, self.config, self.seed, self.checkpoints = split, lengths, config, seed, checkpoints
        self.criteria: dict[str, float] = {}
        self.cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __getitem__(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in self.cache:
            sums = self.config["scores"].get("sums", {})
            if name in sums:  # the parts standardized on the normal validation images and added
                tests, vals = zip(*(self[part] for part in sums[name]))
                self.cache[name] = vt.standardized_sum(tests, vals), vt.standardized_sum(vals, vals)
            elif name in self.config.get("detector", {}).get("parts", ()):
                self.cache |= self.parts
            else:
                self.cache[name] = SCORES[name](self)
        return self.cache[name]

    def both(self, score, *args, **options) -> tuple[np.ndarray, np.ndarray]:
        """``score(*args, x, **options)`` of the test images and of the normal validation images."""
        return tuple(score(*args, x, **options) for x in (self.split.x_test, self.split.x_val))

    @functools.cached_property
    def detector(self) -> vt.Detector:
        """``vt.Detector(model, **config["detector"])`` fitted on the normal training images (loaded from the
        checkpoints' folder when trained before); the validation images' -ELBO and error are criteria."""
        model = vt.ConvVAE(input_shape=(1, 28, 28), **self.config["model"]).to(vt.default_device())
        training = {key: value for key, value in self.config["training"].items() if key != "corrupt"}
        if self.config["training"]["corrupt"]:
            training["corrupt"] = getattr(vt, self.config["training"]["corrupt"])
        rule = {key: value for key, value in self.config.get("detector", {}).items() if key != "parts"}
        detector = vt.Detector(model, **rule).fit(self.split.x_train, x_val=self.split.x_val, seed=self.seed,
                                                  cache=self.checkpoints, progress=False, **training)
        val = vt.score_table(model, self.split.x_val, scores=("elbo", "mse"), k=16, seed=self.seed)
        self.criteria |= {"val_elbo": float(val["elbo"].mean()), "val_mse": float(val["mse"].mean())}
        return detector

    @functools.cached_property
    def parts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The parts of the fitted detector's score (the VAE's, the neighbours', their sum), from it alone."""
        detector, test = self.detector, self.detector.score_parts(self.split.x_test)
        val = dict(detector.val_parts_) | {test.columns[-1]: detector.val_scores_}
        if detector.weight_ is not None and detector.score in WEIGHTS:
            self.criteria[WEIGHTS[detector.score]] = detector.weight_
        return {name: (test[name].to_numpy(), val[name]) for name in test}

    def vae(self, score: str, **settings) -> tuple[np.ndarray, np.ndarray]:
        """A score of the trained VAE through a ``vt.Detector`` calibrated on the normal validation images."""
        detector = vt.Detector(self.detector.model, score=score, **settings).calibrate(self.split.x_val)
        if score in WEIGHTS and "codec" not in settings:
            self.criteria[WEIGHTS[score]] = detector.weight_
        return detector.decision_function(self.split.x_test), detector.val_scores_

    def corrected(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """An error with the complexity correction fitted on the normal validation images."""
        error, weighted = CORRECTED[name]
        test, val = self[error]
        correction = vt.ComplexityCorrection.fit(val, self.split.x_val, weighted=weighted)
        if name in WEIGHTS:
            self.criteria[WEIGHTS[name]] = correction.weight
        return correction.score(test, lengths=self.lengths("webp")), correction.score(val, self.split.x_val)

    @functools.cached_property
    def pca(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """PCA's restoration error and coordinates of the test, normal validation and training images."""
        pca = vt.fit_pca(self.split.x_train, variance=self.config["scores"]["pca_variance"])
        parts = {part: getattr(self.split, f"x_{part}") for part in ("test", "val", "train")}
        parts = {part: (vt.pca_error(pca, x), pca.transform(x.flatten(1).numpy())) for part, x in parts.items()}
        self.criteria |= {"pca_components": float(pca.n_components_), "val_pca_mse": float(parts["val"][0].mean()),
                          "pca_explained": float(pca.explained_variance_ratio_.sum())}
        return parts

    @functools.cached_property
    def classic(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``vt.baseline_scores``: IsolationForest and LocalOutlierFactor (and PCA) on the raw pixels."""
        n, x = len(self.split.x_test), torch.cat([self.split.x_test, self.split.x_val])  # fitted once, both scored
        return {name: (v[:n], v[n:]) for name, v in vt.baseline_scores(self.split.x_train, x, seed=self.seed).items()}

    def knn1(self) -> tuple[np.ndarray, np.ndarray]:
        """Distance to the nearest normal training image; its mean on the validation images is a criterion."""
        test, val = self.both(vt.knn_distance, self.split.x_train, n_neighbors=1)
        self.criteria["val_knn1"] = float(val.mean())
        return test, val

    def local(self, errors: dict[str, np.ndarray], codes: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Round 4's local correction: the error relative to the normal training images with the nearest codes."""
        n = self.config["scores"]["neighbours"]
        return tuple(vt.local_error(errors[p], codes[p], errors["train"], codes["train"], n_neighbors=n)
                     for p in ("test", "val"))

    @functools.cached_property
    def turn_parts(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Round 4's quarter-turn errors and codes of the test, normal validation and training images."""
        errors = dict(zip(("test", "val"), self["turn_mse"]))
        errors["train"] = vt.turn_restoration_error(self.detector.model, self.split.x_train)
        return errors, {p: vt.encode(self.detector.model, getattr(self.split, f"x_{p}")) for p in errors}


#: The score registry: name -> function of a (data set, class, seed)'s :class:`Scores` that returns the test
#: and the normal validation images' scores (higher = more anomalous).
SCORES = {
    **{name: functools.partial(lambda s, name: s.vae(name, iwae_k=s.config["scores"]["k"]), name=name)
       for name in ("recon", "elbo", "iwae")},
    **{name: functools.partial(lambda s, name: s.vae(name), name=name)
       for name in ("mse", "mse_c", "mse_cw", "turn_mse", "turn_cw")},
    "mse_c_png": lambda s: s.vae("mse_c", codec="png"),
    "flip_mse": lambda s: s.both(vt.turn_restoration_error, s.detector.model, flips=True),
    **{name: functools.partial(Scores.corrected, name=name) for name in CORRECTED},
    "turn_loc": lambda s: s.local(*s.turn_parts),
    "turn_lof": lambda s: tuple(vt.local_outlier_factor(s.turn_parts[1]["train"], s.turn_parts[1][p],
                                                        n_neighbors=s.config["scores"]["neighbours"])
                                for p in ("test", "val")),
    "pca": lambda s: (s.pca["test"][0], s.pca["val"][0]),
    "pca_loc": lambda s: s.local({p: v[0] for p, v in s.pca.items()}, {p: v[1] for p, v in s.pca.items()}),
    "iforest": lambda s: s.classic["IsolationForest"],
    "lof": lambda s: s.classic["LocalOutlierFactor"],
    "knn1": Scores.knn1,
    "knn5": lambda s: s.both(vt.knn_distance, s.split.x_train, n_neighbors=5),
    "knn5s": lambda s: s.both(vt.shifted_knn_distance, s.split.x_train, n_neighbors=5, shift=1),
}


@functools.cache
def images(dataset: str, data: str | None) -> tuple:
    """The training and test images and labels of ``dataset`` and its class names, loaded once per process."""
    x_all, y_all, names = vt.load_images(dataset, train=True, root=data)
    x_test, y_test, _ = vt.load_images(dataset, train=False, root=data)
    return x_all, y_all, x_test, y_test, names


@functools.cache
def test_lengths(dataset: str, data: str | None, codec: str) -> np.ndarray:
    """The test images' code lengths in bits, computed once per process (every class scores the same images)."""
    return vt.input_complexity(images(dataset, data)[2], codec)


def run_task(task: tuple[str, int, int], config: dict, data: str | None, checkpoints: str | None,
             save_scores: str | None) -> pd.DataFrame:
    """The rows of one (data set, class, seed): each score's AUROC, the run's seconds and the criteria."""
    dataset, c, seed = task
    x_all, y_all, x_test, y_test, names = images(dataset, data)
    split = vt.one_class_split(x_all, y_all, x_test, y_test, c, seed=seed, class_names=names)
    start = time.perf_counter()
    scores = Scores(split, functools.partial(test_lengths, dataset, data), config, seed, checkpoints)
    aurocs = {name: vt.auroc(split.is_anomaly, scores[name][0]) for name in score_names(config)}
    if "model" in config:
        scores.detector  # a screen (no scores) trains all the same, for its criteria  # noqa: B018
    if save_scores:
        arrays = {f"{part}_{n}": scores[n][i] for n in aurocs for i, part in enumerate(("test", "val"))}
        np.savez_compressed(Path(save_scores) / f"{dataset}_class{c}_seed{seed}.npz", is_anomaly=split.is_anomaly,
                            **arrays)
    seconds = time.perf_counter() - start
    print(f"{dataset} class {c} seed {seed}: " + "  ".join(f"{n} {a:.4f}" for n, a in aurocs.items()) + "  |  "
          + "  ".join(f"{k} {v:.5g}" for k, v in scores.criteria.items()) + f"  ({seconds:.0f} s)", flush=True)
    rows = [{"score": name, "auroc": value} for name, value in aurocs.items()] or [{"score": None, "auroc": np.nan}]
    return pd.DataFrame([{"dataset": dataset, "class": c, "seed": seed, **row, "seconds": seconds, **scores.criteria}
                         for row in rows])


def provenance(config: dict) -> dict:
    """What every row of a run records besides its scores: the config, the commit, the device, the date."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
    commit = git("rev-parse", "--short=7", "HEAD").stdout.strip() or "unknown"
    if git("diff", "--quiet", "HEAD", "--", ":/vaetools/*.py", ":/benchmarks/*.py", ":/benchmarks/configs").returncode:
        commit += "-dirty"  # the package's or the benchmark's code or configs are not the commit's
    device = vt.default_device()
    cpu = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in cpu.splitlines())}
    name = (torch.cuda.get_device_name(device) if device.type == "cuda" else fields.get("model name", "CPU")
            + (f" (family {fields['cpu family']})" if "cpu family" in fields else "") + f", {os.cpu_count()} cores")
    return {"config": config["name"], "config_hash": config["hash"], "commit": commit,
            "device": f"{device.type}: {name}", "date": datetime.date.today().isoformat()}


def run(config: dict, results: Path, *, datasets: list[str] | None = None, classes: list[int] | None = None,
        seeds: list[int] | None = None, jobs: int | None = None, data: str | None = None,
        checkpoints: str | None = None, save_scores: str | None = None) -> pd.DataFrame:
    """Run ``config`` (or the given part of its data sets, classes and seeds), append each (data set, class,
    seed)'s rows to the CSV file ``results`` as it finishes, and return this run's rows. Runs whose rows for
    this config and hash are already in ``results`` are skipped."""
    def classes_of(dataset: str) -> list[int]:
        own = config["classes"][dataset] if isinstance(config["classes"], dict) else config["classes"]
        return [c for c in own if classes is None or c in classes]
    tasks = [(d, c, s) for d in datasets or config["datasets"] for s in seeds or config["seeds"] for c in classes_of(d)]
    done = set()
    if results.exists():
        old = pd.read_csv(results, usecols=["config", "config_hash", "dataset", "class", "seed"])
        old = old[(old.config == config["name"]) & (old.config_hash == config["hash"])]
        done = set(old[["dataset", "class", "seed"]].itertuples(index=False, name=None))
    todo = [task for task in tasks if task not in done]
    print(f"{config['name']} ({config['hash']}): {len(todo)} of {len(tasks)} (data set, class, seed) runs to do, "
          f"the others are in {results}", flush=True)
    for folder in filter(None, (results.parent, save_scores)):
        Path(folder).mkdir(parents=True, exist_ok=True)
    stamp = provenance(config)

    def append(rows: pd.DataFrame) -> None:
        rows = rows.assign(**stamp).reindex(columns=COLUMNS)
        rows.to_csv(results, mode="a", header=not results.exists(), index=False)
    jobs, threads = jobs_and_threads(jobs, len(todo))
    parts = map_jobs(run_task, todo, jobs, threads, config, data, checkpoints, save_scores, on_result=append)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return table.assign(**stamp).reindex(columns=COLUMNS)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="a config file, or the name of one in benchmarks/configs/")
    parser.add_argument("--dataset", nargs="+", default=None, help="only these of the config's data sets")
    parser.add_argument("--classes", type=int, nargs="+", default=None, help="only these of the config's classes")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="only these of the config's seeds")
    parser.add_argument("--checkpoints", metavar="DIR", default=None,
                        help="keep the trained models in DIR, and load them from there when trained before")
    parser.add_argument("--save-scores", metavar="DIR", default=None,
                        help="also write every image's scores, one .npz per (data set, class, seed), to DIR")
    add_jobs_option(parser, "(class, seed) runs")
    add_common_options(parser, default_out=vt.output_dir() / "benchmarks")
    args = parse(parser, argv)
    config, results, start = load_config(args.config), Path(args.out) / "one_class.csv", time.perf_counter()
    rows = run(config, results, datasets=args.dataset, classes=args.classes, seeds=args.seeds, jobs=args.jobs,
               data=args.data, checkpoints=args.checkpoints, save_scores=args.save_scores)
    print(f"{len(rows)} rows appended to {results} in {time.perf_counter() - start:.0f} s (report.py renders them)")


if __name__ == "__main__":
    main()

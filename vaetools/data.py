"""Data sets and the one-class split.

Images (MNIST, Fashion-MNIST) come from :mod:`torchvision.datasets`; 1-D signals come from the
MNIST-1D generator (:mod:`mnist1d`, generated locally, no download) or from your own array or CSV file.
Inputs are float32 tensors; labels and anomaly flags are NumPy arrays (what scikit-learn and pandas
expect).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from .inputs import frame_values
from .paths import data_dir
from .scaling import Standardizer

__all__ = [
    "DataNotFoundError",
    "OneClassSplit",
    "load_images",
    "image_one_class",
    "load_mnist1d",
    "mnist1d_one_class",
    "signals_one_class",
    "labelled_one_class",
    "image_folder_one_class",
    "load_image_folder",
    "load_signals_csv",
    "one_class_split",
    "MNIST1D_ARGS",
]

_IMAGE_SETS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}

#: Generation arguments of MNIST-1D used by :func:`load_mnist1d` (the package's defaults: the
#: standard 4,000 training and 1,000 test signals of length 40, seed 42).
MNIST1D_ARGS = {
    "num_samples": 5000,
    "train_split": 0.8,
    "template_len": 12,
    "padding": [36, 60],
    "scale_coeff": 0.4,
    "max_translation": 48,
    "corr_noise_scale": 0.25,
    "iid_noise_scale": 2e-2,
    "shear_scale": 0.75,
    "shuffle_seq": False,
    "final_seq_length": 40,
    "seed": 42,
}


class DataNotFoundError(FileNotFoundError):
    """The data set is not on disk and could not be downloaded."""


@dataclass
class OneClassSplit:
    """A one-class anomaly-detection split.

    Attributes:
        x_train: normal samples only, for training.
        x_val: normal samples held out of training, for thresholds (may have zero rows).
        x_test: the test samples, normal and abnormal.
        y_test: the class label of every test sample.
        normal_class: the label treated as normal, as the data gave it (a number or a string).
        class_names: a readable name per integer label (index = label); empty when the labels are
            their own names (e.g. strings).
    """

    x_train: torch.Tensor
    x_val: torch.Tensor
    x_test: torch.Tensor
    y_test: np.ndarray
    normal_class: Any
    class_names: list[str] = field(default_factory=list)

    @property
    def is_anomaly(self) -> np.ndarray:
        """Boolean flag per test sample: True where the label is not the normal class."""
        return self.y_test != self.normal_class

    def counts(self) -> pd.DataFrame:
        """Number of samples per class in the test set, and the sizes of train and validation."""
        labels, n = np.unique(self.y_test, return_counts=True)
        table = pd.DataFrame(
            {
                "class": [self._name(label) for label in labels],
                "role": ["normal" if i == self.normal_class else "abnormal" for i in labels],
                "test": n,
            },
            index=pd.Index(labels, name="label"),
        )
        table["train"] = np.where(labels == self.normal_class, len(self.x_train), 0)
        table["validation"] = np.where(labels == self.normal_class, len(self.x_val), 0)
        return table[["class", "role", "train", "validation", "test"]]

    def _name(self, label) -> str:
        if self.class_names and isinstance(label, (int, np.integer)) and 0 <= label < len(self.class_names):
            return self.class_names[label]
        return str(label)

    def standardize(self, per: str = "feature") -> tuple[OneClassSplit, Standardizer]:
        """Standardize every part with the statistics of the normal **training** data only.

        Args:
            per: ``"feature"`` (rows of a table: each column on its own) or ``"channel"`` (signals and
                sliding windows: one mean and standard deviation per channel); see
                :class:`~vaetools.scaling.Standardizer`.

        Returns:
            ``(split, scaler)``: a new split, and the fitted scaler to apply to new data (a
            :class:`~vaetools.detector.Detector` with ``scaling=`` keeps it for you).
        """
        scaler = Standardizer(per).fit(self.x_train)
        parts = {name: scaler.transform(getattr(self, name)) if len(getattr(self, name)) else getattr(self, name)
                 for name in ("x_train", "x_val", "x_test")}
        return replace(self, **parts), scaler


def load_images(
    dataset: str = "mnist",
    *,
    train: bool = True,
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[torch.Tensor, np.ndarray, list[str]]:
    """Load MNIST or Fashion-MNIST as float images in [0, 1].

    Args:
        dataset: ``"mnist"`` or ``"fashion-mnist"``.
        train: the official training split (60,000 images) or the test split (10,000).
        root: data folder; defaults to ``$VAETOOLS_DATA``, else ``./data`` (see :mod:`vaetools.paths`).
        download: download the files when they are missing (needs a network).

    Returns:
        ``(images, labels, class_names)``: a float32 tensor of shape (N, 1, 28, 28), an int64 array
        of shape (N,), and the class names.

    Raises:
        DataNotFoundError: the files are not in ``root`` and could not be downloaded.
    """
    from torchvision import datasets

    if dataset not in _IMAGE_SETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {sorted(_IMAGE_SETS)}")
    folder = data_dir(root)
    cls = getattr(datasets, _IMAGE_SETS[dataset])
    try:
        ds = cls(root=str(folder), train=train, download=False)
    except RuntimeError:
        if not download:
            raise _not_found(dataset, folder, "download=False") from None
        try:
            ds = cls(root=str(folder), train=train, download=True)
        except Exception as error:  # network errors come in many types (URLError, OSError, ...)
            reason = ([line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__])[-1]
            raise _not_found(dataset, folder, f"the download failed: {reason}") from None
    images = ds.data.unsqueeze(1).float().div_(255.0)
    return images, ds.targets.numpy().astype(np.int64), [str(c) for c in ds.classes]


def _not_found(dataset: str, folder: Path, why: str) -> DataNotFoundError:
    raw = folder.resolve() / _IMAGE_SETS[dataset] / "raw"
    return DataNotFoundError(
        f"{dataset} is not in the data folder {folder.resolve()} (looked for {raw}/*-ubyte) and "
        f"could not be fetched ({why}). Fix: put the files there, or point the data folder at a copy "
        f"with root=... or the environment variable VAETOOLS_DATA, or run once on a machine with a "
        f"network so torchvision can download them."
    )


def one_class_split(
    x_train: torch.Tensor,
    y_train: np.ndarray,
    x_test: torch.Tensor,
    y_test: np.ndarray,
    normal_class: int,
    *,
    val_fraction: float = 0.1,
    seed: int = 0,
    class_names: list[str] | None = None,
) -> OneClassSplit:
    """Keep only the normal training samples, hold a validation slice of them out, keep all test samples.

    Args:
        x_train, y_train: the training pool and its labels; samples of other classes are dropped.
        x_test, y_test: the test samples and their labels, kept whole.
        normal_class: the label treated as normal.
        val_fraction: share of the normal training samples held out for validation (0 for none).
        seed: seed of the random choice of the validation slice.
        class_names: a name per label; the known labels are ``range(len(class_names))``.

    Raises:
        ValueError: unknown ``normal_class``, no normal training samples, or a bad ``val_fraction``.
    """
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError("every sample needs exactly one label (lengths of x and y differ)")
    known = list(range(len(class_names))) if class_names else np.unique(np.concatenate([y_train, y_test])).tolist()
    if normal_class not in known:
        raise ValueError(f"unknown class label {normal_class!r}; the labels are {known}")
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    normal = np.flatnonzero(y_train == normal_class)
    if len(normal) == 0:
        raise ValueError(f"the normal class {normal_class!r} has no training samples")
    order = np.random.default_rng(seed).permutation(normal)
    n_val = int(round(val_fraction * len(order)))
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    if len(train) == 0:
        raise ValueError("no normal training samples are left after the validation slice")
    names = list(class_names) if class_names else []
    normal = normal_class.item() if isinstance(normal_class, np.generic) else normal_class
    return OneClassSplit(x_train[train], x_train[val], x_test, y_test, normal, names)


def image_one_class(
    dataset: str = "mnist",
    normal_class: int = 1,
    *,
    val_fraction: float = 0.1,
    seed: int = 0,
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> OneClassSplit:
    """The standard one-class split of MNIST or Fashion-MNIST.

    Training (and validation) images are the ``normal_class`` images of the official training split;
    the test set is the whole official test split (10,000 images). See :func:`one_class_split`.
    """
    x_train, y_train, names = load_images(dataset, train=True, root=root, download=download)
    x_test, y_test, _ = load_images(dataset, train=False, root=root, download=download)
    return one_class_split(
        x_train, y_train, x_test, y_test, normal_class,
        val_fraction=val_fraction, seed=seed, class_names=names,
    )


def load_mnist1d(**overrides) -> tuple[torch.Tensor, np.ndarray, torch.Tensor, np.ndarray]:
    """Generate MNIST-1D locally with the :mod:`mnist1d` package (no download).

    Args:
        **overrides: generation arguments that replace :data:`MNIST1D_ARGS` (e.g. ``num_samples``).

    Returns:
        ``(x_train, y_train, x_test, y_test)``; signals are float32 tensors of shape (N, 40),
        standardized by the generator (mean 0, standard deviation 1 over the whole set).
    """
    from mnist1d.data import make_dataset
    from mnist1d.utils import ObjectView

    unknown = set(overrides) - set(MNIST1D_ARGS)
    if unknown:
        raise ValueError(f"unknown MNIST-1D arguments {sorted(unknown)}; known: {sorted(MNIST1D_ARGS)}")
    d = make_dataset(ObjectView({**MNIST1D_ARGS, **overrides}))
    as_tensor = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
    return as_tensor(d["x"]), d["y"].astype(np.int64), as_tensor(d["x_test"]), d["y_test"].astype(np.int64)


def mnist1d_one_class(
    normal_class: int = 0, *, val_fraction: float = 0.1, seed: int = 0, **generation
) -> OneClassSplit:
    """One-class split of MNIST-1D: train on the ``normal_class`` signals, test on the whole test split."""
    x_train, y_train, x_test, y_test = load_mnist1d(**generation)
    return one_class_split(
        x_train, y_train, x_test, y_test, normal_class,
        val_fraction=val_fraction, seed=seed, class_names=[str(i) for i in range(10)],
    )


def labelled_one_class(
    x,
    y,
    normal_class,
    *,
    test_fraction: float = 0.3,
    val_fraction: float = 0.1,
    seed: int = 0,
) -> OneClassSplit:
    """One-class split of your own labelled data, of any sample shape: (N, L) rows or signals,
    (N, C, L) multichannel signals, (N, C, H, W) images.

    A random ``test_fraction`` of the normal samples, and every abnormal sample, form the test set; the
    other normal samples are split into training and validation. Labels are kept as given (numbers or
    strings): ``split.normal_class`` and ``split.y_test`` hold your own labels.

    Raises:
        TypeError: non-numeric values.
        ValueError: NaN or infinite values, one label per sample missing, or an unknown normal class.
    """
    values = np.asarray(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x)
    if not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"samples must be numbers, got {values.dtype}")
    x = torch.as_tensor(values.astype(np.float32))
    if x.dim() < 2:
        raise ValueError(f"samples must have shape (N, ...) with one row per sample, got {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError("the data contain NaN or infinite values; clean or impute them first")
    labels = np.asarray(y)
    if len(labels) != len(x):
        raise ValueError(f"{len(x)} samples but {len(labels)} labels")
    classes = np.unique(labels)
    if normal_class not in classes.tolist():
        raise ValueError(f"unknown class label {normal_class!r}; the labels are {classes.tolist()}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    is_normal = labels == normal_class
    normal = np.random.default_rng(seed).permutation(np.flatnonzero(is_normal))
    held_out = normal[: int(round(test_fraction * len(normal)))]
    test = np.sort(np.concatenate([held_out, np.flatnonzero(~is_normal)]))
    pool = np.setdiff1d(np.arange(len(x)), test)
    return one_class_split(x[pool], labels[pool], x[test], labels[test], normal_class,
                           val_fraction=val_fraction, seed=seed)


def signals_one_class(x, y, normal_class, **options) -> OneClassSplit:
    """One-class split of your own signals, (N, L) or (N, C, L), with a label per signal; see
    :func:`labelled_one_class` for ``options`` (``test_fraction``, ``val_fraction``, ``seed``)."""
    x = np.asarray(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x)
    if x.ndim not in (2, 3):
        raise ValueError(f"signals must have shape (N, L) or (N, C, L), got {x.shape}")
    return labelled_one_class(x, y, normal_class, **options)


def load_image_folder(
    path: str | os.PathLike, *, size: int | tuple[int, int] | None = None, grayscale: bool = False
) -> tuple[torch.Tensor, np.ndarray]:
    """Load your own images from a folder with one sub-folder per class (``path/good/*.png``,
    ``path/scratch/*.png``, ...) with torchvision's :class:`~torchvision.datasets.ImageFolder`.

    Args:
        path: the folder.
        size: resize every image to this (H, W), or to a square side (the models need one size).
        grayscale: convert to one grey channel (else three colour channels).

    Returns:
        ``(images, labels)``: a float32 tensor (N, C, H, W) in [0, 1], and each image's class as its
        folder name.
    """
    from torchvision import datasets, transforms

    folder = Path(path)
    if not folder.is_dir():
        raise DataNotFoundError(f"no image folder at {folder.resolve()}: it needs one sub-folder per class")
    steps = [transforms.Grayscale(1)] if grayscale else [transforms.Lambda(lambda im: im.convert("RGB"))]
    if size is not None:
        steps.append(transforms.Resize((size, size) if isinstance(size, int) else tuple(size)))
    steps.append(transforms.ToTensor())
    try:
        dataset = datasets.ImageFolder(str(folder), transform=transforms.Compose(steps))
    except FileNotFoundError as error:
        raise DataNotFoundError(f"{folder.resolve()}: {error}") from None
    images, targets = [], []
    for image, target in dataset:
        images.append(image)
        targets.append(target)
    shapes = {tuple(im.shape) for im in images}
    if len(shapes) > 1:
        raise ValueError(f"the images have different sizes {sorted(shapes)[:3]}...; pass size=(H, W) to resize them")
    return torch.stack(images), np.array([dataset.classes[t] for t in targets])


def image_folder_one_class(
    path: str | os.PathLike,
    normal_class: str,
    *,
    size: int | tuple[int, int] | None = None,
    grayscale: bool = False,
    **options,
) -> OneClassSplit:
    """One-class split of your own folder of images (:func:`load_image_folder`): the sub-folder
    ``normal_class`` is normal, every other sub-folder abnormal; ``options`` as in
    :func:`labelled_one_class`."""
    images, labels = load_image_folder(path, size=size, grayscale=grayscale)
    return labelled_one_class(images, labels, normal_class, **options)


def load_signals_csv(
    path: str | os.PathLike, label_column: str | None = "label", *, columns: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read rows from a CSV file: one row per sample, feature columns and an optional label column.

    Args:
        path: the CSV file (with a header row).
        label_column: the column with each row's label, or ``None`` for unlabelled rows.
        columns: the feature columns to use, in this order; by default every column except the
            label column (name them to leave out an index or a time stamp column).

    Returns:
        ``(x, y)``: a float32 array of shape (N, number of features), and the labels (``None``
        without a label column).

    Raises:
        ValueError: a missing label or feature column, or missing values. TypeError: non-numeric columns.
    """
    table = pd.read_csv(path)
    names = list(table.columns)
    if label_column is not None and label_column not in names:
        raise ValueError(f"{path} has no label column {label_column!r}; its columns: {names[:10]}")
    if columns is None:
        columns = [c for c in names if c != label_column]
    missing = [c for c in columns if c not in names]
    if missing:
        raise ValueError(f"{path} has no columns {missing[:5]}; its columns: {names[:10]}")
    values = frame_values(table[list(columns)], str(path))  # the detector's checks: text columns, missing values
    y = None if label_column is None else table[label_column].to_numpy()
    return values.astype(np.float32), y

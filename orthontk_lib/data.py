r"""Deterministic data sets: ``load(name, ...)`` returns a :class:`Dataset`.

* ``"sphere"``: i.i.d. Gaussian inputs rescaled onto the sphere of radius
  :math:`\sqrt{d}` (the inputs NTK theory uses, entries of order one); the label
  is the sign of the first coordinate.
* ``"digits"``: scikit-learn's bundled 8x8 digits (1,797 real images, offline),
  pixels scaled to [0, 1].
* ``"cifar10"``: CIFAR-10 read from the official *binary* distribution
  (``cifar-10-binary.tar.gz``, or its extracted ``cifar-10-batches-bin/``) in a
  local folder; the archive is checked against its published SHA-256 before
  use, and nothing is ever unpickled. Pixels scaled to [0, 1].

Labels are one-hot, shape (N, n_classes). Splits are fixed by ``seed``, so a
data set is a pure function of its arguments. Every loader takes ``n_train``,
``n_test`` and ``seed``, so that a chapter calls any of them alike:
``load(cfg.dataset, n_train=..., n_test=..., seed=cfg.seed, sphere=True)``, with
``sphere=True`` putting the inputs on the sphere of radius :math:`\sqrt{d}`
(:func:`on_sphere`), as NTK theory takes them.

Example:

>>> data = load("digits", n_train=100, n_test=50)
>>> data.x_train.shape, data.y_train.shape  # (100, 64) images, (100, 10) one-hot
((100, 64), (100, 10))
"""

import hashlib
import math
import os
import pathlib
import shutil
import tarfile
import tempfile
from typing import NamedTuple

import jax
import numpy as np

__all__ = ["Dataset", "load", "on_sphere", "DATASETS", "DIMENSION", "IMAGE_SHAPE", "DataError", "CIFAR10_SHA256", "CIFAR10_DIR_ENV"]

DATASETS = ("digits", "cifar10")
"""The real image data sets a chapter's ``dataset`` knob may name."""

DIMENSION = {"digits": 64, "cifar10": 3072}
"""Flattened input dimension d of each data set of :data:`DATASETS`."""

IMAGE_SHAPE = {"digits": (8, 8, 1), "cifar10": (32, 32, 3)}
"""Height, width and channels of each data set's images, as ``load(..., flatten=False)`` gives them: their product is
:data:`DIMENSION`."""

CIFAR10_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
"""Published SHA-256 of ``cifar-10-binary.tar.gz`` (170,052,171 bytes; MD5 c32a1d4ab5d03f1284b67883e8d87530)."""

CIFAR10_DIR_ENV = "ORTHONTK_CIFAR10_DIR"
"""Environment variable naming the CIFAR-10 folder; default ``data/cifar10`` under the repository."""

_ARCHIVE = "cifar-10-binary.tar.gz"
_FOLDER = "cifar-10-batches-bin"
_TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
_TEST_FILE = "test_batch.bin"
_RECORD = 1 + 32 * 32 * 3  # label byte, then R, G, B planes of 32 x 32


class DataError(RuntimeError):
    """A data set is missing or corrupt; the message says which file and what to do."""


class Dataset(NamedTuple):
    """Train and test arrays (float32) with one-hot labels."""

    x_train: np.ndarray  # (N, d) flattened, or (N, H, W, C) images
    y_train: np.ndarray  # (N, n_classes) one-hot
    x_test: np.ndarray  # (M, ...) as x_train
    y_test: np.ndarray  # (M, n_classes)
    name: str  # "sphere", "normal", "digits", "cifar10" or "sines" (real targets (N, 1))


def load(name, *, sphere=False, **kwargs):
    """Load the data set ``name`` (``"sphere"``, ``"normal"``, ``"digits"``, ``"cifar10"`` or ``"sines"``).

    Keyword arguments go to the loader (``n_train``, ``n_test``, ``seed``,
    ``flatten``, ...); see the loaders below.
    ``sphere=True`` rescales the train and the test inputs onto the sphere (:func:`on_sphere`).

    Returns:
      A :class:`Dataset`.

    Raises:
      ValueError: an unknown name, or ``sphere=True`` on images that are not flattened.
    """
    loaders = {"sphere": _sphere, "normal": normal, "digits": digits, "cifar10": cifar10, "sines": sines}
    if name not in loaders:
        raise ValueError(f"name: unknown data set {name!r}; choose one of {', '.join(loaders)}")
    data = loaders[name](**kwargs)
    if not sphere:
        return data
    if data.x_train.ndim != 2:
        raise ValueError(f"sphere: {name} inputs of shape {data.x_train.shape[1:]} are images; load them flattened")
    return data._replace(x_train=on_sphere(data.x_train), x_test=on_sphere(data.x_test))


def on_sphere(x):
    r"""Each row of ``x`` (N, d) rescaled to norm :math:`\sqrt{d}` (entries of order one), in ``x``'s dtype.

    >>> on_sphere(np.array([[3.0, 4.0]], np.float32))
    array([[0.8485281, 1.1313708]], dtype=float32)
    """
    return x * math.sqrt(x.shape[-1]) / np.linalg.norm(x, axis=-1, keepdims=True)


# LOADERS


def _sphere(n_train=20, n_test=0, d=1024, seed=0):
    r"""Inputs uniform on the sphere of radius sqrt(d) (:func:`on_sphere` of Gaussian draws, float32, the dtype the
    networks compute in, so that empirical and analytic kernels read the same inputs); label = [x_1 > 0] (one-hot,
    2 classes)."""
    x = on_sphere(np.asarray(jax.random.normal(jax.random.key(seed), (n_train + n_test, d)), np.float32))
    y = _one_hot((x[:, 0] > 0).astype(int), 2)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], "sphere")


def normal(n_train=20, n_test=0, d=1024, seed=0):
    r"""Inputs :math:`x \sim \mathcal{N}(0, I_d)` (Huang, Du, Xu's kernel-convergence figure); label = [x_1 > 0]."""
    x = np.asarray(jax.random.normal(jax.random.key(seed), (n_train + n_test, d)), np.float32)
    y = _one_hot((x[:, 0] > 0).astype(int), 2)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], "normal")


def digits(n_train=1000, n_test=500, seed=0, flatten=True):
    """scikit-learn's 8x8 digits, pixels / 16, a split fixed by ``seed`` (images (N, 8, 8, 1) if not flatten)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    n = len(bunch.target)
    if n_train + n_test > n:
        raise ValueError(f"n_train + n_test: digits has {n} images, asked for {n_train + n_test}")
    order = np.asarray(jax.random.permutation(jax.random.key(seed), n))
    x = (bunch.images[order] / 16.0).astype(np.float32)[..., None]
    x = x.reshape(n, -1) if flatten else x
    y = _one_hot(bunch.target[order], 10)
    return Dataset(x[:n_train], y[:n_train], x[n_train : n_train + n_test], y[n_train : n_train + n_test], "digits")


def sines(n_train=80, n_test=200, d=5, seed=0):
    r"""The regression task of Zhou, Xu et al. (2022): real targets (N, 1), no classes.

    ``d > 1``: :math:`x \sim U[-4, 2]^d`, :math:`y = \sum_{k \le d} 3.5 \sin(5 x_k + 1)`.
    ``d = 1``: :math:`x` on a uniform grid of :math:`[-1, 1.5]` (test points uniform at random),
    :math:`y = \sin 3x + \tfrac12 \sin 6x`.
    """
    if d < 1 or n_train < 1 or n_test < 0:
        raise ValueError(f"sines: need d >= 1, n_train >= 1, n_test >= 0; got d={d}, n_train={n_train}, n_test={n_test}")
    rng = np.random.default_rng(seed)
    if d == 1:
        target = lambda x: np.sin(3 * x) + 0.5 * np.sin(6 * x)
        x_train = np.linspace(-1.0, 1.5, n_train)[:, None]
        x_test = rng.uniform(-1.0, 1.5, (n_test, 1))
    else:
        target = lambda x: (3.5 * np.sin(5 * x + 1)).sum(1, keepdims=True)
        x_train, x_test = rng.uniform(-4.0, 2.0, (n_train, d)), rng.uniform(-4.0, 2.0, (n_test, d))
    f32 = lambda a: np.asarray(a, np.float32)
    return Dataset(f32(x_train), f32(target(x_train)), f32(x_test), f32(target(x_test)), "sines")


def cifar10(n_train=256, n_test=256, seed=0, root=None, flatten=True, sha256=CIFAR10_SHA256):
    """The first ``n_train`` training and ``n_test`` test images of CIFAR-10 (binary version).

    Args:
      n_train, n_test: how many records to read, in file order (the paper used the first 256).
      seed: taken so that every loader is called alike; the split is the official one, read in file order, so the
        seed changes nothing.
      root: the folder holding ``cifar-10-binary.tar.gz`` or ``cifar-10-batches-bin/``;
        default ``$ORTHONTK_CIFAR10_DIR`` or ``data/cifar10``.
      flatten: (N, 3072) if True, else (N, 32, 32, 3) images.
      sha256: the archive's expected SHA-256 (the published one by default).

    Returns:
      A :class:`Dataset`; pixels in [0, 1].
    """
    folder = _cifar10_folder(pathlib.Path(root or os.environ.get(CIFAR10_DIR_ENV) or _default_root()), sha256)
    x_train, y_train = _read_records([folder / f for f in _TRAIN_FILES], n_train)
    x_test, y_test = _read_records([folder / _TEST_FILE], n_test)
    shape = (-1, 3072) if flatten else (-1, 32, 32, 3)
    return Dataset(x_train.reshape(shape), y_train, x_test.reshape(shape), y_test, "cifar10")


# INTERNAL UTILITIES


def _one_hot(labels, k):
    return np.eye(k, dtype=np.float32)[labels]


def _default_root():
    return pathlib.Path(__file__).resolve().parent.parent / "data" / "cifar10"


def _cifar10_folder(root, sha256):
    """The extracted batches folder, extracting a verified archive first if needed."""
    folder, archive = root / _FOLDER, root / _ARCHIVE
    if folder.is_dir():
        return folder
    if not archive.is_file():
        raise DataError(
            f"CIFAR-10 not found: put {_ARCHIVE} (the binary version from "
            f"https://www.cs.toronto.edu/~kriz/cifar.html) or its extracted {_FOLDER}/ in {root}, "
            f"or set {CIFAR10_DIR_ENV} to the folder that holds it"
        )
    digest = _sha256(archive)
    if digest != sha256:
        raise DataError(f"{archive} is corrupt: SHA-256 {digest}, expected {sha256}; download it again")
    with tempfile.TemporaryDirectory(dir=root) as tmp, tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
        extracted = pathlib.Path(tmp) / _FOLDER
        if not extracted.is_dir():
            raise DataError(f"{archive} has no {_FOLDER}/ inside: not the binary version of CIFAR-10")
        shutil.move(str(extracted), folder)
    return folder


def _read_records(paths, n):
    """The first ``n`` records of the given batch files: images (n, 32, 32, 3) in [0, 1], one-hot labels."""
    chunks, have = [], 0
    for path in paths:
        if have >= n:
            break
        if not path.is_file():
            raise DataError(f"CIFAR-10 batch file missing: {path}")
        size = path.stat().st_size
        if size == 0 or size % _RECORD:
            raise DataError(f"{path} is corrupt: {size} bytes is not a whole number of {_RECORD}-byte records")
        take = min(n - have, size // _RECORD)
        raw = np.fromfile(path, dtype=np.uint8, count=take * _RECORD).reshape(take, _RECORD)
        if raw[:, 0].max(initial=0) > 9:
            raise DataError(f"{path} is corrupt: a label byte is {raw[:, 0].max()}, labels are 0..9")
        chunks.append(raw)
        have += take
    if have < n:
        raise DataError(f"CIFAR-10 has only {have} records in {', '.join(p.name for p in paths)}, asked for {n}")
    raw = np.concatenate(chunks) if chunks else np.zeros((0, _RECORD), np.uint8)
    images = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32) / 255.0
    return images, _one_hot(raw[:, 0].astype(int), 10)


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()

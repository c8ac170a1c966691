r"""Saved results: arrays plus the metadata that says how they were made.

A result is a pair of files under ``data/<name>/``: ``<key>.npz`` (the arrays)
and ``<key>.json`` (its metadata: parameters, profile, seeds, package versions,
device, git commit, wall time, and the SHA-256 of the ``.npz``). The key is a
hash of the parameters, so the same parameters find the same result:
:func:`cached` loads instead of recomputing.

Writes are atomic (a temporary file in the same folder, then ``os.replace``),
arrays first and metadata last, so a run killed at any moment leaves either a
complete result or none. A result whose metadata does not parse, belongs to
other parameters, or whose arrays do not match their recorded hash raises
:class:`ResultError` naming the file: it is never trusted, never silently
recomputed, and never overwritten.

Example:

>>> import tempfile, numpy as np
>>> root = tempfile.mkdtemp()
>>> r = cached("demo", {"width": 8}, lambda: {"x": np.arange(3)}, profile="quick", root=root)
>>> r.arrays["x"].tolist(), r.meta["params"]
([0, 1, 2], {'width': 8})
"""

import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import numpy as np

__all__ = ["Result", "ResultError", "save", "load", "cached", "sweep", "find", "key_of", "data_dir", "provenance", "atomic_write", "REPO_DATA"]

DATA_DIR_ENV = "ORTHONTK_DATA_DIR"
"""Environment variable that moves the results folder (default: ``data/`` in the repository)."""

REPO_DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
"""The repository's ``data/`` folder, where committed (paper-profile) results live."""

_PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy", "neural-tangents")


class ResultError(RuntimeError):
    """A saved result is corrupt or inconsistent; the message names the file."""


class Result(NamedTuple):
    """Arrays of a run and its metadata."""

    arrays: dict  # name -> np.ndarray
    meta: dict  # params, profile, seeds, versions, device, git commit, wall time, ...


# SAVE AND LOAD


def data_dir(root=None):
    """The results folder: ``root``, else ``$ORTHONTK_DATA_DIR``, else ``<repo>/data``."""
    return pathlib.Path(root or os.environ.get(DATA_DIR_ENV) or REPO_DATA)


def key_of(params):
    """A 16-hex-digit key of ``params`` (canonical JSON, SHA-256)."""
    return hashlib.sha256(_canonical(params).encode()).hexdigest()[:16]


def save(name, params, arrays, *, profile, seeds=None, wall_time=None, root=None):
    """Write ``arrays`` (dict of array-likes) with their metadata; returns the metadata path."""
    folder = data_dir(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    key = key_of(params)
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    payload = buf.getvalue()
    meta = {
        "name": name,
        "key": key,
        "params": json.loads(_canonical(params)),
        **provenance(profile=profile, seeds=seeds),
        "wall_time_s": wall_time,
        "arrays": sorted(arrays),
        "arrays_sha256": hashlib.sha256(payload).hexdigest(),
    }
    atomic_write(folder / f"{key}.npz", payload)
    atomic_write(folder / f"{key}.json", json.dumps(meta, indent=1, sort_keys=True).encode())
    return folder / f"{key}.json"


def load(name, params, root=None):
    """The saved :class:`Result` of ``params``, ``None`` if there is none; raises on corruption."""
    path = data_dir(root) / name / f"{key_of(params)}.json"
    if not path.is_file():
        return None
    result = _read(path)
    if _canonical(result.meta.get("params")) != _canonical(params):
        raise ResultError(f"{path}: its parameters are not the ones asked for; move the file away to recompute")
    return result


def cached(name, params, compute, *, profile, seeds=None, root=None):
    """Load the result of ``params``, or run ``compute() -> dict of arrays``, save it, and return it."""
    result = load(name, params, root)
    if result is not None:
        return result
    start = time.perf_counter()
    arrays = compute()
    save(name, params, arrays, profile=profile, seeds=seeds, wall_time=time.perf_counter() - start, root=root)
    if not is_writer():  # another process writes the file, perhaps not yet: this process keeps what it computed
        return Result({k: np.asarray(v) for k, v in arrays.items()},
                      {"name": name, "key": key_of(params), "params": json.loads(_canonical(params)),
                       **provenance(profile=profile, seeds=seeds)})
    return load(name, params, root)


def sweep(name, base, points, compute_point, *, profile, seeds=None, root=None, desc=None):
    """:func:`cached` for each point of a sweep, with a progress bar; finished points are loaded.

    Args:
      name: results folder name.
      base: parameters shared by all points (dict).
      points: list of dicts; point ``p`` is saved under ``{**base, **p}``.
      compute_point: ``p -> dict of arrays``.

    Returns:
      The list of :class:`Result`, in the order of ``points``.
    """
    from tqdm.auto import tqdm

    out = []
    bar = tqdm(points, desc=desc or name, leave=False)
    for point in bar:
        bar.set_postfix_str(", ".join(f"{k}={v}" for k, v in point.items()), refresh=False)
        params = {**base, **point}
        out.append(cached(name, params, lambda: compute_point(point), profile=profile, seeds=seeds, root=root))
    return out


def find(name, root=None, **match):
    """All results saved under ``name`` whose metadata matches ``match`` (e.g. ``profile="paper"``), newest first."""
    folder = data_dir(root) / name
    found = [_read(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    found = [r for r in found if all(r.meta.get(k) == v for k, v in match.items())]
    return sorted(found, key=lambda r: r.meta.get("created", ""), reverse=True)


def provenance(profile=None, seeds=None):
    """How a result or figure was made: profile, seeds, package versions, device, matmul precision, git commit, date.

    ``matmul_precision`` is JAX's ``jax_default_matmul_precision`` when the result is saved (a chapter's compute and
    its saves run under the chapter's declared one, :func:`orthontk_lib.book.registry.matmul_precision`); ``"default"``
    where none is set (the backend's: TF32 for float32 on recent NVIDIA GPUs).
    """
    return {
        "profile": profile,
        "seeds": None if seeds is None else [int(s) for s in seeds],
        "versions": {p: _version(p) for p in _PACKAGES},
        "device": _device(),
        "matmul_precision": _matmul_precision(),
        "git_commit": _git_commit(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


# INTERNAL UTILITIES


def _read(path):
    try:
        meta = json.loads(path.read_text())
        if not isinstance(meta, dict) or "arrays_sha256" not in meta:
            raise ValueError("not a result's metadata")
    except (ValueError, UnicodeDecodeError) as err:
        raise ResultError(f"{path}: metadata is corrupt ({err}); move the file away to recompute") from err
    npz = path.with_suffix(".npz")
    try:
        payload = npz.read_bytes()
    except FileNotFoundError as err:
        raise ResultError(f"{npz}: arrays missing for {path.name}; move both away to recompute") from err
    if hashlib.sha256(payload).hexdigest() != meta["arrays_sha256"]:
        raise ResultError(f"{npz}: arrays do not match the SHA-256 in {path.name}; move both away to recompute")
    with np.load(io.BytesIO(payload), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    return Result(arrays, meta)


def is_writer():
    """Whether this process writes results: always, except in a multi-process JAX run, where process 0 alone does
    (every process computes the same results; the others only take part in the collectives)."""
    jax = sys.modules.get("jax")
    return jax is None or jax.process_count() == 1 or jax.process_index() == 0


def atomic_write(path, payload):
    """Write bytes to ``path`` atomically: a temporary file in the same folder, fsync, ``os.replace``; nothing in a
    process that is not the writer (:func:`is_writer`)."""
    if not is_writer():
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _canonical(params):
    return json.dumps(params, sort_keys=True, default=_jsonable, separators=(",", ":"))


def _jsonable(value):
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"parameter value {value!r} of type {type(value).__name__} is not JSON-serializable")


def _version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _device():
    import jax

    devices = jax.devices()
    return f"{len(devices)} x {devices[0].platform}:{getattr(devices[0], 'device_kind', '?')}"


def _matmul_precision():
    import jax

    return jax.config.jax_default_matmul_precision or "default"


GIT_COMMIT_ENV = "ORTHONTK_GIT_COMMIT"
"""The commit to record where the tree has no ``.git`` (a copy sent to a GPU host); ``git`` is asked first."""


def _git_commit():
    repo = pathlib.Path(__file__).resolve().parents[1]
    if not (repo / ".git").exists() and os.environ.get(GIT_COMMIT_ENV):
        return os.environ[GIT_COMMIT_ENV]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode:
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")

r"""Saved results: arrays plus the metadata that says how they were made.

A result is a pair of files under ``data/<name>/``: ``<key>.npz`` (the arrays)
and ``<key>.json`` (its metadata: parameters, profile, seeds, package versions,
device, git commit, wall time, and the SHA-256 of the ``.npz``). The key is a
hash of the parameters, so the same parameters find the same result:
:func:`cached` loads instead of recomputing.

Writes are atomic (a temporary file in the same folder, then ``os.replace``),
arrays first and metadata last, so a run killed at any moment leaves either a
complete result or none. The pair appears at once to a reader: a writer holds an
exclusive ``flock`` on the result's folder while it replaces the two files, a
reader a shared one while it reads them, so processes that save the same key
while another loads it never show it one file of each write (the lock is the
folder itself: no lock file is created; on a file system that refuses ``flock``
on a folder, some network file systems, it is skipped). A result whose metadata does not parse, belongs to
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

import contextlib
import dataclasses
import datetime
import fcntl
import functools
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
from typing import Callable, ClassVar, NamedTuple, TypeVar

import numpy as np

__all__ = ["Result", "ResultError", "Sweep", "KnobError", "save", "load", "cached", "sweep", "find", "key_of", "data_dir",
           "provenance", "atomic_write", "REPO_DATA"]

DATA_DIR_ENV = "ORTHONTK_DATA_DIR"
"""Environment variable that moves the results folder (default: ``data/`` in the repository)."""

REPO_DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
"""The repository's ``data/`` folder, where committed (paper-profile) results live."""

_PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy")


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
    with _folder_lock(folder, exclusive=True):  # readers see the old pair or the new one, never one of each
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


# DECLARED SWEEPS


_Config = TypeVar("_Config")


class KnobError(LookupError):
    """A sweep's computation read a knob its declaration leaves out; the message names the knob and the sweep.

    Not an ``AttributeError``: ``getattr(view, name, default)`` must not turn an undeclared read into a silent default.
    """


@dataclasses.dataclass(frozen=True)
class Sweep:
    r"""A sweep declared once: the knobs its points depend on, its points, how one is computed, what one costs.

    The key of a point is exactly

    .. math:: \{k: \mathrm{cfg}.k \text{ for } k \in \text{knobs}\} \cup \mathrm{derived}(\mathrm{cfg}) \cup \mathrm{point}

    so two configs that agree on ``knobs`` (and on the derived values) share every point they both have: a run over
    a subset of widths, depths or seeds reuses the points of the full run, and extends them. A point holds the value
    it iterates (``width``), never the list knob it comes from (``widths``).

    What keeps the key honest: ``run`` never sees the config. It gets a view (:meth:`view`) that answers the
    declared ``knobs`` and the ``derived`` values alone; reading any other knob raises :class:`KnobError` naming the
    knob and the sweep (so a knob that changes a point cannot be left out of its key). The view is an instance of a
    subclass of the config's class, so the config's properties and methods, inherited, read declared knobs only.
    ``points`` and ``derived`` see a view of ``knobs + over``: whatever they read is either in the key or decides the
    points (whose values are in the key). The views are hashable (by their values), so a helper that several points
    share can be cached with ``functools.lru_cache`` on its view argument.

    Fields:
      chapter: the chapter's slug; points are saved under ``<chapter>/<profile>/<name>``.
      name: the sweep's folder.
      knobs: the config fields every point's key holds (and ``run`` may read).
      points: ``view -> [dict, ...]``, the points in order; one point's dict holds JSON values (str, int, float, bool).
      run: ``(view, point) -> dict of arrays``.
      over: config fields the points and derived values are drawn from, not in the key themselves (``("widths",)``).
      derived: ``view -> dict`` of values every key holds, computed from ``knobs + over`` (e.g. the widest width,
        which sets a learning rate); ``run``'s view answers them as attributes.
      minutes: ``(cfg, point, device) -> float``, the estimated minutes of one point on ``device`` (``"GPU"`` or
        ``"CPU"``), printed before the point starts and planned with by the queue; ``None``: not estimated.
      device: ``"GPU"`` or ``"CPU"``, or ``(cfg, point) -> str``: where the queue runs the paper profile's point.
      seeds: ``cfg -> list of int`` recorded in each point's metadata (default: ``cfg.seeds`` if it has one).
      desc: the progress bar's label.
      since: knobs declared after points were saved, ``{knob: the value those points were computed at}`` (a data
        set knob added to a sweep that always ran on digits: ``{"dataset": "digits"}``); the key holds the knob like
        any other, and :mod:`orthontk_lib.book.migrate_keys` moves an older point to the key with that value.

    Example:

    >>> import dataclasses, tempfile, numpy as np
    >>> @dataclasses.dataclass(frozen=True)
    ... class Cfg:
    ...     widths: tuple = (8, 16)
    ...     seed: int = 0
    ...     lr: float = 0.1
    >>> s = Sweep("demo", "points", knobs=("seed",), over=("widths",), points=lambda c: [{"width": w} for w in c.widths],
    ...           run=lambda c, p: {"x": np.full(p["width"], c.seed)})
    >>> s.key(Cfg(), {"width": 8}) == s.key(Cfg(widths=(8,), lr=0.5), {"width": 8})
    True
    >>> Sweep("demo", "bad", knobs=(), points=lambda c: [{}], run=lambda c, p: {"x": c.lr}).compute(Cfg(), {})
    Traceback (most recent call last):
    ...
    orthontk_lib.results.KnobError: sweep demo/bad reads knob 'lr', which it does not declare: add it to the sweep's knobs (the key would leave it out)
    """

    chapter: str
    name: str
    knobs: tuple
    points: Callable
    run: Callable
    over: tuple = ()
    derived: Callable | None = None
    minutes: Callable | None = None
    device: object = "CPU"
    seeds: Callable | None = None
    desc: str = ""
    since: dict = dataclasses.field(default_factory=dict)

    def folder(self, profile):
        """``<chapter>/<profile>/<name>``: where the sweep's points of ``profile`` are saved."""
        return f"{self.chapter}/{profile}/{self.name}"

    def view(self, cfg: _Config, names=None, extra=None) -> _Config:
        """``cfg`` as the sweep may read it: the fields ``names`` (default: ``knobs``) and ``extra`` values only.

        The view is an instance of a subclass of ``cfg``'s class: the fields ``names`` hold ``cfg``'s values, every
        other field raises :class:`KnobError` when read, and each ``extra`` value (a name that is no field or attribute
        of the config, else ``ValueError``) is a read-only attribute. The config's properties and methods, inherited,
        read its fields through these. A view of a view answers at most what the first answers.
        """
        return _make_view(cfg, self.knobs if names is None else names, extra or {}, f"{self.chapter}/{self.name}")

    def point_list(self, cfg):
        """The sweep's points of ``cfg`` (list of dicts), read through a view of ``knobs + over``."""
        return [dict(p) for p in self.points(self.view(cfg, self.knobs + self.over))]

    def derived_values(self, cfg):
        """The derived values of ``cfg`` (dict; empty if the sweep declares none)."""
        return dict(self.derived(self.view(cfg, self.knobs + self.over))) if self.derived else {}

    def key(self, cfg, point):
        """The parameters a point is saved under: the declared knobs' values, the derived values, the point."""
        params = {k: getattr(cfg, k) for k in self.knobs}
        for part in (self.derived_values(cfg), point):
            clash = sorted(set(params) & set(part))
            if clash:
                raise ValueError(f"sweep {self.chapter}/{self.name}: {clash[0]!r} is both a knob and a point or derived "
                                 "value; rename one")
            params.update(part)
        return json.loads(_canonical(params))

    def run_view(self, cfg):
        """The view ``run`` gets: the declared knobs and the derived values of ``cfg``."""
        return self.view(cfg, self.knobs, self.derived_values(cfg))

    def compute(self, cfg, point):
        """Run one point (not saved): ``run`` on :meth:`run_view`."""
        return self.run(self.run_view(cfg), point)

    def where(self, cfg, point):
        """The device the queue runs ``point`` of ``cfg`` on: ``"GPU"`` or ``"CPU"``."""
        return self.device(cfg, point) if callable(self.device) else self.device

    def estimate(self, cfg, point, device=None):
        """Estimated minutes of ``point`` on ``device`` (default :meth:`where`'s); ``None`` without ``minutes``."""
        device = device or self.where(cfg, point)
        return None if self.minutes is None else float(self.minutes(cfg, point, device))

    def result(self, cfg, point, root=None, announce=True, write=print):
        """The :class:`Result` of one point of ``cfg``: loaded where saved, else computed (its estimate printed first,
        with ``announce``, through ``write``) and saved."""
        params = self.key(cfg, point)
        result = load(self.folder(cfg.profile), params, root)
        if result is not None:
            return result
        if announce:
            _announce(self, cfg, point, write)
        seeds = self.seeds(cfg) if self.seeds else getattr(cfg, "seeds", None)
        return cached(self.folder(cfg.profile), params, lambda: self.compute(cfg, point), profile=cfg.profile,
                      seeds=seeds, root=root)

    def results(self, cfg, root=None):
        """Every point of ``cfg`` (:meth:`result`), with a progress bar.

        Returns:
          The list of :class:`Result`, in the order of :meth:`point_list`.
        """
        from tqdm.auto import tqdm

        out = []
        bar = tqdm(self.point_list(cfg), desc=self.desc or self.name, leave=False)
        for point in bar:
            bar.set_postfix_str(", ".join(f"{k}={v}" for k, v in point.items()), refresh=False)
            out.append(self.result(cfg, point, root, write=bar.write))
        return out

    def missing(self, cfg, root=None):
        """The points of ``cfg`` with no saved result under ``root`` (list of dicts, in order)."""
        return [p for p in self.point_list(cfg) if load(self.folder(cfg.profile), self.key(cfg, p), root) is None]


def _announce(sweep, cfg, point, write=print):
    """Print (to stderr), before a point is computed, which point it is and its estimated minutes on this machine's
    device (``"GPU"`` where JAX's default backend is a GPU, else ``"CPU"``)."""
    import jax

    device = "GPU" if jax.default_backend() == "gpu" else "CPU"
    minutes = sweep.estimate(cfg, point, device)
    cost = f"estimated {minutes:.2g} min on {device}" if minutes is not None else "no estimate"
    write(f"{sweep.folder(cfg.profile)} {json.dumps(point)}: {cost}", file=sys.stderr)


class _ConfigView:
    """Base of the views :meth:`Sweep.view` makes (see :func:`_view_class`): read-only, equal and hashed by the declared
    names' values and the extra values, so a view can key ``functools.lru_cache``."""

    __slots__ = ()

    _view_config: ClassVar[type]  # the config class viewed
    _view_sweep: str  # "<chapter>/<name>", named by the errors
    _view_values: dict  # the declared names' values and the extra values

    def __init__(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is a sweep's view of a config: Sweep.view makes one")

    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to {name!r}: a sweep's view of the config is read-only")

    def __delattr__(self, name):
        raise dataclasses.FrozenInstanceError(f"cannot delete {name!r}: a sweep's view of the config is read-only")

    def __eq__(self, other):
        return (isinstance(other, _ConfigView) and self._view_config is other._view_config
                and _canonical(self._view_values) == _canonical(other._view_values))

    def __hash__(self):
        return hash((self._view_config, _canonical(self._view_values)))

    def __repr__(self):
        return f"<{self._view_config.__name__} as sweep {self._view_sweep} sees it: {_canonical(self._view_values)}>"


_VIEW_NAMES = frozenset(("_view_config", "_view_sweep", "_view_values"))


def _make_view(cfg, names, extra, sweep):
    """The view of ``cfg`` that answers the names ``names`` and the ``extra`` values (see :meth:`Sweep.view`); ``sweep``
    is ``"<chapter>/<name>"``."""
    config = type(cfg)._view_config if isinstance(cfg, _ConfigView) else type(cfg)
    if not dataclasses.is_dataclass(config):
        raise TypeError(f"sweep {sweep}: a sweep's config must be a dataclass; got {config.__name__}")
    names, extra = frozenset(names), dict(extra)
    unknown = sorted(n for n in names if not hasattr(cfg, n))
    if unknown:
        raise KnobError(f"sweep {sweep} declares knob {unknown[0]!r}, which {config.__name__} does not have")
    fields = {f.name for f in dataclasses.fields(config)}
    clash = sorted(n for n in extra if n in fields or n in _VIEW_NAMES or hasattr(config, n))
    if clash:
        raise ValueError(f"sweep {sweep}: its derived value {clash[0]!r} is also a field or an attribute of "
                         f"{config.__name__}; rename it")
    values = {n: getattr(cfg, n) for n in names}
    view = object.__new__(_view_class(config, names & fields, frozenset(extra)))
    for name in names & fields:
        object.__setattr__(view, name, values[name])
    object.__setattr__(view, "_view_sweep", sweep)
    object.__setattr__(view, "_view_values", {**values, **extra})
    return view


@functools.lru_cache(maxsize=None)
def _view_class(config, declared, extras):
    """The class of the views of the dataclass ``config`` that answer the fields ``declared`` and the values ``extras``
    (frozensets of names): a subclass of ``config`` (and of :class:`_ConfigView`) in which every other field is a
    property raising :class:`KnobError` and each extra value a property reading it.

    A view holds its declared fields' values in its own fields (set by :func:`_make_view`; ``__init__`` and
    ``__post_init__`` never run), so the properties and methods it inherits from ``config`` read a declared field's
    value, or raise at an undeclared one.
    """
    namespace = {f.name: _undeclared(f.name) for f in dataclasses.fields(config) if f.name not in declared}
    namespace.update({n: _extra(n) for n in extras})
    namespace.update(_view_config=config, __module__=__name__)
    return type(f"{config.__name__}View", (_ConfigView, config), namespace)


def _undeclared(name):
    """The property of a field a view does not answer: reading it raises :class:`KnobError` naming it and the sweep."""

    def read(view):
        raise KnobError(f"sweep {view._view_sweep} reads knob {name!r}, which it does not declare: add it to the "
                        "sweep's knobs (the key would leave it out)")

    return property(read, doc=f"Knob {name!r}, which the sweep does not declare: reading it raises KnobError.")


def _extra(name):
    """The property of an extra value of a view (a derived value of its sweep)."""
    return property(lambda view: view._view_values[name], doc=f"The sweep's derived value {name!r}.")


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


# WRITING


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


GIT_COMMIT_ENV = "ORTHONTK_GIT_COMMIT"
"""The commit to record where the tree has no ``.git`` (a copy sent to a GPU host); ``git`` is asked first."""


# INTERNAL UTILITIES


@contextlib.contextmanager
def _folder_lock(folder, exclusive):
    """Hold ``flock`` on ``folder`` (exclusive for a writer, shared for a reader) for the ``with`` block.

    The lock is taken on the folder's own descriptor, so it creates no file beside the results. Where the file
    system refuses it (``OSError``: some network file systems lock only files opened for writing), the block runs
    unlocked."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # closing the last descriptor of the folder's open file releases its lock


def _read(path):
    """The :class:`Result` whose metadata is ``path``, read under a shared lock on its folder (:func:`save`)."""
    with _folder_lock(path.parent, exclusive=False):
        return _read_pair(path)


def _read_pair(path):
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


def _git_commit(repo=None):
    """The commit the code runs from, ``"<sha>-dirty"`` where a tracked file outside ``data/`` differs from it.

    Saved results under ``data/`` are not code: a run that rewrites committed results (its ledger records, a
    summary it replaces) does not make the commit of its own later records dirty."""
    repo = pathlib.Path(repo) if repo else pathlib.Path(__file__).resolve().parents[1]
    if not (repo / ".git").exists() and os.environ.get(GIT_COMMIT_ENV):
        return os.environ[GIT_COMMIT_ENV]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)data"],
                               cwd=repo, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode:
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")

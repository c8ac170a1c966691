r"""Chapter "Where orthogonal initialization speeds up training": (learning rate x depth) grids.

Deep tanh networks in the standard parameterization, on the critical line
:math:`\chi = 1` at a small fixed point :math:`q^*`, where tanh is nearly linear
(Huang, Du, Xu 2021, Sec. 5: their :math:`\sigma_W^2 = 1.05, \sigma_b^2 = 2.01\cdot10^{-5}`).
Two architectures, each a grid of its own (:meth:`Config.grid`):

* ``"fcn"``: fully connected, weights Gaussian of variance :math:`\sigma_W^2 / n_{in}`
  or :math:`\sigma_W Q` with :math:`Q` Haar-orthogonal (the paper's experiment);
* ``"cnn"``: 3x3 convolutions, Gaussian over the whole filter, *delta-orthogonal*
  (Xiao et al. 2018: zero off the centre tap, an orthogonal centre tap), and, the
  control that separates orthogonality from the delta structure, delta-Gaussian
  (a Gaussian centre tap).

Plain SGD on softmax cross-entropy. For every (depth, init), all (learning rate,
seed) runs are one jitted program (:func:`orthontk_lib.train.fit_grid`), sharded
over the available devices.

The statistic is the paper's: :math:`\tau`, the first step at which the
accuracy on the current mini-batch reaches the grid's ``target``. A run that never
reaches it within ``steps`` counts as failed; for the speed-up
:math:`\tau_{\text{gauss}} / \tau_{\text{orth}}` its :math:`\tau` is censored at
``steps`` (which understates the speed-up of the init that succeeds).
"""

import dataclasses
import functools
import math

import jax
import numpy as np

from orthontk_lib import meanfield, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN
from orthontk_lib.reproduction import PaperFigure

SLUG = "speedup"
INITS = ("gaussian", "orthogonal")  # the FCN grid's
CNN_INITS = ("gaussian", "delta-orthogonal", "delta-gaussian")  # the CNN grid's
CNN_DRAWS = {"gaussian": ("gaussian", "full"), "delta-orthogonal": ("orthogonal", "delta"),
             "delta-gaussian": ("gaussian", "delta")}  # init -> (CNN init, filter)
ARCHS = ("fcn", "cnn")
DATASETS = ("digits", "cifar10")


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the speed-up grid."""

    depths: tuple[int, ...] = dataclasses.field(default=(2,), metadata={"min": 1})  # hidden layers L
    width: int = dataclasses.field(default=64, metadata={"min": 1})  # hidden width
    lr_min: float = dataclasses.field(default=1e-2, metadata={"min": 0.0})  # smallest learning rate
    lr_max: float = dataclasses.field(default=3.0, metadata={"min": 0.0})  # largest learning rate
    n_lrs: int = dataclasses.field(default=4, metadata={"min": 2})  # log-spaced learning rates
    n_seeds: int = dataclasses.field(default=3, metadata={"min": 2})  # networks per (depth, lr, init)
    steps: int = dataclasses.field(default=100, metadata={"min": 10})  # SGD steps
    batch_size: int = dataclasses.field(default=64, metadata={"min": 1})  # mini-batch
    target: float = dataclasses.field(default=0.5, metadata={"min": 0.0, "max": 1.0})  # accuracy that defines tau
    target_alt: float = dataclasses.field(default=0.8, metadata={"min": 0.0, "max": 1.0})  # a second target (check)
    W_var: float = dataclasses.field(default=1.05, metadata={"min": 1.0})  # sigma_W^2; sigma_b follows from the critical line
    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})  # "digits" or "cifar10"
    n_train: int = dataclasses.field(default=512, metadata={"min": 1})  # training images
    n_test: int = dataclasses.field(default=256, metadata={"min": 1})  # test images
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed
    # the CNN grid (seeds, data and sigma_W shared with the FCN grid)
    cnn_depths: tuple[int, ...] = dataclasses.field(default=(4, 32), metadata={"min": 1})  # conv layers L
    channels: int = dataclasses.field(default=16, metadata={"min": 1})  # channels per conv layer
    cnn_lr_min: float = dataclasses.field(default=0.025, metadata={"min": 0.0})  # smallest learning rate
    cnn_lr_max: float = dataclasses.field(default=0.2, metadata={"min": 0.0})  # largest learning rate
    cnn_n_lrs: int = dataclasses.field(default=4, metadata={"min": 2})  # log-spaced learning rates
    cnn_steps: int = dataclasses.field(default=100, metadata={"min": 10})  # SGD steps
    cnn_batch_size: int = dataclasses.field(default=32, metadata={"min": 1})  # mini-batch
    cnn_target: float = dataclasses.field(default=0.7, metadata={"min": 0.0, "max": 1.0})  # accuracy that defines tau
    # the width family (the FCN grid's training at the smaller half of its learning rates)
    family_widths: tuple[int, ...] = dataclasses.field(default=(32, 128), metadata={"min": 1})  # width family: widths
    family_depth: int = dataclasses.field(default=8, metadata={"min": 1})  # hidden layers of the width family

    PRECISION = "tensorfloat32"  # training (steps to a target, failure edges); TF32 to be checked against "highest" on a GPU
    PROFILES = {
        "smoke": dict(depths=(2, 4), width=16, n_lrs=3, n_seeds=2, steps=40, n_train=256, n_test=64, batch_size=32,
                      cnn_depths=(2,), channels=4, cnn_n_lrs=2, cnn_steps=20, cnn_batch_size=16,
                      family_widths=(8, 32), family_depth=2),
        "quick": dict(depths=(2, 4, 8, 16, 32), width=64, lr_min=1e-2, lr_max=3.0, n_lrs=6, n_seeds=3, steps=200,
                      batch_size=128, n_train=1024, n_test=512,
                      cnn_depths=(4, 16), channels=16, cnn_lr_min=0.025, cnn_lr_max=0.2, cnn_n_lrs=4, cnn_steps=100,
                      cnn_batch_size=32, cnn_target=0.7, family_widths=(32, 64, 128), family_depth=8, target_alt=0.8),
        # the paper's widths, depths, batch and learning-rate range; 16 of its 31 learning rates, 8 of its 20 seeds and
        # 1,000 steps, on digits (CIFAR-10 is on no machine here) with quick's targets, 50% and 80%
        # (the paper's 25% was set for CIFAR-10)
        "paper": dict(depths=(10, 25, 50, 100, 200), width=400, lr_min=1e-4, lr_max=1e-1, n_lrs=16, n_seeds=8,
                      steps=1000, batch_size=1000, target=0.5, target_alt=0.8, dataset="digits", n_train=1297, n_test=500,
                      cnn_depths=(10, 25, 50), channels=16, cnn_lr_min=1e-3, cnn_lr_max=0.3, cnn_n_lrs=8,
                      cnn_steps=1000, cnn_batch_size=64, cnn_target=0.25, family_widths=(400, 800, 1600),
                      family_depth=50),
    }
    COST = {"paper": Cost("GPU", 50, "estimate from the depth family's 84 + 154 + 287 s on one H200 in TF32 (4 seeds, "
                                     "1,000 steps), scaled to 8 seeds, five depths, the width family (width 1,600 costs "
                                     "16 times width 400) and the CNN grid")}

    def __post_init__(self):
        from orthontk_lib.book.profiles import ConfigError

        for prefix in ("", "cnn_"):
            lo, hi = getattr(self, prefix + "lr_min"), getattr(self, prefix + "lr_max")
            if not hi > lo > 0:
                raise ConfigError(f"{prefix}lr_max: must exceed {prefix}lr_min > 0, got {prefix}lr_min={lo}, "
                                  f"{prefix}lr_max={hi}")
            if not 0 < getattr(self, prefix + "target") <= 1:
                raise ConfigError(f"{prefix}target: an accuracy in (0, 1], got {getattr(self, prefix + 'target')}")
        if not 0 < self.target_alt <= 1 or self.target_alt == self.target:
            raise ConfigError(f"target_alt: an accuracy in (0, 1] other than target={self.target}, got {self.target_alt}")

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

    @property
    def lrs(self):
        """The learning rates, log-spaced from ``lr_min`` to ``lr_max``."""
        return np.geomspace(self.lr_min, self.lr_max, self.n_lrs)

    @property
    def b_std(self):
        """The critical sigma_b at sigma_W^2 = ``W_var`` for tanh (chi = 1)."""
        return meanfield.critical_b_std("tanh", math.sqrt(self.W_var))

    def grid(self, arch="fcn", depths=None):
        """The :class:`Grid` of ``arch``: ``"fcn"``, ``"cnn"``, or ``"family"`` (the FCN at ``family_depth``, the
        smaller half of the learning rates, one point per width); ``depths`` in place of the config's (one point's
        grid reads no other depth)."""
        if arch in ("fcn", "family"):
            lrs = self.lrs if arch == "fcn" else self.lrs[: max(2, self.n_lrs // 2)]
            if depths is None:
                depths = self.depths if arch == "fcn" else (self.family_depth,)
            return Grid(tuple(depths), lrs, self.n_seeds, self.steps, self.batch_size, self.target, INITS,
                        max(1, self.steps // 20), self.target_alt)
        lrs = np.geomspace(self.cnn_lr_min, self.cnn_lr_max, self.cnn_n_lrs)
        # evaluated on the full sets at the start and the end only: on a CPU that costs more than training
        return Grid(tuple(self.cnn_depths if depths is None else depths), lrs, self.n_seeds, self.cnn_steps,
                    self.cnn_batch_size, self.cnn_target, CNN_INITS, self.cnn_steps)

    def spec(self, depth, init, arch="fcn", width=None):
        """The network of ``arch`` at ``depth`` (and ``width``, default the grid's) drawn by ``init``; its equal
        hidden layers are one ``lax.scan`` (``scan=True``: the unrolled network's draws and function, compiled once
        whatever the depth)."""
        if arch in ("fcn", "family"):
            return FCN(depth, width or self.width, "tanh", math.sqrt(self.W_var), self.b_std, init,
                       parameterization="standard", out_dim=10, scan=True)
        draw, filt = CNN_DRAWS[init]
        return CNN(depth, self.channels, 3, "tanh", math.sqrt(self.W_var), self.b_std, draw,
                   parameterization="standard", out_dim=10, filter=filt, scan=True)


FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 5: the learning-speed figure (steps τ to a target accuracy against the learning "
    "rate, log-log, per init, for the training mini-batch and the test set; a depth family and a width family)",
    settings=dict(depths=(50, 100, 200), width=400, W_var=1.05, lr_min=1e-4, lr_max=1e-1, n_lrs=31, n_seeds=20,
                  batch_size=1000, target=0.25, dataset="cifar10", family_widths=(400, 800, 1600), family_depth=50),
    always=("σ_b from the critical line at σ_W² (the paper: σ_b² = 2.01e-5)",
            "the width family trains at the smaller half of the grid's learning rates, scaled by width / n so that "
            "ηΘ is the same at every width n (the NTK grows with n in the standard parameterization)",
            "τ on the test set at the resolution of the evaluations (every twentieth of the run)",
            "a run counts as trained only if it is still at the target at the end, on the full training set (a first "
            "hit followed by a collapse is a failure, not a fast run)"),
    labels=dict(depths="depths", width="width", W_var="σ_W²", lr_min="smallest η", lr_max="largest η",
                n_lrs="learning rates", n_seeds="seeds", batch_size="batch", family_widths="family widths",
                family_depth="family depth"))


@dataclasses.dataclass(frozen=True)
class Grid:
    """One architecture's grid: the depths, learning rates and training that :func:`depth_point` runs."""

    depths: tuple  # hidden (fcn) or conv (cnn) layers
    lrs: np.ndarray  # learning rates
    n_seeds: int  # networks per (depth, lr, init)
    steps: int  # SGD steps
    batch_size: int  # mini-batch
    target: float  # the accuracy that defines tau
    inits: tuple  # initializations, the Gaussian baseline first and the orthogonal one second
    record_every: int  # steps between evaluations on the full train and test sets
    target_alt: float | None = None  # a second target (tau_alt), to check that conclusions do not hinge on one

    def params(self):
        """What a saved grid point depends on (with the config's network and data fields)."""
        out = {"lrs": [float(v) for v in self.lrs], "n_seeds": self.n_seeds, "steps": self.steps,
               "batch_size": self.batch_size, "target": self.target, "inits": list(self.inits),
               "record_every": self.record_every}
        return out if self.target_alt is None else {**out, "target_alt": self.target_alt}

    @property
    def outputs(self):
        """The per-run arrays a grid point saves: ``tau_alt`` only with a second target."""
        alt = ("tau_alt",) if self.target_alt is not None else ()
        return ("tau", *alt, "diverged", "train_loss", "train_accuracy", "test_accuracy")


def training_data(cfg, arch="fcn"):
    """The chapter's data: pixels in [0, 1], one-hot labels (the paper's CIFAR-10 preprocessing);
    flattened for the FCN, images (N, H, W, C) for the CNN."""
    flatten = arch != "cnn"
    if cfg.dataset == "digits":
        return load("digits", n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed, flatten=flatten)
    return load("cifar10", n_train=cfg.n_train, n_test=cfg.n_test, flatten=flatten)


def first_hit(accuracy, target):
    """Index of the first entry >= ``target`` along the last axis, NaN where none is.

    >>> first_hit(np.array([[0.1, 0.6, 0.7], [0.1, 0.2, 0.3]]), 0.5)
    array([ 1., nan])
    """
    hit = np.asarray(accuracy) >= target
    return np.where(hit.any(-1), hit.argmax(-1), np.nan).astype(float)


def default_mesh():
    """A one-axis ``Mesh`` over all devices when there are several (the pair axis is sharded), else None."""
    devices = jax.devices()
    return jax.sharding.Mesh(np.array(devices), ("pairs",)) if len(devices) > 1 else None


def family_lr_scale(reference, width):
    """The width family's learning rates at ``width`` are the grid's times ``reference / width`` (``reference``: the
    grid's width): in the standard parameterization the NTK Θ grows in proportion to the width, so this holds ηΘ,
    the step the linearized network takes in function space, the same across the family (as the training-curves
    chapter does). The family's statistics and figures read its learning rates in units of the width-``reference``
    network's."""
    return reference / width


def init_point(cfg, data, depth, init, mesh=None, arch="fcn", width=None, lr_scale=1.0, lr_part=(0, 1)):
    """One init of ``arch``'s grid at one depth (and ``width``): every (lr, seed) pair in one program, at the grid's
    learning rates times ``lr_scale``; arrays indexed (lr, seed, ...) and ``record_steps``. The keys are the same for
    every init: ``fold_in(key(seed), depth)`` split over the (lr, seed) pairs.

    ``lr_part=(k, parts)`` runs only the k-th of ``parts`` consecutive blocks of the learning rates (their pairs keep
    the keys they have in the whole grid), so a point too long for one GPU command runs as several
    (:func:`lr_parts`); the blocks' arrays stacked along the lr axis are the whole point's."""
    from orthontk_lib import train

    grid = cfg.grid(arch, depths=(depth,))
    every = grid.record_every
    config = train.TrainConfig(steps=grid.steps - grid.steps % every, batch_size=grid.batch_size,
                               loss="cross_entropy", record_every=every)
    lrs = np.repeat(grid.lrs * lr_scale, grid.n_seeds)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), lrs.size)  # same seeds per init
    block = lr_block(len(grid.lrs), *lr_part)
    pairs = (block[:, None] * grid.n_seeds + np.arange(grid.n_seeds)).ravel()
    h = train.fit_grid(cfg.spec(depth, init, arch, width), config, keys[pairs], lrs[pairs], data, mesh=mesh)
    shape = (len(block), grid.n_seeds)
    out = {"tau": first_hit(h["batch_accuracy"], grid.target).reshape(shape) + 1}  # steps taken
    if grid.target_alt is not None:
        out["tau_alt"] = first_hit(h["batch_accuracy"], grid.target_alt).reshape(shape) + 1
    out["diverged"] = h["diverged"].reshape(shape)
    for k in ("train_loss", "train_accuracy", "test_accuracy"):
        out[k] = h[k].reshape(shape + (-1,))
    out["record_steps"] = h["record_steps"]
    return out


def depth_point(cfg, data, depth, mesh=None, arch="fcn", width=None):
    """Every init of ``arch``'s grid at one depth (and ``width``): :func:`init_point` stacked, arrays indexed
    (init, lr, seed, ...)."""
    grid = cfg.grid(arch, depths=(depth,))
    pts = [init_point(cfg, data, depth, init, mesh, arch, width) for init in grid.inits]
    out = {k: np.stack([p[k] for p in pts]) for k in grid.outputs}
    out["record_steps"] = pts[-1]["record_steps"]
    return out


# THE SWEEPS: one saved point per (architecture, depth or width, init)


_DATA_KNOBS = ("W_var", "dataset", "n_train", "n_test", "seed")
_KNOBS = {
    "fcn": ("width", "lr_min", "lr_max", "n_lrs", "n_seeds", "steps", "batch_size", "target", "target_alt"),
    "family": ("family_depth", "width", "lr_min", "lr_max", "n_lrs", "n_seeds", "steps", "batch_size", "target",
               "target_alt"),  # width: ηΘ's reference (family_lr_scale)
    "cnn": ("channels", "cnn_lr_min", "cnn_lr_max", "cnn_n_lrs", "n_seeds", "cnn_steps", "cnn_batch_size",
            "cnn_target"),
}
"""What a point of each architecture depends on, besides the data knobs and its own (depth or family_width, init)."""

def point_flops(cfg, arch, depth, width=None):
    """FLOPs of one point (one init, every (lr, seed) run): :func:`orthontk_lib.train.training_flops` with the
    network's multiply-adds per example and the full-set evaluations."""
    from orthontk_lib import train

    grid = cfg.grid(arch, depths=(depth,))
    d_in, pixels = (3072, 1024) if cfg.dataset == "cifar10" else (64, 64)
    if arch == "cnn":
        c_in = d_in // pixels
        weights = pixels * 9 * (c_in * cfg.channels + (depth - 1) * cfg.channels**2) + pixels * cfg.channels * 10
    else:
        n = width or cfg.width
        weights = d_in * n + (depth - 1) * n * n + n * 10
    return train.training_flops(weights, grid.batch_size, grid.steps, len(grid.lrs) * grid.n_seeds,
                                grid.steps // grid.record_every + 1, cfg.n_train + cfg.n_test)


POINT_MINUTES = 7.0
"""The longest a GPU point may be planned (minutes): one that would take longer runs as :func:`lr_parts` blocks of its
learning rates, each a point of its own, so that every point fits a GPU command with room to spare."""


def lr_block(n_lrs, part, parts):
    """Indices of the learning rates in block ``part`` of ``parts`` consecutive blocks of ``n_lrs``."""
    return np.array_split(np.arange(n_lrs), parts)[part]


def lr_parts(cfg, arch, depth, width=None):
    """Blocks of learning rates a point of ``arch`` at ``depth`` (and ``width``) runs in: its GPU estimate over
    :data:`POINT_MINUTES`, rounded up (1 for every point that fits; the keys of such points carry no part)."""
    from orthontk_lib import train

    minutes = train.estimated_minutes(point_flops(cfg, arch, depth, width), "GPU")
    return int(min(len(cfg.grid(arch, depths=(depth,)).lrs), max(1, math.ceil(minutes / POINT_MINUTES))))


def point_minutes(arch):
    """``minutes(cfg, point, device)`` of :class:`~orthontk_lib.results.Sweep` for ``arch``'s points:
    :func:`point_flops` at :data:`orthontk_lib.train.THROUGHPUT`, the point's share where it is one block of
    learning rates."""
    from orthontk_lib import train

    def minutes(cfg, point, device):
        depth = cfg.family_depth if arch == "family" else point["depth"]
        share = 1.0
        if "lr_parts" in point:
            n = len(cfg.grid(arch, depths=(depth,)).lrs)
            share = len(lr_block(n, point["lr_part"], point["lr_parts"])) / n
        return train.estimated_minutes(share * point_flops(cfg, arch, depth, point.get("family_width")), device)
    return minutes


@functools.lru_cache(maxsize=2)
def _data(cfg, arch):
    """:func:`training_data` of a sweep's view ``cfg``, loaded once for all its points."""
    return training_data(cfg, arch)


def _run(arch):
    def run(cfg, point):
        depth = cfg.family_depth if arch == "family" else point["depth"]
        member = point.get("family_width")
        scale = family_lr_scale(cfg.width, member) if arch == "family" else 1.0
        part = (point["lr_part"], point["lr_parts"]) if "lr_parts" in point else (0, 1)
        return init_point(cfg, _data(cfg, arch), depth, point["init"], default_mesh(), arch, member, scale, part)
    return run


def _points(arch):
    def points(cfg):
        grid_inits = CNN_INITS if arch == "cnn" else INITS
        if arch == "family":
            members = [({"family_width": w}, cfg.family_depth, w) for w in cfg.family_widths]
        else:
            members = [({"depth": L}, L, None) for L in (cfg.cnn_depths if arch == "cnn" else cfg.depths)]
        out = []
        for coord, depth, width in members:
            parts = lr_parts(cfg, arch, depth, width)
            for i in grid_inits:
                out += [{**coord, "init": i}] if parts == 1 else [
                    {**coord, "init": i, "lr_part": k, "lr_parts": parts} for k in range(parts)]
        return out
    return points


def _whole_points(points, results_):
    """The saved points' arrays with each point's learning-rate blocks stacked back along the lr axis, in order."""
    out = []
    for point, res in zip(points, results_):
        arrays = dict(res.arrays)
        if point.get("lr_part", 0) > 0:
            prev = out[-1]
            out[-1] = {k: v if k == "record_steps" else np.concatenate([prev[k], arrays[k]]) for k, v in prev.items()}
        else:
            out.append(arrays)
    return out


SWEEPS = {
    arch: results.Sweep(
        SLUG, f"{arch}-grid", knobs=_KNOBS[arch] + _DATA_KNOBS, over=over, points=_points(arch), run=_run(arch),
        minutes=point_minutes(arch), device="GPU", desc=f"{arch} SGD grid")
    for arch, over in (("fcn", ("depths",)), ("cnn", ("cnn_depths",)), ("family", ("family_widths",)))
}
"""The chapter's sweeps by architecture: one point per (depth, init), or per (width, init) for the width family."""


def compute(cfg):
    """Both grids and the width family, one saved point per (architecture, depth or width, init); arrays indexed
    (depth or width, init, lr, seed, ...), the CNN grid's with the prefix ``cnn_`` and the width family's with
    ``family_`` (:func:`view` takes one grid's arrays)."""
    out = {}
    for arch in ARCHS + ("family",):
        grid = cfg.grid(arch)
        pts = _whole_points(SWEEPS[arch].point_list(cfg), SWEEPS[arch].results(cfg))
        rows = [pts[i:i + len(grid.inits)] for i in range(0, len(pts), len(grid.inits))]  # (depth or width, init)
        a = {k: np.stack([np.stack([p[k] for p in row]) for row in rows]) for k in grid.outputs}
        a.update(depths=np.asarray(grid.depths), lrs=grid.lrs, record_steps=pts[0]["record_steps"],
                 steps=np.asarray(grid.steps), target=np.asarray(grid.target), inits=np.asarray(grid.inits))
        if grid.target_alt is not None:
            a["target_alt"] = np.asarray(grid.target_alt)
        if arch == "family":
            a["widths"] = np.asarray(cfg.family_widths)
        out.update({{"fcn": "", "cnn": "cnn_", "family": "family_"}[arch] + k: v for k, v in a.items()})
    out["b_std"] = np.asarray(cfg.b_std)
    return out


def view(arrays, arch="fcn"):
    """One grid's arrays from :func:`compute`'s (``"fcn"``, ``"cnn"`` or ``"family"``), without the prefix."""
    if arch == "fcn":
        return {k: v for k, v in arrays.items() if not k.startswith(("cnn_", "family_"))}
    prefix = f"{arch}_"
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


# STATISTICS


def trained(arrays):
    """(..., init, lr, seed) bool: the run reached the target *and* is still at or above it on the full training
    set at the end. A first hit followed by a collapse to chance is a failure, not a fast run."""
    final = np.asarray(arrays["train_accuracy"])[..., -1]
    return np.isfinite(arrays["tau"]) & (final >= float(arrays["target"]))


def censored_tau(arrays):
    """tau of trained runs, the step budget for the others: (depth, init, lr, seed)."""
    return np.where(trained(arrays), arrays["tau"], float(arrays["steps"]))


def at_alt_target(arrays):
    """The same grid read at its second target: ``tau`` and ``target`` replaced by ``tau_alt`` and ``target_alt``."""
    return {**arrays, "tau": arrays["tau_alt"], "target": arrays["target_alt"]}


def test_tau(arrays):
    """Steps until the full test set's accuracy first reaches the target, at the evaluations' resolution (NaN where
    it never does): (..., init, lr, seed)."""
    idx = first_hit(arrays["test_accuracy"], float(arrays["target"]))
    steps = np.asarray(arrays["record_steps"], float)
    return np.where(np.isfinite(idx), steps[np.nan_to_num(idx).astype(int)], np.nan)


def mean_tau(tau, ok):
    """Mean τ over the seeds that trained (``ok``), NaN where none did: (..., lr)."""
    t = np.where(ok & np.isfinite(tau), tau, np.nan)
    with np.errstate(invalid="ignore"):
        n = np.isfinite(t).sum(-1)
        return np.where(n > 0, np.nansum(t, -1) / np.maximum(n, 1), np.nan)


def failure_rate(arrays):
    """Fraction of seeds that do not train (see :func:`trained`): (depth, init, lr)."""
    return 1.0 - trained(arrays).mean(-1)


def speedup_map(arrays, pair=(0, 1)):
    """Mean censored tau of init ``pair[0]`` over init ``pair[1]`` (by default Gaussian over orthogonal):
    (depth, lr); NaN where neither init ever trains."""
    tau = censored_tau(arrays).mean(-1)  # (depth, init, lr)
    ratio = tau[:, pair[0]] / tau[:, pair[1]]
    return np.where(failure_rate(arrays)[:, list(pair)].min(1) < 1, ratio, np.nan)


def censoring_marks(arrays, pair=(0, 1)):
    """(depth, lr) prefixes for :func:`speedup_map`'s cells: "≥" where only the slower init has failed runs (its
    mean tau, and so the ratio, is a lower bound), "≤" where only the faster one has, "~" where both have."""
    fails = failure_rate(arrays)[:, list(pair)] > 0  # (depth, 2, lr)
    return np.select([fails[:, 0] & fails[:, 1], fails[:, 0], fails[:, 1]], ["~", "≥", "≤"], "")


def region(shape, corner):
    """Boolean mask over a (depth, lr) grid of ``shape``: ``"deep"`` = the upper half of depths, ``"large-lr"``
    = the upper half of learning rates, ``"small-lr"`` = the lower half (the middle entry of an odd count is in
    neither half), ``"all"`` = every cell."""
    d, l = shape
    upper = lambda n: np.arange(n) >= n - n // 2
    lower = lambda n: np.arange(n) < n // 2
    every = lambda n: np.ones(n, bool)
    rows, cols = {"deep": (upper, every), "large-lr": (every, upper), "small-lr": (every, lower),
                  "all": (every, every)}[corner]
    return rows(d)[:, None] & cols(l)[None, :]


def every_trains(arrays, pair=(0, 1)):
    """(depth, lr) bool: every seed of both inits of ``pair`` trains (no τ censored at the step budget)."""
    return (failure_rate(arrays)[:, list(pair)] == 0).all(1)


def both_train(arrays, pair=(0, 1)):
    """(depth, lr) bool: most seeds of both inits of ``pair`` train."""
    return (failure_rate(arrays)[:, list(pair)] < 0.5).all(1)


def region_speedup(arrays, corner, pair=(0, 1), n_boot=2000, seed=0, uncensored=False):
    """Speed of init ``pair[1]`` over ``pair[0]`` among the runs that train: the geometric mean, over a region's
    cells where most seeds of both inits train, of the mean censored tau ratio, with a 95% bootstrap interval
    over seeds. ``uncensored``: only the cells where *every* seed of both inits trains (no τ counted at the budget),
    the check that no bound drives the mean. Returns ``(value, (lo, hi), cells)``; NaN with no such cell."""
    tau = censored_tau(arrays)  # (D, I, L, S)
    usable = every_trains(arrays, pair) if uncensored else both_train(arrays, pair)
    cells = np.argwhere(region((tau.shape[0], tau.shape[2]), corner) & usable)
    if not len(cells):
        return float("nan"), (float("nan"), float("nan")), 0
    slow, fast = pair

    def stat(t):
        return float(np.exp(np.mean([np.log(t[d, slow, l].mean() / t[d, fast, l].mean()) for d, l in cells])))

    value, ci = stats.bootstrap_ci(tau, stat, n_boot=n_boot, seed=seed)
    return value, ci, len(cells)


def failure_edge(arrays, ok=None):
    """Per depth and init, the largest learning rate at which most seeds train (NaN if none)."""
    ok = failure_rate(arrays) < 0.5 if ok is None else ok  # (depth, init, lr)
    lrs = np.asarray(arrays["lrs"])
    inits = [str(i) for i in arrays.get("inits", INITS)]
    return {int(L): {init: float(lrs[ok[d, i]].max()) if ok[d, i].any() else float("nan") for i, init in enumerate(inits)}
            for d, L in enumerate(arrays["depths"])}


def grid_edges(ok, lrs):
    """The largest learning rate where ``ok`` (..., lr) holds; one grid step below the smallest where it holds
    nowhere (a bound): (...)."""
    return np.where(ok.any(-1), np.max(np.where(ok, lrs, 0.0), -1), lrs[0] ** 2 / lrs[1])


def failure_edges(arrays, n_boot=2000, seed=0):
    """Per member of a family (depth or width) and init, the failure edge -- the largest learning rate of the grid
    at which most seeds train -- with a 95% percentile bootstrap interval over seeds.

    An init that trains at no learning rate gets one grid step below the smallest (a bound, as in
    :func:`edge_ratios`). The grid's spacing is the edge's resolution: an interval of one value means every
    resample put the edge at the same grid point, not that it is known better than that spacing.

    Args:
      arrays: one family's arrays (:func:`view`), ``tau`` and ``train_accuracy`` indexed (member, init, lr, seed).
      n_boot, seed: bootstrap resamples and their seed.

    Returns:
      dict of (member, init) float arrays ``edge``, ``lo``, ``hi`` (learning rates), and bool arrays ``below``
      (no learning rate trains: the edge lies under the grid) and ``beyond`` (most seeds still train at the
      largest learning rate: the edge lies at or above the grid's top, a lower bound).
    """
    ok_runs = trained(arrays).astype(float)  # (M, I, L, S)
    lrs = np.asarray(arrays["lrs"], float)
    edge_of = lambda runs: grid_edges(runs.mean(-1) > 0.5, lrs)

    rng = np.random.default_rng(seed)
    s = ok_runs.shape[-1]
    boots = np.stack([edge_of(np.take(ok_runs, rng.integers(0, s, s), axis=-1)) for _ in range(n_boot)])
    edge = edge_of(ok_runs)
    lo, hi = np.percentile(boots, [2.5, 97.5], axis=0)
    ok = ok_runs.mean(-1) > 0.5
    return {"edge": edge, "lo": np.minimum(lo, edge), "hi": np.maximum(hi, edge), "below": ~ok.any(-1),
            "beyond": ok[..., -1]}


def edge_ratios(arrays, trained_runs=None, pair=(0, 1)):
    """Per depth, the failure edge of ``pair[1]`` over that of ``pair[0]``: (depth,). An init that trains at no
    learning rate gets an edge one grid step below the smallest (a bound); NaN where neither trains at any, and
    where both still train at the largest learning rate (both edges lie beyond the grid: nothing is known)."""
    ok = (trained(arrays) if trained_runs is None else trained_runs).mean(-1) > 0.5  # (depth, init, lr)
    edge = grid_edges(ok, np.asarray(arrays["lrs"], float))  # (depth, init)
    ratio = edge[:, pair[1]] / edge[:, pair[0]]
    known = ok[:, list(pair)].any(-1).any(-1) & ~ok[:, list(pair), -1].all(-1)
    return np.where(known, ratio, np.nan)


def grid_spacing(lrs):
    """The learning-rate grid's coarsest step, the largest ratio of neighbouring learning rates: a failure edge read
    off the grid is known only to this factor (the true edge lies between the last η that trains and the next)."""
    lrs = np.sort(np.asarray(lrs, float))
    return float(np.max(lrs[1:] / lrs[:-1]))


def _resolved(value, ci, spacing, steps):
    """``(value, ci)`` with the interval widened by ``spacing ** steps`` on each side (the grid's resolution), its
    ends rounded in log to 1e-9 so that a ratio of grid points compares exactly with 1."""
    widen = lambda v, k: float(np.exp(np.round(np.log(v) + k * steps * np.log(spacing), 9))) if np.isfinite(v) else v
    return value, (widen(ci[0], -1), widen(ci[1], 1))


def stability(arrays, half="deep", pair=(0, 1), n_boot=2000, seed=0):
    """Geometric mean over the deep (or shallow) half of depths of :func:`edge_ratios`, with a 95% bootstrap
    interval over seeds widened by one grid step on each side: how much larger a learning rate the faster init
    still trains at.

    Each edge lies between the last learning rate that trains and the next one up, so a measured ratio r of two
    edges bounds the true one to (r/s, r·s), s the grid's spacing (:func:`grid_spacing`). The interval returned
    is the bootstrap interval (lo, hi) over seeds so widened, (lo/s, hi·s): equal edges on the grid say the true
    ratio lies within a factor s of 1, not that it is 1."""
    n = len(arrays["depths"])
    rows = region((n, 1), "deep")[:, 0] if half == "deep" else np.arange(n) < n // 2

    def stat(t):
        r = edge_ratios(arrays, t.astype(bool), pair)[rows]
        return float(np.exp(np.nanmean(np.log(r)))) if np.isfinite(r).any() else float("nan")

    value, ci = stats.bootstrap_ci(trained(arrays).astype(float), stat, n_boot=n_boot, seed=seed)
    return _resolved(value, ci, grid_spacing(arrays["lrs"]), 1)


def stability_growth(arrays, pair=(0, 1), n_boot=2000, seed=0):
    """The deep half's :func:`stability` over the shallow half's, with a 95% bootstrap interval over seeds widened
    by two grid steps on each side (each of the two ratios is known to one step, :func:`stability`)."""
    deep = region((len(arrays["depths"]), 1), "deep")[:, 0]
    shallow = np.arange(len(deep)) < len(deep) // 2

    def stat(t):
        r = np.log(edge_ratios(arrays, t.astype(bool), pair))
        d, s = r[deep][np.isfinite(r[deep])], r[shallow][np.isfinite(r[shallow])]
        return float(np.exp(d.mean() - s.mean())) if d.size and s.size else float("nan")

    value, ci = stats.bootstrap_ci(trained(arrays).astype(float), stat, n_boot=n_boot, seed=seed)
    return _resolved(value, ci, grid_spacing(arrays["lrs"]), 2)


def width_speedups(family, pair=(0, 1)):
    """Per width of the family, the small-lr speed-up among runs that train (:func:`region_speedup` over all its
    learning rates): ``[(value, ci, cells)]``."""
    return [region_speedup({k: (v[w:w + 1] if k in ("tau", "train_accuracy") else v) for k, v in family.items()},
                           "all", pair) for w in range(len(family["widths"]))]


def width_shrinkage(family, pair=(0, 1), n_boot=2000, seed=0):
    """|log speed-up| at the largest width minus at the smallest (small learning rates, runs that train), with
    a 95% bootstrap interval over seeds: negative when the speed-up shrinks towards 1 as width grows."""
    tau = censored_tau(family)  # (W, I, L, S)
    keep = both_train(family, pair)[[0, -1]].all(0)  # learning rates where both widths' runs train
    if not keep.any():
        return float("nan"), (float("nan"), float("nan"))
    slow, fast = pair

    def stat(t):
        log_s = [np.mean(np.log(t[w, slow][keep].mean(-1) / t[w, fast][keep].mean(-1))) for w in (0, -1)]
        return float(abs(log_s[1]) - abs(log_s[0]))

    return stats.bootstrap_ci(tau, stat, n_boot=n_boot, seed=seed)


# CLAIMS

HDX = "Huang, Du, Xu 2021"
MIN_CELLS = 2
"""Fewer (depth, lr) cells than this where both inits train leave a speed claim inconclusive."""
SPEED_WHY = (f"a speed-up means the interval lies above 1; fewer than {MIN_CELLS} cells where both inits train "
             "leave it inconclusive")
STEP_WHY = ("any advantage at all; the interval already includes the grid's resolution (an edge is known to one "
            "grid step), so equal edges are inconclusive, one step apart at every resampling decides")
CLAIMS = [
    Claim("speedup-deep", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large depth.",
          "τ_gauss/τ_orth among runs that train, geometric mean over the deep half of depths and every learning "
          "rate where most seeds of both inits train (95% bootstrap interval over seeds)",
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both inits train"),
    Claim("speedup-large-lr", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large learning rate.",
          "τ_gauss/τ_orth among runs that train, geometric mean over the larger half of learning rates and every "
          "depth where most seeds of both inits train (95% bootstrap interval over seeds)",
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more depths where both inits train"),
    Claim("speedup-stability", f"{HDX}, Sec. 5 (the failure boundary of the learning-speed figure)",
          "Orthogonal networks still train at learning rates where Gaussian ones no longer do, at large depth.",
          "failure edge (largest η at which most seeds train) orthogonal over Gaussian, geometric mean over the "
          "deep half of depths (95% bootstrap interval over seeds, widened by one grid step each way)",
          AtLeast(1.0), why=STEP_WHY, decide="more seeds, or a finer learning-rate grid"),
    Claim("speedup-stability-growth", f"{HDX}, Sec. 5 (the depth family of the learning-speed figure)",
          "The stability advantage of orthogonal initialization grows with depth.",
          "the failure-edge ratio of the deep half of depths over that of the shallow half (95% bootstrap "
          "interval over seeds, widened by two grid steps each way)", AtLeast(1.0), why=STEP_WHY,
          decide="more depths, or a finer learning-rate grid"),
    Claim("speedup-small-lr-width", f"{HDX}, abstract ('a finite-width effect in the small learning rate regime')",
          "At small learning rate the speed-up of orthogonal initialization is a finite-width effect: it shrinks "
          "towards 1 as the width grows.",
          "|log τ_gauss/τ_orth| at the largest width of the width family minus at the smallest (smaller half of "
          "the learning rates, η ∝ 1/n so that ηΘ is the same at every width; runs that train; 95% bootstrap "
          "interval over seeds)",
          AtMost(0.0), why="shrinking means the difference is negative",
          decide="more seeds, or widths further apart (the paper profile: 400 to 1600 at depth 50)"),
    Claim("speedup-cnn-deep", "Xiao et al. 2018; Huang, Du, Xu 2021, Sec. 5",
          "Deep tanh CNNs on the critical line train faster from delta-orthogonal kernels than from Gaussian ones.",
          "τ_gauss/τ_delta-orth among runs that train, geometric mean over the deep half of the CNN depths and "
          "every learning rate where most seeds of both train (95% bootstrap interval over seeds)",
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both train"),
    Claim("speedup-cnn-orthogonality", "this book (the kernels of Xiao et al. 2018)",
          "The CNN speed-up comes from orthogonality, not from the delta structure: delta kernels with a Gaussian "
          "centre train slower than delta-orthogonal ones.",
          "τ_delta-gauss/τ_delta-orth among runs that train, geometric mean over the deep half of the CNN depths "
          "and every learning rate where most seeds of both train (95% bootstrap interval over seeds)",
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both train"),
]


def _speed(arrays, corner, pair=(0, 1)):
    v, ci, cells = region_speedup(arrays, corner, pair)
    return Measurement(v, ci if cells >= MIN_CELLS else (float("nan"), float("nan")), {"cells": cells})


FCN_CLAIMS = ("speedup-deep", "speedup-large-lr", "speedup-stability", "speedup-stability-growth",
              "speedup-small-lr-width")


def target_check(arrays, cfg, main=None):
    """The FCN claims measured at the second target: ``{claim id: (verdict at target, at target_alt, measurement)}``;
    ``main`` is :func:`measure` at the first target when the caller has it already."""
    main = measure(arrays, cfg) if main is None else main
    alt_arrays = {**arrays, **{f"{p}{k}": v for p in ("", "family_") for k, v in
                               at_alt_target(view(arrays, p[:-1] or "fcn")).items()}}
    alt = measure(alt_arrays, cfg)
    claims = {c.id: c for c in CLAIMS}
    return {cid: (claims[cid].verdict(*main[cid][:2]), claims[cid].verdict(*alt[cid][:2]), alt[cid])
            for cid in FCN_CLAIMS}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    fcn, cnn, family = view(arrays, "fcn"), view(arrays, "cnn"), view(arrays, "family")
    return {
        "speedup-deep": _speed(fcn, "deep"),
        "speedup-large-lr": _speed(fcn, "large-lr"),
        "speedup-stability": Measurement(*stability(fcn)),
        "speedup-stability-growth": Measurement(*stability_growth(fcn)),
        "speedup-small-lr-width": Measurement(*width_shrinkage(family),
                                              {"speedups": [s[0] for s in width_speedups(family)]}),
        "speedup-cnn-deep": _speed(cnn, "deep"),
        "speedup-cnn-orthogonality": _speed(cnn, "deep", (2, 1)),
    }


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fcn, cnn, family = view(arrays, "fcn"), view(arrays, "cnn"), view(arrays, "family")
    m = measure(arrays, cfg)
    v = {c.id: c.verdict(*m[c.id][:2]) for c in CLAIMS}
    fmt = lambda ms: (f"{ms[0]:.2f} [{ms[1][0]:.2f}, {ms[1][1]:.2f}]" if np.isfinite(ms[1][0])
                      else f"{ms[0]:.2f} (no interval: {ms[2]['cells']} cell(s))" if ms[2] and "cells" in ms[2]
                      else f"{ms[0]:.2f} (no interval)")
    q_star = meanfield.q_star("tanh", math.sqrt(cfg.W_var), cfg.b_std)
    collapsed = np.isfinite(fcn["tau"]) & ~trained(fcn)
    cedge = failure_edge(cnn)
    d = len(fcn["depths"]) - 1
    speeds = width_speedups(family)
    reading = {"holds": "faster", "does not hold": "not faster", "inconclusive": "not measurably faster or slower"}
    span = tau_span(fcn)
    check = target_check(arrays, cfg, m)
    out = {
        "sp-target-alt": f"{float(fcn['target_alt']):.0%}",
        "sp-tau-span-alt": f"{tau_span(at_alt_target(fcn)):.1f}",
        "sp-target-check": "; ".join(f"{cid}: {a} → {b}{_cells_change(m[cid], alt)}"
                                     for cid, (a, b, alt) in check.items()),
        "sp-target-words": target_words(m, check),
        "sp-differs": FIGURE.caption(cfg),
        "sp-tau-span": f"{span:.1f}",
        "sp-tau-span-words": ("at least two decades, as the paper's figure needs" if span >= 2 else
                              "less than the two decades the paper's figure spans: this profile's learning rates and step budget "
                              "are too narrow for more (the paper profile's are wider)"),
        "sp-wvar": f"{cfg.W_var:g}", "sp-bvar": f"{cfg.b_std ** 2:.3g}", "sp-qstar": f"{q_star:.4f}",
        "sp-chi": f"{meanfield.chi('tanh', math.sqrt(cfg.W_var), cfg.b_std):.6f}",
        "sp-tanh-slope": f"{1 - math.tanh(math.sqrt(q_star)) ** 2:.3f}",
        "sp-width": int(cfg.width), "sp-batch": int(cfg.batch_size), "sp-steps": int(fcn["steps"]),
        "sp-data": f"{cfg.n_train} {cfg.dataset} training images", "sp-target": f"{cfg.target:.0%}",
        "sp-seeds": int(fcn["tau"].shape[-1]), "sp-curve-depth": int(fcn["depths"][d]),
        "sp-collapsed": f"{int(collapsed.sum())} of {collapsed.size}",
        "sp-deep": fmt(m["speedup-deep"]), "sp-deep-cells": m["speedup-deep"].detail["cells"],
        "sp-large-lr": fmt(m["speedup-large-lr"]), "sp-large-lr-cells": m["speedup-large-lr"].detail["cells"],
        "sp-deep-reading": reading[v["speedup-deep"]], "sp-large-lr-reading": reading[v["speedup-large-lr"]],
        "sp-large-vs-small": large_vs_small_lr_words(fcn),
        "sp-uncensored-check": uncensored_words(fcn, m),
        "sp-deep-depths": "L = " + ", ".join(str(int(L)) for L, deep in zip(
            fcn["depths"], region((len(fcn["depths"]), len(fcn["lrs"])), "deep")[:, 0]) if deep),
        "sp-boot-caveat": bootstrap_caveat(int(fcn["tau"].shape[-1])),
        "sp-stability": fmt(m["speedup-stability"]), "sp-stability-growth": fmt(m["speedup-stability-growth"]),
        "sp-stability-words": {"holds": "orthogonal networks keep training at larger learning rates than Gaussian "
                                        "ones at depth",
                               "does not hold": "at depth, orthogonal networks stop training at smaller learning "
                                                "rates than Gaussian ones",
                               "inconclusive": "whether orthogonal networks train at larger learning rates is not "
                                               "decided at this profile: the edges lie within one grid step "
                                               f"(×{grid_spacing(fcn['lrs']):.2g}) of each other, or the seeds "
                                               "disagree"}[v["speedup-stability"]],
        "sp-grid-step": f"{grid_spacing(fcn['lrs']):.2g}",
        "sp-growth-words": {"holds": "the advantage grows with depth by more than the grid can blur",
                            "does not hold": "the advantage shrinks with depth",
                            "inconclusive": "whether the advantage grows with depth is not decided at this profile"
                            }[v["speedup-stability-growth"]],
        "sp-edge": _edge_words(fcn, "L"),
        "sp-family-edge": _edge_words(family, "n"),
        "sp-eval-every": int(evaluation_interval(fcn)),
        **_speedup_range(fcn),
        "sp-family-depth": int(cfg.family_depth), "sp-family-widths": ", ".join(map(str, family["widths"])),
        "sp-family-speedups": ", ".join(f"{s[0]:.2f} (n={w})" for s, w in zip(speeds, family["widths"])),
        "sp-family-shrink": fmt(m["speedup-small-lr-width"]),
        "sp-family-words": {"holds": "the speed-up shrinks towards 1 as the width grows: a finite-width effect",
                            "does not hold": "the speed-up does not shrink as the width grows",
                            "inconclusive": "the interval does not decide whether it shrinks"}[v["speedup-small-lr-width"]],
        "sp-cnn-channels": cfg.channels, "sp-cnn-steps": int(cnn["steps"]), "sp-cnn-batch": cfg.cnn_batch_size,
        "sp-cnn-target": f"{float(cnn['target']):.0%}", "sp-cnn-seeds": int(cnn["tau"].shape[-1]),
        "sp-cnn-deepest": int(cnn["depths"][-1]),
        "sp-cnn-deep": fmt(m["speedup-cnn-deep"]), "sp-cnn-deep-cells": m["speedup-cnn-deep"].detail["cells"],
        "sp-cnn-control": fmt(m["speedup-cnn-orthogonality"]),
        "sp-cnn-deep-reading": reading[v["speedup-cnn-deep"]],
        "sp-cnn-control-reading": {
            "holds": "It is orthogonality, not the delta structure, that speeds deep CNNs up.",
            "does not hold": "The control does not train slower than delta-orthogonal kernels: the delta structure, "
                             "not orthogonality, carries what speed-up there is.",
            "inconclusive": "At this profile the control does not separate the two: the interval of the speed-up "
                            "over delta-Gaussian kernels does not decide."}[v["speedup-cnn-orthogonality"]],
        "sp-cnn-edge-compare": cnn_edge_comparison(cedge),
        "sp-cnn-edge": "; ".join(f"L={L}: " + ", ".join("η " + edge_bound_words(e[i], cnn["lrs"])
                                                      for i in ("gaussian", "delta-orthogonal", "delta-gaussian"))
                                 for L, e in cedge.items()),
    }
    for k, pair in {"": (0, 1), "-control": (2, 1)}.items():
        deepest = speedup_map(cnn, pair)[-1]
        out[f"sp-cnn-deepest-range{k}"] = (f"{np.nanmin(deepest):.2f} to {np.nanmax(deepest):.2f}"
                                           if np.isfinite(deepest).any() else "undefined (no run trains)")
    return out


def cnn_edge_comparison(cedge):
    """Where delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones (both edges read off
    the grid; a Gaussian edge at the grid's top is a lower bound, so it still counts as larger), as prose."""
    lower = [L for L, e in cedge.items()
             if np.isfinite(e["gaussian"]) and (not np.isfinite(e["delta-orthogonal"]) or
                                                e["delta-orthogonal"] < e["gaussian"])]
    if not lower:
        return "Nowhere do delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones"
    return ("Delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones at "
            + ", ".join(f"L = {L}" for L in lower) + ", the reverse of the stability the paper reports for orthogonal "
            "FCNs")


def edge_bound_words(edge, lrs):
    """A failure edge read off a learning-rate grid, as prose: ``≥`` where it is the grid's top (the edge lies there
    or beyond), ``<`` the smallest where no learning rate trains (NaN), else ``=``."""
    lrs = np.asarray(lrs, float)
    if not np.isfinite(edge):
        return f"< {lrs.min():.2g}"
    return f"≥ {edge:.2g}" if np.isclose(edge, lrs.max()) else f"= {edge:.2g}"


def _cells(measurement):
    """A speed claim's cells (where both inits mostly train), None for other measurements."""
    return (getattr(measurement, "detail", None) or {}).get("cells")


def _cells_change(main, alt):
    """`` (n → m cells)`` where a speed claim's cells (both inits mostly train) differ between the targets."""
    a, b = _cells(main), _cells(alt)
    return f" ({a} → {b} cells)" if a is not None and b is not None and a != b else ""


def target_words(main, check):
    """The second target's verdicts in words: the same, or which change and whether because the cells where both
    inits train thin out there (power lost, not an effect reversed) or with the cells kept (the conclusion hinges on
    the target)."""
    differ = [cid for cid, (a, b, _) in check.items() if a != b]
    if not differ:
        return "the five verdicts are the same at both targets: the conclusions do not hinge on the target"
    thinned = [cid for cid in differ if None not in (_cells(main[cid]), _cells(check[cid][2]))
               and _cells(check[cid][2]) < _cells(main[cid])]
    words = (f"{len(differ)} of the five verdicts change{'s' if len(differ) == 1 else ''} with the target "
             f"({', '.join(differ)})")
    if thinned == differ:
        return (words + ": because fewer cells have most seeds of both inits reaching the higher target (runs that "
                "reach one target miss the other), so the change is power lost, not an effect reversed")
    return words + ": those conclusions hinge on the target"


def tau_span(arrays):
    """Decades spanned by the mean mini-batch τ of trained runs over the grid (both inits, every depth)."""
    t = mean_tau(np.asarray(arrays["tau"], float), trained(arrays))
    t = t[np.isfinite(t)]
    return float(np.log10(t.max() / t.min())) if t.size else 0.0


def _edge_words(arrays, sym):
    """The failure edges of one family as prose: per member, Gaussian vs orthogonal, each with its 95% interval
    ("≥" where the edge is the grid's top, "<" where no learning rate of the grid trains)."""
    e, key = failure_edges(arrays), "depths" if sym == "L" else "widths"
    lrs = np.asarray(arrays["lrs"], float)

    def one(m, i):
        if e["below"][m, i]:
            return f"< {lrs[0]:.2g}"
        bound = "≥ " if e["beyond"][m, i] else ""
        ci = (f" [{e['lo'][m, i]:.2g}, {e['hi'][m, i]:.2g}]" if e["lo"][m, i] < e["hi"][m, i] else "")
        return f"{bound}{e['edge'][m, i]:.2g}{ci}"

    return "; ".join(f"{sym}={int(v)}: η {one(m, 0)} vs {one(m, 1)}" for m, v in enumerate(arrays[key]))


def uncensored_speedups(arrays, pair=(0, 1)):
    """:func:`speedup_map` where every seed of both inits of ``pair`` trains (no τ censored at the budget), NaN
    elsewhere: (depth, lr). A cell with a failed run holds a bound, not a speed (:func:`censoring_marks`)."""
    return np.where(every_trains(arrays, pair), speedup_map(arrays, pair), np.nan)


def orthogonal_losses(arrays, limit=4):
    """The cells of the speed-up map where more orthogonal than Gaussian seeds fail (see :func:`trained`), as prose:
    each cell's depth, learning rate, failed seeds of both inits and its ratio (an upper bound, ``≤``, where only
    orthogonal runs fail); the first ``limit`` cells by depth, then a count."""
    fails = np.round(failure_rate(arrays) * np.asarray(arrays["tau"]).shape[-1]).astype(int)  # (depth, init, lr)
    ratio, marks = speedup_map(arrays), censoring_marks(arrays)
    cells = list(zip(*np.nonzero(np.isfinite(ratio) & (fails[:, 1] > fails[:, 0]))))
    if not cells:
        return "In no cell of the map do more orthogonal than Gaussian seeds fail"
    n = int(np.asarray(arrays["tau"]).shape[-1])
    words = [f"depth {int(arrays['depths'][d])}, η = {float(arrays['lrs'][l]):.2g}: {fails[d, 1, l]} of {n} "
             f"orthogonal seeds fail, {fails[d, 0, l]} Gaussian, ratio {marks[d, l]}{ratio[d, l]:.2f}"
             for d, l in cells[:limit]]
    more = f"; and {len(cells) - limit} more" if len(cells) > limit else ""
    return (f"Orthogonal initialization does not win everywhere: in {len(cells)} cell{'s' if len(cells) > 1 else ''} "
            f"of the map more orthogonal than Gaussian seeds fail ({'; '.join(words)}{more})")


def large_vs_small_lr_words(arrays):
    """Whether the speed-up at the larger half of the learning rates exceeds that at the smaller half (the paper places
    the benefit in the large-learning-rate phase): decided where the two 95% intervals do not overlap."""
    (big, (blo, bhi), _), (small, (slo, shi), n) = (region_speedup(arrays, c) for c in ("large-lr", "small-lr"))
    if not n or not np.isfinite([blo, bhi, slo, shi]).all():
        return "it cannot be set against the smaller half of the learning rates, where no cell has both inits training"
    ref = f"{small:.2f} [{slo:.2f}, {shi:.2f}] at the smaller half"
    if blo > shi:
        n_uncensored = region_speedup(arrays, "large-lr", uncensored=True)[2]
        if n_uncensored < MIN_CELLS:
            return (f"it is larger there than at small learning rates ({ref}), as the paper places it, but only with "
                    f"the censored cells counted: the large half has {n_uncensored} uncensored cell"
                    f"{'s' if n_uncensored != 1 else ''}, too few to compare")
        return f"it is larger there than at small learning rates ({ref}), as the paper places it"
    if bhi < slo:
        return (f"it is smaller there than at small learning rates ({ref}): here the speed-up is not a "
                "large-learning-rate effect")
    return (f"set against {ref}, the intervals overlap: that the speed-up belongs to the large-learning-rate phase "
            "is not decided here")


def uncensored_words(arrays, claims_measured):
    """The speed claims again on uncensored cells only (every seed of both inits trains): each value, its cells and
    the verdict its claim's rule gives there, and whether any verdict changes (a censored cell, a bound, carried it)."""
    claims = {c.id: c for c in CLAIMS}
    parts, changed = [], []
    for cid, corner, where in (("speedup-deep", "deep", "in the deep half"),
                               ("speedup-large-lr", "large-lr", "at the larger learning rates")):
        v, ci, n = region_speedup(arrays, corner, uncensored=True)
        ci = ci if n >= MIN_CELLS else (float("nan"), float("nan"))
        verdict = claims[cid].verdict(v, ci)
        shown = f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]" if np.isfinite(ci[0]) else (
            f"{v:.2f} (no interval)" if np.isfinite(v) else "undefined")
        parts.append(f"{where} {shown} over {n} cell{'s' if n != 1 else ''} ({verdict})")
        if verdict != claims[cid].verdict(*claims_measured[cid][:2]):
            changed.append(cid)
    head = "On the uncensored cells alone (every seed of both initializations trains) the speed-up is " + "; ".join(parts)
    if not changed:
        return head + ": the verdicts stand without the censored cells"
    return (head + f": the verdict of {', '.join(changed)} changes without the censored cells, so a bound, not a "
            "measured speed, carries it")


def bootstrap_caveat(n_seeds, enough=8):
    """What a percentile-bootstrap interval over ``n_seeds`` seeds is worth: below ``enough`` seeds it has few
    distinct resamples and covers too little."""
    if n_seeds >= enough:
        return (f" With {n_seeds} seeds a percentile bootstrap still covers somewhat less than its nominal 95%: the "
                "intervals are a little optimistic.")
    return (f" With {n_seeds} seeds a percentile bootstrap has few distinct resamples and its intervals come out too "
            "narrow: read them as optimistic.")


def _speedup_range(arrays):
    """The prose's range of the speed-up map over uncensored cells, where each end lies, and the censored count."""
    s, full = uncensored_speedups(arrays), speedup_map(arrays)
    censored = int((np.isfinite(full) & ~np.isfinite(s)).sum())
    out = {"sp-uncensored-cells": f"{int(np.isfinite(s).sum())} of {s.size}", "sp-censored-cells": censored,
           "sp-orthogonal-losses": orthogonal_losses(arrays)}
    if not np.isfinite(s).any():
        return {**out, "sp-best": "undefined", "sp-best-where": "nowhere", "sp-worst": "undefined",
                "sp-worst-where": "nowhere"}
    where = lambda i: (f"depth {int(arrays['depths'][i[0]])}, η = {float(arrays['lrs'][i[1]]):.2g}")
    best, worst = (np.unravel_index(f(s), s.shape) for f in (np.nanargmax, np.nanargmin))
    return {**out, "sp-best": f"{s[best]:.2f}", "sp-best-where": where(best), "sp-worst": f"{s[worst]:.2f}",
            "sp-worst-where": where(worst)}


# FIGURES


def fig_curves(cfg, arrays):
    """Training accuracy of every seed at the deepest FCN, both inits, at up to three learning rates."""
    fcn = view(arrays, "fcn")
    d = len(fcn["depths"]) - 1
    usable = np.flatnonzero(failure_rate(fcn)[d].min(0) < 1)
    picks = usable[np.linspace(0, len(usable) - 1, min(3, len(usable))).round().astype(int)] if len(usable) else [0]
    fig, axes = plots.figure(ncols=len(picks), width=2.6, height=2.3, sharey=True, squeeze=False)
    for ax, l in zip(axes[0], picks):
        for i, init in enumerate(INITS):
            for s in range(fcn["train_accuracy"].shape[-2]):
                ax.plot(fcn["record_steps"], fcn["train_accuracy"][d, i, l, s], color=plots.COLORS[init], lw=1,
                        alpha=0.7, label=init if s == 0 else None)
        ax.axhline(cfg.target, color="k", ls=":", lw=1)
        ax.set(title=f"η = {fcn['lrs'][l]:.2g}", xlabel="SGD step")
    axes[0, 0].set_ylabel("training accuracy")
    axes[0, 0].legend(fontsize=7)
    return fig


def _tau_norm(tau, steps):
    from matplotlib import colors

    return colors.LogNorm(vmin=max(1, float(np.nanmin(tau))), vmax=float(steps))


def fig_grid(arrays):
    """Mean censored τ of both inits over (depth, lr), failures hatched, and the speed-up map with censored
    ratios marked."""
    from matplotlib import colors

    fcn = view(arrays, "fcn")
    tau, fail = censored_tau(fcn).mean(-1), failure_rate(fcn) > 0.5
    norm = _tau_norm(tau, fcn["steps"])
    title = "speed-up τ_gauss/τ_orth"
    return plots.grid_heatmaps(
        {"τ Gaussian": (np.where(fail[:, 0], np.nan, tau[:, 0]), "viridis", norm),
         "τ orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", norm),
         title: (speedup_map(fcn), "RdBu_r", colors.LogNorm(vmin=1 / 8, vmax=8))},
        fcn["lrs"], fcn["depths"], xlabel="learning rate η", ylabel="depth L",
        marks={"τ Gaussian": fail[:, 0], "τ orthogonal": fail[:, 1]}, fmt="{:.3g}",
        prefixes={title: censoring_marks(fcn)})


FAMILY_CMAPS = {"depths": "viridis", "widths": "autumn"}
"""Colour maps of the depth family and of the width family: a member of one never shares a colour with the other."""


def evaluation_interval(arrays):
    """Steps between evaluations on the full sets: the resolution of the test-set τ (:func:`test_tau`)."""
    steps = np.asarray(arrays["record_steps"], float)
    return float(steps[1] - steps[0]) if steps.size > 1 else float(arrays["steps"])


def fig_learning_speed(arrays):
    """The paper's learning-speed figure: τ against η (log-log) for the depth family and the width family, on the
    training mini-batch and the test set, both inits; below, the fraction of seeds that failed at each η. The
    families have colour maps of their own and a legend each; the test-set panels shade the τ below one evaluation
    interval, which the evaluations cannot resolve."""
    fams = (("depth family", view(arrays, "fcn"), "depths", "L"), ("width family", view(arrays, "family"), "widths", "n"))
    fig, axes = plots.figure(ncols=4, nrows=2, width=2.45, height=2.1, squeeze=False,
                             gridspec_kw={"height_ratios": [2.2, 1]})
    col = 0
    for (title, a, key, sym), where in zip(fams, ("outside lower left", "outside lower right")):
        ok, members = trained(a), a[key]
        for which, tau in (("mini-batch", np.asarray(a["tau"], float)), ("test set", test_tau(a))):
            ax, low = axes[0, col], axes[1, col]
            for m, member in enumerate(members):
                colour = plots.sequential(m, len(members), FAMILY_CMAPS[key])
                for i, init in enumerate(INITS):
                    style = dict(color=colour, ls="-" if init == "orthogonal" else "--", marker="so"[i == 0], ms=3)
                    ax.plot(a["lrs"], np.maximum(mean_tau(tau[m, i], ok[m, i]), 1), **style,
                            label=f"{init}, {sym}={member}")
                    low.plot(a["lrs"], 1 - ok[m, i].mean(-1), **style)
            if which == "test set":
                every = evaluation_interval(a)
                ax.axhspan(1, every, color="0.88", zorder=0, lw=0)
                ax.axhline(every, color="0.45", ls=":", lw=0.8)
                ax.annotate("τ ≤ one evaluation interval: not resolved", (0.02, 0.02), xycoords="axes fraction",
                            fontsize=5.5, color="0.3")
            ax.set(xscale="log", yscale="log", title=f"{title}: τ ({which})")
            plots.plain_log_ticks(ax.yaxis)
            low.set(xscale="log", ylim=(-0.05, 1.05), xlabel="learning rate η" if key == "depths" else "η · n / n₀ (ηΘ fixed; n₀: the depth family's width)")
            ax.title.set_fontsize(8)
            col += 1
        handles, labels = axes[0, col - 2].get_legend_handles_labels()
        fig.legend(handles, labels, loc=where, fontsize=6, ncol=min(3, len(handles)), title=title,
                   title_fontsize=7)
    axes[0, 0].set_ylabel("τ (steps to target)")
    axes[1, 0].set_ylabel("fraction failed")
    for a_ in axes.flat:
        a_.tick_params(labelsize=7)
    return fig


def fig_failure_edge(arrays):
    """The failure edge (largest η at which most seeds train) per init against depth (the depth family) and against
    width (the width family), with 95% bootstrap intervals over seeds; the grid's learning rates as faint lines
    (the edge's resolution); up-triangles: the edge is at or beyond the grid's top, down-triangles: under its
    bottom."""
    fams = (("depth family", view(arrays, "fcn"), "depths", "depth L"),
            ("width family", view(arrays, "family"), "widths", "width n"))
    fig, axes = plots.figure(ncols=2, width=2.9, height=2.4, squeeze=False)
    for ax, (title, a, key, xlabel) in zip(axes[0], fams):
        e, x = failure_edges(a), np.asarray(a[key], float)
        for lr in np.asarray(a["lrs"], float):
            ax.axhline(lr, color="0.9", lw=0.6, zorder=0)
        for i, init in enumerate(INITS):
            shift = x * (1.04 if i else 1 / 1.04)  # the two inits side by side on the log axis
            err = np.stack([e["edge"][:, i] - e["lo"][:, i], e["hi"][:, i] - e["edge"][:, i]])
            ax.errorbar(shift, e["edge"][:, i], yerr=err, color=plots.COLORS[init], marker="so"[i == 0], ms=4,
                        capsize=2, lw=1, ls="-" if init == "orthogonal" else "--", label=init)
            for mask, marker in ((e["beyond"][:, i], "^"), (e["below"][:, i], "v")):
                ax.plot(shift[mask], e["edge"][mask, i], ls="none", marker=marker, ms=7, mfc="none",
                        color=plots.COLORS[init])
        ax.set(xscale="log", yscale="log", xlabel=xlabel, title=f"{title}: failure edge", xticks=x)
        ax.set_xticklabels([f"{int(v)}" for v in x])
        ax.minorticks_off()
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel("largest η that trains")
    axes[0, 1].set_ylabel("largest η · n / n₀ that trains (n₀: depth family's width)")
    axes[0, 0].legend(fontsize=7)
    return fig


def fig_cnn_grid(arrays):
    """The CNN grid: delta-orthogonal τ, and its speed-up over Gaussian and over delta-Gaussian kernels."""
    from matplotlib import colors

    cnn = view(arrays, "cnn")
    tau, fail = censored_tau(cnn).mean(-1), failure_rate(cnn) > 0.5
    ratio = colors.LogNorm(vmin=1 / 8, vmax=8)
    over_g, over_dg = "speed-up over Gaussian", "speed-up over delta-Gaussian"
    return plots.grid_heatmaps(
        {"τ delta-orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", _tau_norm(tau, cnn["steps"])),
         over_g: (speedup_map(cnn, (0, 1)), "RdBu_r", ratio), over_dg: (speedup_map(cnn, (2, 1)), "RdBu_r", ratio)},
        cnn["lrs"], cnn["depths"], xlabel="learning rate η", ylabel="depth L (conv layers)",
        marks={"τ delta-orthogonal": fail[:, 1], over_g: fail[:, 0], over_dg: fail[:, 2]}, fmt="{:.3g}",
        prefixes={over_g: censoring_marks(cnn, (0, 1)), over_dg: censoring_marks(cnn, (2, 1))})

r"""The chapter's setting, shared by its three experiments (:mod:`.fcn_grid`, :mod:`.width_family`, :mod:`.cnn_grid`):
the knobs (:class:`Config`), the paper's figure it reproduces, the learning-rate by depth grid on the critical line,
and one training point (every learning rate and seed of one depth and initialization)."""

import dataclasses
import math

import jax
import numpy as np

from orthontk_lib import meanfield
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN, INITS
from orthontk_lib.reproduction import PaperFigure

__all__ = ["ARCHS", "CNN_DRAWS", "CNN_INITS", "Config", "DATASETS", "FIGURE", "Grid", "INITS", "SLUG", "depth_point",
           "family_lr_scale", "first_hit", "init_point", "lr_block", "training_data"]

SLUG = "speedup"
CNN_INITS = ("gaussian", "delta-orthogonal", "delta-gaussian")  # the CNN grid's
CNN_DRAWS = {"gaussian": ("gaussian", "full"), "delta-orthogonal": ("orthogonal", "delta"),
             "delta-gaussian": ("gaussian", "delta")}  # init -> (CNN init, filter)
ARCHS = ("fcn", "cnn")
DATASETS = ("digits", "cifar10")


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the speed-up grid."""

    depths: tuple[int, ...] = dataclasses.field(default=(2,), metadata={"help": "hidden layers L", "min": 1})
    width: int = dataclasses.field(default=64, metadata={"help": "hidden width", "min": 1})
    lr_min: float = dataclasses.field(default=1e-2, metadata={"help": "smallest learning rate", "min": 0.0})
    lr_max: float = dataclasses.field(default=3.0, metadata={"help": "largest learning rate", "min": 0.0})
    n_lrs: int = dataclasses.field(default=4, metadata={"help": "log-spaced learning rates", "min": 2})
    n_seeds: int = dataclasses.field(default=3, metadata={"help": "networks per (depth, lr, init)", "min": 2})
    steps: int = dataclasses.field(default=100, metadata={"help": "SGD steps", "min": 10})
    batch_size: int = dataclasses.field(default=64, metadata={"help": "mini-batch", "min": 1})
    target: float = dataclasses.field(default=0.5, metadata={
                                      "help": "accuracy that defines tau", "min": 0.0, "max": 1.0})
    target_alt: float = dataclasses.field(default=0.8, metadata={
                                          "help": "a second target (check)", "min": 0.0, "max": 1.0})
    W_var: float = dataclasses.field(default=1.05, metadata={
                                     "help": "sigma_W^2; sigma_b follows from the critical line", "min": 1.0})
    dataset: str = dataclasses.field(default="digits", metadata={
                                     "help": "\"digits\" or \"cifar10\"", "choices": DATASETS})
    n_train: int = dataclasses.field(default=512, metadata={"help": "training images", "min": 1})
    n_test: int = dataclasses.field(default=256, metadata={"help": "test images", "min": 1})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})
    # the CNN grid (seeds, data and sigma_W shared with the FCN grid)
    cnn_depths: tuple[int, ...] = dataclasses.field(default=(4, 32), metadata={"help": "conv layers L", "min": 1})
    channels: int = dataclasses.field(default=16, metadata={"help": "channels per conv layer", "min": 1})
    cnn_lr_min: float = dataclasses.field(default=0.025, metadata={"help": "smallest learning rate", "min": 0.0})
    cnn_lr_max: float = dataclasses.field(default=0.2, metadata={"help": "largest learning rate", "min": 0.0})
    cnn_n_lrs: int = dataclasses.field(default=4, metadata={"help": "log-spaced learning rates", "min": 2})
    cnn_steps: int = dataclasses.field(default=100, metadata={"help": "SGD steps", "min": 10})
    cnn_batch_size: int = dataclasses.field(default=32, metadata={"help": "mini-batch", "min": 1})
    cnn_target: float = dataclasses.field(default=0.7, metadata={
                                          "help": "accuracy that defines tau", "min": 0.0, "max": 1.0})
    # the width family (the FCN grid's training at the smaller half of its learning rates)
    family_widths: tuple[int, ...] = dataclasses.field(default=(32, 128), metadata={
                                                       "help": "width family: widths", "min": 1})
    family_depth: int = dataclasses.field(default=8, metadata={"help": "hidden layers of the width family", "min": 1})

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
        # 1,000 steps, on digits with quick's targets, 50% and 80%
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
            return Grid(depths=tuple(depths), lrs=lrs, n_seeds=self.n_seeds, steps=self.steps,
                        batch_size=self.batch_size, target=self.target, inits=INITS,
                        record_every=max(1, self.steps // 20), target_alt=self.target_alt)
        lrs = np.geomspace(self.cnn_lr_min, self.cnn_lr_max, self.cnn_n_lrs)
        # evaluated on the full sets at the start and the end only: on a CPU that costs more than training
        return Grid(depths=tuple(self.cnn_depths if depths is None else depths), lrs=lrs, n_seeds=self.n_seeds,
                    steps=self.cnn_steps, batch_size=self.cnn_batch_size, target=self.cnn_target, inits=CNN_INITS,
                    record_every=self.cnn_steps)

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
    "Huang, Du, Xu (2021), Sec. 5: the learning-speed figure, the paper's Fig. 4 (steps τ to a target accuracy against the learning "
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
    return load(cfg.dataset, n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed, flatten=flatten)


def first_hit(accuracy, target):
    """Index of the first entry >= ``target`` along the last axis, NaN where none is.

    >>> first_hit(np.array([[0.1, 0.6, 0.7], [0.1, 0.2, 0.3]]), 0.5)
    array([ 1., nan])
    """
    hit = np.asarray(accuracy) >= target
    return np.where(hit.any(-1), hit.argmax(-1), np.nan).astype(float)


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


def lr_block(n_lrs, part, parts):
    """Indices of the learning rates in block ``part`` of ``parts`` consecutive blocks of ``n_lrs``."""
    return np.array_split(np.arange(n_lrs), parts)[part]

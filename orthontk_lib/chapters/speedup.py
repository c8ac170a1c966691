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
import math

import jax
import numpy as np

from orthontk_lib import meanfield, results
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN
from orthontk_lib.book.profiles import ChapterConfig

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
    target: float = dataclasses.field(default=0.5, metadata={"min": 0.0})  # accuracy that defines tau
    W_var: float = dataclasses.field(default=1.05, metadata={"min": 1.0})  # sigma_W^2; sigma_b from chi = 1
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
    cnn_target: float = dataclasses.field(default=0.7, metadata={"min": 0.0})  # accuracy that defines tau

    PROFILES = {
        "smoke": dict(depths=(2, 4), width=16, n_lrs=3, n_seeds=2, steps=40, n_train=256, n_test=64, batch_size=32,
                      cnn_depths=(2,), channels=4, cnn_n_lrs=2, cnn_steps=20, cnn_batch_size=16),
        "quick": dict(depths=(2, 4, 8, 16, 32), width=64, lr_min=1e-2, lr_max=3.0, n_lrs=6, n_seeds=3, steps=200,
                      batch_size=128, n_train=1024, n_test=512,
                      cnn_depths=(4, 32), channels=16, cnn_lr_min=0.025, cnn_lr_max=0.2, cnn_n_lrs=4, cnn_steps=100,
                      cnn_batch_size=32, cnn_target=0.7),
        "paper": dict(depths=(10, 25, 50, 100, 200), width=400, lr_min=1e-4, lr_max=1e-1, n_lrs=16, n_seeds=10,
                      steps=2000, batch_size=1000, target=0.25, dataset="cifar10", n_train=50000, n_test=10000,
                      cnn_depths=(10, 25, 50), channels=16, cnn_lr_min=1e-3, cnn_lr_max=0.3, cnn_n_lrs=8,
                      cnn_steps=1000, cnn_batch_size=64, cnn_target=0.25),
    }

    def __post_init__(self):
        from orthontk_lib.book.profiles import ConfigError

        for prefix in ("", "cnn_"):
            lo, hi = getattr(self, prefix + "lr_min"), getattr(self, prefix + "lr_max")
            if not hi > lo > 0:
                raise ConfigError(f"{prefix}lr_max: must exceed {prefix}lr_min > 0, got {prefix}lr_min={lo}, "
                                  f"{prefix}lr_max={hi}")
            if not 0 < getattr(self, prefix + "target") <= 1:
                raise ConfigError(f"{prefix}target: an accuracy in (0, 1], got {getattr(self, prefix + 'target')}")

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

    def grid(self, arch="fcn"):
        """The :class:`Grid` of ``arch`` (``"fcn"`` or ``"cnn"``)."""
        if arch == "fcn":
            return Grid(self.depths, self.lrs, self.n_seeds, self.steps, self.batch_size, self.target, INITS,
                        max(1, self.steps // 20))
        lrs = np.geomspace(self.cnn_lr_min, self.cnn_lr_max, self.cnn_n_lrs)
        # evaluated on the full sets at the start and the end only: on a CPU that costs more than training
        return Grid(self.cnn_depths, lrs, self.n_seeds, self.cnn_steps, self.cnn_batch_size, self.cnn_target,
                    CNN_INITS, self.cnn_steps)

    def spec(self, depth, init, arch="fcn"):
        """The network of ``arch`` at ``depth`` drawn by ``init`` (one of the grid's ``inits``)."""
        if arch == "fcn":
            return FCN(depth, self.width, "tanh", math.sqrt(self.W_var), self.b_std, init,
                       parameterization="standard", out_dim=10)
        draw, filt = CNN_DRAWS[init]
        return CNN(depth, self.channels, 3, "tanh", math.sqrt(self.W_var), self.b_std, draw,
                   parameterization="standard", out_dim=10, filter=filt)


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

    def params(self):
        """What a saved grid point depends on (with the config's network and data fields)."""
        return {"lrs": [float(v) for v in self.lrs], "n_seeds": self.n_seeds, "steps": self.steps,
                "batch_size": self.batch_size, "target": self.target, "inits": list(self.inits),
                "record_every": self.record_every}


def training_data(cfg, arch="fcn"):
    """The chapter's data: pixels in [0, 1], one-hot labels (the paper's CIFAR-10 preprocessing);
    flattened for the FCN, images (N, H, W, C) for the CNN."""
    flatten = arch == "fcn"
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


def depth_point(cfg, data, depth, mesh=None, arch="fcn"):
    """Every init of ``arch``'s grid at one depth, all (lr, seed) pairs in one program per init;
    arrays indexed (init, lr, seed, ...)."""
    from orthontk_lib import train

    grid = cfg.grid(arch)
    every = grid.record_every
    config = train.TrainConfig(steps=grid.steps - grid.steps % every, batch_size=grid.batch_size,
                               loss="cross_entropy", record_every=every)
    lrs = np.repeat(grid.lrs, grid.n_seeds)
    out = {k: [] for k in ("tau", "diverged", "train_loss", "train_accuracy", "test_accuracy")}
    for init in grid.inits:
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), lrs.size)  # same seeds per init
        h = train.fit_grid(cfg.spec(depth, init, arch), config, keys, lrs, data, mesh=mesh)
        shape = (len(grid.lrs), grid.n_seeds)
        out["tau"].append(first_hit(h["batch_accuracy"], grid.target).reshape(shape) + 1)  # steps taken
        out["diverged"].append(h["diverged"].reshape(shape))
        for k in ("train_loss", "train_accuracy", "test_accuracy"):
            out[k].append(h[k].reshape(shape + (-1,)))
    out = {k: np.stack(v) for k, v in out.items()}
    out["record_steps"] = h["record_steps"]
    return out


def compute(cfg):
    """Both grids, one saved point per (architecture, depth); arrays indexed (depth, init, lr, seed, ...),
    the CNN grid's with the prefix ``cnn_`` (:func:`view` takes one grid's arrays)."""
    mesh = default_mesh()
    out = {}
    for arch in ARCHS:
        grid = cfg.grid(arch)
        data = training_data(cfg, arch)
        net = ("width",) if arch == "fcn" else ("channels",)
        base = {**{k: getattr(cfg, k) for k in net + ("W_var", "dataset", "n_train", "n_test", "seed")},
                **grid.params()}
        pts = results.sweep(f"{SLUG}/{cfg.profile}/{arch}-grid", base, [{"depth": L} for L in grid.depths],
                            lambda p: depth_point(cfg, data, p["depth"], mesh, arch), profile=cfg.profile,
                            seeds=cfg.seeds, desc=f"{arch.upper()} SGD grid by depth")
        a = {k: np.stack([p.arrays[k] for p in pts]) for k in ("tau", "diverged", "train_loss", "train_accuracy",
                                                                "test_accuracy")}
        a.update(depths=np.asarray(grid.depths), lrs=grid.lrs, record_steps=pts[0].arrays["record_steps"],
                 steps=np.asarray(grid.steps), target=np.asarray(grid.target), inits=np.asarray(grid.inits))
        out.update({("" if arch == "fcn" else "cnn_") + k: v for k, v in a.items()})
    out["b_std"] = np.asarray(cfg.b_std)
    return out


def view(arrays, arch="fcn"):
    """One grid's arrays from :func:`compute`'s, without the ``cnn_`` prefix."""
    if arch == "fcn":
        return {k: v for k, v in arrays.items() if not k.startswith("cnn_")}
    return {k[4:]: v for k, v in arrays.items() if k.startswith("cnn_")}


# STATISTICS


def censored_tau(arrays):
    """tau with failures set to the step budget: (depth, init, lr, seed)."""
    return np.where(np.isnan(arrays["tau"]), float(arrays["steps"]), arrays["tau"])


def failure_rate(arrays):
    """Fraction of seeds that never reach the target: (depth, init, lr)."""
    return np.isnan(arrays["tau"]).mean(-1)


def speedup_map(arrays, pair=(0, 1)):
    """Mean censored tau of init ``pair[0]`` over init ``pair[1]`` (by default Gaussian over orthogonal):
    (depth, lr); NaN where neither init ever succeeds."""
    tau = censored_tau(arrays).mean(-1)  # (depth, init, lr)
    ratio = tau[:, pair[0]] / tau[:, pair[1]]
    return np.where(failure_rate(arrays)[:, list(pair)].min(1) < 1, ratio, np.nan)


def region(shape, corner):
    """Boolean mask over a (depth, lr) grid of ``shape``: ``"deep-large"`` = upper half of depths and of
    learning rates; ``"shallow-small"`` = lower half of both (the middle entry of an odd count is in neither)."""
    d, l = shape
    upper = lambda n: np.arange(n) >= n - n // 2
    lower = lambda n: np.arange(n) < n // 2
    pick = (upper, upper) if corner == "deep-large" else (lower, lower)
    return pick[0](d)[:, None] & pick[1](l)[None, :]


def region_speedup(arrays, corner, pair=(0, 1), n_boot=2000, seed=0):
    """Geometric mean over a region's cells of the speed-up of init ``pair[1]`` over ``pair[0]``,
    and a 95% bootstrap interval over seeds.

    Cells where neither init ever reaches the target carry no information and are left out.
    Returns ``(value, (lo, hi), cells)``.
    """
    tau = censored_tau(arrays)  # (D, I, L, S)
    mask = region((tau.shape[0], tau.shape[2]), corner) & np.isfinite(speedup_map(arrays, pair))
    cells = np.argwhere(mask)
    if not len(cells):
        return float("nan"), (float("nan"), float("nan")), 0
    slow, fast = pair

    def stat(t):
        return float(np.exp(np.mean([np.log(t[d, slow, l].mean() / t[d, fast, l].mean()) for d, l in cells])))

    rng = np.random.default_rng(seed)
    s = tau.shape[-1]
    boots = [stat(np.take_along_axis(tau, rng.integers(0, s, tau.shape), -1)) for _ in range(n_boot)]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return stat(tau), (float(lo), float(hi)), len(cells)


def failure_edge(arrays):
    """Per depth and init, the largest learning rate at which most seeds reach the target (NaN if none)."""
    ok = failure_rate(arrays) < 0.5  # (depth, init, lr)
    lrs = np.asarray(arrays["lrs"])
    inits = [str(i) for i in arrays.get("inits", INITS)]
    return {int(L): {init: float(lrs[ok[d, i]].max()) if ok[d, i].any() else float("nan") for i, init in enumerate(inits)}
            for d, L in enumerate(arrays["depths"])}

r"""Chapter "Where orthogonal initialization speeds up training": a (learning rate x depth) grid.

Deep tanh FCNs in the standard parameterization (weights of variance
:math:`\sigma_W^2 / n_{in}`, Gaussian, or :math:`\sigma_W Q` with :math:`Q`
Haar-orthogonal), on the critical line :math:`\chi = 1` at a small fixed point
:math:`q^*`, where tanh is nearly linear (Huang, Du, Xu 2021, Sec. 5: their
:math:`\sigma_W^2 = 1.05, \sigma_b^2 = 2.01\cdot10^{-5}`). Plain SGD on softmax
cross-entropy. For every (depth, init), all (learning rate, seed) runs are one
jitted program (:func:`orthontk_lib.train.fit_grid`), sharded over the available
devices.

The statistic is the paper's: :math:`\tau`, the first step at which the
accuracy on the current mini-batch reaches ``target``. A run that never reaches
it within ``steps`` counts as failed; for the speed-up
:math:`\tau_{\text{gauss}} / \tau_{\text{orth}}` its :math:`\tau` is censored at
``steps`` (which understates the speed-up of the init that succeeds).
"""

import dataclasses
import math

import jax
import numpy as np

from orthontk_lib import meanfield, results
from orthontk_lib.data import load
from orthontk_lib.models import FCN
from orthontk_lib.profiles import ChapterConfig

SLUG = "speedup"
INITS = ("gaussian", "orthogonal")
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
    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})
    n_train: int = dataclasses.field(default=512, metadata={"min": 1})  # training images
    n_test: int = dataclasses.field(default=256, metadata={"min": 1})  # test images
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(depths=(2, 4), width=16, n_lrs=3, n_seeds=2, steps=40, n_train=256, n_test=64, batch_size=32),
        "quick": dict(depths=(2, 4, 8, 16, 32), width=64, lr_min=1e-2, lr_max=3.0, n_lrs=6, n_seeds=3, steps=200,
                      batch_size=128, n_train=1024, n_test=512),
        "paper": dict(depths=(10, 25, 50, 100, 200), width=400, lr_min=1e-4, lr_max=1e-1, n_lrs=16, n_seeds=10,
                      steps=2000, batch_size=1000, target=0.25, dataset="cifar10", n_train=50000, n_test=10000),
    }

    def __post_init__(self):
        from orthontk_lib.profiles import ConfigError

        if not self.lr_max > self.lr_min > 0:
            raise ConfigError(f"lr_max: must exceed lr_min > 0, got lr_min={self.lr_min}, lr_max={self.lr_max}")
        if not 0 < self.target <= 1:
            raise ConfigError(f"target: an accuracy in (0, 1], got {self.target}")

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

    def spec(self, depth, init):
        return FCN(depth, self.width, "tanh", math.sqrt(self.W_var), self.b_std, init,
                   parameterization="standard", out_dim=10)


def training_data(cfg):
    """The chapter's data: pixels in [0, 1], flattened, one-hot labels (the paper's CIFAR-10 preprocessing)."""
    if cfg.dataset == "digits":
        return load("digits", n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed)
    return load("cifar10", n_train=cfg.n_train, n_test=cfg.n_test)


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


def depth_point(cfg, data, depth, mesh=None):
    """Both inits at one depth, all (lr, seed) pairs in one program per init; arrays indexed (init, lr, seed, ...)."""
    from orthontk_lib import train

    every = max(1, cfg.steps // 20)
    config = train.TrainConfig(steps=cfg.steps - cfg.steps % every, batch_size=cfg.batch_size,
                               loss="cross_entropy", record_every=every)
    lrs = np.repeat(cfg.lrs, cfg.n_seeds)
    out = {k: [] for k in ("tau", "diverged", "train_loss", "train_accuracy", "test_accuracy")}
    for init in INITS:
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), lrs.size)  # same seeds per init
        h = train.fit_grid(cfg.spec(depth, init), config, keys, lrs, data, mesh=mesh)
        shape = (cfg.n_lrs, cfg.n_seeds)
        out["tau"].append(first_hit(h["batch_accuracy"], cfg.target).reshape(shape) + 1)  # steps taken
        out["diverged"].append(h["diverged"].reshape(shape))
        for k in ("train_loss", "train_accuracy", "test_accuracy"):
            out[k].append(h[k].reshape(shape + (-1,)))
    out = {k: np.stack(v) for k, v in out.items()}
    out["record_steps"] = h["record_steps"]
    return out


def compute(cfg):
    """The grid, one saved point per depth; arrays indexed (depth, init, lr, seed, ...)."""
    data = training_data(cfg)
    mesh = default_mesh()
    base = {k: v for k, v in cfg.asdict().items() if k not in ("depths", "profile")}
    pts = results.sweep(f"{SLUG}/{cfg.profile}/grid", base, [{"depth": L} for L in cfg.depths],
                        lambda p: depth_point(cfg, data, p["depth"], mesh), profile=cfg.profile, seeds=cfg.seeds,
                        desc="SGD grid by depth")
    out = {k: np.stack([p.arrays[k] for p in pts]) for k in ("tau", "diverged", "train_loss", "train_accuracy",
                                                              "test_accuracy")}
    out.update(depths=np.asarray(cfg.depths), lrs=cfg.lrs, record_steps=pts[0].arrays["record_steps"],
               steps=np.asarray(cfg.steps), b_std=np.asarray(cfg.b_std))
    return out


# STATISTICS


def censored_tau(arrays):
    """tau with failures set to the step budget: (depth, init, lr, seed)."""
    return np.where(np.isnan(arrays["tau"]), float(arrays["steps"]), arrays["tau"])


def failure_rate(arrays):
    """Fraction of seeds that never reach the target: (depth, init, lr)."""
    return np.isnan(arrays["tau"]).mean(-1)


def speedup_map(arrays):
    """Mean censored tau of Gaussian over orthogonal runs: (depth, lr); NaN where neither init ever succeeds."""
    tau = censored_tau(arrays).mean(-1)  # (depth, init, lr)
    ratio = tau[:, 0] / tau[:, 1]
    return np.where(failure_rate(arrays).min(1) < 1, ratio, np.nan)


def region(cfg, corner):
    """Boolean (depth, lr) mask: ``"deep-large"`` = upper half of depths and of learning rates;
    ``"shallow-small"`` = lower half of both (the middle entry of an odd count is in neither)."""
    d, l = len(cfg.depths), cfg.n_lrs
    upper = lambda n: np.arange(n) >= n - n // 2
    lower = lambda n: np.arange(n) < n // 2
    pick = (upper, upper) if corner == "deep-large" else (lower, lower)
    return pick[0](d)[:, None] & pick[1](l)[None, :]


def region_speedup(cfg, arrays, corner, n_boot=2000, seed=0):
    """Geometric mean over a region's cells of the speed-up, and a 95% bootstrap interval over seeds.

    Cells where neither init ever reaches the target carry no information and are left out.
    Returns ``(value, (lo, hi), cells)``.
    """
    tau = censored_tau(arrays)  # (D, 2, L, S)
    mask = region(cfg, corner) & np.isfinite(speedup_map(arrays))
    cells = np.argwhere(mask)
    if not len(cells):
        return float("nan"), (float("nan"), float("nan")), 0

    def stat(t):
        return float(np.exp(np.mean([np.log(t[d, 0, l].mean() / t[d, 1, l].mean()) for d, l in cells])))

    rng = np.random.default_rng(seed)
    s = tau.shape[-1]
    boots = [stat(np.take_along_axis(tau, rng.integers(0, s, tau.shape), -1)) for _ in range(n_boot)]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return stat(tau), (float(lo), float(hi)), len(cells)


def failure_edge(arrays):
    """Per depth and init, the largest learning rate at which most seeds reach the target (NaN if none)."""
    ok = failure_rate(arrays) < 0.5  # (depth, init, lr)
    lrs = np.asarray(arrays["lrs"])
    return {int(L): {init: float(lrs[ok[d, i]].max()) if ok[d, i].any() else float("nan") for i, init in enumerate(INITS)}
            for d, L in enumerate(arrays["depths"])}

r"""The chapter's setting, shared by its four experiments: the knobs (:class:`Config`), the activations' multiplicities,
the training of a point's networks and the end of their initial stage; each experiment (:mod:`.scales`, :mod:`.line`,
:mod:`.adam`, :mod:`.deep`) has its points, sweep and arrays in its own part."""

import dataclasses
import functools

import numpy as np

from orthontk_lib import activations
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.data import load
from orthontk_lib.train import fit_grid

from .orientations import condensed_orientations, initial_stage_end, input_weights

__all__ = ["ADAM_ACTIVATIONS", "ADAM_KNOBS", "COUNTING_KNOBS", "Config", "MULTIPLICITY", "SLUG", "count_stride",
           "sines_task", "stage_ends", "train_point"]

SLUG = "condensation"


MULTIPLICITY = {name: a.multiplicity for name, a in activations.TABLE.items()}
r"""Every activation of :data:`orthontk_lib.activations.TABLE`, with its multiplicity :math:`p`:
:math:`\phi^{(k)}(0) = 0` for :math:`1 \le k < p`, :math:`\phi^{(p)}(0) \ne 0` (``x·tanh``: :math:`\phi''(0) = 2`).
ReLU has no derivative at 0: the theorem does not cover it (``None``)."""


ADAM_ACTIVATIONS = ("tanh", "sigmoid", "softplus", "xtanh", "x2tanh", "relu")
"""The activations of the paper's main experiment (multiplicities 1, 1, 1, 2, 3, and ReLU)."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the condensation experiments."""

    activations: tuple[str, ...] = dataclasses.field(default=("tanh",), metadata={"help": "phi, from MULTIPLICITY"})
    scales: tuple[float, ...] = dataclasses.field(default=(1.0, 0.01), metadata={
                                                  "help": "init std in units of LeCun's, > 0"})
    width: int = dataclasses.field(default=50, metadata={"help": "hidden neurons m", "min": 2})
    d: int = dataclasses.field(default=5, metadata={"help": "input dimension", "min": 1})
    n_train: int = dataclasses.field(default=80, metadata={"help": "training points", "min": 2})
    n_seeds: int = dataclasses.field(default=4, metadata={"help": "networks per (activation, scale)", "min": 1})
    steps: int = dataclasses.field(default=10000, metadata={"help": "full-batch GD steps", "min": 10})
    lr: float = dataclasses.field(default=5e-3, metadata={"help": "learning rate", "min": 0.0})
    records: int = dataclasses.field(default=1000, metadata={"help": "evaluations over training", "min": 2})
    loss_drop: float = dataclasses.field(default=0.05, metadata={"help": "end of the initial stage", "min": 0.0})
    threshold: float = dataclasses.field(default=0.95, metadata={"help": "cosine joining two orientations", "min": 0.0})
    cover: float = dataclasses.field(default=0.9, metadata={"help": "share of sum |u_k|^2 to account for", "min": 0.0})
    activations_1d: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh", "relu"), metadata={
                                                        "help": "phi of the 1-D networks"})
    width_1d: int = dataclasses.field(default=100, metadata={"help": "neurons of the 1-D networks", "min": 2})
    n_1d: int = dataclasses.field(default=40, metadata={"help": "1-D training points", "min": 2})
    steps_1d: int = dataclasses.field(default=600, metadata={"help": "1-D Adam steps (evaluated every 2)", "min": 10})
    lr_1d: float = dataclasses.field(default=5e-4, metadata={"help": "1-D Adam learning rate", "min": 0.0})
    scale_1d: float = dataclasses.field(default=1e-3, metadata={"help": "1-D init scale (x LeCun's std)", "min": 0.0})
    std_1d: float = dataclasses.field(default=0.0, metadata={
                                      "help": "if > 0: every 1-D parameter from N(0, std^2)", "min": 0.0})
    adam_activations: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh"), metadata={
                                                          "help": "phi of the paper's Adam runs"})
    adam_std: float = dataclasses.field(default=0.005, metadata={
                                        "help": "std of every parameter, Adam runs", "min": 0.0})
    adam_lr: float = dataclasses.field(default=1e-3, metadata={"help": "Adam learning rate", "min": 0.0})
    adam_steps: int = dataclasses.field(default=300, metadata={
                                        "help": "full-batch Adam steps (evaluated every 2)", "min": 10})
    deep_depth: int = dataclasses.field(default=3, metadata={
                                        "help": "hidden layers of the deeper Adam networks", "min": 2})
    deep_activations: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh"), metadata={
                                                          "help": "phi of the deeper networks"})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PROFILES = {
        "smoke": dict(activations=("tanh", "relu"), scales=(1.0, 0.03, 0.01), n_seeds=2, steps=2000, records=200,
                      steps_1d=300, width_1d=50, adam_activations=("tanh", "xtanh"), adam_steps=100),
        "quick": dict(activations=("tanh", "xtanh", "relu"), scales=(1.0, 0.1, 0.03, 0.01, 0.003), n_seeds=4,
                      steps=10000, records=1000, adam_activations=ADAM_ACTIVATIONS),
        "paper": dict(adam_activations=ADAM_ACTIVATIONS, std_1d=0.005, activations=("tanh", "sigmoid", "softplus", "xtanh", "relu"),
                      scales=(1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001), n_seeds=16, steps=100000, records=1000,
                      steps_1d=2000),
    }
    COST = {"paper": Cost("CPU", 25, "measured 22 minutes on 2 CPU cores, 2026-11-28 (evaluated every 10 steps then; "
                                     "now every 100, which keeps the committed arrays small)")}

    def __post_init__(self):
        bad = [a for a in self.activations + self.activations_1d + self.adam_activations + self.deep_activations
               if a not in MULTIPLICITY]
        if bad:
            raise ConfigError(f"activations: each must be one of {', '.join(MULTIPLICITY)}; got {bad[0]!r}")
        if min(self.scales) <= 0 or self.scale_1d <= 0:
            raise ConfigError(f"scales: initialization scales must be > 0; got {list(self.scales)}, {self.scale_1d}")
        if self.records > self.steps or self.steps % self.records:
            raise ConfigError(f"records: must divide steps ({self.steps}); got {self.records}")
        if self.steps_1d % 2 or self.adam_steps % 2:
            raise ConfigError(f"steps_1d, adam_steps: must be even (evaluated every 2 steps); got {self.steps_1d}, "
                              f"{self.adam_steps}")
        if not (0 < self.loss_drop < 1 and 0 < self.threshold < 1 and 0 < self.cover <= 1):
            raise ConfigError("loss_drop, threshold, cover: must lie in (0, 1) (cover may be 1); got "
                              f"{self.loss_drop}, {self.threshold}, {self.cover}")


# TRAINING


def train_point(spec, data, cfg_train, lr, keys, params=None):
    """Train ``len(keys)`` networks (from ``params`` if given); their losses (G, R) and input weights (G, R, m, d + 1)."""
    hist = fit_grid(spec, cfg_train, keys, np.full(len(keys), lr, np.float32), data, record_params=True,
                    params=params)
    return hist["train_loss"], input_weights(hist["params"])


def stage_ends(cfg, loss, u):
    """Per seed: the end of the initial stage (evaluation index, −1 if it never ended), the condensed orientations
    there (−1 if it never ended) and the input weights there (at the last evaluation if it never ended)."""
    ends = np.array([initial_stage_end(lg, cfg.loss_drop) for lg in loss])
    at_end = np.stack([ug[e] for ug, e in zip(u, ends)])
    counts = np.array([condensed_orientations(ur, cfg.threshold, cfg.cover) if e >= 0 else -1
                       for ur, e in zip(at_end, ends)])
    return ends, counts, at_end


def count_stride(cfg):
    """Evaluations between two counts of the orientations over training (about 100 counts a run)."""
    return max(1, cfg.records // 100)


@functools.lru_cache(maxsize=2)
def sines_task(cfg):
    """The d-dimensional sines task of a sweep's view."""
    return load("sines", n_train=cfg.n_train, n_test=200, d=cfg.d, seed=cfg.seed)


COUNTING_KNOBS = ("loss_drop", "threshold", "cover")  # how orientations are counted at the stage's end


ADAM_KNOBS = ("width", "d", "n_train", "n_seeds", "adam_std", "adam_lr", "adam_steps", "seed") + COUNTING_KNOBS

r"""The experiment of the training curves: the chapter's knobs (:class:`Config`), its measurement points, the sweeps that save
them and :func:`compute`."""

import dataclasses
import math
from typing import NamedTuple

import jax
import numpy as np

from orthontk_lib import results
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.data import DIMENSION, load
from orthontk_lib.models import FCN, INITS
from orthontk_lib.reproduction import PaperFigure

__all__ = ["Config", "DATASETS", "FIGURE", "GD", "GD_FIGURE", "INITS", "SGD", "SGD_FIGURE", "METRICS", "SETTINGS", "SLUG", "SWEEPS", "Setting", "_points",
           "compute", "computed_differences", "point_minutes", "run_setting", "training_data"]

SLUG = "training-curves"
DATASETS = ("digits", "cifar10")
METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


class Setting(NamedTuple):
    """One of the paper's training runs (widths, steps and seeds are the profile's)."""

    depth: int
    activation: str
    W_var: float  # sigma_W^2
    b_var: float  # sigma_b^2
    optimizer: str  # "sgd" or "rmsprop"
    lr: float  # the paper's learning rate at the paper's width
    batch_size: int | None  # None: full batch
    loss: str  # "mse" (one-hot targets) or "cross_entropy"
    paper_width: int
    paper_steps: int
    figure: str  # which of the paper's figures: its own number, or the supplement's figure by name


SETTINGS = {
    "gd-shallow": Setting(3, "tanh", 1.5, 0.01, "sgd", 1e-3, None, "mse", 400, 10_000, "Fig. 3, full-batch GD"),
    "gd-deep": Setting(7, "tanh", 1.5, 0.1, "sgd", 1e-4, None, "mse", 800, 10_000, "Fig. 3, full-batch GD"),
    "sgd-tanh": Setting(5, "tanh", 2.0, 0.1, "sgd", 1e-3, 1000, "cross_entropy", 800, 100_000,
                        "supplement, NTK-regime SGD figure"),
    "rmsprop-relu": Setting(9, "relu", 2.0, 0.01, "rmsprop", 1e-5, 1000, "mse", 1600, 100_000,
                            "supplement, NTK-regime SGD figure"),
}
"""The paper's settings. The paper does not state the ReLU run's σ_W² and σ_b²; 2.0 and 0.01 are the book's choice."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the four training runs; ``widths`` and ``steps`` list one value per setting, in SETTINGS order."""

    widths: tuple[int, ...] = dataclasses.field(default=(16, 16, 16, 16), metadata={"help": "hidden widths", "min": 1})
    steps: tuple[int, ...] = dataclasses.field(default=(20, 20, 20, 20), metadata={"help": "optimizer steps", "min": 2})
    n_seeds: int = dataclasses.field(default=2, metadata={"help": "networks per (setting, init)", "min": 2})
    records: int = dataclasses.field(default=20, metadata={"help": "evaluations per run", "min": 2})
    dataset: str = dataclasses.field(default="digits", metadata={
                                     "help": "\"digits\" or \"cifar10\"", "choices": DATASETS})
    n_train_gd: int = dataclasses.field(default=256, metadata={"help": "training images, full-batch runs", "min": 1})
    n_train_sgd: int = dataclasses.field(default=1297, metadata={"help": "training images, mini-batch runs", "min": 1})
    n_test: int = dataclasses.field(default=256, metadata={"help": "test images", "min": 1})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PRECISION = "tensorfloat32"  # training curves over seeds; TF32 to be checked against "highest" on a GPU
    PROFILES = {
        "smoke": dict(widths=(16, 16, 16, 16), steps=(20, 20, 20, 20), n_seeds=2, records=5, n_train_gd=32,
                      n_train_sgd=64, n_test=32),
        "quick": dict(widths=(128, 128, 64, 64), steps=(1000, 1000, 300, 300), n_seeds=6, records=20),
        # the paper's architectures, widths, batch, optimizers and learning rates; 10 seeds and 10^4 steps (the paper:
        # 30 seeds, and 10^5 steps for the SGD figure, 98% of the cost), on digits
        "paper": dict(widths=(400, 800, 800, 1600), steps=(10_000, 10_000, 10_000, 10_000), n_seeds=10, records=50,
                      dataset="digits", n_train_gd=256, n_train_sgd=1297, n_test=256),
    }
    COST = {"paper": Cost("GPU", 8, "estimate: about 30 PFLOP of training (6 FLOP per weight per image, 10 seeds per "
                                    "init, digits' 64 inputs), at 80 TFLOP/s, plus evaluations")}

    def __post_init__(self):
        for name in ("widths", "steps"):
            if len(getattr(self, name)) != len(SETTINGS):
                raise ConfigError(f"{name}: one value per setting ({', '.join(SETTINGS)}); got {getattr(self, name)}")
        if self.records > min(self.steps):
            raise ConfigError(f"records: at most the smallest step count ({min(self.steps)}); got {self.records}")

    def width(self, name):
        return self.widths[list(SETTINGS).index(name)]

    # the widths and steps of each paper figure's settings, which its caption compares with the paper's
    gd_widths = property(lambda self: tuple(map(self.width, GD)))
    gd_steps = property(lambda self: tuple(map(self.n_steps, GD)))
    sgd_widths = property(lambda self: tuple(map(self.width, SGD)))
    sgd_steps = property(lambda self: tuple(map(self.n_steps, SGD)))

    def n_steps(self, name):
        return self.steps[list(SETTINGS).index(name)]

    def lr(self, name, width=None):
        """The paper's learning rate, times paper width / width for plain (S)GD (η Θ unchanged); ``width`` in place
        of the setting's."""
        s = SETTINGS[name]
        return s.lr * (s.paper_width / (width or self.width(name)) if s.optimizer == "sgd" else 1.0)

    def spec(self, name, init, width=None):
        s = SETTINGS[name]
        return FCN(s.depth, width or self.width(name), s.activation, math.sqrt(s.W_var), math.sqrt(s.b_var), init,
                   parameterization="standard", out_dim=10)


FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4: the paper's Fig. 3 (full-batch GD) and its supplement's NTK-regime SGD figure, "
    "training and test loss and accuracy against steps",
    settings=dict(widths=tuple(s.paper_width for s in SETTINGS.values()),
                  steps=tuple(s.paper_steps for s in SETTINGS.values()), dataset="cifar10", n_train_gd=256,
                  n_test=256),
    always=("the RMSProp run uses the chapter's data set (paper: MNIST)",
            "the ReLU run's σ_W² = 2 and σ_b² = 0.01 are the book's choice (the paper does not state them)"),
    labels=dict(n_train_gd="full-batch training images", n_test="test images"))
"""Both of the paper's figures the chapter redraws: the page's table of the paper's settings against the run shown."""

GD, SGD = ("gd-shallow", "gd-deep"), ("sgd-tanh", "rmsprop-relu")
"""The settings of the paper's Fig. 3 (full-batch GD) and of its supplement's SGD figure."""

GD_FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4: the paper's Fig. 3, full-batch GD, training and test loss and accuracy against "
    "steps",
    settings=dict(gd_widths=tuple(SETTINGS[n].paper_width for n in GD),
                  gd_steps=tuple(SETTINGS[n].paper_steps for n in GD), dataset="cifar10", n_train_gd=256,
                  n_test=256),
    labels=dict(gd_widths="widths", gd_steps="steps", n_train_gd="training images", n_test="test images"))
"""The paper's Fig. 3 alone: the differences its caption lists."""

SGD_FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), supplement: the NTK-regime SGD figure, training and test loss and accuracy against steps",
    settings=dict(sgd_widths=tuple(SETTINGS[n].paper_width for n in SGD),
                  sgd_steps=tuple(SETTINGS[n].paper_steps for n in SGD), dataset="cifar10", n_test=256),
    always=FIGURE.always,
    labels=dict(sgd_widths="widths", sgd_steps="steps", dataset="the SGD run's data set", n_test="test images"))
"""The supplement's SGD figure alone: the differences its caption lists."""


def computed_differences(cfg, names=tuple(SETTINGS)):
    """Differences no single knob names, for the settings ``names``: the seed count (the authors' published runs
    have 30 per init, full-batch and RMSProp alike) and learning rates scaled to the width."""
    lrs = [f"{name} η = {cfg.lr(name):.3g} (paper: {SETTINGS[name].lr:g})" for name in names
           if not math.isclose(cfg.lr(name), SETTINGS[name].lr)]
    seeds = [] if cfg.n_seeds == 30 else [f"{cfg.n_seeds} seeds per init (paper: 30)"]
    return seeds + (["learning rates scaled by paper width / width: " + ", ".join(lrs)] if lrs else [])


# THE EXPERIMENT


def training_data(cfg, name, n_train=None):
    """Images flattened and scaled to [0, 1], one-hot labels; 256 (full batch) or ``n_train_sgd`` training images
    (``n_train`` in place of the profile's)."""
    if n_train is None:
        n_train = cfg.n_train_gd if SETTINGS[name].batch_size is None else cfg.n_train_sgd
    return load(cfg.dataset, n_train=n_train, n_test=cfg.n_test, seed=cfg.seed)


def run_setting(cfg, name, width=None, steps=None, n_train=None):
    """Both inits, ``n_seeds`` networks each: every metric as (init, seed, record), and the record steps; ``width``,
    ``steps`` and ``n_train`` in place of the config's for this setting."""
    from orthontk_lib import train

    s, steps = SETTINGS[name], steps or cfg.n_steps(name)
    every = steps // cfg.records
    data = training_data(cfg, name, n_train)
    batch = None if s.batch_size is None else min(s.batch_size, data.x_train.shape[0])
    config = train.TrainConfig(steps=every * cfg.records, batch_size=batch, loss=s.loss, optimizer=s.optimizer,
                               record_every=every)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), list(SETTINGS).index(name)), cfg.n_seeds)
    out = {m: [] for m in METRICS + ("diverged",)}
    lr = cfg.lr(name, width)
    for init in INITS:
        h = train.fit_grid(cfg.spec(name, init, width), config, keys, np.full(cfg.n_seeds, lr), data)
        for m in METRICS + ("diverged",):
            out[m].append(h[m])
    return {**{m: np.stack(v) for m, v in out.items()}, "record_steps": h["record_steps"]}


def _points(cfg):
    """One point per setting, with the width, steps and training-set size it runs at."""
    n_train = lambda name: cfg.n_train_gd if SETTINGS[name].batch_size is None else cfg.n_train_sgd
    return [{"setting": name, "width": cfg.widths[i], "n_steps": cfg.steps[i], "n_train": n_train(name)}
            for i, name in enumerate(SETTINGS)]


def point_minutes(cfg, p, device):
    """Estimated minutes of one setting's point (both inits): :func:`orthontk_lib.book.cost.training_flops` of its
    network at :data:`orthontk_lib.book.cost.THROUGHPUT`."""
    from orthontk_lib.book import cost

    s, n = SETTINGS[p["setting"]], p["width"]
    weights = DIMENSION[cfg.dataset] * n + (s.depth - 1) * n * n + n * 10
    batch = p["n_train"] if s.batch_size is None else min(s.batch_size, p["n_train"])
    flops = cost.training_flops(weights, batch, p["n_steps"], 2 * cfg.n_seeds, cfg.records + 1, p["n_train"] + cfg.n_test)
    return cost.estimated_minutes(flops / 2, device) * 2  # one program per init


SWEEPS = {"runs": results.Sweep(
    SLUG, "runs", knobs=("n_seeds", "records", "dataset", "n_test", "seed"),
    over=("widths", "steps", "n_train_gd", "n_train_sgd"), points=_points,
    run=lambda cfg, p: run_setting(cfg, p["setting"], p["width"], p["n_steps"], p["n_train"]), device="GPU",
    minutes=point_minutes,
    desc="training runs by setting")}
"""The chapter's sweep: one point per setting (its width, step count and training-set size in the point)."""


def compute(cfg):
    """One saved point per setting: ``<setting>_<metric>`` (init, seed, record) and ``<setting>_steps``."""
    pts = SWEEPS["runs"].results(cfg)
    out = {}
    for name, p in zip(SETTINGS, pts):
        out.update({f"{name}_{m}": p.arrays[m] for m in METRICS + ("diverged",)})
        out[f"{name}_steps"] = p.arrays["record_steps"]
    return out

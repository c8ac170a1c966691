r"""The chapter's setting, shared by its experiments: the points measured in each phase and the paper's, the knobs
(:class:`Config`), the inputs of the kernels; the phases' colours and the chance line every figure uses. Each
experiment (:mod:`.phase_diagram`, :mod:`.depth`, :mod:`.rates`, :mod:`.exact_rates`, :mod:`.decay`,
:mod:`.finite_width`, :mod:`.trainability`) has its points, sweep and arrays in its own part."""

import dataclasses
import functools
import math

from orthontk_lib import meanfield
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.data import DATASETS, load

__all__ = ["CHANCE", "CHANCE_LABEL", "Config", "HDR", "PHASES", "PHASE_COLOUR", "RATE_FORMS", "SAVED_ON_DIGITS",
           "SLUG", "TRAIN_POINTS", "by_estimate", "differences_markdown", "edge_points", "kernel_inputs",
           "kernel_task", "legend_entries", "markdown_table", "paper_points", "points"]

SLUG = "edge-of-chaos"


PHASES = ("ordered", "edge", "chaotic")


@functools.cache
def points():
    """The (activation, phase) -> (W_std, b_std) points measured; Edge-of-Chaos biases from the mean-field helper
    (computed once: do not modify the dict)."""
    return {
        ("erf", "ordered"): (0.8, 0.3),
        ("erf", "edge"): (1.3, meanfield.critical_b_std("erf", 1.3)),
        ("erf", "chaotic"): (2.0, 0.3),
        ("relu", "ordered"): (1.2, 0.3),
        ("relu", "edge"): (math.sqrt(2.0), 0.0),
    }


@functools.cache
def paper_points():
    """Hayou, Doucet, Rousseau's points, (activation, phase) -> (W_std, b_std): on the Edge of Chaos ReLU (√2, 0),
    ELU σ_W 1.227 and tanh σ_W 1.302, each with the bias that puts it exactly on the Edge (the paper rounds it to
    0.2), and points of the same activations in the ordered and chaotic phases."""
    return {
        ("relu", "edge"): (math.sqrt(2.0), 0.0),
        ("elu", "edge"): (1.227, meanfield.critical_b_std("elu", 1.227)),
        ("tanh", "edge"): (1.302, meanfield.critical_b_std("tanh", 1.302)),
        ("relu", "ordered"): (1.2, 0.2),
        ("elu", "ordered"): (1.0, 0.2),
        ("tanh", "ordered"): (1.0, 0.2),
        ("tanh", "chaotic"): (2.0, 0.2),
    }


def edge_points():
    """The paper's Edge-of-Chaos points, activation -> (W_std, b_std)."""
    return {a: wb for (a, p), wb in paper_points().items() if p == "edge"}


RATE_FORMS = {"relu": "1/L", "elu": "log L / L", "tanh": "log L / L"}
"""The rate at which K^L/α_L approaches its limit on the Edge of Chaos (Hayou, Doucet, Rousseau 2019, Thm. 2)."""


TRAIN_POINTS = {"edge": (1.302, None), "ordered": (1.0, 0.2), "chaotic": (2.0, 0.2)}
"""Trainability: tanh at the paper's Edge-of-Chaos point and off it (None: the Edge's bias for that σ_W)."""


HDR = "Hayou, Doucet, Rousseau 2019"


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the depth sweep."""

    dataset: str = dataclasses.field(default="digits", metadata={
                                     "help": "every kernel's and run's data", "choices": DATASETS})
    max_depth: int = dataclasses.field(default=50, metadata={"help": "deepest network (hidden layers)", "min": 4})
    n_train: int = dataclasses.field(default=32, metadata={"help": "images for the spread and regression", "min": 4})
    n_test: int = dataclasses.field(default=64, metadata={"help": "images to classify", "min": 1})
    emp_depths: tuple[int, ...] = dataclasses.field(default=(4, 16), metadata={"help": "finite-width depths", "min": 1})
    emp_width: int = dataclasses.field(default=256, metadata={"help": "finite-width network's width", "min": 1})
    emp_seeds: int = dataclasses.field(default=2, metadata={"help": "finite-width networks per depth", "min": 1})
    emp_inputs: int = dataclasses.field(default=12, metadata={"help": "inputs of the finite-width kernels", "min": 3})
    grid: int = dataclasses.field(default=12, metadata={"help": "phase diagram points per axis", "min": 3})
    exact_max_depth: int = dataclasses.field(default=1000, metadata={
                                             "help": "deepest layer of the exact rate recursion (ReLU: ten times deeper)", "min": 100})
    train_depths: tuple[int, ...] = dataclasses.field(default=(20,), metadata={"help": "trainability depths", "min": 1})
    train_width: int = dataclasses.field(default=64, metadata={"help": "trainability width", "min": 1})
    train_lrs: tuple[float, ...] = dataclasses.field(default=(1e-2,), metadata={"help": "SGD lr per depth", "min": 0.0})
    train_steps: int = dataclasses.field(default=400, metadata={"help": "SGD steps (batch 64)", "min": 10})
    train_seeds: int = dataclasses.field(default=2, metadata={
                                         "help": "networks per depth and initialization", "min": 1})
    train_n_train: int = dataclasses.field(default=1497, metadata={"help": "trainability: training images", "min": 64})
    train_n_test: int = dataclasses.field(default=300, metadata={"help": "trainability: test images", "min": 1})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    # float32 products: the finite-width NTK spreads are kernel measurements; the trainability runs (width 300,
    # batch 64) are bound by their layers' sequential kernels, where TF32 would save little
    PRECISION = "highest"
    SEED_COUNTS = ("emp_seeds",)  # the finite-width networks' (the provenance's seeds)
    PROFILES = {
        "smoke": dict(max_depth=20, n_train=16, n_test=16, emp_depths=(2, 4), emp_width=64, emp_seeds=2,
                      emp_inputs=6, grid=5, exact_max_depth=100, train_depths=(6,), train_width=16, train_lrs=(1e-2,),
                      train_steps=20, train_seeds=1),
        "quick": dict(max_depth=200, n_train=64, n_test=256, emp_depths=(4, 12, 36), emp_width=512, emp_seeds=3,
                      emp_inputs=16, grid=16, exact_max_depth=3000, train_depths=(30,), train_width=100, train_lrs=(1e-2,),
                      train_steps=600, train_seeds=2),
        "paper": dict(max_depth=500, n_train=256, n_test=1000, emp_depths=(4, 12, 36, 100), emp_width=2048,
                      emp_seeds=8, emp_inputs=32, grid=40, exact_max_depth=30_000, train_depths=(100, 200, 300),
                      train_width=300,
                      train_lrs=(1e-3, 1e-4, 1e-4), train_steps=10000, train_seeds=4),
    }
    COST = {"paper": Cost("GPU", 75, "estimate: on 2 CPU cores (2026-11-28) the analytic part took 8 minutes and the "
                                     "first finite-width point (width 2048, depth 4, 16 networks) 3 minutes, so the "
                                     "twelve finite-width points would take about 5 hours there; the trainability runs "
                                     "(width 300, depths to 300, 10,000 SGD steps, nine points of four networks) are "
                                     "bound by the 300 layers' sequential kernels, about 5 minutes a point on a GPU")}

    def __post_init__(self):
        if len(self.train_lrs) != len(self.train_depths):
            raise ConfigError(f"train_lrs: one learning rate per depth in train_depths ({len(self.train_depths)}); "
                              f"got {len(self.train_lrs)}")


def kernel_task(cfg):
    """The spread's and kernel regression's inputs: ``n_train`` training and ``n_test`` test images on the sphere."""
    return load(cfg.dataset, n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed, sphere=True)


@functools.lru_cache(maxsize=2)
def kernel_inputs(cfg):
    """The first ``emp_inputs`` images on the sphere (those of :func:`kernel_task`'s training set), of a sweep's view."""
    return load(cfg.dataset, n_train=cfg.emp_inputs, n_test=0, seed=cfg.seed, sphere=True).x_train


def by_estimate(minutes):
    from orthontk_lib.book import cost

    return cost.by_estimate(minutes)


SAVED_ON_DIGITS = {"dataset": "digits"}
"""Every point saved before the data set was a knob ran on digits."""


# SHARED BY THE FIGURES

PHASE_COLOUR = {"ordered": "C0", "edge": "k", "chaotic": "C3"}


CHANCE = 0.1
"""Test accuracy of a constant guess on the ten digit classes (the chance line of the accuracy figures)."""


CHANCE_LABEL = "chance (10 classes)"


def markdown_table(columns, rows):
    """A Markdown table of ``rows`` under ``columns`` (``|`` in a cell escaped), as an IPython ``Markdown`` object: the
    notebook shows it with a ``{glue:md}`` directive (``:format: myst``)."""
    from IPython.display import Markdown

    cell = lambda v: str(v).replace("|", "\\|")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def differences_markdown(figure, cfg):
    """How the run ``cfg`` differs from the paper's figure (a :class:`~orthontk_lib.reproduction.PaperFigure`), one
    bullet per difference, as an IPython ``Markdown`` object."""
    from IPython.display import Markdown

    return Markdown("\n".join(f"- {d.rstrip('.')}." for d in figure.differences(cfg)))


def legend_entries(axes):
    """Handles and labels of ``axes`` together, each label once."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    return list(seen.values()), list(seen)

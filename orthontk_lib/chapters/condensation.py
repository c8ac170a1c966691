r"""Chapter "Condensation at small initialization" (Zhou, Xu et al. 2022): where the lazy picture ends.

A one-hidden-layer network :math:`f(x) = \sum_{k \le m} a_k\, \phi(w_k \cdot x + b_k) + c` (standard
parameterization) is trained by full-batch gradient descent on the mean squared error. Its
neurons' *input weights* are :math:`u_k = (w_k, b_k) \in \mathbb{R}^{d+1}`; their orientations are
:math:`\hat u_k = u_k / \lVert u_k \rVert`. Every weight is drawn at ``scale`` times LeCun's standard
deviation (:math:`w \sim \mathcal N(0, s^2/d)`, :math:`b \sim \mathcal N(0, s^2)`, :math:`a \sim \mathcal N(0, s^2/m)`):
:math:`s = 1` is the usual (LeCun) initialization, :math:`s \ll 1` a small one.

With a small initialization every pre-activation stays near 0 early in training, where
:math:`\phi(z) \approx \phi^{(p)}(0) z^p / p!` with :math:`p` the *multiplicity* of :math:`\phi` (its
first non-zero derivative at 0). For :math:`p = 1` gradient flow is then linear,

.. math:: \dot u_k = a_k\, \phi'(0)\, v, \qquad \dot a_k = \phi'(0)\, v \cdot u_k, \qquad
          v = -\tfrac1N \textstyle\sum_i r_i\, (x_i, 1),

so every :math:`u_k` grows along :math:`\pm v` at rate :math:`e^{\lVert v\rVert t}` while its other
components stay at the size of the initialization: the input weights *condense* onto the two
orientations :math:`\pm \hat v`. Zhou, Xu et al. prove that in this initial stage there are at most
:math:`2p` condensed orientations (for :math:`p = 1` in any input dimension; for any :math:`p` with 1-D
inputs). At :math:`s = 1` the weights barely move from their random draw and nothing condenses.

Measured here, for each activation and scale: the number of condensed orientations at the end of
the initial stage (the first evaluation at which the training loss has fallen by ``loss_drop`` of its
initial value), found by clustering the cosine similarities of the :math:`\hat u_k`
(:func:`condensed_orientations`); its course over training; and the relative change of the input
weights, :math:`\lVert U_t - U_0\rVert_F / \lVert U_0 \rVert_F`.
"""

import dataclasses
import functools

import jax
import numpy as np

from orthontk_lib import plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.data import load
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure
from orthontk_lib.train import TrainConfig, fit_grid

SLUG = "condensation"

MULTIPLICITY = {"tanh": 1, "sigmoid": 1, "softplus": 1, "erf": 1, "xtanh": 2, "x2tanh": 3, "relu": None}
r"""The multiplicity :math:`p` of each activation: :math:`\phi^{(k)}(0) = 0` for :math:`1 \le k < p`,
:math:`\phi^{(p)}(0) \ne 0` (``x·tanh``: :math:`\phi''(0) = 2`). ReLU has no derivative at 0: the theorem
does not cover it (``None``)."""


ADAM_ACTIVATIONS = ("tanh", "sigmoid", "softplus", "xtanh", "x2tanh", "relu")
"""The activations of the paper's main experiment (multiplicities 1, 1, 1, 2, 3, and ReLU)."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the condensation experiments."""

    activations: tuple[str, ...] = dataclasses.field(default=("tanh",))  # phi, from MULTIPLICITY
    scales: tuple[float, ...] = dataclasses.field(default=(1.0, 0.01))  # init std in units of LeCun's, > 0
    width: int = dataclasses.field(default=50, metadata={"min": 2})  # hidden neurons m
    d: int = dataclasses.field(default=5, metadata={"min": 1})  # input dimension
    n_train: int = dataclasses.field(default=80, metadata={"min": 2})  # training points
    n_seeds: int = dataclasses.field(default=4, metadata={"min": 1})  # networks per (activation, scale)
    steps: int = dataclasses.field(default=10000, metadata={"min": 10})  # full-batch GD steps
    lr: float = dataclasses.field(default=5e-3, metadata={"min": 0.0})  # learning rate
    records: int = dataclasses.field(default=1000, metadata={"min": 2})  # evaluations over training
    loss_drop: float = dataclasses.field(default=0.05, metadata={"min": 0.0})  # end of the initial stage
    threshold: float = dataclasses.field(default=0.95, metadata={"min": 0.0})  # cosine joining two orientations
    cover: float = dataclasses.field(default=0.9, metadata={"min": 0.0})  # share of sum |u_k|^2 to account for
    activations_1d: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh", "relu"))  # phi of the 1-D networks
    width_1d: int = dataclasses.field(default=100, metadata={"min": 2})  # neurons of the 1-D networks
    n_1d: int = dataclasses.field(default=40, metadata={"min": 2})  # 1-D training points
    steps_1d: int = dataclasses.field(default=600, metadata={"min": 10})  # 1-D Adam steps (evaluated every 2)
    lr_1d: float = dataclasses.field(default=5e-4, metadata={"min": 0.0})  # 1-D Adam learning rate
    scale_1d: float = dataclasses.field(default=1e-3, metadata={"min": 0.0})  # 1-D init scale (x LeCun's std)
    std_1d: float = dataclasses.field(default=0.0, metadata={"min": 0.0})  # if > 0: every 1-D parameter from N(0, std^2)
    adam_activations: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh"))  # phi of the paper's Adam runs
    adam_std: float = dataclasses.field(default=0.005, metadata={"min": 0.0})  # std of every parameter, Adam runs
    adam_lr: float = dataclasses.field(default=1e-3, metadata={"min": 0.0})  # Adam learning rate
    adam_steps: int = dataclasses.field(default=300, metadata={"min": 10})  # full-batch Adam steps (evaluated every 2)
    deep_depth: int = dataclasses.field(default=3, metadata={"min": 2})  # hidden layers of the deeper Adam networks
    deep_activations: tuple[str, ...] = dataclasses.field(default=("tanh", "xtanh"))  # phi of the deeper networks
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

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

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))


# WEIGHTS AND ORIENTATIONS


def input_weights(params, layer="hidden_0"):
    """The neurons' input weights :math:`u_k = (w_k, b_k)`: (..., m, d + 1) from a Flax params tree."""
    kernel, bias = np.asarray(params[layer]["kernel"]), np.asarray(params[layer]["bias"])
    return np.concatenate([np.swapaxes(kernel, -1, -2), bias[..., None]], axis=-1)


def cosine_similarity(u):
    r""":math:`\hat u_j \cdot \hat u_k` of input weights ``u`` (m, d + 1): (m, m)."""
    un = u / np.linalg.norm(u, axis=-1, keepdims=True)
    return np.clip(un @ un.T, -1.0, 1.0)


def orientation_clusters(u, threshold=0.95):
    """Cluster labels (m,) of the orientations: average linkage on the distance 1 − cos, cut at 1 − ``threshold``.

    Two groups join when their neurons' mean cosine similarity is at least ``threshold`` (0.95: within
    about 18°). Opposite orientations (cos = −1) never join: a condensed line counts as two orientations.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if len(u) == 1:
        return np.ones(1, int)
    dist = 1.0 - cosine_similarity(u)
    np.fill_diagonal(dist, 0.0)
    return fcluster(linkage(squareform(np.clip(dist, 0.0, 2.0), checks=False), "average"), 1.0 - threshold,
                    "distance")


def condensed_orientations(u, threshold=0.95, cover=0.9):
    r"""The number of orientations the neurons ``u`` (m, d + 1) have condensed onto.

    Clusters of :func:`orientation_clusters`, weighted by :math:`\sum_{k \in C} \lVert u_k\rVert^2` (a
    neuron's share of the function grows with its size: at small initialization the neurons that did
    not grow are irrelevant): the fewest clusters holding a fraction ``cover`` of
    :math:`\sum_k \lVert u_k \rVert^2`. Random orientations give nearly one cluster per neuron
    (:math:`\approx` ``cover`` · m); full condensation onto :math:`\pm\hat v` gives 2.
    """
    labels = orientation_clusters(u, threshold)
    return len(_largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover))


def _largest_holding(mass, cover):
    """Indices of the fewest largest entries of ``mass`` that together hold a fraction ``cover`` of its sum."""
    order = np.argsort(-mass)
    return order[: int(np.searchsorted(np.cumsum(mass[order]) / mass.sum(), cover - 1e-12) + 1)]


def initial_stage_end(train_loss, loss_drop=0.05):
    """Index of the first evaluation whose loss is at most (1 − ``loss_drop``) of the first; −1 if none."""
    hit = np.nonzero(np.asarray(train_loss) <= (1.0 - loss_drop) * train_loss[0])[0]
    return int(hit[0]) if hit.size else -1


def relative_change(u):
    r""":math:`\lVert U_t - U_0 \rVert_F / \lVert U_0 \rVert_F` over a history ``u`` (R, m, d + 1): (R,)."""
    return np.linalg.norm(u - u[0], axis=(-2, -1)) / np.linalg.norm(u[0])


# EXPERIMENTS


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


def scale_point(cfg, data, activation, scale):
    """One (activation, scale) point of the main experiment, summarized per seed."""
    spec = FCN(1, cfg.width, activation, W_std=scale, b_std=scale, parameterization="standard")
    train_cfg = TrainConfig(steps=cfg.steps, record_every=cfg.steps // cfg.records)
    keys = jax.random.split(jax.random.key(cfg.seed), cfg.n_seeds)  # the same draws at every scale, only rescaled
    loss, u = train_point(spec, data, train_cfg, cfg.lr, keys)
    count = lambda ur: condensed_orientations(ur, cfg.threshold, cfg.cover)
    ends, count_end, at_end = stage_ends(cfg, loss, u)
    return {"loss": loss, "end": ends, "rel_change": np.stack([relative_change(ug) for ug in u]),
            "count": np.array([[count(ur) for ur in ug[:: count_stride(cfg)]] for ug in u]),
            "count_end": count_end, "u0": u[:, 0], "u_end_stage": at_end}


ADAM_FIGURE = PaperFigure(
    "Zhou, Xu et al. (2022), Sec. 5: the main experiment (5–50–1 networks from N(0, 0.005²), full-batch Adam, "
    "cosine similarity of the neurons' input weights, for activations of multiplicity 1, 2 and 3)",
    settings=dict(adam_activations=ADAM_ACTIVATIONS, adam_std=0.005, adam_lr=1e-3, width=50, d=5, n_train=80),
    labels=dict(adam_activations="activations", adam_std="init std", adam_lr="Adam learning rate", width="width",
                n_train="training points"))


LINE_FIGURE = PaperFigure(
    "Zhou, Xu et al. (2022), Sec. 5: the 1-D experiment (y = sin 3x + sin(6x)/2 on [−1, 1.5], the input weights "
    "(w, b) in polar coordinates)",
    settings=dict(width_1d=100, n_1d=40, lr_1d=5e-4),
    labels=dict(width_1d="width", n_1d="training points", lr_1d="Adam learning rate"))


def line_differences(cfg):
    """The 1-D experiment's initialization, where it is not the paper's N(0, 0.005²) for every parameter."""
    if cfg.std_1d == 0.005:
        return []
    if cfg.std_1d > 0:
        return [f"every parameter from N(0, {cfg.std_1d:g}²) (paper: N(0, 0.005²))"]
    return [f"weights and biases at {cfg.scale_1d:g} times LeCun's standard deviation, the output layer's too "
            f"(paper: every parameter from N(0, 0.005²))"]


def adam_point(cfg, data, activation, depth=1):
    """The paper's main experiment for one activation: every parameter drawn from N(0, ``adam_std``²), full-batch
    Adam; per seed the stage end, its count of orientations and the input weights there (``depth`` hidden layers of
    ``width`` units; the first layer's input weights are counted)."""
    spec = FCN(depth, cfg.width, activation, parameterization="standard")
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), 7), cfg.n_seeds)
    loss, u = train_point(spec, data, TrainConfig(steps=cfg.adam_steps, record_every=2, optimizer="adam"),
                          cfg.adam_lr, keys, params=small_params(spec, keys, data.x_train, cfg.adam_std))
    ends, count_end, at_end = stage_ends(cfg, loss, u)
    return {"loss": loss, "end": ends, "count_end": count_end, "u_end_stage": at_end}


def small_params(spec, keys, x, std):
    """Every parameter of ``spec`` (weights and biases of every layer) drawn from N(0, ``std``²), one tree per key:
    the paper's initialization (leaves of shape (len(keys), ...))."""
    shapes = jax.eval_shape(lambda k: spec.initialize(k, x[:1])["params"], keys[0])
    leaves, tree = jax.tree.flatten(shapes)
    draw = lambda k: jax.tree.unflatten(tree, [std * jax.random.normal(kk, l.shape, l.dtype)
                                               for kk, l in zip(jax.random.split(k, len(leaves)), leaves)])
    return jax.vmap(draw)(keys)


def count_stride(cfg):
    """Evaluations between two counts of the orientations over training (about 100 counts a run)."""
    return max(1, cfg.records // 100)


def line_data(cfg):
    """The 1-D task (the paper's): ``n_1d`` points on a grid of [−1, 1.5], y = sin 3x + sin(6x)/2."""
    return load("sines", n_train=cfg.n_1d, n_test=100, d=1, seed=cfg.seed)


def line_point(cfg, activation):
    """The 1-D experiment (the paper's: full-batch Adam), ``n_seeds`` networks: losses, stage ends and their counts,
    and the input weights (w, b) of the first network over training."""
    data = line_data(cfg)
    spec = FCN(1, cfg.width_1d, activation, W_std=cfg.scale_1d, b_std=cfg.scale_1d, parameterization="standard")
    train_cfg = TrainConfig(steps=cfg.steps_1d, record_every=2, optimizer="adam")
    keys = jax.random.split(jax.random.key(cfg.seed), cfg.n_seeds)
    params = small_params(spec, keys, data.x_train, cfg.std_1d) if cfg.std_1d > 0 else None
    loss, u = train_point(spec, data, train_cfg, cfg.lr_1d, keys, params=params)
    ends, count_end, _ = stage_ends(cfg, loss, u)
    return {"loss": loss, "u": u[0], "end": ends, "count_end": count_end}


@functools.lru_cache(maxsize=2)
def _data(cfg):
    """The d-dimensional sines task of a sweep's view."""
    return load("sines", n_train=cfg.n_train, n_test=200, d=cfg.d, seed=cfg.seed)


_COUNTING = ("loss_drop", "threshold", "cover")  # how orientations are counted at the stage's end
_ADAM = ("width", "d", "n_train", "n_seeds", "adam_std", "adam_lr", "adam_steps", "seed") + _COUNTING
SWEEPS = {
    "main": results.Sweep(
        SLUG, "main", knobs=("width", "d", "n_train", "n_seeds", "steps", "lr", "records", "seed") + _COUNTING,
        over=("activations", "scales"),
        points=lambda cfg: [{"activation": a, "scale": s} for a in cfg.activations for s in cfg.scales],
        run=lambda cfg, it: scale_point(cfg, _data(cfg), it["activation"], it["scale"]), desc="GD from each scale"),
    "line": results.Sweep(
        SLUG, "line", knobs=("n_1d", "width_1d", "scale_1d", "std_1d", "steps_1d", "lr_1d", "n_seeds", "seed")
        + _COUNTING, over=("activations_1d",), points=lambda cfg: [{"activation": a} for a in cfg.activations_1d],
        run=lambda cfg, it: line_point(cfg, it["activation"]), desc="1-D networks"),
    "adam": results.Sweep(
        SLUG, "adam", knobs=_ADAM, over=("adam_activations",),
        points=lambda cfg: [{"activation": a} for a in cfg.adam_activations],
        run=lambda cfg, it: adam_point(cfg, _data(cfg), it["activation"]), desc="Adam from N(0, std^2)"),
    "deep": results.Sweep(
        SLUG, "deep", knobs=_ADAM, over=("deep_activations", "deep_depth"),
        points=lambda cfg: [{"activation": a, "depth": cfg.deep_depth} for a in cfg.deep_activations],
        run=lambda cfg, it: adam_point(cfg, _data(cfg), it["activation"], it["depth"]), desc="Adam, deeper networks"),
}
"""The chapter's sweeps: GD from each (activation, scale), the 1-D networks, the paper's Adam runs and their deeper
networks, one point per activation."""


def compute(cfg):
    """Every (activation, scale) point and the 1-D runs, saved point by point; stacked as (activation, scale, ...)."""
    pts = SWEEPS["main"].results(cfg)
    shape = (len(cfg.activations), len(cfg.scales))
    out = {k: np.stack([p.arrays[k] for p in pts]).reshape(*shape, *pts[0].arrays[k].shape) for k in pts[0].arrays}
    lines = SWEEPS["line"].results(cfg)
    out.update({f"line_{k}": np.stack([p.arrays[k] for p in lines]) for k in lines[0].arrays})
    adam = SWEEPS["adam"].results(cfg)
    out.update({f"adam_{k}": np.stack([p.arrays[k] for p in adam]) for k in adam[0].arrays})
    deep = SWEEPS["deep"].results(cfg)
    out.update({f"deep_{k}": np.stack([p.arrays[k] for p in deep]) for k in deep[0].arrays})
    out["scales"] = np.asarray(cfg.scales)
    out["record_steps"] = np.arange(cfg.records + 1) * (cfg.steps // cfg.records)
    out["count_steps"] = out["record_steps"][:: count_stride(cfg)]
    out["line_steps"] = np.arange(out["line_loss"].shape[-1]) * 2  # u of the first seed at every evaluation
    return out


# STATISTICS


def counts_at_stage_end(arrays):
    """Condensed orientations at the end of the initial stage: (activation, scale, seed); NaN where it never ended."""
    return np.where(arrays["end"] >= 0, arrays["count_end"], np.nan)


def bound_ratio(arrays, activations, which="main"):
    """Largest (over seeds and the activations the theorem covers) condensed orientations / 2p at the end of the stage.

    ``which="main"``: the d-dimensional experiment at its smallest scale, activations of multiplicity 1 (the
    theorem's case for d > 1). ``which="line"``: the 1-D experiment, every activation with a multiplicity.
    """
    if which == "line":
        c = _line_counts(arrays)
        covered = [i for i, a in enumerate(activations) if MULTIPLICITY[a]]
    else:
        c = counts_at_stage_end(arrays)[:, int(np.argmin(arrays["scales"]))]
        covered = [i for i, a in enumerate(activations) if MULTIPLICITY[a] == 1]
    if not covered:
        raise ValueError(f"bound_ratio: no activation the theorem covers among {list(activations)}")
    return float(max(np.nanmax(c[i]) / (2 * MULTIPLICITY[activations[i]]) for i in covered))


def multiplicity_gap(arrays, activations_1d, counts=None):
    """1-D experiment: median condensed orientations of the p = 2 activation minus that of the p = 1 one (x·tanh, tanh);
    ``counts`` (activation, seed) replaces the measured ones (a bootstrap resample)."""
    c = _line_counts(arrays) if counts is None else counts
    med = {a: np.nanmedian(c[i]) for i, a in enumerate(activations_1d)}
    if "xtanh" not in med or "tanh" not in med:
        raise ValueError(f"multiplicity_gap: needs tanh and xtanh among the 1-D activations, got {list(activations_1d)}")
    return float(med["xtanh"] - med["tanh"])


def lazy_orientations(arrays, counts=None):
    """Fewest condensed orientations per neuron at the largest scale (median over seeds, smallest over activations);
    ``counts`` (activation, seed) replaces the measured ones (a bootstrap resample)."""
    c = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))] if counts is None else counts
    return float(np.nanmin(np.nanmedian(c, axis=-1))) / arrays["u0"].shape[-2]


def stage_end_change(arrays):
    """Relative change of the input weights at the end of the initial stage: (activation, scale, seed)."""
    rel, end = arrays["rel_change"], arrays["end"]
    picked = np.take_along_axis(rel, np.maximum(end, 0)[..., None], -1)[..., 0]
    return np.where(end >= 0, picked, np.nan)


def change_slope(arrays, max_scale=0.03, changes=None):
    r"""Log-log slope of the stage-end relative change against the scale, over scales :math:`\le` ``max_scale``.

    Theory: at the end of the initial stage the weights have the size that makes the output fit a fixed
    share of the target, whatever the scale they started from, so the relative change is :math:`\propto 1/s`
    (slope −1). Seed medians, one slope per activation; returns (slope farthest from −1, all slopes).
    """
    small = arrays["scales"] <= max_scale
    if small.sum() < 2:
        raise ValueError(f"change_slope: needs two scales <= {max_scale}; got {list(arrays['scales'])}")
    med = np.nanmedian(stage_end_change(arrays) if changes is None else changes, axis=-1)[:, small]
    x = np.log(arrays["scales"][small])
    slopes = [float(np.polyfit(x, np.log(m), 1)[0]) for m in med]
    return max(slopes, key=lambda s: abs(s + 1)), slopes


def dominant_neurons(u, cover=0.9):
    r"""Indices of the largest neurons (by :math:`\lVert u_k \rVert`) that together hold ``cover`` of :math:`\sum_k \lVert u_k \rVert^2`."""
    return _largest_holding(np.sum(u**2, axis=-1), cover)


def line_angles(u, threshold=0.95, cover=0.9):
    r"""Angles (degrees, modulo 180) of the lines the 2-D input weights ``u`` (m, 2) have condensed onto, sorted.

    The condensed orientations of :func:`condensed_orientations`, each as its clusters' :math:`\lVert u\rVert^2`-weighted
    mean direction; a line and its opposite give one angle.
    """
    labels = orientation_clusters(u, threshold)
    keep = _largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    angles = []
    for lab in keep:
        sel = labels == lab
        mean = (u[sel] * np.linalg.norm(u[sel], axis=-1, keepdims=True)).sum(0)
        angles.append(np.degrees(np.arctan2(mean[1], mean[0])) % 180.0)
    return _merge_angles(angles)


def predicted_line_angles(x, y, p):
    r"""The lines (degrees, modulo 180) gradient flow condenses 1-D input weights onto, from initialization.

    With the output still :math:`\approx 0` the residual is :math:`-y`. For :math:`p = 1` every :math:`u_k` moves
    along :math:`v = \frac1N \sum_i y_i \tilde x_i` (:math:`\tilde x = (x, 1)`): one line. For :math:`p = 2`,
    :math:`\dot u_k = 2 a_k R u_k` with :math:`R = \frac1N \sum_i y_i \tilde x_i \tilde x_i^\top`: :math:`u_k` turns to
    the eigenvector of :math:`R` of largest eigenvalue if :math:`a_k > 0`, of smallest if :math:`a_k < 0`: two lines.
    """
    xt = np.stack([np.ravel(x), np.ones(np.size(x))], 1)
    y = np.ravel(y)
    if p == 1:
        v = (xt * y[:, None]).mean(0)
        return [float(np.degrees(np.arctan2(v[1], v[0])) % 180.0)]
    if p == 2:
        _, vecs = np.linalg.eigh((xt * y[:, None]).T @ xt / len(y))
        return sorted(float(np.degrees(np.arctan2(e[1], e[0])) % 180.0) for e in vecs.T)
    raise ValueError(f"predicted_line_angles: p must be 1 or 2, got {p}")


def _merge_angles(angles, tol=10.0):
    """Sorted line angles (mod 180), merging those within ``tol`` degrees (a line's two orientations)."""
    out = []
    for a in sorted(angles):
        if out and min(abs(a - out[-1]), 180 - abs(a - out[-1])) < tol:
            continue
        out.append(float(a))
    if len(out) > 1 and 180 - (out[-1] - out[0]) < tol:
        out.pop()
    return out


def orientation_order(u, threshold=0.95):
    """A neuron order that puts clusters together, largest cluster (by sum of |u_k|²) first (for heat maps)."""
    labels = orientation_clusters(u, threshold)
    mass = np.bincount(labels, weights=np.sum(u**2, axis=-1))
    rank = np.argsort(np.argsort(-mass))
    return np.lexsort((-np.sum(u**2, axis=-1), rank[labels]))


def _line_counts(arrays):
    return np.where(arrays["line_end"] >= 0, arrays["line_count_end"], np.nan)


def multiplicity_gap_ci(arrays, activations_1d):
    """:func:`multiplicity_gap` with a 95% bootstrap interval over seeds."""
    return stats.bootstrap_ci(_line_counts(arrays), lambda c: multiplicity_gap(arrays, activations_1d, c))


def lazy_orientations_ci(arrays):
    """:func:`lazy_orientations` with a 95% bootstrap interval over seeds."""
    counts = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))]  # (activation, seed)
    return stats.bootstrap_ci(counts, lambda c: lazy_orientations(arrays, c))


def change_slope_ci(arrays, max_scale=0.03):
    """:func:`change_slope`'s slope farthest from −1, with a 95% bootstrap interval over seeds."""
    return stats.bootstrap_ci(stage_end_change(arrays), lambda s: change_slope(arrays, max_scale, s)[0])


# CLAIMS

ZX = "Zhou, Xu et al. 2022"
EXACT = "an exact count over the seeds measured: the interval is the value"
CLAIMS = [
    Claim("condensation-orientations", f"{ZX}, Thm. 1 (p = 1, any input dimension)",
          "With small initialization, the input weights of neurons with an activation of multiplicity p = 1 condense "
          "onto at most 2 orientations early in training, in any input dimension.",
          "condensed orientations / 2p at the end of the initial stage (d = 5, smallest init scale, p = 1 "
          f"activations), largest over seeds ({EXACT})",
          AtMost(1.0), why="the theorem's bound; orientations within 18° count as one, so numerical spread cannot "
          "split one", decide="—"),
    *(Claim(f"condensation-adam-p{p}", f"{ZX}, Sec. 5 (main experiment; " + (
        "Thm. 1)" if p == 1 else "for p > 1 in d = 5 an experimental finding, not a theorem)"),
        f"In the paper's main experiment (5–50–1, N(0, 0.005²), Adam) neurons of multiplicity {p} condense onto at "
        f"most {2 * p} orientations ({p} line{'s' if p > 1 else ''}) in the initial stage.",
        f"condensed orientations / {2 * p} at the end of the initial stage, largest over seeds and the activations of "
        f"multiplicity {p} ({EXACT})", AtMost(1.0),
        why="the paper's finding, 2p; orientations within 18° count as one", decide="—")
      for p in (1, 2, 3)),
    *(Claim(f"condensation-deep-{act}", f"{ZX}, Sec. 5 (condensation beyond one hidden layer)",
            f"In a network with several hidden layers, the first layer's neurons ({act}, multiplicity "
            f"{MULTIPLICITY[act]}) condense onto at most {2 * MULTIPLICITY[act]} orientations in the initial stage.",
            f"condensed orientations of the first hidden layer / {2 * MULTIPLICITY[act]} at the end of the initial "
            f"stage, largest over seeds ({EXACT})", AtMost(1.0),
            why="the one-layer bound 2p, which the paper's deeper experiments show for the first layer too",
            decide="—")
      for act in ("tanh", "xtanh")),
    Claim("condensation-1d-bound", f"{ZX}, Thm. 2 (1-D input, any p)",
          "With 1-D input, neurons condense onto at most 2p orientations for any multiplicity p.",
          "condensed orientations / 2p at the end of the initial stage (1-D, every activation with a multiplicity), "
          f"largest over seeds and activations ({EXACT})", AtMost(1.0), why="the theorem's bound", decide="—"),
    Claim("condensation-multiplicity", f"{ZX}, Sec. 5 (experiments)",
          "The number of condensed orientations grows with the multiplicity: x·tanh (p = 2) condenses onto more "
          "orientations than tanh (p = 1); the paper finds 2p.",
          "median condensed orientations of x·tanh minus those of tanh (1-D; 95% bootstrap interval over seeds)",
          AtLeast(1.0), why="2p gives 4 − 2 = 2; one more orientation is the least that shows growth",
          decide="more seeds"),
    Claim("condensation-lazy-none", f"{ZX}, Sec. 5 (the initial scale as a control)",
          "At the usual initialization scale (LeCun's) the input weights do not condense.",
          "condensed orientations / m at s = 1 at the end of the initial stage (seed median, fewest over "
          "activations; 95% bootstrap interval over seeds)",
          AtLeast(0.25), why="random orientations in d + 1 = 6 dimensions rarely lie within 18° of each other, "
          "giving about 0.7 m clusters; condensation gives 2p/m <= 0.08 at m = 50", decide="more seeds"),
    Claim("condensation-weight-change", f"{ZX}, Sec. 4 (the initial stage)",
          "From a small initialization the input weights grow to a size set by the task, not by the initialization: "
          "their relative change is of order 1/s.",
          "log-log slope of the relative change of the input weights at the end of the initial stage against the "
          "scale s <= 0.03 (seed medians; the activation farthest from −1; 95% bootstrap interval over seeds)",
          Within(-1.0, 0.15), why="theory: −1; the stage ends at a loss drop fixed up to one evaluation's "
          "resolution, which moves the slope by a few hundredths", decide="more scales or seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    exact = lambda v: Measurement(v, (v, v))
    return {
        "condensation-orientations": exact(bound_ratio(arrays, cfg.activations)),
        "condensation-1d-bound": exact(bound_ratio(arrays, cfg.activations_1d, "line")),
        **{f"condensation-adam-p{p}": exact(adam_bound_ratio(arrays, cfg, p)) for p in (1, 2, 3)},
        **{f"condensation-deep-{act}": exact(deep_bound_ratio(arrays, cfg, act)) for act in ("tanh", "xtanh")},
        "condensation-multiplicity": Measurement(*multiplicity_gap_ci(arrays, cfg.activations_1d)),
        "condensation-lazy-none": Measurement(*lazy_orientations_ci(arrays)),
        "condensation-weight-change": Measurement(*change_slope_ci(arrays), {"slopes": change_slope(arrays)[1]}),
    }


def adam_bound_ratio(arrays, cfg, p):
    """Condensed orientations / 2p at the end of the initial stage of the Adam runs, largest over the seeds and the
    activations of multiplicity ``p``; NaN if none is measured or a stage never ended."""
    idx = [i for i, a in enumerate(cfg.adam_activations) if MULTIPLICITY[a] == p]
    if not idx:
        return float("nan")
    c = np.asarray(arrays["adam_count_end"], float)[idx]
    return float("nan") if (c < 0).any() else float(c.max() / (2 * p))


def deep_bound_ratio(arrays, cfg, activation):
    """The deeper networks' first-layer orientations / 2p at the end of the initial stage, largest over seeds; NaN if
    ``activation`` was not run or a stage never ended."""
    if activation not in cfg.deep_activations:
        return float("nan")
    c = np.asarray(arrays["deep_count_end"], float)[list(cfg.deep_activations).index(activation)]
    return float("nan") if (c < 0).any() else float(c.max() / (2 * MULTIPLICITY[activation]))


def deep_rows(cfg, arrays):
    """Rows of the deeper networks' table: φ, 2p, orientations at the stage end (median [range] over seeds), and the
    stage end (Adam steps, median)."""
    rows = []
    for i, act in enumerate(cfg.deep_activations):
        c, e = np.asarray(arrays["deep_count_end"][i], float), arrays["deep_end"][i]
        c = np.where(c < 0, np.nan, c)
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), _median_range(c),
                     "never" if (e < 0).all() else f"{2 * np.median(e[e >= 0]):.0f}"])
    return rows


def line_words(arrays, cfg):
    """Where each 1-D activation's neurons have condensed at the end of the initial stage (seed median), beside 2p."""
    counts = _line_counts(arrays)
    parts = []
    for i, act in enumerate(cfg.activations_1d):
        c, p = np.nanmedian(counts[i]) if not np.all(np.isnan(counts[i])) else np.nan, MULTIPLICITY[act]
        if np.isnan(c):
            parts.append(f"{act}'s initial stage did not end")
            continue
        lines = f"{c:.0f} orientations" + (f" ({c / 2:g} line{'s' if c != 2 else ''})" if c % 2 == 0 else "")
        bound = "outside the theorem" if p is None else (f"the theorem allows {2 * p}" if c <= 2 * p
                                                        else f"more than the {2 * p} the theorem allows")
        parts.append(f"{act}'s onto {lines}, {bound}")
    return "; ".join(parts)


def deep_words(arrays, cfg):
    """One sentence on the deeper networks' verdicts."""
    m = measure(arrays, cfg)
    parts = []
    for act in cfg.deep_activations:
        if act not in ("tanh", "xtanh"):
            continue
        claim = next(c for c in CLAIMS if c.id == f"condensation-deep-{act}")
        v = claim.verdict(*m[claim.id][:2])
        parts.append({"holds": f"{act}'s first layer stays within its bound {2 * MULTIPLICITY[act]}",
                      "does not hold": f"{act}'s first layer condenses onto more than {2 * MULTIPLICITY[act]} "
                                       f"orientations in at least one network",
                      "inconclusive": f"for {act} the initial stage did not end in every network, so no count is "
                                      f"taken"}[v])
    return "; ".join(parts) if parts else "no activation the claims cover was run"


def _median_range(c):
    return "—" if np.all(np.isnan(c)) else f"{np.nanmedian(c):.0f} [{np.nanmin(c):.0f}–{np.nanmax(c):.0f}]"


def line_angles_measured_predicted(cfg, arrays):
    """Per 1-D activation: the condensed lines of the first seed at the end of its initial stage (angles, [] if it
    never ended) and the lines gradient flow heads for ([] outside p = 1, 2)."""
    d1 = line_data(cfg)
    out = []
    for i, act in enumerate(cfg.activations_1d):
        end = arrays["line_end"][i]
        measured = line_angles(arrays["line_u"][i][end[0]], cfg.threshold, cfg.cover) if end[0] >= 0 else []
        p = MULTIPLICITY[act]
        out.append((measured, predicted_line_angles(d1.x_train, d1.y_train, p) if p in (1, 2) else []))
    return out


def line_rows(cfg, arrays):
    """Rows of the 1-D table: φ, 2p, orientations, stage end, measured lines (first seed), gradient flow's lines."""
    angles = lambda v: ", ".join(f"{x:.0f}°" for x in v) or "—"
    counts = _line_counts(arrays)
    rows = []
    for i, (act, (measured, predicted)) in enumerate(zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))):
        end = arrays["line_end"][i]
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), _median_range(counts[i]), _median_range(2 * end[end >= 0]),
                     angles(measured), angles(predicted)])
    return rows


def line_match_words(cfg, arrays):
    """Whether the first seed's number of condensed lines equals gradient flow's, per activation with p = 1 or 2."""
    pairs = [(act, len(m), len(q)) for act, (m, q) in zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))
             if MULTIPLICITY[act] in (1, 2)]
    same = [a for a, m, q in pairs if m == q]
    other = [f"{a} ({m} measured, {q} predicted)" for a, m, q in pairs if m != q]
    if not pairs:
        return "No activation here has a gradient-flow prediction"
    if not other:
        return f"The number of lines matches for {' and '.join(same)}"
    return (f"The number of lines matches for {' and '.join(same)} but not for {', '.join(other)}" if same else
            f"The number of lines does not match: {', '.join(other)}")


def count_rows(cfg, arrays):
    """Rows of the d-dimensional table: φ, 2p, then the median [range] of orientations at each scale."""
    counts = counts_at_stage_end(arrays)
    return [[act, "—" if MULTIPLICITY[act] is None else str(2 * MULTIPLICITY[act])]
            + [_median_range(counts[i, j]) for j in range(len(arrays["scales"]))] for i, act in enumerate(cfg.activations)]


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    sc = list(arrays["scales"])
    small, large = int(np.argmin(sc)), int(np.argmax(sc))
    final = np.median(arrays["rel_change"][..., -1], -1)
    acts = list(cfg.activations)
    lazy = final[:, large]
    return {
        "cd-setup": f"{cfg.d}–{cfg.width}–1 networks, {cfg.n_train} training points, full-batch gradient descent "
                    f"with learning rate {cfg.lr:g} for {cfg.steps} steps, {cfg.n_seeds} seeds",
        "cd-drop": f"{cfg.loss_drop:.0%}",
        "cd-threshold": f"{cfg.threshold:g} (about {np.degrees(np.arccos(cfg.threshold)):.0f}°)",
        "cd-cover": f"{cfg.cover:.0%}",
        "cd-line-setup": f"{cfg.width_1d} neurons, {cfg.n_1d} points, full-batch Adam with learning rate "
                         f"{cfg.lr_1d:g} for {cfg.steps_1d} steps, {cfg.n_seeds} seeds",
        "cd-line-std": f"{cfg.scale_1d:g}",
        "cd-nseeds": str(cfg.n_seeds), "cd-width": str(cfg.width),
        "cd-collapse-words": (
            "the counts of the p = 1 activations reach the bound at the smallest s, where the weights grow by a large "
            "factor inside the initial stage"
            if CLAIMS[0].verdict(*measure(arrays, cfg)["condensation-orientations"][:2]) == "holds" else
            "at the smallest s the counts of the p = 1 activations still exceed the bound for some seeds"),
        "cd-slopes": ", ".join(f"{s:.2f} ({act})" for s, act in zip(change_slope(arrays)[1], acts)),
        "cd-change-lazy": ", ".join(f"{final[i, large]:.2f} ({act})" for i, act in enumerate(acts)),
        "cd-lazy-words": ("about their own size or more: at this width the usual scale is not lazy"
                          if lazy.max() > 0.3 else "by a small fraction of their size: close to lazy"),
        "cd-change-small": ", ".join(f"{final[i, small]:.0f} ({act})" for i, act in enumerate(acts)),
        "cd-scale-small": f"{sc[small]:g}",
        "cd-adam-setup": f"{cfg.d}–{cfg.width}–1 networks, every parameter from N(0, {cfg.adam_std:g}²), full-batch Adam "
                         f"with learning rate {cfg.adam_lr:g} for {cfg.adam_steps} steps, {cfg.n_seeds} seeds",
        "cd-adam-differs": ADAM_FIGURE.caption(cfg, [adam_stage_difference(arrays)]),
        "cd-adam-words": adam_words(arrays, cfg),
        "cd-deep-setup": f"{cfg.d}–{'–'.join([str(cfg.width)] * cfg.deep_depth)}–1 networks ({cfg.deep_depth} hidden "
                         f"layers), otherwise as above",
        "cd-deep-words": deep_words(arrays, cfg),
        "cd-line-words": line_words(arrays, cfg),
        "cd-line-match": line_match_words(cfg, arrays),
        "cd-line-differs": LINE_FIGURE.caption(cfg, line_differences(cfg)),
    }


def adam_stage_difference(arrays):
    """The one difference from the paper's figure that the data set: when the initial stages ended."""
    ends = 2 * np.asarray(arrays["adam_end"])
    ended = ends[ends >= 0]
    when = f"{ended.min()} to {ended.max()} steps" if ended.size else "never, within the run"
    return ("the heat map and the count are taken at the end of each run's initial stage (the first evaluation where "
            f"the training loss has fallen by loss_drop), not after the paper's 100 epochs: here the stages end after "
            f"{when}")


def adam_rows(cfg, arrays):
    """Rows of the Adam table: φ, p, 2p, orientations (median [range]), stage end in steps (median [range])."""
    rows = []
    for i, act in enumerate(cfg.adam_activations):
        p, c, e = MULTIPLICITY[act], np.asarray(arrays["adam_count_end"][i], float), arrays["adam_end"][i]
        rows.append([act, "—" if p is None else str(p), "—" if p is None else str(2 * p),
                     _median_range(np.where(c < 0, np.nan, c)), _median_range(2.0 * e[e >= 0])])
    return rows


def adam_words(arrays, cfg):
    """Which multiplicities stay within 2p in the Adam runs, from the three claims' verdicts."""
    claims = {c.id: c for c in CLAIMS}
    ratios = {p: adam_bound_ratio(arrays, cfg, p) for p in (1, 2, 3)}
    verdicts = {p: claims[f"condensation-adam-p{p}"].verdict(r, (r, r)) for p, r in ratios.items()}
    group = lambda v: [str(p) for p, x in verdicts.items() if x == v]
    name = lambda ps: ("multiplicity " + ps[0]) if len(ps) == 1 else ("multiplicities " + ", ".join(ps[:-1]) + " and " + ps[-1])
    parts = []
    for v, (one, many) in {"holds": ("stays within 2p", "stay within 2p"),
                           "does not hold": ("condenses onto more than 2p orientations at this count",
                                             "condense onto more than 2p orientations at this count"),
                           "inconclusive": ("is not measured here", "are not measured here")}.items():
        if group(v):
            parts.append(f"{name(group(v))} {one if len(group(v)) == 1 else many}")
    return "; ".join(parts)


# FIGURES


def fig_polar(cfg, arrays):
    """1-D input weights as points (angle atan2(b, w), radius relative to the largest) at four moments."""
    acts_1d, steps_1d = list(cfg.activations_1d), arrays["line_steps"]
    fig, axes = plots.figure(ncols=4, nrows=len(acts_1d), width=2.2, height=2.5, squeeze=False,
                             subplot_kw={"projection": "polar"})
    for i, act in enumerate(acts_1d):
        u, end = arrays["line_u"][i], int(arrays["line_end"][i, 0])  # the first seed's weights and stage end
        end = len(u) // 3 if end < 0 else end
        for ax, r in zip(axes[i], [0, max(end // 2, 1), end, len(u) - 1]):
            amp = np.linalg.norm(u[r], axis=-1)
            ax.scatter(np.arctan2(u[r][:, 1], u[r][:, 0]), amp / amp.max(), s=6, color=f"C{i}")
            ax.set_title(f"{act}\nstep {steps_1d[r]}", fontsize=7, pad=8)
            ax.set_yticklabels([])
            ax.tick_params(labelsize=6)
    return fig


def fig_cosine(cfg, arrays):
    """Cosine similarities of the largest neurons' input weights at the end of the initial stage, s = 1 and the
    smallest s, ordered by cluster."""
    sc = list(arrays["scales"])
    small, large = int(np.argmin(sc)), int(np.argmax(sc))
    acts = list(cfg.activations)
    fig, axes = plots.figure(ncols=len(acts), nrows=2, width=2.3, height=2.3, squeeze=False)
    for i, act in enumerate(acts):
        for row, j in enumerate((large, small)):
            u = arrays["u_end_stage"][i, j, 0]
            u = u[dominant_neurons(u, cfg.cover)]
            order = orientation_order(u, cfg.threshold)
            im = axes[row, i].imshow(cosine_similarity(u)[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
            axes[row, i].set(xticks=[], yticks=[])
            axes[row, i].set_title(f"{act}, s = {sc[j]:g}\n({len(u)} neurons)", fontsize=7)
    fig.colorbar(im, ax=axes[:, -1], label=r"$\hat u_j \cdot \hat u_k$", shrink=0.8)
    return fig


def fig_adam_cosine(cfg, arrays, which="adam"):
    """The paper's figure: cosine similarities of the input weights at the end of the initial stage of the Adam runs
    (first seed, the neurons that hold ``cover`` of the weight), ordered by cluster; one panel per activation.
    ``which="deep"``: the first hidden layer of the deeper networks."""
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    fig, axes = plots.figure(ncols=len(acts), width=2.1, height=2.3, squeeze=False)
    for i, act in enumerate(acts):
        u = arrays[f"{which}_u_end_stage"][i, 0]
        u = u[dominant_neurons(u, cfg.cover)]
        order = orientation_order(u, cfg.threshold)
        im = axes[0, i].imshow(cosine_similarity(u)[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
        axes[0, i].set(xticks=[], yticks=[])
        p = MULTIPLICITY[act]
        bound = "" if p is None else f", 2p = {2 * p}"
        axes[0, i].set_title(f"{act}{bound}\n{int(arrays[f'{which}_count_end'][i, 0])} orientations", fontsize=7)
    fig.colorbar(im, ax=axes[0, :], label=r"$\hat u_j \cdot \hat u_k$", shrink=0.8)
    return fig


def fig_counts(cfg, arrays):
    """Condensed orientations over training (seed median), a curve per scale, the bound 2p dotted."""
    from matplotlib import ticker

    sc, acts = list(arrays["scales"]), list(cfg.activations)
    fig, axes = plots.figure(ncols=len(acts), width=2.5, height=2.3, squeeze=False, sharey=True)
    for i, act in enumerate(acts):
        for j, s in enumerate(sc):
            axes[0, i].semilogx(np.maximum(arrays["count_steps"], 1), np.median(arrays["count"][i, j], 0),
                                color=plots.sequential(j, len(sc)), label=f"s = {s:g}")
        if MULTIPLICITY[act]:
            axes[0, i].axhline(2 * MULTIPLICITY[act], color="k", ls=":", lw=1)
        axes[0, i].set(title=act, xlabel="step", yscale="log")
        axes[0, i].yaxis.set_major_locator(ticker.FixedLocator([1, 2, 4, 8, 16, 32]))
        axes[0, i].yaxis.set_major_formatter(ticker.ScalarFormatter())
        axes[0, i].yaxis.set_minor_formatter(ticker.NullFormatter())
    axes[0, 0].set_ylabel("condensed orientations")
    axes[0, -1].legend(fontsize=6)
    return fig


def fig_change(cfg, arrays):
    """Relative change of the input weights at the end of the initial stage and of training, against s."""
    sc, acts = list(arrays["scales"]), list(cfg.activations)
    stage = np.nanmedian(stage_end_change(arrays), -1)
    final = np.median(arrays["rel_change"][..., -1], -1)
    fig, ax = plots.figure(width=4.2)
    for i, act in enumerate(acts):
        ax.loglog(sc, stage[i], "o-", color=f"C{i}", label=f"{act}, end of initial stage")
        ax.loglog(sc, final[i], "s--", color=f"C{i}", mfc="none", label=f"{act}, end of training")
    ax.loglog(sc, 1 / np.asarray(sc), "k:", lw=1, label="1/s")
    ax.set(xlabel="initialization scale s", ylabel=r"$\|U_t - U_0\|_F / \|U_0\|_F$")
    fig.legend(loc="outside right center", fontsize=6)
    return fig

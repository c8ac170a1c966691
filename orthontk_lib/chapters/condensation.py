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

from orthontk_lib import activations, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.data import load
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure
from orthontk_lib.train import TrainConfig, fit_grid

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
    Adam; per seed the stage end, its count of orientations, the input weights there and over training (every
    ``ADAM_U_STRIDE``-th evaluation) (``depth`` hidden layers of ``width`` units; the first layer's input weights are
    counted)."""
    spec = FCN(depth, cfg.width, activation, parameterization="standard")
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), 7), cfg.n_seeds)
    loss, u = train_point(spec, data, TrainConfig(steps=cfg.adam_steps, record_every=2, optimizer="adam"),
                          cfg.adam_lr, keys, params=small_params(spec, keys, data.x_train, cfg.adam_std))
    ends, count_end, at_end = stage_ends(cfg, loss, u)
    return {"loss": loss, "end": ends, "count_end": count_end, "u_end_stage": at_end,
            "u": u[:, ::ADAM_U_STRIDE].astype(np.float32)}


ADAM_U_STRIDE = 2
"""The Adam runs keep their input weights at every ``ADAM_U_STRIDE``-th evaluation (evaluated every 2 steps: every 4
steps), for the count over training and the heat map at the paper's step."""


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


# A TYPICAL NETWORK'S COUNT, ITS SPREAD OVER SEEDS, AND ITS DEPENDENCE ON THE RULE

GRID_THRESHOLDS = (0.9, 0.95, 0.98)
"""Cosine thresholds of the sensitivity grid (about 26°, 18° and 11°)."""

GRID_COVERS = (0.8, 0.9, 0.95)
"""Covers (shares of :math:`\sum_k \lVert u_k\rVert^2`) of the sensitivity grid."""

PAPER_STEP = 100
"""The step of the paper's heat maps: after its 100 epochs of full-batch Adam, one step each."""


def median_ratio(counts, ps):
    r"""A typical network's count against the bound: :math:`\max_a \operatorname{median}_{\text{seeds}} c_{a,s} / 2p_a`.

    Args:
      counts: (A, S) condensed orientations, activation by seed (NaN: the stage never ended).
      ps: (A,) multiplicities.

    Returns:
      The largest over activations of the seed-median count / 2p; NaN if any count is missing.
    """
    c = np.asarray(counts, float)
    if np.isnan(c).any():
        return float("nan")
    return float(np.max(np.median(c, -1) / (2.0 * np.asarray(ps, float))))


def median_ratio_ci(counts, ps):
    """:func:`median_ratio` with its 95% bootstrap interval over seeds (the seeds resampled together across
    activations); NaN throughout if any count is missing."""
    if np.isnan(np.asarray(counts, float)).any():
        return float("nan"), (float("nan"), float("nan"))
    return stats.bootstrap_ci(np.asarray(counts, float), lambda c: median_ratio(c, ps))


def share_above(counts, p):
    """Seeds whose count exceeds 2p: (k, n, share, (lo, hi)) with the exact (Clopper–Pearson) 95% interval."""
    from scipy.stats import binomtest

    c = np.asarray(counts, float)
    c = c[~np.isnan(c)]
    k, n = int(np.sum(c > 2 * p)), int(c.size)
    if n == 0:
        return 0, 0, float("nan"), (float("nan"), float("nan"))
    ci = binomtest(k, n).proportion_ci(0.95, "exact")
    return k, n, k / n, (float(ci.low), float(ci.high))


def recount(u, end, threshold=0.95, cover=0.9, weights="wb"):
    """Condensed orientations of saved input weights ``u`` (..., m, d + 1), counted anew at ``threshold`` and ``cover``;
    ``weights="w"`` drops the bias (counts the orientations of :math:`w_k` alone). NaN where ``end`` < 0 (the stage
    never ended). Shape ``u.shape[:-2]``."""
    u = np.asarray(u)
    u = u[..., :-1] if weights == "w" else u
    flat = np.ascontiguousarray(u.reshape(-1, *u.shape[-2:]), np.float32)
    c = np.array([_count(x.tobytes(), x.shape, threshold, cover) for x in flat], float).reshape(u.shape[:-2])
    return np.where(np.asarray(end) >= 0, c, np.nan)


@functools.lru_cache(maxsize=200_000)
def _count(raw, shape, threshold, cover):
    """:func:`condensed_orientations` of one network's float32 weights given as bytes (memoized: the grid, the
    measurements and the figures count the same networks)."""
    return condensed_orientations(np.frombuffer(raw, np.float32).reshape(shape), threshold, cover)


def stage_counts(arrays, which, threshold=0.95, cover=0.9, weights="wb"):
    """Condensed orientations at the end of the initial stage of the Adam (``which="adam"``) or deeper (``"deep"``) runs,
    counted anew from the saved weights: (activation, seed)."""
    return recount(arrays[f"{which}_u_end_stage"], arrays[f"{which}_end"], threshold, cover, weights)


def rule_grid(u, end, ps):
    """The typical count against the bound under every counting rule tried: ``[(rule, ratio)]``, ``ratio`` the
    :func:`median_ratio` of the weights ``u`` (A, S, m, d + 1) saved at the stage ends ``end`` (A, S) of activations of
    multiplicities ``ps`` (A,), for each (threshold, cover) of the grid on (w, b), then on w alone at (0.95, 0.9)."""
    out = [(f"cosine {t:g}, cover {c:g}", median_ratio(recount(u, end, t, c), ps))
           for t in GRID_THRESHOLDS for c in GRID_COVERS]
    out.append(("w alone, cosine 0.95, cover 0.9", median_ratio(recount(u, end, weights="w"), ps)))
    return out


def reading(verdict, grid):
    """Which reading the evidence supports: the verdict at the chapter's rule beside the typical count under every rule
    of ``grid`` (:func:`rule_grid`)."""
    above = [r for r, x in grid if x > 1]
    within = [r for r, x in grid if x <= 1]
    if verdict == "inconclusive" and not above:
        return "inconclusive at the chapter's rule (too few seeds decide the median), within 2p under every rule tried"
    if not above:
        return "the paper's finding reproduces: a typical network stays within 2p under every counting rule tried"
    if not within:
        return ("the paper's figure does not reproduce: a typical network has more than 2p orientations under every "
                "counting rule tried")
    return (f"it depends on how orientations are counted: a typical network stays within 2p at {len(within)} of the "
            f"{len(grid)} rules tried ({within[0]}, ...) and exceeds it at {len(above)} ({above[0]}, ...)")


def history(arrays, which="adam"):
    """The Adam runs' input weights over training and their steps: ((activation, seed, T, m, d + 1), (T,)); None when
    the run kept the weights at the stage end only (the committed paper run did)."""
    if f"{which}_u" not in arrays:
        return None
    u = np.asarray(arrays[f"{which}_u"])
    return u, np.arange(u.shape[2]) * 2 * ADAM_U_STRIDE


def counts_over_training(arrays, which="adam", threshold=0.95, cover=0.9):
    """Condensed orientations at every saved instant: ((activation, seed, T), steps (T,)); None without a history."""
    h = history(arrays, which)
    if h is None:
        return None
    return recount(h[0], np.zeros(h[0].shape[:3]), threshold, cover), h[1]


def bias_split(u, threshold=0.95, cover=0.9):
    r"""Does the bias split an orientation? For one network's input weights ``u`` (m, d + 1): the condensed
    orientations counted on (w, b) and on w alone, and for each pair of condensed clusters whose neurons agree in w
    (mean cosine of their :math:`\hat w` at least ``threshold``, the clustering's own criterion), the mean cosine of their
    :math:`\hat u = (w, b)/\lVert(w, b)\rVert` and the smaller cluster's mean :math:`\lVert u_k\rVert` relative to the
    other condensed neurons'.

    Returns:
      ``{"wb": int, "w": int, "pairs": [(cos_w, cos_wb, norm_ratio)]}``.
    """
    labels = orientation_clusters(u, threshold)
    keep = _largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    cos_wb, cos_w = cosine_similarity(u), cosine_similarity(u[:, :-1])
    norms = np.linalg.norm(u, axis=-1)
    pairs = []
    for i in range(len(keep)):
        for j in range(i + 1, len(keep)):
            a, b = labels == keep[i], labels == keep[j]
            cw = float(cos_w[np.ix_(a, b)].mean())
            if cw >= threshold:
                small = a if a.sum() < b.sum() else b
                rest = np.isin(labels, keep) & ~small
                pairs.append((cw, float(cos_wb[np.ix_(a, b)].mean()), float(norms[small].mean() / norms[rest].mean())))
    return {"wb": len(keep), "w": condensed_orientations(u[:, :-1], threshold, cover), "pairs": pairs}


def _span(x, fmt=".3f"):
    return f"{min(x):{fmt}}" if f"{min(x):{fmt}}" == f"{max(x):{fmt}}" else f"{min(x):{fmt}}–{max(x):{fmt}}"


# CLAIMS

ZX = "Zhou, Xu et al. 2022"
TYPICAL = ("seed median (a typical network, not the worst of the seeds); 95% bootstrap interval over seeds; the "
           "share of seeds above 2p, with its exact interval, in the detail")
RULE_WHY = ("the bound 2p for a typical network: a median at 2p or below; orientations within about 18° count as one "
            "(cosine 0.95), the fewest clusters holding 90% of the weight; other thresholds and covers are shown on the "
            "page")
ROBUST = "cd-robustness"
"""Label of the section that tests a failing bound's robustness (seeds, counting rule, instant): every bound claim's."""
CLAIMS = [
    Claim("condensation-orientations", f"{ZX}, Thm. 1 (p = 1, any input dimension)",
          "With small initialization, the input weights of neurons with an activation of multiplicity p = 1 condense "
          "onto at most 2 orientations early in training, in any input dimension.",
          "condensed orientations / 2p at the end of the initial stage (d = 5, gradient descent, smallest init scale), "
          f"largest over the p = 1 activations of the {TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds", robustness=ROBUST),
    *(Claim(f"condensation-adam-p{p}", f"{ZX}, Sec. 5 (main experiment; " + (
        "Thm. 1)" if p == 1 else "for p > 1 in d = 5 an experimental finding, not a theorem)"),
        f"In the paper's main experiment (5–50–1, N(0, 0.005²), Adam) neurons of multiplicity {p} condense onto at "
        f"most {2 * p} orientations ({p} line{'s' if p > 1 else ''}) in the initial stage.",
        f"condensed orientations / {2 * p} at the end of the initial stage, largest over the activations of "
        f"multiplicity {p} of the {TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds",
        robustness=ROBUST)
      for p in (1, 2, 3)),
    *(Claim(f"condensation-deep-{act}", f"{ZX}, Sec. 5 (condensation beyond one hidden layer)",
            f"In a network with several hidden layers, the first layer's neurons ({act}, multiplicity "
            f"{MULTIPLICITY[act]}) condense onto at most {2 * MULTIPLICITY[act]} orientations in the initial stage.",
            f"condensed orientations of the first hidden layer / {2 * MULTIPLICITY[act]} at the end of the initial "
            f"stage, {TYPICAL}", AtMost(1.0),
            why="the one-layer bound 2p, which the paper's deeper experiments show for the first layer too; " + RULE_WHY,
            decide="more seeds", robustness=ROBUST)
      for act in ("tanh", "xtanh")),
    Claim("condensation-1d-bound", f"{ZX}, Thm. 2 (1-D input, any p)",
          "With 1-D input, neurons condense onto at most 2p orientations for any multiplicity p.",
          "condensed orientations / 2p at the end of the initial stage (1-D), largest over the activations with a "
          f"multiplicity of the {TYPICAL}", AtMost(1.0), why="the theorem's bound, for a typical network",
          decide="more seeds", robustness=ROBUST),
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
CLAIM = {c.id: c for c in CLAIMS}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval; the bounds' details carry each activation's seed median, the
    share of seeds above 2p and, where the weights were saved for every seed, the typical count under every counting
    rule of the grid and the reading it supports."""
    return {
        "condensation-orientations": bound_measurement("condensation-orientations", *_main_bound(arrays, cfg)),
        "condensation-1d-bound": bound_measurement("condensation-1d-bound", *_line_bound(arrays, cfg)),
        **{f"condensation-adam-p{p}": _with_paper_step(
            bound_measurement(f"condensation-adam-p{p}", *_adam_bound(arrays, cfg, "adam", p)), arrays, cfg)
           for p in (1, 2, 3)},
        **{f"condensation-deep-{act}": bound_measurement(f"condensation-deep-{act}",
                                                         *_adam_bound(arrays, cfg, "deep", MULTIPLICITY[act], act))
           for act in ("tanh", "xtanh")},
        "condensation-multiplicity": Measurement(*multiplicity_gap_ci(arrays, cfg.activations_1d)),
        "condensation-lazy-none": Measurement(*lazy_orientations_ci(arrays)),
        "condensation-weight-change": Measurement(*change_slope_ci(arrays), {"slopes": change_slope(arrays)[1]}),
    }


def bound_measurement(claim_id, acts, counts, u=None, end=None):
    """A bound claim's :class:`Measurement`: :func:`median_ratio` of ``counts`` (A, S) with its bootstrap interval; the
    detail gives each activation's median and seeds above 2p, and (with the weights ``u`` at the stage ends ``end``)
    the typical count under every rule of the grid and the reading it supports. NaN without an activation."""
    if not acts:
        return Measurement(float("nan"), (float("nan"), float("nan")), {"activations": []})
    ps = [MULTIPLICITY[a] for a in acts]
    value, ci = median_ratio_ci(counts, ps)
    detail = {"activations": list(acts), "median": [float(np.nanmedian(c)) if not np.all(np.isnan(c)) else None
                                                    for c in np.asarray(counts, float)],
              "above_2p": [list(share_above(c, p)[:2]) + [share_above(c, p)[2], list(share_above(c, p)[3])]
                           for c, p in zip(np.asarray(counts, float), ps)]}
    if u is not None:
        grid = rule_grid(u, end, ps)
        detail["rules"] = [[r, x] for r, x in grid]
        detail["reading"] = reading(CLAIM[claim_id].verdict(value, ci), grid)
    return Measurement(value, ci, detail)


def _with_paper_step(m, arrays, cfg):
    """An Adam bound's measurement with the instant added to its reading, where the run kept its weights over
    training: a typical network's count / 2p at the paper's step (:data:`PAPER_STEP`) beside the stage end's."""
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    acts = (m.detail or {}).get("activations") or []
    if ct is None or not acts or "reading" not in m.detail:
        return m
    c, steps = ct
    j = int(np.argmin(np.abs(steps - PAPER_STEP)))
    idx = [list(cfg.adam_activations).index(a) for a in acts]
    ratio = median_ratio(np.asarray(c, float)[idx, :, j], [MULTIPLICITY[a] for a in acts])
    where = "within 2p" if ratio <= 1 else "above 2p"
    reading = f"{m.detail['reading']}; at the paper's step {int(steps[j])} a typical network has {ratio:.3g} × 2p ({where})"
    return Measurement(m.value, m.ci, {**m.detail, "reading": reading, "paper_step_ratio": float(ratio)})


def _main_bound(arrays, cfg):
    j = int(np.argmin(arrays["scales"]))
    idx = [i for i, a in enumerate(cfg.activations) if MULTIPLICITY[a] == 1]
    return ([cfg.activations[i] for i in idx], counts_at_stage_end(arrays)[idx, j], arrays["u_end_stage"][idx, j],
            arrays["end"][idx, j])


def _line_bound(arrays, cfg):
    idx = [i for i, a in enumerate(cfg.activations_1d) if MULTIPLICITY[a]]
    return [cfg.activations_1d[i] for i in idx], _line_counts(arrays)[idx]


def _adam_bound(arrays, cfg, which, p, activation=None):
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    idx = [i for i, a in enumerate(acts) if MULTIPLICITY[a] == p and activation in (None, a)]
    end = np.asarray(arrays[f"{which}_end"])[idx]
    counts = np.where(end >= 0, np.asarray(arrays[f"{which}_count_end"], float)[idx], np.nan)
    return [acts[i] for i in idx], counts, np.asarray(arrays[f"{which}_u_end_stage"])[idx], end


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
    m = measure(arrays, cfg)
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
            if CLAIMS[0].verdict(*m["condensation-orientations"][:2]) == "holds" else
            "at the smallest s the counts of the p = 1 activations still exceed the bound for some seeds"),
        "cd-slopes": ", ".join(f"{s:.2f} ({act})" for s, act in zip(change_slope(arrays)[1], acts)),
        "cd-change-lazy": ", ".join(f"{final[i, large]:.2f} ({act})" for i, act in enumerate(acts)),
        "cd-lazy-words": ("about their own size or more: at this width the usual scale is not lazy"
                          if lazy.max() > 0.3 else "by a small fraction of their size: close to lazy"),
        "cd-change-small": ", ".join(f"{final[i, small]:.0f} ({act})" for i, act in enumerate(acts)),
        "cd-scale-small": f"{sc[small]:g}",
        "cd-adam-setup": f"{cfg.d}–{cfg.width}–1 networks, every parameter from N(0, {cfg.adam_std:g}²), full-batch Adam "
                         f"with learning rate {cfg.adam_lr:g} for {cfg.adam_steps} steps, {cfg.n_seeds} seeds",
        "cd-adam-differs": ADAM_FIGURE.caption(cfg, [adam_stage_difference(arrays, cfg.loss_drop)]),
        "cd-adam-words": bound_words(m, [f"condensation-adam-p{p}" for p in (1, 2, 3)]),
        "cd-adam-history-words": history_words(arrays, cfg),
        "cd-adam-heat-when": heat_when(arrays),
        "cd-paper-step": str(PAPER_STEP),
        "cd-softplus-words": softplus_words(arrays, cfg),
        "cd-grid-words": grid_words(m),
        "cd-robust-words": robust_words(m),
        "cd-deep-setup": f"{cfg.d}–{'–'.join([str(cfg.width)] * cfg.deep_depth)}–1 networks ({cfg.deep_depth} hidden "
                         f"layers), otherwise as above",
        "cd-deep-words": bound_words(m, ["condensation-deep-tanh", "condensation-deep-xtanh"]),
        "cd-line-bound-words": bound_words(m, ["condensation-1d-bound"]),
        "cd-line-words": line_words(arrays, cfg),
        "cd-line-match": line_match_words(cfg, arrays),
        "cd-line-differs": LINE_FIGURE.caption(cfg, line_differences(cfg)),
    }


def adam_stage_difference(arrays, loss_drop=0.05):
    """The one difference from the paper's figure that the data set: the instant of the count the claims read (the
    end of each run's initial stage, and when the stages ended) and of the heat map (the paper's step where the run
    kept its weights over training, else the stage end too)."""
    ends = 2 * np.asarray(arrays["adam_end"])
    ended = ends[ends >= 0]
    when = f"{ended.min()} to {ended.max()} steps" if ended.size else "never, within the run"
    stage = (f"the end of each run's initial stage (the first evaluation where the training loss has fallen by "
             f"{loss_drop:.0%}), not the paper's step {PAPER_STEP}: here the stages end after {when}")
    if history(arrays) is None:
        return f"the heat map and the count are taken at {stage}"
    return f"the heat map is taken at the paper's step {PAPER_STEP}, but the count the claims read is taken at {stage}"


def adam_rows(cfg, arrays):
    """Rows of the Adam table: φ, p, 2p, orientations (median [range]), stage end in steps (median [range])."""
    rows = []
    for i, act in enumerate(cfg.adam_activations):
        p, c, e = MULTIPLICITY[act], np.asarray(arrays["adam_count_end"][i], float), arrays["adam_end"][i]
        rows.append([act, "—" if p is None else str(p), "—" if p is None else str(2 * p),
                     _median_range(np.where(c < 0, np.nan, c)), _median_range(2.0 * e[e >= 0])])
    return rows


def _share_text(share):
    k, n, _, (lo, hi) = share
    return f"{k} of {n}" + (f" ({k / n:.0%}, 95% interval {lo:.0%}–{hi:.0%})" if 0 < k else "")


def bound_words(m, claim_ids):
    """One sentence per bound claim: its verdict, the typical count / 2p with its interval, each activation's median
    and seeds above 2p, and the reading the counting rules support."""
    parts = []
    for cid in claim_ids:
        v, ci, det = m[cid]
        if not det.get("activations"):
            parts.append(f"{cid}: not measured (no activation of its multiplicity was run)")
            continue
        acts = det["activations"]
        per = ", ".join(f"{a} {med:g} (seeds above 2p: {_share_text(sh)})" if med is not None else f"{a} —"
                        for a, med, sh in zip(acts, det["median"], det["above_2p"]))
        text = (f"{cid} {CLAIM[cid].verdict(v, ci)}: a typical network's count / 2p is {v:.2f} [{ci[0]:.2f}, "
                f"{ci[1]:.2f}]; medians {per}")
        parts.append(text + (f"; {det['reading']}" if "reading" in det else ""))
    return ". ".join(parts)


def grid_rows(cfg, arrays):
    """Rows of the sensitivity table of the Adam runs: the counting rule, then per activation the seed median at the end
    of the initial stage and the seeds above 2p."""
    acts = list(cfg.adam_activations)
    rules = [(t, c, "wb") for t in GRID_THRESHOLDS for c in GRID_COVERS] + [(0.95, 0.9, "w")]
    rows = []
    for t, c, w in rules:
        counts = stage_counts(arrays, "adam", t, c, w)
        cells = []
        for i, act in enumerate(acts):
            med, p = np.nanmedian(counts[i]), MULTIPLICITY[act]
            k, n = share_above(counts[i], p)[:2] if p else (None, None)
            cells.append(f"{med:g}" + ("" if p is None else f" ({k}/{n})"))
        rows.append([f"{t:g}", f"{c:g}", "w" if w == "w" else "(w, b)"] + cells)
    return rows


def grid_words(m):
    """Per Adam claim: at how many of the rules tried a typical network stays within 2p."""
    parts = []
    for p in (1, 2, 3):
        det = m[f"condensation-adam-p{p}"].detail
        if "rules" not in det:
            continue
        within = sum(x <= 1 for _, x in det["rules"])
        parts.append(f"p = {p}: within 2p at {within} of the {len(det['rules'])} rules")
    return "; ".join(parts) if parts else "no Adam activation with a multiplicity was run"


def robust_rows(m):
    """Rows of the robustness table, one per bound claim that does not hold or is inconclusive: claim, verdict, typical
    count / 2p with interval, seeds above 2p (the activation with most), rules within 2p, the reading."""
    rows = []
    for c in CLAIMS:
        v, ci, det = m[c.id]
        if "median" not in (det or {}) or c.verdict(v, ci) == "holds":
            continue
        worst = max(range(len(det["activations"])), key=lambda i: det["above_2p"][i][2] if det["above_2p"][i][1] else -1)
        rules = det.get("rules")
        rows.append([c.id, c.verdict(v, ci), f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]",
                     f"{det['activations'][worst]}: {_share_text(det['above_2p'][worst])}",
                     f"{sum(x <= 1 for _, x in rules)} of {len(rules)}" if rules else "not saved for every seed",
                     det.get("reading", "—")])
    return rows


def robust_words(m):
    """The claims the robustness section is about, or that there are none."""
    rows = robust_rows(m)
    if not rows:
        return "Every bound holds at this profile: no robustness check is needed"
    return ("These bounds do not hold or are undecided here: " + ", ".join(f"{r[0]} ({r[1]})" for r in rows) +
            ". Each was checked from several sides")


def history_words(arrays, cfg):
    """The count over training in words: per activation the seed median at the paper's step and its smallest value over
    the run; or that this run kept the weights at the stage ends only."""
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    if ct is None:
        return ("this run kept the input weights at the end of each initial stage only (it was made before the chapter "
                "saved them over training), so the count over training and at the paper's step are not available here; "
                "the quick profile shows them")
    c, steps = ct
    j = int(np.argmin(np.abs(steps - PAPER_STEP)))
    med = np.median(c, 1)  # (activation, T)
    parts = []
    for i, act in enumerate(cfg.adam_activations):
        p = MULTIPLICITY[act]
        bound = "" if p is None else f", 2p = {2 * p}"
        parts.append(f"{act} {med[i, j]:g} at step {steps[j]} (fewest over the run {med[i].min():g}, at step "
                     f"{steps[int(np.argmin(med[i]))]}{bound})")
    return "seed medians: " + "; ".join(parts)


def heat_when(arrays):
    """Which instant the Adam heat maps show."""
    h = history(arrays)
    if h is None:
        return ("at the end of the initial stage (this run did not keep the weights at the paper's step "
                f"{PAPER_STEP})")
    return f"at step {h[1][int(np.argmin(np.abs(h[1] - PAPER_STEP)))]}, the paper's"


def softplus_words(arrays, cfg):
    """Softplus's extra orientation, tested: counted on (w, b) and on w alone; in the networks with more than 2, the
    pair of clusters that share their w-orientation, their (w, b) cosine and the smaller one's size; sigmoid beside it."""
    acts = list(cfg.adam_activations)
    if "softplus" not in acts:
        return "softplus was not run"
    i = acts.index("softplus")
    wb, w = (stage_counts(arrays, "adam", cfg.threshold, cfg.cover, x)[i] for x in ("wb", "w"))
    n = int(np.sum(~np.isnan(wb)))
    text = (f"Counted on (w, b), softplus has more than 2 orientations in {int(np.sum(wb > 2))} of {n} seeds; "
            f"counted on w alone, in {int(np.sum(w > 2))} of {n}")
    splits = [bias_split(u, cfg.threshold, cfg.cover) for u, c in zip(arrays["adam_u_end_stage"][i], wb) if c > 2]
    pairs = [pr for sp in splits for pr in sp["pairs"]]
    if splits:
        if pairs:
            cw, cwb, nr = (np.array([pr[k] for pr in pairs]) for k in range(3))
            text += (f". In {sum(bool(sp['pairs']) for sp in splits)} of the {len(splits)} networks with more, two of "
                     f"the clusters point the same way in w (mean cosine of their neurons' w {_span(cw)}) and part in "
                     f"the bias alone (mean cosine of their (w, b) {_span(cwb)}, below the threshold "
                     f"{cfg.threshold:g} that would merge them); the smaller one's neurons are {_span(nr, '.2f')} times "
                     f"as large as the other condensed neurons, so they are not neurons that failed to grow")
        else:
            text += ". No two of its clusters share their w-orientation: the extra one is not a split in the bias"
    if "sigmoid" in acts:
        sg = stage_counts(arrays, "adam", cfg.threshold, cfg.cover)[acts.index("sigmoid")]
        text += (f". Sigmoid(0) = 1/2 is not 0 either, yet sigmoid has more than 2 in {int(np.sum(sg > 2))} of "
                 f"{int(np.sum(~np.isnan(sg)))} seeds")
    return text


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


def fig_adam_cosine(cfg, arrays, which="adam", step=None):
    """The paper's figure: cosine similarities of the input weights of the Adam runs (first seed, the neurons that hold
    ``cover`` of the weight), ordered by cluster; one panel per activation. At ``step`` where the run kept its weights
    over training, else at the end of the initial stage. ``which="deep"``: the first hidden layer of the deeper
    networks."""
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    h = history(arrays, which) if step is not None else None
    fig, axes = plots.figure(ncols=len(acts), width=2.1, height=2.3, squeeze=False)
    for i, act in enumerate(acts):
        if h is None:
            u, when = arrays[f"{which}_u_end_stage"][i, 0], "end of initial stage"
        else:
            j = int(np.argmin(np.abs(h[1] - step)))
            u, when = h[0][i, 0, j], f"step {h[1][j]}"
        n = condensed_orientations(u, cfg.threshold, cfg.cover)
        u = u[dominant_neurons(u, cfg.cover)]
        order = orientation_order(u, cfg.threshold)
        im = axes[0, i].imshow(cosine_similarity(u)[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
        axes[0, i].set(xticks=[], yticks=[])
        p = MULTIPLICITY[act]
        bound = "" if p is None else f", 2p = {2 * p}"
        axes[0, i].set_title(f"{act}{bound}\n{n} orientations, {when}", fontsize=7)
    fig.colorbar(im, ax=axes[0, :], label=r"$\hat u_j \cdot \hat u_k$", shrink=0.8)
    return fig


def fig_adam_counts(cfg, arrays):
    """Condensed orientations of the Adam runs against the step: seed median and quartile band, the bound 2p dotted,
    the paper's step dashed, the median end of the initial stage grey. Without a history over training: each seed's
    count at the end of its initial stage against that step."""
    acts = list(cfg.adam_activations)
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    fig, axes = plots.figure(ncols=len(acts), width=2.0, height=2.2, squeeze=False, sharey=True)
    for i, act in enumerate(acts):
        ax = axes[0, i]
        if ct is None:
            end = arrays["adam_end"][i]
            ax.plot(2 * end[end >= 0], np.asarray(arrays["adam_count_end"][i])[end >= 0], "o", ms=3, color=f"C{i}",
                    alpha=0.6)
        else:
            c, steps = ct
            q1, med, q3 = np.percentile(c[i], [25, 50, 75], axis=0)
            ax.fill_between(steps, q1, q3, color=f"C{i}", alpha=0.3, lw=0)
            ax.plot(steps, med, color=f"C{i}", lw=1.2)
            ax.axvline(PAPER_STEP, color="k", ls="--", lw=0.8)
            end = arrays["adam_end"][i]
            if (end >= 0).any():
                ax.axvline(2 * np.median(end[end >= 0]), color="0.6", lw=0.8)
        if MULTIPLICITY[act]:
            ax.axhline(2 * MULTIPLICITY[act], color="k", ls=":", lw=1)
        ax.set(title=act, xlabel="Adam step", yscale="log", ylim=(1, 60))
        ax.set_yticks([1, 2, 4, 6, 10, 20, 40], labels=["1", "2", "4", "6", "10", "20", "40"])
        ax.minorticks_off()
    axes[0, 0].set_ylabel("condensed orientations")
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

r"""The experiment of finite-width corrections: the chapter's knobs (:class:`Config`), its measurement points, the sweeps that save
them and :func:`compute`."""

import dataclasses
import functools

import jax
import numpy as np

from orthontk_lib import kernels, meanfield, results
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.data import DATASETS, DIMENSION, load
from orthontk_lib.models import FCN, INITS

__all__ = ["CRITICAL_POINTS", "Config", "INITS", "SLUG", "SWEEPS", "TRAIN_SPEC", "_by_estimate", "_fluctuation_sweep",
           "_keys", "_ntk_seeds_minutes", "_sphere", "_training_setup", "compute", "fluctuation_minutes",
           "fluctuation_point", "grouped_relative_variance", "isometry_minutes", "isometry_point",
           "linearized_losses", "record_every", "record_steps", "spread_minutes", "spread_point", "tanh_linear_gaps",
           "training_data", "training_minutes", "training_point"]

SLUG = "finite-width"
CRITICAL_POINTS = {"q0": (1.0, 0.0), "eoc": (1.302, meanfield.critical_b_std("tanh", 1.302))}
"""The fluctuation measurement's critical tanh points (sigma_W, sigma_b): q* = 0, the criticality at which Day et al.
make their claim, and Hayou et al.'s Edge-of-Chaos point (their (sigma_b, sigma_W) = (0.2, 1.302); sigma_b from
chi = 1 here), where q* is about 0.5 and neither paper compares the initializations."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the three finite-width measurements."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "spread: widths n", "min": 1})
    n_seeds: int = dataclasses.field(default=16, metadata={"help": "spread: networks per width and init", "min": 4})
    depth: int = dataclasses.field(default=3, metadata={"help": "spread: hidden layers", "min": 1})
    fluct_width: int = dataclasses.field(default=64, metadata={"help": "fluctuations: the fixed width", "min": 1})
    fluct_depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={
                                                      "help": "fluctuations: depths L", "min": 1})
    fluct_seeds: int = dataclasses.field(default=48, metadata={"help": "fluctuations: networks per depth", "min": 4})
    iso_width: int = dataclasses.field(default=128, metadata={
                                       "help": "isometry: width, also the input dimension", "min": 1})
    iso_depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={"help": "isometry: depths L", "min": 1})
    train_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "training: widths", "min": 1})
    train_seeds: int = dataclasses.field(default=4, metadata={
                                         "help": "training: networks per width and init", "min": 2})
    train_steps: int = dataclasses.field(default=400, metadata={"help": "training: full-batch GD steps", "min": 10})
    dataset: str = dataclasses.field(default="digits", metadata={"help": "training: data set", "choices": DATASETS})
    n_train: int = dataclasses.field(default=64, metadata={"help": "training: images", "min": 2})
    n_inputs: int = dataclasses.field(default=8, metadata={"help": "inputs on the sphere", "min": 1})
    n_groups: int = dataclasses.field(default=4, metadata={"help": "disjoint seed groups for error bars", "min": 2})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PROFILES = {
        "smoke": dict(widths=(16, 32, 64), n_seeds=8, fluct_width=16, fluct_depths=(1, 2, 4, 8), fluct_seeds=8,
                      iso_width=16, iso_depths=(1, 4), n_inputs=4, train_widths=(16, 64), train_seeds=2,
                      train_steps=50, n_train=16),
        "quick": dict(widths=(64, 128, 256, 512, 1024), n_seeds=16, fluct_width=64,
                      fluct_depths=(1, 2, 4, 8, 16, 32, 64), fluct_seeds=48, iso_width=128, iso_depths=(1, 4, 16, 64),
                      train_widths=(64, 128, 256, 512), train_seeds=4, train_steps=200, n_train=64),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096), n_seeds=64, fluct_width=256,
                      fluct_depths=(1, 2, 4, 8, 16, 32, 64, 128), fluct_seeds=256, iso_width=512,
                      iso_depths=(1, 4, 16, 64, 256), train_widths=(64, 256, 1024, 4096), train_seeds=20,
                      train_steps=2000, n_train=256),
    }
    COST = {"paper": Cost("GPU", 20, "estimate: the training sweep at widths to 4096, 20 seeds, 2,000 steps")}

    SEED_COUNTS = ("n_seeds", "fluct_seeds")


def grouped_relative_variance(samples, n_groups):
    """Relative variance Var/mean² of each entry, averaged over entries, in ``n_groups`` disjoint seed groups.

    Args:
      samples: (S, ...) one kernel (or kernel diagonal) per seed.

    Returns:
      (n_groups,) values of the statistic.
    """
    out = []
    for g in np.array_split(np.asarray(samples), n_groups):
        out.append(float(g.var(0, ddof=1).mean() / (g.mean(0) ** 2).mean()))
    return np.array(out)


def _keys(cfg, tag, count):
    return jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), tag), count)


def spread_point(cfg, x, width):
    """Spread statistic per init at one width: (2, n_groups)."""
    return np.stack([
        grouped_relative_variance(
            kernels.empirical_ntk_seeds(FCN(cfg.depth, width, "erf", 1.5, 0.1, init), _keys(cfg, width, cfg.n_seeds), x),
            cfg.n_groups)
        for init in INITS
    ])


def fluctuation_point(cfg, x, depth, point="q0"):
    """Normalized variance of the NTK diagonal per init at one depth (tanh at a critical point): (2, n_groups)."""
    out = []
    for init in INITS:
        spec = FCN(depth, cfg.fluct_width, "tanh", *CRITICAL_POINTS[point], init)
        ntks = kernels.empirical_ntk_seeds(spec, _keys(cfg, 10_000 + depth, cfg.fluct_seeds), x)
        out.append(grouped_relative_variance(np.diagonal(np.asarray(ntks), axis1=1, axis2=2), cfg.n_groups))
    return np.stack(out)


def tanh_linear_gaps(arrays):
    """How far the tanh networks' Jacobian singular values are from the linear networks' (same draws), per depth: the
    largest relative difference over both inits and the values above 1e-6 (sorted, so value for value); a list of
    float (NaN at a depth with no value above 1e-6), one per ``iso_depths``."""
    sv = np.sort(np.asarray(arrays["iso"], float), axis=-1)  # (depth, activation, init, n)
    rel = []
    for d in range(sv.shape[0]):
        lin, tanh = sv[d, 0], sv[d, 1]
        keep = lin > 1e-6
        rel.append(float(np.max(np.abs(tanh - lin)[keep] / lin[keep])) if keep.any() else float("nan"))
    return rel


def isometry_point(cfg, depth):
    """Singular values of ∂h^L/∂x for (linear, tanh) x (gaussian, orthogonal): (2, 2, width)."""
    n = cfg.iso_width
    x = load("sphere", n_train=1, d=n, seed=cfg.seed).x_train[0] / np.sqrt(n)  # a unit-norm input
    out = np.zeros((2, 2, n))
    for a, activation in enumerate(("linear", "tanh")):
        for i, init in enumerate(INITS):
            spec = FCN(depth, n, activation, 1.0, 0.0, init)
            variables = spec.initialize(_keys(cfg, 20_000 + depth, 1)[0], x[None])
            out[a, i] = np.linalg.svd(np.asarray(kernels.input_output_jacobian(spec, variables, x)), compute_uv=False)
    return out


TRAIN_SPEC = dict(depth=2, activation="erf", W_std=1.5, b_std=0.1)
"""The trained network: two erf layers, NTK parameterization, 10 outputs."""


def training_data(cfg):
    """``n_train`` images of ``dataset`` on the sphere of radius sqrt(d), one-hot targets; test set unused (1 image)."""
    return load(cfg.dataset, n_train=cfg.n_train, n_test=1, seed=cfg.seed, sphere=True)


def record_every(cfg):
    """Steps between recorded losses: about 40 records per run."""
    return max(1, cfg.train_steps // 40)


def record_steps(cfg):
    """The steps at which losses are recorded (0 included)."""
    return np.arange(0, cfg.train_steps - cfg.train_steps % record_every(cfg) + 1, record_every(cfg))


def linearized_losses(cfg, data, width=None):
    r"""The infinite-width (linearized) GD loss curve of each network, given its own initial outputs.

    With :math:`A = I - \eta \Theta_\infty / N` and the network's outputs :math:`f_0` at initialization,
    :math:`L_t = \frac{1}{2N} \lVert A^t (f_0 - y) \rVert_F^2` (Lee et al. 2019). The learning rate is
    :math:`\eta = N / \lambda_{\max}(\Theta_\infty)`, half the stability limit of GD.

    Returns:
      ``(eta, loss_fn)`` where ``loss_fn(f0)`` maps (..., N, K) initial outputs to (..., records) losses,
      at the steps of :func:`record_steps`.
    """
    spec = FCN(width=width or cfg.train_widths[0], out_dim=10, **TRAIN_SPEC)  # the width is immaterial (NTK param.)
    x, y = data.x_train, data.y_train
    n = x.shape[0]
    lam, vec = np.linalg.eigh(np.asarray(kernels.analytic_ntk(spec, x), np.float64))
    eta = n / lam.max()
    decay = (1 - eta * lam / n)[None] ** record_steps(cfg)[:, None]  # (records, N)

    def loss_fn(f0):
        r = np.einsum("ia,...ik->...ak", vec, np.asarray(f0, np.float64) - y)  # residual in the eigenbasis
        return np.einsum("ta,...ak->...t", decay**2, r**2) / (2 * n)

    return float(eta), loss_fn


def training_point(cfg, data, eta, width):
    """Loss curves (2 inits, seeds, records) of full-batch GD at ``eta``, and initial outputs (2, seeds, N, K)."""
    from orthontk_lib import train

    every = record_every(cfg)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, record_every=every, loss="mse")
    loss, f0 = [], []
    for init in INITS:
        spec = FCN(width=width, out_dim=10, init=init, **TRAIN_SPEC)
        keys = _keys(cfg, 30_000 + width, cfg.train_seeds)
        hist = train.fit_grid(spec, config, keys, np.full(cfg.train_seeds, eta), data)
        loss.append(hist["train_loss"])
        f0.append(hist["initial_output"])
    return {"loss": np.stack(loss), "f0": np.stack(f0)}


@functools.lru_cache(maxsize=4)
def _sphere(cfg):
    """The ``n_inputs`` inputs on the sphere of a sweep's view."""
    return load("sphere", n_train=cfg.n_inputs, d=64, seed=cfg.seed).x_train


@functools.lru_cache(maxsize=2)
def _training_setup(cfg):
    """The training set and the learning rate of a training sweep's view (eta of the analytic kernel: any width)."""
    data = training_data(cfg)
    return data, linearized_losses(cfg, data, width=1)[0]


def _by_estimate(minutes):
    from orthontk_lib.book import cost

    return cost.by_estimate(minutes)


def _ntk_seeds_minutes(layers, seeds, n_inputs, device):
    """Minutes of :func:`kernels.empirical_ntk_seeds` of ``seeds`` networks of ``layers`` for both inits on
    ``n_inputs`` inputs: the draws (normal draws; a QR of each orthogonal layer, which dominates at large width or
    depth) and the kernels (:func:`orthontk_lib.book.cost.ntk_flops`). Not counted: the eager dispatch of the draws."""
    from orthontk_lib.book import cost

    flops = sum(cost.init_flops(layers, init, seeds) for init in INITS)
    return cost.estimated_minutes(flops + 2 * seeds * cost.ntk_flops(layers, n_inputs), device)


def spread_minutes(cfg, p, device):
    """Minutes of one :func:`spread_point` (:func:`_ntk_seeds_minutes`: ``n_seeds`` erf networks of ``depth``)."""
    from orthontk_lib.book import cost

    return _ntk_seeds_minutes(cost.dense_layers(64, [p["width"]] * cfg.depth, 1), cfg.n_seeds, cfg.n_inputs, device)


def fluctuation_minutes(cfg, p, device):
    """Minutes of one :func:`fluctuation_point` (:func:`_ntk_seeds_minutes`: ``fluct_seeds`` tanh networks)."""
    from orthontk_lib.book import cost

    layers = cost.dense_layers(64, [cfg.fluct_width] * p["depth"], 1)
    return _ntk_seeds_minutes(layers, cfg.fluct_seeds, cfg.n_inputs, device)


def isometry_minutes(cfg, p, device):
    """Minutes of one :func:`isometry_point`: four networks (linear and tanh, both inits) drawn (a QR of each
    orthogonal layer) and their input-output Jacobians by forward mode in float64 (``iso_width`` tangents through
    every hidden layer, 2 per multiply-add and tangent, doubled for float64), and four SVDs (4 n^3 each). Not
    counted: the eager dispatch of the float64 Jacobian, layer by layer."""
    from orthontk_lib.book import cost

    n = cfg.iso_width
    layers = cost.dense_layers(n, [n] * p["depth"], 1)
    hidden = sum(a * b for a, b in layers[:-1])
    flops = sum(cost.init_flops(layers, init, 2) for init in INITS) + 4 * (2 * 2.0 * n * hidden + 4.0 * n**3)
    return cost.estimated_minutes(flops, device)


def training_minutes(cfg, p, device):
    """Minutes of one :func:`training_point`, per init: full-batch GD of ``train_seeds`` networks with the loss
    evaluated at every record (:func:`orthontk_lib.book.cost.training_flops`) and their draws (a QR of each orthogonal
    layer). Not counted: the linearized losses' analytic kernel (once per sweep) and elementwise work."""
    from orthontk_lib.book import cost

    every = record_every(cfg)
    steps = cfg.train_steps - cfg.train_steps % every
    layers = cost.dense_layers(DIMENSION[cfg.dataset], [p["width"]] * TRAIN_SPEC["depth"], 10)
    weights = sum(a * b for a, b in layers)
    flops = sum(cost.training_flops(weights, cfg.n_train, steps, cfg.train_seeds, steps // every + 1, cfg.n_train + 1)
                + cost.init_flops(layers, init, cfg.train_seeds) for init in INITS)
    return cost.estimated_minutes(flops, device, steps=2 * steps, programs=2)


def _fluctuation_sweep(point):
    return results.Sweep(
        SLUG, "fluctuations" if point == "q0" else f"fluctuations-{point}",
        knobs=("fluct_width", "fluct_seeds", "n_groups", "n_inputs", "seed"), over=("fluct_depths",),
        points=lambda cfg: [{"depth": L} for L in cfg.fluct_depths],
        run=lambda cfg, p: {"v": fluctuation_point(cfg, _sphere(cfg), p["depth"], point)},
        minutes=fluctuation_minutes, device=lambda cfg, p: _by_estimate(fluctuation_minutes)(cfg, p), desc=f"NTK fluctuations by depth ({point})")


SWEEPS = {
    "spread": results.Sweep(
        SLUG, "spread", knobs=("depth", "n_seeds", "n_groups", "n_inputs", "seed"), over=("widths",),
        points=lambda cfg: [{"width": w} for w in cfg.widths],
        run=lambda cfg, p: {"v": spread_point(cfg, _sphere(cfg), p["width"])}, minutes=spread_minutes,
        device=lambda cfg, p: _by_estimate(spread_minutes)(cfg, p), desc="NTK spread by width"),
    **{f"fluctuations-{point}": _fluctuation_sweep(point) for point in CRITICAL_POINTS},
    "isometry": results.Sweep(
        SLUG, "isometry", knobs=("iso_width", "seed"), over=("iso_depths",),
        points=lambda cfg: [{"depth": L} for L in cfg.iso_depths],
        run=lambda cfg, p: {"sv": isometry_point(cfg, p["depth"])}, minutes=isometry_minutes,
        device=lambda cfg, p: _by_estimate(isometry_minutes)(cfg, p), desc="Jacobian spectra by depth"),
    "training": results.Sweep(
        SLUG, "training", knobs=("dataset", "train_seeds", "train_steps", "n_train", "seed"), over=("train_widths",),
        since={"dataset": "digits"},  # every point saved before the data set was a knob ran on digits
        points=lambda cfg: [{"width": w} for w in cfg.train_widths],
        run=lambda cfg, p: training_point(cfg, *_training_setup(cfg), p["width"]),
        minutes=training_minutes, device=lambda cfg, p: _by_estimate(training_minutes)(cfg, p),
        desc="GD training by width"),
}
"""The chapter's sweeps: spread by width, fluctuations by depth at each critical point, Jacobian spectra by depth,
GD training by width."""


def compute(cfg):
    """The sweeps, each point saved as it finishes."""
    spread = SWEEPS["spread"].results(cfg)
    fluct = {point: SWEEPS[f"fluctuations-{point}"].results(cfg) for point in CRITICAL_POINTS}
    iso = SWEEPS["isometry"].results(cfg)
    curves = SWEEPS["training"].results(cfg)
    eta, linearized = linearized_losses(cfg, training_data(cfg))
    return {
        "train_widths": np.array(cfg.train_widths),
        "train_steps": record_steps(cfg),
        "train_loss": np.stack([p.arrays["loss"] for p in curves]),  # (width, init, seed, step)
        "linearized_loss": np.stack([linearized(p.arrays["f0"]) for p in curves]),  # same shape
        "eta": np.array(eta),
        "widths": np.array(cfg.widths),
        "spread": np.stack([p.arrays["v"] for p in spread], axis=1),  # (init, width, group)
        "fluct_depths": np.array(cfg.fluct_depths),
        **{"fluct" if point == "q0" else f"fluct_{point}": np.stack([p.arrays["v"] for p in pts], axis=1)
           for point, pts in fluct.items()},  # (init, depth, group)
        "iso_depths": np.array(cfg.iso_depths),
        "iso": np.stack([p.arrays["sv"] for p in iso]),  # (depth, activation, init, width)
    }

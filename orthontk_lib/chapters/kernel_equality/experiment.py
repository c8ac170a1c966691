r"""The experiment of the kernels' equality at infinite width: the chapter's knobs (:class:`Config`), its measurement points, the sweeps that save
them and :func:`compute`."""

import dataclasses
import functools
import itertools

import jax
import numpy as np

from orthontk_lib import kernels, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN, INITS

__all__ = ["CNN_VARIANTS", "Config", "DATASETS", "FILTERS", "INITS", "SLUG", "SWEEPS", "_cnn_limit", "_cnn_point",
           "_deep", "_limit", "_point", "bias_in_standard_errors", "bias_ratios", "cnn_gap_slope", "cnn_point",
           "cnn_pooled_slope", "compute", "compute_cnn", "delta_slope", "depth_trend", "error_by_depth",
           "heatmap_config", "image_inputs", "inputs", "point", "pooled_slope", "seed_mean_distance", "slope_table"]

SLUG = "kernel-equality"
DATASETS = ("sphere", "digits", "cifar10")
FILTERS = ("full", "delta")
CNN_VARIANTS = tuple((f, i) for f in FILTERS for i in INITS)
"""The (filter, init) pairs of the CNN sweep, in the order of the ``cnn_err`` axis."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the kernel-equality sweep."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "hidden widths n", "min": 1})
    depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={"help": "hidden layers L", "min": 1})
    activations: tuple[str, ...] = dataclasses.field(default=("relu",), metadata={"help": "phi: relu, erf, tanh, ..."})
    datasets: tuple[str, ...] = dataclasses.field(default=("sphere",), metadata={"help": "sphere, digits, cifar10"})
    n_seeds: int = dataclasses.field(default=4, metadata={"help": "networks per point and init", "min": 2})
    n_inputs: int = dataclasses.field(default=16, metadata={"help": "inputs per data set", "min": 2})
    W_std: float = dataclasses.field(default=1.5, metadata={"help": "sigma_W", "min": 0.0})
    b_std: float = dataclasses.field(default=0.1, metadata={"help": "sigma_b", "min": 0.0})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})
    cnn_channels: tuple[int, ...] = dataclasses.field(default=(16,), metadata={"help": "CNN: channels", "min": 1})
    cnn_depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={"help": "CNN: conv layers", "min": 1})
    cnn_seeds: int = dataclasses.field(default=4, metadata={"help": "CNN: networks per point and variant", "min": 2})
    cnn_inputs: int = dataclasses.field(default=8, metadata={"help": "CNN: 8x8 digit images", "min": 2})

    PROFILES = {
        "smoke": dict(widths=(16, 32, 64), depths=(1, 2), activations=("relu",), datasets=("sphere",), n_seeds=2,
                      n_inputs=6, cnn_channels=(8, 16), cnn_depths=(1, 2), cnn_seeds=2, cnn_inputs=4),
        "quick": dict(widths=(64, 256, 1024), depths=(1, 3, 5), activations=("relu", "erf"),
                      datasets=("sphere", "digits"), n_seeds=4, n_inputs=16,
                      cnn_channels=(16, 64, 256), cnn_depths=(1, 2, 3), cnn_seeds=8, cnn_inputs=10),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096), depths=(1, 3, 5), activations=("relu", "erf"),
                      datasets=("sphere", "cifar10"), n_seeds=10, n_inputs=20,
                      cnn_channels=(16, 32, 64, 128, 256, 512, 1024), cnn_depths=(1, 2, 3), cnn_seeds=16,
                      cnn_inputs=16),
    }
    COST = {"paper": Cost("CPU", 25, "measured 21 minutes on 2 CPU cores, 2026-11-29, with digits in place of "
                                     "CIFAR-10: 4096 x 4096 orthogonal draws and the 1024-channel CNN kernels")}

    def __post_init__(self):
        from orthontk_lib.book.profiles import ConfigError
        from orthontk_lib.models import ACTIVATIONS

        for name, allowed in (("activations", ACTIVATIONS), ("datasets", DATASETS)):
            bad = [v for v in getattr(self, name) if v not in allowed]
            if bad:
                raise ConfigError(f"{name}: {bad[0]!r} is not one of {', '.join(allowed)}")

    def configs(self):
        """The (data set, activation, depth) triples, in plotting order."""
        return list(itertools.product(self.datasets, self.activations, self.depths))

    def spec(self, activation, depth, width, init):
        return FCN(depth, width, activation, self.W_std, self.b_std, init)

    def cnn_spec(self, depth, channels, init="gaussian", filter="full"):
        """A 3x3 ReLU CNN with the chapter's sigma_W, sigma_b."""
        return CNN(depth, channels, 3, "relu", self.W_std, self.b_std, init, filter=filter)


def inputs(cfg, dataset):
    """``n_inputs`` inputs of ``dataset``, flattened and rescaled onto the sphere of radius sqrt(d)."""
    if dataset == "sphere":
        x = load("sphere", n_train=cfg.n_inputs, d=64, seed=cfg.seed).x_train
    else:
        x = load(dataset, n_train=cfg.n_inputs, n_test=0).x_train
    # not data.on_sphere, which keeps float32: float64 inputs with float32 row norms, as the saved points were made
    return x * np.sqrt(x.shape[1]) / np.linalg.norm(x, axis=1, keepdims=True)


def point(cfg, dataset, activation, depth, width, x, theta_inf):
    """Per init, the seed errors (n_seeds,) and the seed-mean and seed-0 kernels (N, N)."""
    out = {}
    for init in INITS:
        spec = cfg.spec(activation, depth, width, init)
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), width * 131 + depth), cfg.n_seeds)
        ntks = np.asarray(kernels.empirical_ntk_seeds(spec, keys, x))
        out[f"err_{init}"] = np.linalg.norm(ntks - theta_inf, axis=(1, 2)) / np.linalg.norm(theta_inf)
        out[f"mean_{init}"] = ntks.mean(0)
        out[f"first_{init}"] = ntks[0]
    out["delta"] = np.linalg.norm(out["mean_orthogonal"] - out["mean_gaussian"]) / np.linalg.norm(theta_inf)
    return out


def image_inputs(cfg):
    """``cnn_inputs`` digit images (N, 8, 8, 1), each scaled to unit mean square pixel."""
    x = load("digits", n_train=cfg.cnn_inputs, n_test=0).x_train.reshape(-1, 8, 8, 1)
    return x / np.sqrt((x**2).mean(axis=(1, 2, 3), keepdims=True))


def cnn_point(cfg, depth, channels, x, theta_inf):
    """Per (filter, init) variant: the seed errors (n_seeds,) and seed-mean kernel; per filter the gap δ."""
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), 50_000 + channels * 131 + depth),
                            cfg.cnn_seeds)
    out = {}
    for filt, init in CNN_VARIANTS:
        ntks = np.asarray(kernels.empirical_ntk_seeds(cfg.cnn_spec(depth, channels, init, filt), keys, x))
        norm = np.linalg.norm(theta_inf)
        mean = ntks.mean(0)
        out[f"err_{filt}_{init}"] = np.linalg.norm(ntks - theta_inf, axis=(1, 2)) / norm
        out[f"mean_{filt}_{init}"] = mean
        out[f"bias_{filt}_{init}"] = np.linalg.norm(mean - theta_inf) / norm
        out[f"sem_{filt}_{init}"] = np.sqrt(((ntks - mean) ** 2).sum() / (len(ntks) * (len(ntks) - 1))) / norm
    for filt in FILTERS:
        gap = out[f"mean_{filt}_orthogonal"] - out[f"mean_{filt}_gaussian"]
        out[f"delta_{filt}"] = np.linalg.norm(gap) / np.linalg.norm(theta_inf)
    return out


@functools.lru_cache(maxsize=8)
def _cnn_limit(cfg, depth):
    """The digit images and the analytic CNN NTK at ``depth`` of a sweep's view (channel count immaterial: NTK
    parameterization)."""
    x = image_inputs(cfg)
    return x, np.asarray(kernels.analytic_ntk(cfg.cnn_spec(depth, 1), x))


def _cnn_point(cfg, p):
    x, theta_inf = _cnn_limit(cfg, p["depth"])
    return cnn_point(cfg, p["depth"], p["channels"], x, theta_inf)


def compute_cnn(cfg):
    """The CNN sweep: ``cnn_err`` (depth, variant, channels, seed), ``cnn_delta`` (depth, filter, channels)."""
    pts = SWEEPS["cnn"].results(cfg)
    n = len(cfg.cnn_channels)
    err, delta, bias = [], [], []
    for row in (pts[i:i + n] for i in range(0, len(pts), n)):  # one depth
        err.append([[p.arrays[f"err_{f}_{i}"] for p in row] for f, i in CNN_VARIANTS])
        delta.append([[float(p.arrays[f"delta_{f}"]) for p in row] for f in FILTERS])
        bias.append([[[float(p.arrays[f"{q}_{f}_{i}"]) for q in ("bias", "sem")] for p in row] for f, i in CNN_VARIANTS])
    return {"cnn_channels": np.asarray(cfg.cnn_channels), "cnn_err": np.asarray(err), "cnn_delta": np.asarray(delta),
            "cnn_bias": np.asarray(bias)}  # (depth, variant, channels, [distance of the seed mean, its standard error])


def cnn_pooled_slope(cfg, arrays, filt, init, min_depth=1):
    """Common log-log slope (95% CI) of one variant's seed-mean error over CNN depths >= ``min_depth``."""
    v = CNN_VARIANTS.index((filt, init))
    curves = [arrays["cnn_err"][d, v].mean(-1) for d in _deep(cfg, min_depth)]
    return stats.common_loglog_slope([arrays["cnn_channels"]] * len(curves), curves)


def cnn_gap_slope(arrays, filt=None):
    """Common log-log slope (95% CI) of the orthogonal-minus-Gaussian gap over CNN depths, for one filter
    (``"full"`` or ``"delta"``) or both (``None``)."""
    gaps = arrays["cnn_delta"] if filt is None else arrays["cnn_delta"][:, [FILTERS.index(filt)]]
    curves = list(gaps.reshape(-1, gaps.shape[-1]))
    return stats.common_loglog_slope([arrays["cnn_channels"]] * len(curves), curves)


def _deep(cfg, min_depth):
    """Indices of the CNN depths >= ``min_depth`` (all depths if none is that deep)."""
    deep = [d for d, L in enumerate(cfg.cnn_depths) if L >= min_depth]
    return deep or list(range(len(cfg.cnn_depths)))


def seed_mean_distance(cfg, arrays, filt, min_depth=2):
    """Mean over inits and depths >= ``min_depth`` of ||Θ̄ − Θ_∞||_F/||Θ_∞||_F at the largest channel count."""
    return float(np.mean([arrays["cnn_bias"][d, CNN_VARIANTS.index((filt, i)), -1, 0]
                          for d in _deep(cfg, min_depth) for i in INITS]))


def bias_ratios(cfg, arrays, filt, min_depth=2):
    """The distances of :func:`bias_in_standard_errors`, one per (depth >= ``min_depth``, init)."""
    return np.array([b / se for b, se in (arrays["cnn_bias"][d, CNN_VARIANTS.index((filt, i)), -1]
                                          for d in _deep(cfg, min_depth) for i in INITS)])


def bias_in_standard_errors(cfg, arrays, filt, min_depth=2):
    r"""Distance of each seed-mean kernel to Θ_∞ at the largest channel count, in standard errors of that mean.

    For a kernel estimator whose limit is Θ_∞, :math:`\mathbb{E}\lVert\bar\Theta - \Theta_\infty\rVert_F^2`
    is the summed variance of the mean (plus a finite-width bias that vanishes with n), so the ratio is
    of order 1 (below 1 when the noise is concentrated in a few directions); a different limit makes it
    grow with the number of seeds. The mean ratio over both inits and over
    depths >= ``min_depth`` (all depths if none is that deep).
    """
    return float(bias_ratios(cfg, arrays, filt, min_depth).mean())


@functools.lru_cache(maxsize=16)
def _limit(cfg, dataset, activation, depth):
    """The inputs of ``dataset`` and their analytic NTK for (``activation``, ``depth``) of a sweep's view (width
    immaterial: NTK parameterization)."""
    x = inputs(cfg, dataset)
    return x, np.asarray(kernels.analytic_ntk(cfg.spec(activation, depth, 1, "gaussian"), x))


def _point(cfg, p):
    x, theta_inf = _limit(cfg, p["dataset"], p["activation"], p["depth"])
    return point(cfg, p["dataset"], p["activation"], p["depth"], p["width"], x, theta_inf)


SWEEPS = {
    "points": results.Sweep(
        SLUG, "points", knobs=("n_seeds", "n_inputs", "W_std", "b_std", "seed"),
        over=("datasets", "activations", "depths", "widths"),
        points=lambda cfg: [{"dataset": d, "activation": a, "depth": L, "width": w}
                            for d, a, L in cfg.configs() for w in cfg.widths],
        run=_point, desc="FCN NTK by (data set, activation, depth, width)"),
    "cnn": results.Sweep(
        SLUG, "cnn", knobs=("W_std", "b_std", "seed", "cnn_seeds", "cnn_inputs"), over=("cnn_depths", "cnn_channels"),
        points=lambda cfg: [{"depth": L, "channels": c} for L in cfg.cnn_depths for c in cfg.cnn_channels],
        run=_cnn_point, seeds=lambda cfg: list(range(cfg.seed, cfg.seed + cfg.cnn_seeds)),
        desc="CNN NTK by (depth, channels)"),
}
"""The chapter's sweeps: FCN points per (data set, activation, depth, width), CNN points per (depth, channels)."""


def compute(cfg):
    """All points (each saved as it finishes), stacked into arrays indexed (config, width, ...), then the CNN sweep."""
    pts = SWEEPS["points"].results(cfg)
    view = SWEEPS["points"].view(cfg)
    n = len(cfg.widths)
    arrays = {"err": [], "delta": [], "theta_inf": [], "first_small": [], "first_large": []}
    for c, (dataset, activation, depth) in enumerate(cfg.configs()):
        row = pts[c * n:(c + 1) * n]
        arrays["err"].append([[p.arrays[f"err_{i}"] for p in row] for i in INITS])  # (init, width, seed)
        arrays["delta"].append([float(p.arrays["delta"]) for p in row])
        arrays["theta_inf"].append(_limit(view, dataset, activation, depth)[1])
        arrays["first_small"].append([row[0].arrays[f"first_{i}"] for i in INITS])
        arrays["first_large"].append([row[-1].arrays[f"first_{i}"] for i in INITS])
    out = {k: np.asarray(v) for k, v in arrays.items()}
    out["widths"] = np.asarray(cfg.widths)
    return {**out, **compute_cnn(cfg)}


def slope_table(cfg, arrays):
    """Rows (dataset, activation, depth, init, slope, ci_lo, ci_hi) of the log-log fits of the seed-mean error."""
    rows = []
    for c, (dataset, activation, depth) in enumerate(cfg.configs()):
        for i, init in enumerate(INITS):
            s, ci, _ = stats.loglog_fit(arrays["widths"], arrays["err"][c, i].mean(-1))
            rows.append((dataset, activation, depth, init, s, ci[0], ci[1]))
    return rows


def pooled_slope(cfg, arrays, init):
    """The log-log slope of one init's seed-mean error shared by every configuration (own intercepts), 95% CI."""
    i = INITS.index(init)
    curves = [arrays["err"][c, i].mean(-1) for c in range(arrays["err"].shape[0])]
    return stats.common_loglog_slope([arrays["widths"]] * len(curves), curves)


def delta_slope(arrays):
    """The common log-log slope (95% CI) of the orthogonal-minus-Gaussian gap δ(n) over configurations."""
    return stats.common_loglog_slope([arrays["widths"]] * len(arrays["delta"]), list(arrays["delta"]))


def error_by_depth(cfg, arrays):
    """``{depth: mean error at the largest width}``, averaged over data sets, activations, inits and seeds."""
    configs = cfg.configs()
    return {L: float(np.mean([arrays["err"][c, :, -1].mean() for c, conf in enumerate(configs) if conf[2] == L]))
            for L in cfg.depths}


def depth_trend(by_depth):
    """How the error at the largest width changes with depth, read off the numbers: ``(word, factor)``, the word
    "grows", "shrinks" or "is not monotone", the factor from the shallowest to the deepest depth ("x2.3"; "" for
    one depth)."""
    errs = list(by_depth.values())
    if len(errs) < 2:
        return "is not monotone", ""
    factor = errs[-1] / errs[0]
    if all(b > a for a, b in zip(errs, errs[1:])):
        return "grows", f"x{factor:.1f}"
    if all(b < a for a, b in zip(errs, errs[1:])):
        return "shrinks", f"x{factor:.2f}"
    return "is not monotone", f"x{factor:.2f}"


def heatmap_config(cfg):
    """The configuration drawn as kernels: real inputs first, then the deepest."""
    configs = cfg.configs()
    return max(range(len(configs)), key=lambda k: (configs[k][0] != "sphere", configs[k][2]))

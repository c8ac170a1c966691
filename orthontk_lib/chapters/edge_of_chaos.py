r"""Chapter "The NTK at large depth" (Hayou, Doucet, Rousseau 2019): Edge of Chaos vs the two phases.

Write :math:`\hat\Theta^L(x, x') = \Theta^L(x, x') / \sqrt{\Theta^L(x, x)\,\Theta^L(x', x')}` for the
normalized NTK of an FCN of depth :math:`L` at infinite width. Off the Edge of Chaos it becomes
input-independent exponentially fast in depth: with :math:`\chi` the slope of the correlation map at
its stable fixed point (:mod:`orthontk_lib.meanfield`),

.. math:: \big|\hat\Theta^L(x, x') - c_\infty\big| \approx C\, e^{-\gamma L}, \qquad \gamma \approx -\log\chi,

where :math:`c_\infty = 1` in the ordered phase (:math:`\chi < 1` at :math:`c = 1`) and
:math:`c_\infty = c^* < 1` in the chaotic one (:math:`\chi` taken at :math:`c^*`). On the Edge of
Chaos (:math:`\chi = 1` at :math:`c = 1`) the approach is only polynomial in :math:`L`.

Measured: the spread (standard deviation over input pairs) of :math:`\hat\Theta^L` on digit images
for depths up to ``max_depth``, from neural-tangents' analytic kernels (one block's ``kernel_fn``
applied layer after layer, so all depths cost one pass), with exponential and power-law fits;
kernel regression with :math:`\Theta^L` against depth; and an orthogonal network's empirical kernel
at a few depths.
"""

import dataclasses
import math

import jax
import numpy as np

from orthontk_lib import kernels, meanfield, results
from orthontk_lib.data import load
from orthontk_lib.models import FCN
from orthontk_lib.book.profiles import ChapterConfig

SLUG = "edge-of-chaos"
PHASES = ("ordered", "edge", "chaotic")


def points():
    """The (activation, phase) -> (W_std, b_std) points measured; Edge-of-Chaos biases from the mean-field helper."""
    return {
        ("erf", "ordered"): (0.8, 0.3),
        ("erf", "edge"): (1.3, meanfield.critical_b_std("erf", 1.3)),
        ("erf", "chaotic"): (2.0, 0.3),
        ("relu", "ordered"): (1.2, 0.3),
        ("relu", "edge"): (math.sqrt(2.0), 0.0),
    }


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the depth sweep."""

    max_depth: int = dataclasses.field(default=50, metadata={"min": 4})  # deepest network (hidden layers)
    n_train: int = dataclasses.field(default=32, metadata={"min": 4})  # digits for the spread and regression
    n_test: int = dataclasses.field(default=64, metadata={"min": 1})  # digits to classify
    emp_depths: tuple[int, ...] = dataclasses.field(default=(4, 16), metadata={"min": 1})  # finite-width depths
    emp_width: int = dataclasses.field(default=256, metadata={"min": 1})  # finite-width network's width
    emp_seeds: int = dataclasses.field(default=2, metadata={"min": 1})  # finite-width networks per depth
    emp_inputs: int = dataclasses.field(default=12, metadata={"min": 3})  # inputs of the finite-width kernels
    grid: int = dataclasses.field(default=12, metadata={"min": 3})  # phase diagram points per axis
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(max_depth=20, n_train=16, n_test=16, emp_depths=(2, 4), emp_width=64, emp_seeds=2,
                      emp_inputs=6, grid=5),
        "quick": dict(max_depth=200, n_train=64, n_test=256, emp_depths=(4, 12, 36), emp_width=512, emp_seeds=3,
                      emp_inputs=16, grid=16),
        "paper": dict(max_depth=500, n_train=256, n_test=1000, emp_depths=(4, 12, 36, 100), emp_width=2048,
                      emp_seeds=8, emp_inputs=32, grid=40),
    }

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.emp_seeds))


def digits(cfg):
    """Train and test digits scaled to the sphere of radius sqrt(64); one-hot labels."""
    d = load("digits", n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed)
    scale = lambda x: x * 8.0 / np.linalg.norm(x, axis=1, keepdims=True)
    return d._replace(x_train=scale(d.x_train), x_test=scale(d.x_test))


def normalized(theta):
    r""":math:`\hat\Theta_{ij} = \Theta_{ij} / \sqrt{\Theta_{ii}\Theta_{jj}}` of (..., N, N) kernels."""
    d = np.sqrt(np.diagonal(theta, axis1=-2, axis2=-1))
    return theta / (d[..., :, None] * d[..., None, :])


def spread(theta):
    """Standard deviation of the off-diagonal entries of the normalized kernel: (...,)."""
    k = normalized(theta)
    n = k.shape[-1]
    iu = np.triu_indices(n, 1)
    return k[..., iu[0], iu[1]].std(-1)


def kernel_regression_accuracy(theta, n_train, y_train, y_test, ridge=1e-8):
    """Test accuracy of kernel regression with the (train + test) kernel ``theta``; ridge relative to the trace."""
    k_tt = theta[:n_train, :n_train]
    k_st = theta[n_train:, :n_train]
    reg = ridge * np.trace(k_tt) / n_train
    pred = k_st @ np.linalg.solve(k_tt + reg * np.eye(n_train), y_train - y_train.mean(0))
    return float((pred.argmax(1) == y_test.argmax(1)).mean())


def depth_point(cfg, data, activation, W_std, b_std):
    """Per depth 1..max_depth: spread of Θ̂ on the train set, a pair's Θ̂, and the test accuracy; float64."""
    x = np.concatenate([data.x_train, data.x_test])
    n = cfg.n_train
    out = {"spread": [], "pair": [], "accuracy": []}
    for theta in kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, cfg.max_depth):
        out["spread"].append(spread(theta[:n, :n]))
        out["pair"].append(normalized(theta[:2, :2])[0, 1])
        out["accuracy"].append(kernel_regression_accuracy(theta, n, data.y_train, data.y_test))
    return {k: np.asarray(v) for k, v in out.items()}


def empirical_point(cfg, x, activation, W_std, b_std, depth):
    """Spread of the normalized empirical NTK of orthogonal networks at one depth: (emp_seeds,)."""
    spec = FCN(depth, cfg.emp_width, activation, W_std, b_std, "orthogonal")
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), cfg.emp_seeds)
    return spread(np.asarray(kernels.empirical_ntk_seeds(spec, keys, x), np.float64))


def phase_diagram(cfg):
    """log chi over a (W_std, b_std) grid, and the Edge-of-Chaos line b_std(W_std), for erf and for tanh."""
    w = np.linspace(0.6, 2.6, cfg.grid)
    b = np.linspace(0.0, 1.0, cfg.grid)
    w_line = np.linspace(0.6, 2.6, max(6, cfg.grid))
    out = {"w": w, "b": b, "w_line": w_line}
    for act in ("erf", "tanh"):
        out[f"log_chi_{act}"] = np.array([[math.log(meanfield.chi(act, wi, bj)) for wi in w] for bj in b])
        out[f"b_line_{act}"] = meanfield.critical_line(act, w_line)
    return out


def compute(cfg):
    """The phase diagram, the analytic depth sweep at every point, and the finite-width check; saved per point."""
    data = digits(cfg)
    base = {k: v for k, v in cfg.asdict().items() if k != "profile"}
    pts = points()
    sweep = lambda what, items, fn, desc: results.sweep(f"{SLUG}/{cfg.profile}/{what}", base, items, fn,
                                                        profile=cfg.profile, seeds=cfg.seeds, desc=desc)
    items = [{"activation": a, "phase": p} for a, p in pts]
    analytic = sweep("analytic", items, lambda it: depth_point(cfg, data, it["activation"],
                                                               *pts[it["activation"], it["phase"]]),
                     "analytic NTK by depth")
    x = data.x_train[: cfg.emp_inputs]
    emp_items = [{"phase": p, "depth": L} for p in PHASES for L in cfg.emp_depths]
    emp = sweep("empirical", emp_items, lambda it: {"spread": empirical_point(cfg, x, "erf", *pts["erf", it["phase"]],
                                                                              it["depth"])},
                "orthogonal NTK by depth")
    diagram = results.cached(f"{SLUG}/{cfg.profile}/phase", base, lambda: phase_diagram(cfg), profile=cfg.profile)
    out = {f"{k}": np.stack([p.arrays[k] for p in analytic]) for k in ("spread", "pair", "accuracy")}  # (point, L)
    out["emp_spread"] = np.stack([p.arrays["spread"] for p in emp]).reshape(len(PHASES), len(cfg.emp_depths), -1)
    # the analytic spread on the same inputs as the finite-width kernels, at the same depths
    out["emp_analytic"] = np.array([[spread(kernels.analytic_ntk_by_depth("erf", *pts["erf", p], x, L)[-1])
                                     for L in cfg.emp_depths] for p in PHASES])
    out.update(diagram.arrays)
    out["points"] = np.array([[*pts[k]] for k in pts])
    out["chi1"] = np.array([meanfield.chi(a, *pts[a, p]) for a, p in pts])
    out["chi_c"] = np.array([meanfield.chi_at_correlation(a, *pts[a, p], meanfield.c_star(a, *pts[a, p]))
                             if p == "chaotic" else np.nan for a, p in pts])
    out["depths"] = np.arange(1, cfg.max_depth + 1)
    return out


def theory_rate(activation, phase, chi1, chi_c=None):
    r"""The exponential rate :math:`\gamma` at which the normalized NTK's spread vanishes, from mean-field theory.

    Ordered phase: the correlation approaches 1 as :math:`\chi_1^L`, and so does :math:`\hat\Theta`
    for a smooth :math:`\phi` (:math:`\gamma = -\log\chi_1`); for ReLU the derivative kernel
    :math:`\mathbb{E}[\phi'(u)\phi'(v)] \propto 1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, halving
    the rate (:math:`\gamma = -\tfrac12\log\chi_1`). Chaotic phase: :math:`\Theta^L(x, x)` grows as
    :math:`\chi_1^L` and :math:`\Theta^L(x, x')` as :math:`\chi_{c^*}^L`, so :math:`\hat\Theta(x, x') \to 0`
    with :math:`\gamma = \log(\chi_1 / \chi_{c^*})`. On the Edge of Chaos: 0 (no exponential decay).
    """
    if phase == "edge":
        return 0.0
    if phase == "chaotic":
        return float(math.log(chi1 / chi_c))
    return float(-math.log(chi1) * (0.5 if activation == "relu" else 1.0))


# STATISTICS


def rate_fits(depths, values, floor=1e-9, min_depth=5):
    """Exponential and power-law fits of ``values`` against depth over ``min_depth <= L`` and values > ``floor``.

    Returns:
      ``{"gamma": rate of e^(-γL), "power": exponent p of L^(-p), "r2_exp", "r2_power", "depth_range"}``.
    """
    depths, values = np.asarray(depths, float), np.asarray(values, float)
    keep = (depths >= min_depth) & (values > floor)
    L, y = depths[keep], np.log(values[keep])

    def r2(x):
        coef = np.polyfit(x, y, 1)
        res = y - np.polyval(coef, x)
        return coef[0], 1.0 - res.var() / y.var()

    slope_exp, r2_exp = r2(L)
    slope_pow, r2_pow = r2(np.log(L))
    return {"gamma": float(-slope_exp), "power": float(-slope_pow), "r2_exp": float(r2_exp),
            "r2_power": float(r2_pow), "depth_range": (int(L.min()), int(L.max()))}


def point_fits(arrays):
    """Per point (in the order of :func:`points`): the rate fits of the spread and the theoretical rate."""
    out = []
    for i, (activation, phase) in enumerate(points()):
        fit = rate_fits(arrays["depths"], arrays["spread"][i])
        fit["theory"] = theory_rate(activation, phase, arrays["chi1"][i], arrays["chi_c"][i])
        fit["activation"], fit["phase"] = activation, phase
        out.append(fit)
    return out


def exponential_advantage(arrays, phase):
    """R²(exponential) − R²(power law) of the spread's decay, smallest over the points of ``phase``."""
    return min(f["r2_exp"] - f["r2_power"] for f in point_fits(arrays) if f["phase"] == phase)


def rate_ratio(arrays):
    """Fitted over theoretical rate, off the Edge of Chaos: the ratio farthest from 1, and all of them."""
    ratios = [f["gamma"] / f["theory"] for f in point_fits(arrays) if f["phase"] != "edge"]
    return max(ratios, key=lambda r: abs(r - 1)), ratios


def depth_accuracy_gap(arrays):
    """Kernel-regression test accuracy at the largest depth: worst Edge-of-Chaos point minus best other point."""
    acc = arrays["accuracy"][:, -1]
    edge = [i for i, (_, p) in enumerate(points()) if p == "edge"]
    other = [i for i, (_, p) in enumerate(points()) if p != "edge"]
    return float(acc[edge].min() - acc[other].max())


def empirical_deviation(arrays, depth_index=0):
    """Relative distance of the orthogonal networks' spread (seed mean) from the analytic one, per phase."""
    emp = arrays["emp_spread"][:, depth_index].mean(-1)
    ana = arrays["emp_analytic"][:, depth_index]
    return np.abs(emp - ana) / ana


def power_advantage(arrays, phase="edge"):
    """R²(power law) − R²(exponential) of the spread's decay, smallest over the points of ``phase``."""
    return min(f["r2_power"] - f["r2_exp"] for f in point_fits(arrays) if f["phase"] == phase)

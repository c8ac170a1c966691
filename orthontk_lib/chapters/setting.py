r"""Chapter "Setting": Huang, Du, Xu's kernel-convergence figure, Gaussian and orthogonal, NNGP and NTK.

The paper's setting (Sec. 4 and the authors' code): one hidden layer, ReLU, NTK parameterization,
:math:`\sigma_W = 1.5`, :math:`\sigma_b = 0.1`, 20 inputs :math:`x \sim \mathcal{N}(0, I_{1024})`, widths
:math:`2^3 \dots 2^{12}`. For each width and initialization, ``n_seeds`` networks with one output give the
empirical NTK :math:`\hat\Theta`, and ``n_seeds`` networks whose readout has ``n`` output units give the empirical
NNGP :math:`\hat K = f f^\top / n`. The Monte Carlo kernel of :math:`M` networks is their average; the
statistic is its relative Frobenius error against the analytic kernel (:func:`kernels.analytic_ntk`),

.. math:: \varepsilon_M(n) = \lVert \bar K_M - K_\infty \rVert_F / \lVert K_\infty \rVert_F,

measured on ``n_seeds // M`` disjoint groups of networks, for :math:`M = 1, 2, 4, \dots`.
"""

import dataclasses
import functools

import jax
import numpy as np

from orthontk_lib import kernels, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.claims import Claim, Measurement, Within
from orthontk_lib.references import cite
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, FCN, INITS
from orthontk_lib.reproduction import PaperFigure

SLUG = "setting"
KERNELS = ("nngp", "ntk")


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the kernel-convergence measurement."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "hidden widths n", "min": 1})
    n_seeds: int = dataclasses.field(default=32, metadata={"help": "networks per (width, init, kernel)", "min": 2})
    depth: int = dataclasses.field(default=1, metadata={"help": "hidden layers L", "min": 1})
    activation: str = dataclasses.field(default="relu", metadata={"help": "phi", "choices": ACTIVATIONS})
    n_inputs: int = dataclasses.field(default=20, metadata={"help": "inputs x ~ N(0, I_d)", "min": 2})
    d: int = dataclasses.field(default=1024, metadata={"help": "input dimension", "min": 1})
    W_std: float = dataclasses.field(default=1.5, metadata={"help": "sigma_W", "min": 0.0})
    b_std: float = dataclasses.field(default=0.1, metadata={"help": "sigma_b", "min": 0.0})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PROFILES = {
        "smoke": dict(widths=(8, 16, 32, 64), n_seeds=4, n_inputs=8, d=16),
        "quick": dict(widths=tuple(2**k for k in range(3, 11)), n_seeds=32),
        "paper": dict(widths=tuple(2**k for k in range(3, 13)), n_seeds=32),
    }
    COST = {"paper": Cost("CPU", 5, "measured 2026-11-28 on 2 CPU cores")}

    @property
    def group_sizes(self):
        """Monte Carlo sizes M = 1, 2, 4, … up to ``n_seeds``."""
        return [2**k for k in range(self.n_seeds.bit_length()) if 2**k <= self.n_seeds]

    def spec(self, width, init, kernel="ntk"):
        """The network: one output for the NTK, a readout of ``width`` units for the NNGP (as the paper's code)."""
        out_dim = width if kernel == "nngp" else 1
        return FCN(self.depth, width, self.activation, self.W_std, self.b_std, init, out_dim=out_dim)


FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4: the kernel-convergence figure, the paper's Fig. 1 (relative Frobenius distance of the empirical "
    "NNGP and NTK to the analytic kernel against width, Gaussian and orthogonal weights)",
    settings=dict(widths=tuple(2**k for k in range(3, 13)), n_seeds=32, depth=1, activation="relu", n_inputs=20,
                  d=1024, W_std=1.5, b_std=0.1),
    always=("each M-curve is the mean over the n_seeds/M disjoint groups of M networks (the paper draws one group "
            "per M), with ±1 s.d. over groups at M = 1",),
    labels=dict(widths="widths", n_seeds="networks per width", depth="hidden layers", n_inputs="inputs",
                d="input dimension", W_std="σ_W", b_std="σ_b"))


# THE EXPERIMENT


def kernel_errors(kernels_, k_inf, group_sizes):
    """Relative errors of Monte Carlo kernels: (len(group_sizes), S) with NaN past the S // M groups of size M."""
    s = kernels_.shape[0]
    out = np.full((len(group_sizes), s), np.nan)
    norm = np.linalg.norm(k_inf)
    for i, m in enumerate(group_sizes):
        means = kernels_[: s // m * m].reshape(s // m, m, *k_inf.shape).mean(1)
        out[i, : s // m] = np.linalg.norm(means - k_inf, axis=(1, 2)) / norm
    return out


def point(cfg, width, x, limits):
    """At one width: errors (kernel, init, M, S) and the first network's NTK per init."""
    err, first = np.zeros((len(KERNELS), len(INITS), len(cfg.group_sizes), cfg.n_seeds)), []
    for j, kernel in enumerate(KERNELS):
        empirical = kernels.empirical_nngp_seeds if kernel == "nngp" else kernels.empirical_ntk_seeds
        for i, init in enumerate(INITS):
            key = jax.random.fold_in(jax.random.fold_in(jax.random.key(cfg.seed), width), 2 * j + i)
            k = np.asarray(empirical(cfg.spec(width, init, kernel), jax.random.split(key, cfg.n_seeds), x))
            err[j, i] = kernel_errors(k, limits[kernel], cfg.group_sizes)
            if kernel == "ntk":
                first.append(k[0])
    return {"err": err, "first": np.stack(first)}


@functools.lru_cache(maxsize=2)
def _inputs_and_limits(cfg):
    """The inputs (n_inputs, d) and the analytic kernels ``{"ntk", "nngp"}`` of a sweep's view ``cfg``; in the NTK
    parameterization the infinite-width kernels do not depend on the width (any width gives the same numbers)."""
    x = load("normal", n_train=cfg.n_inputs, d=cfg.d, seed=cfg.seed).x_train
    spec = cfg.spec(1, "gaussian")
    return x, {"ntk": np.asarray(kernels.analytic_ntk(spec, x)), "nngp": np.asarray(kernels.analytic_nngp(spec, x))}


def _point(cfg, p):
    x, limits = _inputs_and_limits(cfg)
    return point(cfg, p["width"], x, limits)


SWEEPS = {"points": results.Sweep(
    SLUG, "points", knobs=("n_seeds", "depth", "activation", "n_inputs", "d", "W_std", "b_std", "seed"),
    over=("widths",), points=lambda cfg: [{"width": w} for w in cfg.widths], run=_point,
    desc="empirical NNGP and NTK by width")}
"""The chapter's sweep: one point per width."""


def compute(cfg):
    """The sweep over widths (each width saved as it finishes) and its summary arrays."""
    pts = SWEEPS["points"].results(cfg)
    _, limits = _inputs_and_limits(SWEEPS["points"].view(cfg))
    err = np.stack([p.arrays["err"] for p in pts], axis=2)  # (kernel, init, width, M, S)
    return {
        "widths": np.array(cfg.widths),
        "group_sizes": np.array(cfg.group_sizes),
        "err_nngp": err[0],
        "err_ntk": err[1],
        "first_small": pts[0].arrays["first"],
        "first_large": pts[-1].arrays["first"],
        "theta_inf": limits["ntk"],
        "nngp_inf": limits["nngp"],
    }


def slopes(arrays, kernel):
    """Per init: the log-log slope of the single-network (M = 1) mean error against width, its 95% interval, intercept."""
    err = arrays[f"err_{kernel}"][:, :, 0]  # (init, width, S)
    return {init: stats.loglog_fit(arrays["widths"], err[i].mean(-1)) for i, init in enumerate(INITS)}


def constant_ratio(arrays, kernel):
    """Orthogonal over Gaussian single-network error, geometric mean over widths, with a 95% studentized jackknife
    interval over networks on its logarithm (:func:`orthontk_lib.stats.jackknife_ci`)."""
    err = arrays[f"err_{kernel}"][:, :, 0]  # (init, width, S)
    return stats.jackknife_ci(err, lambda e: float(np.exp(np.mean(np.log(e[1].mean(-1) / e[0].mean(-1))))), log=True)


def averaging_gain(arrays, kernel):
    """Per init: at the largest width, the single-network error over the error of the largest Monte Carlo average."""
    err = arrays[f"err_{kernel}"][:, -1]  # (init, M, S)
    return {init: float(np.nanmean(err[i, 0]) / np.nanmean(err[i, -1])) for i, init in enumerate(INITS)}


# CLAIMS

SLOPE_WHY = ("Theory gives an error C n^(-1/2) (1 + O(n^(-1/2))): over the widths a profile measures, the "
             "subleading term moves a fitted slope by at most about 0.1, and seed noise by about 0.05")
CLAIMS = [
    Claim(f"setting-{kernel}-slope-{init}", f"{cite('huang2021orthogonal')}, Thm. 1 and Sec. 4 (kernel-convergence figure)",
          f"The empirical {kernel.upper()} of {article} {init} network converges to the analytic {kernel.upper()} "
          "at rate n^(-1/2).",
          f"log-log slope against width n of the mean over networks of ||K_emp − K_∞||_F/||K_∞||_F, {kernel.upper()}, "
          "one network per kernel (M = 1), 95% t-interval of the fit"
          + (". The analytic kernel is the Gaussian limit, so this is also the same limit as Gaussian weights."
             if init == "orthogonal" else ""),
          Within(-0.5, 0.15), why=SLOPE_WHY, decide="more widths, or wider networks (paper scale)")
    for kernel in KERNELS for init, article in (("gaussian", "a"), ("orthogonal", "an"))
]


def measure(arrays, cfg):
    """Each claim's slope and 95% interval."""
    out = {}
    for kernel in KERNELS:
        for init, (s, ci, a) in slopes(arrays, kernel).items():
            out[f"setting-{kernel}-slope-{init}"] = Measurement(s, ci, {"intercept": a})
    return out


def numbers(arrays, cfg, measured):
    """The chapter's glued values: counts, slopes and ratios with their intervals, short comparatives and the
    relative errors of the networks drawn (``measured``: the claims measured on ``arrays``)."""
    out = {
        "setting-networks": int(arrays["err_ntk"].shape[-1]),
        "setting-largest-m": int(arrays["group_sizes"][-1]),
        "setting-largest-width": int(arrays["widths"][-1]),
        "setting-smallest-width": int(arrays["widths"][0]),
        "setting-differs-n": _count(len(FIGURE.differences(cfg)), "setting"),
        "setting-tolerance": CLAIMS[0].rule.band,
    }
    sides = {}
    for kernel in KERNELS:
        fits = slopes(arrays, kernel)
        ratio, ratio_ci = constant_ratio(arrays, kernel)
        gain = averaging_gain(arrays, kernel)
        out[f"setting-{kernel}-slope-g"] = _fmt(fits["gaussian"])
        out[f"setting-{kernel}-slope-o"] = _fmt(fits["orthogonal"])
        out[f"setting-{kernel}-ratio"] = f"{ratio:.2f} [{ratio_ci[0]:.2f}, {ratio_ci[1]:.2f}]"
        sides[kernel] = COMPARATIVE[stats.side(ratio_ci, 1.0)]
        out[f"setting-{kernel}-gain"] = f"{gain['gaussian']:.1f} (Gaussian) and {gain['orthogonal']:.1f} (orthogonal)"
    out["setting-constant"] = (f"{sides['nngp']} for both kernels" if sides["nngp"] == sides["ntk"]
                               else f"{sides['nngp']} (NNGP), {sides['ntk']} (NTK)")
    out["setting-gain-sqrt"] = f"{np.sqrt(arrays['group_sizes'][-1]):.1f}"
    first = [np.linalg.norm(arrays[k] - arrays["theta_inf"], axis=(1, 2)) / np.linalg.norm(arrays["theta_inf"])
             for k in ("first_small", "first_large")]  # (init,) at the smallest and the largest width
    out["setting-first-small"] = f"{first[0][0]:.2f} (Gaussian) and {first[0][1]:.2f} (orthogonal)"
    out["setting-first-large"] = f"{first[1][0]:.3f} and {first[1][1]:.3f}"
    return out


COMPARATIVE = {"below": "smaller", "above": "larger", "straddles": "not measurably different"}
"""The orthogonal constant in front of n^(-1/2) against the Gaussian one, by where the ratio's interval lies from 1."""


# FIGURES


def fig_convergence(arrays):
    """The paper's four panels (rows NNGP, NTK; columns Gaussian, orthogonal): error against width, one curve per M,
    the least-squares fit at M = 1 and an n^(-1/2) guide, all named in one legend."""
    widths, ms = np.asarray(arrays["widths"], float), arrays["group_sizes"]
    fig, axes = plots.figure(ncols=2, nrows=2, width=3.3, height=2.7, sharex=True, sharey=True, squeeze=False)
    for r, kernel in enumerate(KERNELS):
        fits = slopes(arrays, kernel)
        for c, init in enumerate(INITS):
            ax, err = axes[r, c], arrays[f"err_{kernel}"][c]  # (width, M, S)
            for i, m in enumerate(ms):
                mean = np.nanmean(err[:, i], -1)
                sd = np.nanstd(err[:, 0], -1, ddof=1) if i == 0 else None
                ax.errorbar(widths, mean, yerr=sd, marker="o", ms=3, capsize=2, lw=1.2, color=plots.sequential(i, len(ms)),
                            label=f"M={m}")
            s, ci, a = fits[init]
            ax.plot(widths, np.exp(a) * widths**s, color=plots.COLORS[init], lw=0.8, label=f"fit at M=1, {init}")
            ax.plot(widths, 0.8 * np.nanmean(err[0, 0]) * (widths / widths[0]) ** -0.5, "k--", lw=1,
                    label=r"$n^{-1/2}$ guide")
            ax.set_title(f"{init}, {kernel.upper()}\nslope {s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]", fontsize=8)
            ax.set(xscale="log", yscale="log")
            plots.label_ticks(ax, widths)
    for ax in axes[-1]:
        ax.set_xlabel("width n")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$\|\bar K_M - K_\infty\|_F / \|K_\infty\|_F$")
    legend = {}  # one legend for the four panels: the M-curves, then each column's fit, then the guide
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(label, handle)
    order = sorted(legend, key=lambda label: (not label.startswith("M="), "guide" in label))
    fig.legend([legend[k] for k in order], order, loc="outside right center", fontsize=7,
               title="M: networks\naveraged", title_fontsize=7)
    return fig


def fig_kernels(arrays):
    """Θ_∞ and one network of each init at the smallest and largest width, on one colour scale."""
    n0, n1 = arrays["widths"][0], arrays["widths"][-1]
    return plots.kernel_heatmaps({r"$\Theta_\infty$": arrays["theta_inf"],
                                  f"Gaussian, n={n0}": arrays["first_small"][0],
                                  f"orthogonal, n={n0}": arrays["first_small"][1],
                                  f"Gaussian, n={n1}": arrays["first_large"][0],
                                  f"orthogonal, n={n1}": arrays["first_large"][1]})


def _fmt(fit):
    s, ci = fit[0], fit[1]
    return f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"

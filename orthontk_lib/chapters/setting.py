r"""Chapter "Setting": the empirical NTK of orthogonal and Gaussian FCNs next to the analytic NTK.

For widths n, seeds s and both initializations, the relative Frobenius error

.. math:: \varepsilon(n) = \lVert \hat\Theta_n - \Theta_\infty \rVert_F / \lVert \Theta_\infty \rVert_F

of the empirical NTK of an FCN on inputs on the sphere, against neural-tangents'
analytic kernel of the same spec.
"""

import dataclasses

import jax
import numpy as np

from orthontk_lib import kernels, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig
from orthontk_lib.claims import Claim, Measurement, Within
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, FCN

SLUG = "setting"
INITS = ("gaussian", "orthogonal")


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the opening chapter's measurement."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # hidden widths n
    n_seeds: int = dataclasses.field(default=4, metadata={"min": 2})  # networks per (width, init)
    depth: int = dataclasses.field(default=2, metadata={"min": 1})  # hidden layers L
    activation: str = dataclasses.field(default="relu", metadata={"choices": ACTIVATIONS})  # phi
    n_inputs: int = dataclasses.field(default=20, metadata={"min": 2})  # inputs on the sphere
    d: int = dataclasses.field(default=64, metadata={"min": 1})  # input dimension
    W_std: float = dataclasses.field(default=1.5, metadata={"min": 0.0})  # sigma_W
    b_std: float = dataclasses.field(default=0.1, metadata={"min": 0.0})  # sigma_b
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(widths=(32, 64, 128, 256), n_seeds=2, n_inputs=8, d=16),
        "quick": dict(widths=(64, 128, 256, 512, 1024, 2048), n_seeds=6, n_inputs=20, d=64),
        "paper": dict(widths=tuple(2**k for k in range(6, 14)), n_seeds=20, n_inputs=20, d=1024),
    }

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

    def spec(self, width, init):
        return FCN(self.depth, width, self.activation, self.W_std, self.b_std, init)


def ntk_errors(cfg, width, x, theta_inf):
    """Relative errors (2 inits, n_seeds) at one width, and seed 0's kernels (2, N, N)."""
    errs, first = [], []
    for init in INITS:
        spec = cfg.spec(width, init)
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), width), cfg.n_seeds)
        ntks = np.asarray(kernels.empirical_ntk_seeds(spec, keys, x))
        errs.append(np.linalg.norm(ntks - theta_inf, axis=(1, 2)) / np.linalg.norm(theta_inf))
        first.append(ntks[0])
    return np.stack(errs), np.stack(first)


def compute(cfg):
    """The sweep over widths (each width saved as it finishes) and its summary arrays."""
    x = load("sphere", n_train=cfg.n_inputs, d=cfg.d, seed=cfg.seed).x_train
    theta_inf = np.asarray(kernels.analytic_ntk(cfg.spec(cfg.widths[0], "gaussian"), x))
    base = {k: v for k, v in cfg.asdict().items() if k not in ("widths", "profile")}

    def point(p):
        err, first = ntk_errors(cfg, p["width"], x, theta_inf)
        return {"err": err, "first": first}

    pts = results.sweep(f"{SLUG}/{cfg.profile}/points", base, [{"width": w} for w in cfg.widths], point,
                        profile=cfg.profile, seeds=cfg.seeds, desc="empirical NTK by width")
    return {
        "widths": np.array(cfg.widths),
        "err": np.stack([p.arrays["err"] for p in pts], axis=1),  # (init, width, seed)
        "first_small": pts[0].arrays["first"],
        "first_large": pts[-1].arrays["first"],
        "theta_inf": theta_inf,
    }


def slopes(arrays):
    """Per init: the log-log slope of the seed-mean error against width, its 95% interval, intercept."""
    return {init: stats.loglog_fit(arrays["widths"], arrays["err"][i].mean(-1)) for i, init in enumerate(INITS)}


def constant_ratio(arrays):
    """Orthogonal over Gaussian error, geometric mean over widths, with a 95% bootstrap interval over seeds."""
    err = arrays["err"]  # (init, width, seed)
    return stats.bootstrap_ci(err, lambda e: float(np.exp(np.mean(np.log(e[1].mean(-1) / e[0].mean(-1))))))


# CLAIMS

SLOPE_WHY = ("Theory gives an error C n^(-1/2) (1 + O(n^(-1/2))): over the widths a profile measures, the "
             "subleading term moves a fitted slope by at most about 0.1, and seed noise by about 0.05")
CLAIMS = [
    Claim(f"setting-slope-{init}", "Huang, Du, Xu 2021, Thm. 1 and Sec. 4",
          f"The empirical NTK of {article} {init} FCN converges to the analytic NTK at rate n^(-1/2)"
          + (" (the same limit and rate as Gaussian weights)." if init == "orthogonal" else "."),
          "log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against width n (95% t-interval of the fit)",
          Within(-0.5, 0.15), why=SLOPE_WHY, decide="more widths, or wider networks (the paper profile)")
    for init, article in (("gaussian", "a"), ("orthogonal", "an"))
]


def measure(arrays, cfg):
    """Each claim's slope and 95% interval."""
    fits = slopes(arrays)
    return {f"setting-slope-{init}": Measurement(s, ci, {"intercept": a}) for init, (s, ci, a) in fits.items()}


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fits, m = slopes(arrays), measure(arrays, cfg)
    verdicts = {init: CLAIMS[i].verdict(*m[CLAIMS[i].id][:2]) for i, init in enumerate(INITS)}
    ratio, ratio_ci = constant_ratio(arrays)
    return {
        "setting-seeds": int(arrays["err"].shape[-1]),
        "setting-slope-g": _fmt(fits["gaussian"]),
        "setting-slope-o": _fmt(fits["orthogonal"]),
        "setting-verdict": verdict_sentence(verdicts),
        "setting-ratio": f"{ratio:.2f} [{ratio_ci[0]:.2f}, {ratio_ci[1]:.2f}]",
        "setting-ratio-words": {"below": "orthogonality lowers the constant in front of",
                                "above": "orthogonality raises the constant in front of",
                                "straddles": "no change is measurable in the constant in front of"}[stats.side(ratio_ci, 1.0)],
    }


def verdict_sentence(verdicts):
    """Words for what the two slopes' verdicts say (``{init: verdict}``), never assumed."""
    if all(v == "holds" for v in verdicts.values()):
        return "both intervals lie within the tolerance, so both kernels approach the same limit at the predicted rate"
    parts = [f"the {init} slope {'is outside the tolerance' if v == 'does not hold' else 'is inconclusive'}"
             for init, v in verdicts.items() if v != "holds"]
    return " and ".join(parts) + " at this profile's widths and seeds, so this run does not confirm the rate"


# FIGURES


def fig_convergence(arrays):
    """Relative error against width, both inits, with fits and the n^(-1/2) guide."""
    return plots.width_scaling(arrays["widths"], dict(zip(INITS, arrays["err"])), fits=slopes(arrays),
                               ylabel=r"$\|\hat\Theta - \Theta_\infty\|_F / \|\Theta_\infty\|_F$")


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

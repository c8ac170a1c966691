r"""Chapter "Setting": the empirical NTK of orthogonal and Gaussian FCNs next to the analytic NTK.

For widths n, seeds s and both initializations, the relative Frobenius error

.. math:: \varepsilon(n) = \lVert \hat\Theta_n - \Theta_\infty \rVert_F / \lVert \Theta_\infty \rVert_F

of the empirical NTK of an FCN on inputs on the sphere, against neural-tangents'
analytic kernel of the same spec.
"""

import dataclasses

import jax
import numpy as np

from orthontk_lib import kernels, results, stats
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, FCN
from orthontk_lib.profiles import ChapterConfig

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


def verdict_sentence(fits):
    """Words for what the two fitted slopes say, from the ledger's checks (never assumed)."""
    from orthontk_lib import ledger

    ok = {init: ledger.verdict(f"setting-slope-{init}", s, ci) == "holds" for init, (s, ci, _) in fits.items()}
    if all(ok.values()):
        return "both are within the tolerance, so both kernels approach the same limit at the predicted rate"
    failed = " and ".join(init for init, good in ok.items() if not good)
    return (f"the {failed} slope is outside the tolerance at this profile's widths and seeds, so this run does "
            "not confirm the rate; the ledger records it as not holding")

r"""A finite-width orthogonal network: the spread of the normalized empirical NTK of orthogonal and Gaussian erf
networks at a few depths in each phase, against the analytic value on the same inputs. Its points and arrays, the
distances and what they are made of, the claim, its numbers and figure."""

import jax
import numpy as np

from orthontk_lib import kernels, plots, results, stats
from orthontk_lib.claims import AtMost, Claim, Measurement
from orthontk_lib.references import cite
from orthontk_lib.book.prose import IMAGES
from orthontk_lib.data import DIMENSION
from orthontk_lib.kernels import spread
from orthontk_lib.models import FCN

from .experiment import PHASE_COLOUR, PHASES, SAVED_ON_DIGITS, SLUG, by_estimate, kernel_inputs, markdown_table, points
from .floors import EPS32

__all__ = ["DEEP_READING", "EMPIRICAL_SWEEP", "FINITE_WIDTH_CLAIMS", "SETTLED", "_empirical_point", "by_depth_table",
           "compared_points", "deep_phase_rows", "deep_phase_table", "deviation_ci", "empirical_arrays",
           "empirical_at_floor", "empirical_deviation", "empirical_minutes", "empirical_numbers", "empirical_point",
           "fig_empirical", "measure_finite_width", "settled_depth"]

# THE POINTS


def empirical_point(cfg, x, activation, W_std, b_std, depth, init="orthogonal"):
    """Spread of the normalized empirical NTK of ``init`` networks at one depth: (emp_seeds,)."""
    spec = FCN(depth, cfg.emp_width, activation, W_std, b_std, init)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), cfg.emp_seeds)
    return spread(np.asarray(kernels.empirical_ntk_seeds(spec, keys, x), np.float64))


def _empirical_point(cfg, it):
    pt = points()["erf", it["phase"]]
    return {f"spread_{init}": empirical_point(cfg, kernel_inputs(cfg), "erf", *pt, it["depth"], init)
            for init in ("orthogonal", "gaussian")}


def empirical_minutes(cfg, p, device):
    """Minutes of one empirical point: per init, ``emp_seeds`` draws of the depth's network (normal draws; for the
    orthogonal one a QR of each layer, :func:`orthontk_lib.book.cost.qr_flops`, which dominates) and their empirical
    NTKs on ``emp_inputs`` inputs (:func:`orthontk_lib.book.cost.ntk_flops`). Not counted: the eager dispatch of the
    draws (one network at a time past depth 16 at width 2048) and the ``"highest"`` precision's slower GPU products."""
    from orthontk_lib.book import cost

    layers = cost.dense_layers(DIMENSION[cfg.dataset], [cfg.emp_width] * p["depth"], 1)
    flops = sum(cost.init_flops(layers, init, cfg.emp_seeds) for init in ("orthogonal", "gaussian"))
    flops += 2 * cfg.emp_seeds * cost.ntk_flops(layers, cfg.emp_inputs)
    return cost.estimated_minutes(flops, device)  # one program: the inits share it


EMPIRICAL_SWEEP = results.Sweep(
    SLUG, "empirical", knobs=("dataset", "emp_width", "emp_seeds", "emp_inputs", "seed"), over=("emp_depths",),
    since=SAVED_ON_DIGITS,
    points=lambda cfg: [{"phase": p, "depth": L} for p in PHASES for L in cfg.emp_depths], run=_empirical_point,
    minutes=empirical_minutes, device=lambda cfg, p: by_estimate(empirical_minutes)(cfg, p),
    desc="orthogonal and Gaussian NTK by depth")
"""Orthogonal and Gaussian networks' NTK by depth, one point per (phase, depth)."""


def empirical_arrays(cfg):
    """The finite-width spreads (phase, depth, seed) of orthogonal (``emp_spread``) and Gaussian
    (``emp_spread_gaussian``) networks, and the analytic spread on the same inputs at the same depths (phase, depth)."""
    pts = points()
    emp = EMPIRICAL_SWEEP.results(cfg)
    x = kernel_inputs(EMPIRICAL_SWEEP.view(cfg))
    out = {}
    for init, key in (("orthogonal", "emp_spread"), ("gaussian", "emp_spread_gaussian")):
        out[key] = np.stack([p.arrays[f"spread_{init}"] for p in emp]).reshape(len(PHASES), len(cfg.emp_depths), -1)
    # the analytic spread on the same inputs as the finite-width kernels, at the same depths
    out["emp_analytic"] = np.array([[spread(kernels.analytic_ntk_by_depth("erf", *pts["erf", p], x, L)[-1])
                                     for L in cfg.emp_depths] for p in PHASES])
    return out


# STATISTICS


def empirical_deviation(arrays, depth_index=0, key="emp_spread"):
    """Relative distance of the finite-width networks' spread (seed mean; ``key`` "emp_spread" for orthogonal,
    "emp_spread_gaussian" for Gaussian) from the analytic one, per phase."""
    emp = arrays[key][:, depth_index].mean(-1)
    ana = arrays["emp_analytic"][:, depth_index]
    return np.abs(emp - ana) / ana


def deviation_ci(arrays, depth_index=0, key="emp_spread"):
    """:func:`empirical_deviation`'s largest value over phases, with a 95% interval over seeds: t-intervals of each
    phase's mean spread, Bonferroni over the phases (:func:`orthontk_lib.stats.largest_deviation_ci`)."""
    ana = arrays["emp_analytic"][:, depth_index]
    value, ci, _ = stats.largest_deviation_ci(arrays[key][:, depth_index], ana, ana)  # (phase, seed)
    return value, ci


SETTLED = 10.0
"""A finite-width spread this many times its analytic value has stopped following the analytic curve down: it stays
where the width's own fluctuations put it while the infinite-width spread keeps falling."""


def empirical_at_floor(arrays, depth_index=-1):
    """Per phase: whether the finite-width spread (seed mean, orthogonal or Gaussian) lies within a factor 10 of
    float32's resolution :data:`EPS32`, where rounding of the float32 kernel, not the network, sets it: (phases,)."""
    emp = np.stack([arrays[k][:, depth_index].mean(-1) for k in ("emp_spread", "emp_spread_gaussian")])
    return (emp < 10 * EPS32).any(0)


def compared_points(arrays, depth_index=-1):
    """The phases at ``depth_index`` where an orthogonal and a Gaussian spread can be compared as signals: neither at
    float32's resolution (:func:`empirical_at_floor`), and neither settled at :data:`SETTLED` times an analytic value
    that has fallen away (a fluctuation against a vanishing value): a list of phase indices."""
    low = empirical_at_floor(arrays, depth_index)
    ana = arrays["emp_analytic"][:, depth_index]
    settled = np.stack([arrays[k][:, depth_index].mean(-1) >= SETTLED * ana
                        for k in ("emp_spread", "emp_spread_gaussian")]).any(0)
    return [i for i in range(len(ana)) if not low[i] and not settled[i]]


# CLAIMS

FINITE_WIDTH_CLAIMS = [
    Claim("eoc-orthogonal-follows", f"this book (its link to {cite('huang2021orthogonal')})",
          "An orthogonal finite-width network's normalized NTK follows the analytic curve at the smallest depth.",
          "|spread_orth − spread_∞| / spread_∞ at the smallest measured depth, far below the width, largest over the "
          "three erf points. Its interval is from 95% t-intervals over seeds, Bonferroni over the phases. The page "
          "reads the deepest depth too, and says what each phase's distance there is made of.",
          AtMost(0.2), why="finite-width corrections of order depth/width, plus seed noise",
          decide="more seeds, or a wider network", caveat="read at the smallest depth only"),
]


def measure_finite_width(arrays, cfg):
    """The finite-width claim, its largest relative distance with a 95% interval (the Gaussian networks' in
    its detail)."""
    return {"eoc-orthogonal-follows": Measurement(*deviation_ci(arrays),
                                                  {"gaussian": deviation_ci(arrays, key="emp_spread_gaussian")[0]})}


# WORDS


def empirical_numbers(arrays, cfg, measured):
    """The finite-width section's numbers (the finite-width claim from ``measured``): the setting, the distances by
    depth, at the deepest depth what each phase's distance is made of, and the claim's verdict at both ends."""
    dev, gdev = empirical_deviation(arrays), empirical_deviation(arrays, 0, "emp_spread_gaussian")
    last, glast = empirical_deviation(arrays, -1), empirical_deviation(arrays, -1, "emp_spread_gaussian")
    above = compared_points(arrays, -1)
    follows = measured.claim("eoc-orthogonal-follows")
    deep = deviation_ci(arrays, -1)
    return {
        "eoc-emp-depth0": int(cfg.emp_depths[0]), "eoc-emp-depth1": int(cfg.emp_depths[-1]),
        "eoc-emp-seeds": cfg.emp_seeds, "eoc-emp-width": cfg.emp_width, "eoc-emp-inputs": cfg.emp_inputs,
        "eoc-emp-compare0": f"{sum(dev[i] < gdev[i] for i in range(len(PHASES)))} of {len(PHASES)}",
        "eoc-emp-compared": ", ".join(PHASES[i] for i in above) or "none",
        "eoc-emp-closer": f"{sum(last[i] < glast[i] for i in above)} of {len(above)}",
        "eoc-emp-by-depth": by_depth_table(arrays, cfg.emp_depths),
        "eoc-emp-deep": deep_phase_table(arrays, cfg.emp_depths),
        "eoc-emp-deep-dev": f"{deep[0]:.2g} [{deep[1][0]:.2g}, {deep[1][1]:.2g}]",
        "eoc-emp-verdict0": follows.verdict(*deviation_ci(arrays, 0)[:2]),
        "eoc-emp-verdict1": follows.verdict(*deep[:2]),
        "eoc-eps32": f"{EPS32:.1e}", "eoc-settled": f"{SETTLED:g}",
    }


def by_depth_table(arrays, depths):
    """Per measured depth: the relative distance of the orthogonal and of the Gaussian networks' spread from the
    analytic one in each phase (three decimals at the first depth, two digits deeper), and the largest over the phases
    (orthogonal); a Markdown table."""
    rows = []
    for i, L in enumerate(depths):
        orth, gauss = empirical_deviation(arrays, i), empirical_deviation(arrays, i, "emp_spread_gaussian")
        fmt = ".3f" if i == 0 else ".2g"
        rows.append([int(L), *(f"{o:{fmt}} / {g:{fmt}}" for o, g in zip(orth, gauss)), f"{orth.max():.2g}"])
    return markdown_table(["depth", *(f"{ph}: orthogonal / Gaussian" for ph in PHASES), "largest, orthogonal"], rows)


def settled_depth(arrays, phase_index, depths):
    """The first measured depth at which a phase's orthogonal spread has settled (:data:`SETTLED` times its analytic
    value or more, above float32's resolution), or None."""
    emp, ana = arrays["emp_spread"][phase_index].mean(-1), arrays["emp_analytic"][phase_index]
    low = [empirical_at_floor(arrays, i)[phase_index] for i in range(len(depths))]
    return next((int(L) for i, L in enumerate(depths) if emp[i] >= SETTLED * ana[i] and not low[i]), None)


DEEP_READING = {"floor": "float32 rounding", "settled": "fluctuation over a vanished value", "signal": "two signals"}
"""What a phase's relative distance at the deepest depth is made of (:func:`deep_phase_rows`)."""


def deep_phase_rows(arrays, depth_index=-1):
    """Per phase at ``depth_index``: the relative distance of the orthogonal networks' spread from the analytic one
    with its 95% t-interval over seeds, the orthogonal, Gaussian and analytic spreads, and what the distance is made
    of (:data:`DEEP_READING`): a spread at float32's resolution (:func:`empirical_at_floor`), one settled at
    :data:`SETTLED` times an analytic value that has fallen away, or a comparison of two signals."""
    low, rows = empirical_at_floor(arrays, depth_index), []
    for i, ph in enumerate(PHASES):
        ana = float(arrays["emp_analytic"][i, depth_index])
        samples = arrays["emp_spread"][i, depth_index]
        v, (lo, hi), _ = stats.largest_deviation_ci(samples, ana, ana)
        emp, gauss = float(samples.mean()), float(arrays["emp_spread_gaussian"][i, depth_index].mean())
        why = "floor" if low[i] else "settled" if emp >= SETTLED * ana else "signal"
        rows.append([ph, f"{v:.2g} [{lo:.2g}, {hi:.2g}]", f"{emp:.2g}", f"{gauss:.2g}", f"{ana:.2g}", DEEP_READING[why]])
    return rows


def deep_phase_table(arrays, depths, depth_index=-1):
    """:func:`deep_phase_rows` with each phase's :func:`settled_depth`, as a Markdown table."""
    rows = [[*r, settled_depth(arrays, i, depths) or "—"] for i, r in enumerate(deep_phase_rows(arrays, depth_index))]
    return markdown_table(["phase", "distance [95% interval]", "spread, orthogonal", "spread, Gaussian",
                           "spread, analytic", "the distance is", "settled from depth"], rows)


# FIGURE


def fig_empirical(cfg, arrays):
    """Finite-width orthogonal (dots) and Gaussian (squares) spreads against the analytic values and curves, on a log
    depth axis, the three side by side at each measured depth; an analytic value below the axis is a down-triangle at
    its bottom, labelled with the value; the float32 resolution of the finite-width kernels (line; shaded up to ten
    times it, where they are rounding)."""
    fig, ax = plots.figure(width=4.4)
    bottom = 1e-10
    depths = np.asarray(cfg.emp_depths, float)
    for p, ph in enumerate(PHASES):
        c = PHASE_COLOUR[ph]
        ax.plot(arrays["depths"], arrays["spread"][p], color=c, lw=1, label=f"erf {ph}, analytic (all {IMAGES[cfg.dataset]})")
        for key, marker, init, shift in (("emp_spread", "o", "orthogonal", 1 / 1.12),
                                         ("emp_spread_gaussian", "s", "Gaussian", 1.12)):
            ax.errorbar(depths * shift, arrays[key][p].mean(-1), yerr=arrays[key][p].std(-1), fmt=marker, color=c,
                        mfc="none" if init == "Gaussian" else c, capsize=2, ms=4,
                        label=f"erf {ph}, {init} n = {cfg.emp_width}")
        ana = np.asarray(arrays["emp_analytic"][p], float)
        ax.plot(depths, np.where(ana >= bottom, ana, np.nan), "x", color=c, label=f"erf {ph}, analytic (same inputs)")
        for L, v in zip(depths[ana < bottom], ana[ana < bottom]):
            ax.plot(L, bottom * 1.6, "v", color=c, ms=4)
            ax.annotate(f"{v:.0e}", (L, bottom * 1.6), xytext=(4, 2 + 8 * p), textcoords="offset points",
                        fontsize=6, color=c)  # one line per phase: values clipped at one depth stay apart
    ax.set(xscale="log", xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", yscale="log",
           xlim=(depths.min() / 1.6, depths.max() * 1.6), ylim=(bottom, 1))
    ax.axhspan(bottom, 10 * EPS32, color="0.85", alpha=0.5, lw=0, zorder=0)
    ax.axhline(EPS32, color="0.3", lw=0.8, ls=(0, (1, 2)), label="float32 resolution (finite width)")
    fig.legend(loc="outside right center", fontsize=6)
    return fig

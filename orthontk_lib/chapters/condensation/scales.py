r"""Gradient descent from each initialization scale s (d-dimensional inputs, one hidden layer): the experiment of the
theorem for p = 1 and of the contrast with the lazy regime. Its points and arrays, its statistics (the count at
the stage end, the weights' change against s), its claims, numbers and figures."""

import jax
import numpy as np

from orthontk_lib import plots, results, stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.models import FCN
from orthontk_lib.train import TrainConfig

from .counting import (
    MEDIAN_CI,
    ROBUST,
    RULE_WHY,
    TYPICAL,
    ZX,
    bound_measurement,
    dominant_neurons,
    median_range,
    orientation_order,
)
from .experiment import COUNTING_KNOBS, MULTIPLICITY, SLUG, count_stride, sines_task, stage_ends, train_point
from .orientations import condensed_orientations, cosine_similarity, relative_change

__all__ = ["LAZY_CLAIMS", "MAIN_SWEEP", "SCALE_CLAIMS", "SLOPE_MAX_SCALE", "_main_bound", "change_slope",
           "change_slope_ci", "count_rows", "counts_at_stage_end", "fig_change", "fig_cosine", "fig_counts",
           "lazy_orientations", "lazy_orientations_ci", "measure_scales", "scale_arrays", "scale_numbers",
           "scale_point", "stage_end_change"]

# THE POINTS


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


MAIN_SWEEP = results.Sweep(
    SLUG, "main", knobs=("width", "d", "n_train", "n_seeds", "steps", "lr", "records", "seed") + COUNTING_KNOBS,
    over=("activations", "scales"),
    points=lambda cfg: [{"activation": a, "scale": s} for a in cfg.activations for s in cfg.scales],
    run=lambda cfg, it: scale_point(cfg, sines_task(cfg), it["activation"], it["scale"]), desc="GD from each scale")
"""Gradient descent from each (activation, scale), one point each."""


def scale_arrays(cfg):
    """Every (activation, scale) point, saved point by point, stacked as (activation, scale, ...); the scales, the
    evaluations' steps and the steps of the counts over training."""
    pts = MAIN_SWEEP.results(cfg)
    shape = (len(cfg.activations), len(cfg.scales))
    out = {k: np.stack([p.arrays[k] for p in pts]).reshape(*shape, *pts[0].arrays[k].shape) for k in pts[0].arrays}
    out["scales"] = np.asarray(cfg.scales)
    out["record_steps"] = np.arange(cfg.records + 1) * (cfg.steps // cfg.records)
    out["count_steps"] = out["record_steps"][:: count_stride(cfg)]
    return out


# STATISTICS


def counts_at_stage_end(arrays):
    """Condensed orientations at the end of the initial stage: (activation, scale, seed); NaN where it never ended."""
    return np.where(arrays["end"] >= 0, arrays["count_end"], np.nan)


def lazy_orientations(arrays, counts=None):
    """Fewest condensed orientations per neuron at the largest scale (median over seeds, smallest over activations);
    ``counts`` (activation, seed) replaces the measured ones."""
    c = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))] if counts is None else counts
    return float(np.nanmin(np.nanmedian(c, axis=-1))) / arrays["u0"].shape[-2]


def stage_end_change(arrays):
    """Relative change of the input weights at the end of the initial stage: (activation, scale, seed)."""
    rel, end = arrays["rel_change"], arrays["end"]
    picked = np.take_along_axis(rel, np.maximum(end, 0)[..., None], -1)[..., 0]
    return np.where(end >= 0, picked, np.nan)


SLOPE_MAX_SCALE = 0.03
"""The largest initialization scale of the weight-change slope's fit (:func:`change_slope`)."""


def change_slope(arrays, max_scale=SLOPE_MAX_SCALE, changes=None):
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


def lazy_orientations_ci(arrays):
    """:func:`lazy_orientations` with its exact 95% interval (:func:`orthontk_lib.stats.largest_median_ci`, the
    smallest: each activation's median bounded by order statistics of its seeds, the upper ends Bonferroni over the
    activations); seeds whose stage never ended are left out. With 4 seeds the interval is infinite; NaN throughout
    where no activation's stage ended."""
    counts = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))]  # (activation, seed)
    rows = [c[~np.isnan(c)] for c in counts]
    rows = [r for r in rows if r.size]
    if not rows:
        return float("nan"), (float("nan"), float("nan"))
    value, ci, _ = stats.largest_median_ci(rows, arrays["u0"].shape[-2], smallest=True)
    return value, ci


def change_slope_ci(arrays, max_scale=SLOPE_MAX_SCALE, level=0.95):
    """:func:`change_slope`'s slope farthest from −1, with an exact interval of coverage at least ``level``.

    Each activation's slope is a linear combination of the log seed medians, increasing in some and decreasing in
    others, so it lies between its values at the medians' order-statistic bounds whenever every median lies in its
    bounds (:func:`orthontk_lib.stats.median_contrast_ci`); taken at ``1 - (1 - level) / A`` per activation
    (Bonferroni over the ``A`` activations) all slopes are covered together, and the farthest from −1 lies in
    :func:`orthontk_lib.stats.farthest_ci`'s hull of their intervals. Seeds whose stage never ended are left out.
    With 4 seeds the interval is infinite."""
    value, slopes = change_slope(arrays, max_scale)
    small = arrays["scales"] <= max_scale
    x = np.log(arrays["scales"][small])
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)  # least squares: slope = sum_j w_j log median_j
    change = stage_end_change(arrays)[:, small]  # (activation, scale, seed)
    cis = []
    for per_scale in change:
        rows = [c[~np.isnan(c)] for c in per_scale]
        if min(r.size for r in rows) == 0:
            return value, (float("nan"), float("nan"))  # a scale whose stage never ended: no slope, no interval
        cis.append(stats.median_contrast_ci(rows, w, 1 - (1 - level) / len(change), log=True)[1])
    _, ci, _ = stats.farthest_ci(slopes, cis, -1.0)
    return value, ci


# CLAIMS

SCALE_CLAIMS = [
    Claim("condensation-orientations", f"{ZX}, Thm. 1 (p = 1, any input dimension)",
          "From small initialization, p = 1 neurons condense onto at most 2 orientations, in any dimension.",
          "condensed orientations / 2p at the end of the initial stage (d = 5, gradient descent, smallest init scale), "
          f"largest over the p = 1 activations of the {TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds", robustness=ROBUST),
]

LAZY_CLAIMS = [
    Claim("condensation-lazy-none", f"{ZX}, Sec. 5 (the initial scale as a control)",
          "At the usual initialization scale (LeCun's) the input weights do not condense.",
          "condensed orientations / m at s = 1 at the end of the initial stage: the seed median, fewest over "
          f"activations. {MEDIAN_CI}",
          AtLeast(0.25), why="random orientations in d + 1 = 6 dimensions rarely lie within 18° of each other, "
          "giving about 0.7 m clusters; condensation gives 2p/m <= 0.08 at m = 50", decide="more seeds",
          caveat="one width, standard parameterization"),
    Claim("condensation-weight-change", f"{ZX}, Sec. 4 (the initial stage)",
          "From small initialization, the input weights' relative change is of order 1/s.",
          "log-log slope of the relative change of the input weights at the end of the initial stage against the "
          "scale s <= 0.03. It is read on seed medians, at the activation farthest from −1. The exact 95% interval "
          "takes every activation's slope between its values at its medians' order-statistic bounds, Bonferroni over "
          "medians and activations.",
          Within(-1.0, 0.15), why="theory: −1, since the input weights grow to a size set by the task, not by the "
          "initialization. The stage ends at a loss drop fixed up to one evaluation's "
          "resolution, which moves the slope by a few hundredths.", decide="more scales or seeds"),
]


def _main_bound(arrays, cfg):
    j = int(np.argmin(arrays["scales"]))
    idx = [i for i, a in enumerate(cfg.activations) if MULTIPLICITY[a] == 1]
    return ([cfg.activations[i] for i in idx], counts_at_stage_end(arrays)[idx, j], arrays["u_end_stage"][idx, j],
            arrays["end"][idx, j])


def measure_scales(arrays, cfg):
    """The claims of the scales experiment, each one's statistic with its 95% interval."""
    return {
        "condensation-orientations": bound_measurement(SCALE_CLAIMS[0], *_main_bound(arrays, cfg)),
        "condensation-lazy-none": Measurement(*lazy_orientations_ci(arrays)),
        "condensation-weight-change": Measurement(*change_slope_ci(arrays), {"slopes": change_slope(arrays)[1]}),
    }


# NUMBERS


def scale_numbers(arrays, cfg, measured):
    """The scales experiment's numbers, labels and table (``measured``: the chapter's claims measured on ``arrays``)."""
    from .counting import md_table

    sc = list(arrays["scales"])
    small, large = int(np.argmin(sc)), int(np.argmax(sc))
    final = np.median(arrays["rel_change"][..., -1], -1)  # (activation, scale)
    slopes = change_slope(arrays)[1]
    span = lambda x, fmt: f"{min(x):{fmt}} to {max(x):{fmt}}"
    rows = [[act, f"{s:.2f}", f"{final[i, small]:.0f}", f"{final[i, large]:.2f}"]
            for i, (act, s) in enumerate(zip(cfg.activations, slopes))]
    return {
        "cd-net": f"{cfg.d}–{cfg.width}–1", "cd-ntrain": str(cfg.n_train), "cd-lr": f"{cfg.lr:g}",
        "cd-steps": str(cfg.steps), "cd-nseeds": str(cfg.n_seeds), "cd-width": str(cfg.width),
        "cd-orientations-verdict": measured.verdict("condensation-orientations"),
        "cd-lazy-verdict": measured.verdict("condensation-lazy-none"),
        "cd-slope-scale": f"{SLOPE_MAX_SCALE:g}",
        "cd-slopes": span(slopes, ".2f"),
        "cd-change-small": span(final[:, small], ".0f"),
        "cd-change-lazy": span(final[:, large], ".2f"),
        "cd-lazy-label": "not lazy" if final[:, large].max() > 0.3 else "close to lazy",
        "cd-change-table": md_table(["φ", f"slope over s ≤ {SLOPE_MAX_SCALE:g}", f"change at s = {sc[small]:g}",
                                     f"change at s = {sc[large]:g}"], rows),
        "cd-scale-small": f"{sc[small]:g}",
    }


def count_rows(cfg, arrays):
    """Rows of the d-dimensional table: φ, 2p, then the median [range] of orientations at each scale."""
    counts = counts_at_stage_end(arrays)
    return [[act, "—" if MULTIPLICITY[act] is None else str(2 * MULTIPLICITY[act])]
            + [median_range(counts[i, j]) for j in range(len(arrays["scales"]))] for i, act in enumerate(cfg.activations)]


# FIGURES


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


def fig_counts(cfg, arrays):
    """Condensed orientations over training (seed median), a curve per scale, the bound 2p dotted."""
    from matplotlib import ticker

    sc, acts = list(arrays["scales"]), list(cfg.activations)
    fig, axes = plots.figure(ncols=len(acts), width=2.5, height=2.3, squeeze=False, sharey=True)
    for i, act in enumerate(acts):
        for j, s in enumerate(sc):
            axes[0, i].semilogx(np.maximum(arrays["count_steps"], 1), np.median(arrays["count"][i, j], 0),
                                color=plots.sequential(j, len(sc)), label=f"s = {s:g}", marker=".", ms=3,
                                lw=0.8)  # markers: the recorded steps (the initialization drawn at step 1)
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
    ax.loglog(sc, 1 / np.asarray(sc), color="0.5", lw=4, alpha=0.35, solid_capstyle="butt", label="1/s (guide)")
    ax.set(xlabel="initialization scale s", ylabel=r"$\|U_t - U_0\|_F / \|U_0\|_F$")
    fig.legend(loc="outside right center", fontsize=6)
    return fig

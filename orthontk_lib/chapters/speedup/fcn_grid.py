r"""The FCN grid: tanh networks on the critical line, Gaussian against orthogonal, over (learning rate × depth), the
paper's depth family. Its claims (speed at depth and at large learning rate, the failure edge and its growth with
depth), their measurement and words, and its figures (training curves, the τ and speed-up maps)."""

import numpy as np

from orthontk_lib import plots
from orthontk_lib.claims import AtLeast, Claim, Measurement, on_the_bound, with_reading
from orthontk_lib.references import cite

from .experiment import INITS
from .statistics import (
    MIN_CELLS,
    at_alt_target,
    both_train,
    censored_tau,
    censoring_marks,
    evaluation_interval,
    every_trains,
    failure_edges,
    failure_rate,
    grid_spacing,
    mean_tau,
    measurement_text,
    reached,
    region,
    region_speedup,
    speed_measurement,
    speed_reading,
    speedup_map,
    stability,
    stability_growth,
    trained,
)
from .sweeps import view

__all__ = ["GRID_CLAIMS", "HDX", "SPEED_CLAIM_OUTLINES", "SPEED_WHY", "STEP_WHY", "UNCENSORED", "_on_the_bound",
           "_speedup_range", "claim_cells", "depth_over_width", "edge_table", "edge_text", "fig_curves", "fig_grid",
           "fig_tau_maps", "first_hit_numbers", "grid_numbers", "large_vs_small_lr", "measure_grid",
           "orthogonal_losses", "outline_cells", "region_lr_rank", "region_lrs", "tau_norm", "tau_span",
           "uncensored_numbers", "uncensored_speedups"]

# CLAIMS

HDX = cite("huang2021orthogonal")


SPEED_WHY = (f"a speed-up means the interval lies above 1. Fewer than {MIN_CELLS} cells where both inits train, or "
             f"fewer than {MIN_CELLS} where every seed of both does, leave it inconclusive. A seed counted at the "
             "budget holds a bound, not a speed, and must not decide alone.")


UNCENSORED = (" The reported interval spans that one and the same statistic's over the cells where every seed of "
              "both trains (no τ censored).")


STEP_WHY = ("any advantage at all. The interval already includes the grid's resolution (an edge is known to one "
            "grid step), so equal edges are inconclusive. Each edge is bounded by exact sign tests over the seeds, so "
            "4 seeds or fewer cannot decide. The fewest that shows a rate trains is 8 of 8 training.")


GRID_CLAIMS = [
    Claim("speedup-deep", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large depth.",
          "τ_gauss/τ_orth, geometric mean over the deep half of depths and every learning rate where most seeds of "
          "both inits train. A seed that never reaches the target is counted at the step budget. The 95% jackknife "
          "t-interval is over seeds, on its logarithm." + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both inits train"),
    Claim("speedup-large-lr", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large learning rate.",
          "τ_gauss/τ_orth, geometric mean over the larger half of learning rates and every depth where most seeds "
          "of both inits train. A seed that never reaches the target is counted at the step budget. The 95% jackknife "
          "t-interval is over seeds, on its logarithm." + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more depths where both inits train"),
    Claim("speedup-stability", f"{HDX}, Sec. 5 (the failure boundary of the learning-speed figure)",
          "At large depth, orthogonal networks train at learning rates where Gaussian ones fail.",
          "failure edge (largest η at which most seeds train) orthogonal over Gaussian, geometric mean over the "
          "deep half of depths. Its exact 95% interval bounds every edge read by sign tests over seeds, Bonferroni. "
          "It is widened by one grid step each way.",
          AtLeast(1.0), why=STEP_WHY, decide="more seeds, or a finer learning-rate grid",
          interval="exact 95%, widened one grid step"),
    Claim("speedup-stability-growth", f"{HDX}, Sec. 5 (the depth family of the learning-speed figure)",
          "The stability advantage of orthogonal initialization grows with depth.",
          "the failure-edge ratio of the deep half of depths over that of the shallow half. Its exact 95% interval "
          "bounds every edge read by sign tests over seeds, Bonferroni. It is widened by two grid steps each way.",
          AtLeast(1.0), why=STEP_WHY,
          decide="more depths, or a finer learning-rate grid", interval="exact 95%, widened two grid steps"),
]


def _on_the_bound(m, bound=1.0):
    """An edge ratio whose widened interval ends at exactly ``bound`` carries that in its reading: it holds only just,
    and a strict rule would read it as inconclusive."""
    if not on_the_bound(m.ci, bound):
        return m
    m = Measurement(m.value, m.ci, {**(m.detail or {}), "caveat": "lower end exactly 1"})
    return with_reading(m, "holds only just: the interval widened by the grid's step ends at exactly 1; a rule asking "
                           "for a ratio above 1 would read it as inconclusive")


def measure_grid(arrays, cfg):
    """The FCN grid's claims, each one's statistic with its 95% interval."""
    fcn = view(arrays, "fcn")
    return {
        "speedup-deep": speed_measurement(fcn, "deep"),
        "speedup-large-lr": speed_measurement(fcn, "large-lr"),
        "speedup-stability": _on_the_bound(Measurement(*stability(fcn))),
        "speedup-stability-growth": _on_the_bound(Measurement(*stability_growth(fcn))),
    }


# WORDS


def grid_numbers(arrays, cfg, measured):
    """The FCN grid's numbers, intervals, verdicts and short labels (``measured``: the chapter's claims measured on
    ``arrays``)."""
    fcn = view(arrays, "fcn")
    m, fmt = measured, measurement_text
    collapsed = np.isfinite(fcn["tau"]) & ~trained(fcn)
    d = len(fcn["depths"]) - 1
    span = tau_span(fcn)
    deep_rows = region((len(fcn["depths"]), len(fcn["lrs"])), "deep")[:, 0]
    deep_depths = [int(L) for L, deep in zip(fcn["depths"], deep_rows) if deep]
    return {
        "sp-tau-span-alt": f"{tau_span(at_alt_target(fcn)):.1f}",
        "sp-tau-span": f"{span:.1f}",
        "sp-tau-span-vs-paper": "as wide as" if span >= 2 else "narrower than",
        "sp-width": int(cfg.width), "sp-batch": int(cfg.batch_size), "sp-steps": int(fcn["steps"]),
        "sp-target": f"{cfg.target:.0%}",
        "sp-seeds": int(fcn["tau"].shape[-1]), "sp-curve-depth": int(fcn["depths"][d]),
        "sp-collapsed": f"{int(collapsed.sum())} of {collapsed.size}",
        "sp-deep": fmt(m["speedup-deep"]), "sp-deep-cells": m["speedup-deep"].detail["cells"],
        "sp-large-lr": fmt(m["speedup-large-lr"]), "sp-large-lr-cells": m["speedup-large-lr"].detail["cells"],
        "sp-deep-reading": speed_reading(m, "speedup-deep"), "sp-large-lr-reading": speed_reading(m, "speedup-large-lr"),
        "sp-deep-verdict": m.verdict("speedup-deep"), "sp-large-lr-verdict": m.verdict("speedup-large-lr"),
        "sp-deep-lrs": region_lrs(fcn, "deep"),
        "sp-deep-lr-where": region_lr_rank(fcn, "deep"),
        "sp-deep-depth-over-width": depth_over_width(deep_depths, cfg.width),
        **large_vs_small_lr(fcn),
        **uncensored_numbers(fcn, m),
        "sp-deep-depths": "L = " + ", ".join(map(str, deep_depths)),
        "sp-stability": fmt(m["speedup-stability"]), "sp-stability-growth": fmt(m["speedup-stability-growth"]),
        "sp-stability-verdict": m.verdict("speedup-stability"),
        "sp-growth-verdict": m.verdict("speedup-stability-growth"),
        "sp-grid-step": f"{grid_spacing(fcn['lrs']):.2g}",
        **first_hit_numbers(fcn, m),
        "sp-eval-every": int(evaluation_interval(fcn)),
        "sp-min-cells": MIN_CELLS,
        **_speedup_range(fcn),
    }


def claim_cells(arrays, corner, pair=(0, 1)):
    """(depth, lr) bool: the cells a speed claim reads, the ``corner``'s cells where most seeds of both inits train
    (:func:`region_speedup`'s cells)."""
    tau = np.asarray(arrays["tau"])
    return region((tau.shape[0], tau.shape[2]), corner) & both_train(arrays, pair)


def region_lrs(arrays, corner, pair=(0, 1)):
    """The learning rates of a speed claim's cells as a short label: ``"η = 0.001 to 0.012"``, ``"none"``."""
    cells = np.argwhere(claim_cells(arrays, corner, pair))
    if not len(cells):
        return "none"
    lrs = np.asarray(arrays["lrs"], float)[np.unique(cells[:, 1])]
    return f"η = {lrs[0]:.2g}" if len(lrs) == 1 else f"η = {lrs[0]:.2g} to {lrs[-1]:.2g}"


def region_lr_rank(arrays, corner, pair=(0, 1)):
    """Where a speed claim's learning rates sit in the grid, as a short label: ``"the 5 smallest of 12"`` when they are
    the grid's smallest, ``"the 3 largest of 12"`` when its largest, else ``"5 of 12"``."""
    cells = np.argwhere(claim_cells(arrays, corner, pair))
    n, used = len(arrays["lrs"]), np.unique(cells[:, 1]) if len(cells) else np.array([], int)
    k = len(used)
    if k and np.array_equal(used, np.arange(k)):
        return f"the {k} smallest of {n}"
    if k and np.array_equal(used, np.arange(n - k, n)):
        return f"the {k} largest of {n}"
    return f"{k} of {n}"


def depth_over_width(depths, width):
    """Depth over width L/n of the given depths at ``width``, as a short label (``"0.78"``, ``"0.39 to 0.78"``)."""
    if not depths:
        return "undefined"
    lo, hi = min(depths) / width, max(depths) / width
    return f"{hi:.2f}" if lo == hi else f"{lo:.2f} to {hi:.2f}"


def tau_span(arrays):
    """Decades spanned by the mean mini-batch τ of trained runs over the grid (both inits, every depth)."""
    t = mean_tau(np.asarray(arrays["tau"], float), trained(arrays))
    t = t[np.isfinite(t)]
    return float(np.log10(t.max() / t.min())) if t.size else 0.0


def edge_text(e, m, i, lrs):
    """One failure edge of :func:`failure_edges` ``e`` (member ``m``, init ``i``) as a table cell: the learning rate
    with its 95% interval where wider than one grid point, ``≥`` where it is the grid's top (a lower bound), ``<`` the
    grid's smallest where no learning rate trains."""
    if e["below"][m, i]:
        return f"< {lrs[0]:.2g}"
    bound = "≥ " if e["beyond"][m, i] else ""
    ci = f" [{e['lo'][m, i]:.2g}, {e['hi'][m, i]:.2g}]" if e["lo"][m, i] < e["hi"][m, i] else ""
    return f"{bound}{e['edge'][m, i]:.2g}{ci}"


def edge_table(arrays):
    """The failure edges of the depth family and of the width family as a table: ``(columns, rows)``, one row per
    member, Gaussian and orthogonal edge each with its 95% interval (:func:`edge_text`; the width family's learning
    rates in units of η·n/n₀)."""
    rows = []
    for family, prefix, key, sym in (("depth", "fcn", "depths", "L"), ("width", "family", "widths", "n")):
        a = view(arrays, prefix)
        e, lrs = failure_edges(a), np.asarray(a["lrs"], float)
        rows += [[family, f"{sym} = {int(v)}", edge_text(e, m, 0, lrs), edge_text(e, m, 1, lrs)]
                 for m, v in enumerate(a[key])]
    return ["family", "member", "Gaussian edge η [95%]", "orthogonal edge η [95%]"], rows


def uncensored_speedups(arrays, pair=(0, 1)):
    """:func:`speedup_map` where every seed of both inits of ``pair`` trains (no τ censored at the budget), NaN
    elsewhere: (depth, lr). A cell with a failed run holds a bound, not a speed (:func:`censoring_marks`)."""
    return np.where(every_trains(arrays, pair), speedup_map(arrays, pair), np.nan)


def orthogonal_losses(arrays):
    """The cells of the speed-up map where more orthogonal than Gaussian seeds fail (see :func:`trained`), as short
    values: their count, and the cell where orthogonal seeds fail most against Gaussian ones, its failed seeds of
    both inits and its ratio (an upper bound, ``≤``, where only orthogonal runs fail)."""
    fails = np.round(failure_rate(arrays) * np.asarray(arrays["tau"]).shape[-1]).astype(int)  # (depth, init, lr)
    ratio, marks = speedup_map(arrays), censoring_marks(arrays)
    worse = np.isfinite(ratio) & (fails[:, 1] > fails[:, 0])
    out = {"sp-losses-count": int(worse.sum())}
    if not worse.any():
        return {**out, "sp-losses-where": "none", "sp-losses-fails": "none", "sp-losses-ratio": "none"}
    d, l = np.unravel_index(np.argmax(np.where(worse, fails[:, 1] - fails[:, 0], -1)), worse.shape)
    n = int(np.asarray(arrays["tau"]).shape[-1])
    return {**out, "sp-losses-where": f"depth {int(arrays['depths'][d])}, η = {float(arrays['lrs'][l]):.2g}",
            "sp-losses-fails": f"{fails[d, 1, l]} of {n} vs {fails[d, 0, l]} of {n}",
            "sp-losses-ratio": f"{marks[d, l]}{ratio[d, l]:.2f}"}


def large_vs_small_lr(arrays):
    """The speed-up at the smaller half of the learning rates, and how the larger half's compares with it (the paper
    places the benefit in the large-learning-rate phase), decided where the two 95% intervals do not overlap: "larger",
    "smaller", "not separated" (the intervals overlap), "larger, censored cells only" (too few uncensored cells at the larger half to compare) or
    "not comparable" (no cell at the smaller half where both inits train)."""
    (big, (blo, bhi), _), (small, (slo, shi), n) = (region_speedup(arrays, c) for c in ("large-lr", "small-lr"))
    if not n or not np.isfinite([blo, bhi, slo, shi]).all():
        return {"sp-small-lr": "undefined", "sp-large-vs-small": "not comparable"}
    out = {"sp-small-lr": f"{small:.2f} [{slo:.2f}, {shi:.2f}]"}
    if blo > shi:
        thin = region_speedup(arrays, "large-lr", uncensored=True)[2] < MIN_CELLS
        return {**out, "sp-large-vs-small": "larger, censored cells only" if thin else "larger"}
    return {**out, "sp-large-vs-small": "smaller" if bhi < slo else "not separated"}


def first_hit_numbers(arrays, claims_measured):
    """The two stability claims again with a run counted as trained at its first hit (:func:`reached`, the paper's
    reading) rather than only if it is still at the target at the end: each value with its interval and verdict, and
    which verdicts turn on that choice ("none", or the claim ids)."""
    claims = {c.id: c for c in GRID_CLAIMS}
    out, changed = {}, []
    for cid, key, f in (("speedup-stability", "sp-first-hit-stability", stability),
                        ("speedup-stability-growth", "sp-first-hit-growth", stability_growth)):
        v, ci = f(arrays, runs=reached)
        verdict = claims[cid].verdict(v, ci)
        out[key], out[f"{key}-verdict"] = f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]", verdict
        if verdict != claims[cid].verdict(*claims_measured[cid][:2]):
            changed.append(cid)
    return {**out, "sp-first-hit-changed": ", ".join(changed) or "none"}


def uncensored_numbers(arrays, claims_measured):
    """The speed claims on uncensored cells only (every seed of both inits trains): each value and its cells, and the
    claims left inconclusive for want of such cells ("none", or the claim ids; a speed claim's interval spans both
    readings, :func:`speed_measurement`)."""
    out, thin = {}, []
    for cid, key in (("speedup-deep", "sp-deep-uncensored"), ("speedup-large-lr", "sp-large-lr-uncensored")):
        d = claims_measured[cid].detail or {}
        v, n = d.get("uncensored", float("nan")), d.get("uncensored_cells", 0)
        out[key], out[f"{key}-cells"] = (f"{v:.2f}" if np.isfinite(v) else "undefined"), n
        if n < MIN_CELLS <= d.get("cells", 0):
            thin.append(cid)
    return {**out, "sp-uncensored-thin": ", ".join(thin) or "none"}


def _speedup_range(arrays):
    """The prose's range of the speed-up map over uncensored cells, where each end lies, and the censored count."""
    s, full = uncensored_speedups(arrays), speedup_map(arrays)
    censored = int((np.isfinite(full) & ~np.isfinite(s)).sum())
    out = {"sp-uncensored-cells": f"{int(np.isfinite(s).sum())} of {s.size}", "sp-censored-cells": censored,
           **orthogonal_losses(arrays)}
    if not np.isfinite(s).any():
        return {**out, "sp-best": "undefined", "sp-best-where": "nowhere", "sp-worst": "undefined",
                "sp-worst-where": "nowhere"}
    where = lambda i: (f"depth {int(arrays['depths'][i[0]])}, η = {float(arrays['lrs'][i[1]]):.2g}")
    best, worst = (np.unravel_index(f(s), s.shape) for f in (np.nanargmax, np.nanargmin))
    return {**out, "sp-best": f"{s[best]:.2f}", "sp-best-where": where(best), "sp-worst": f"{s[worst]:.2f}",
            "sp-worst-where": where(worst)}


# FIGURES


def fig_curves(cfg, arrays):
    """Training accuracy of every seed at the deepest FCN, both inits, at up to three learning rates."""
    fcn = view(arrays, "fcn")
    d = len(fcn["depths"]) - 1
    usable = np.flatnonzero(failure_rate(fcn)[d].min(0) < 1)
    picks = usable[np.linspace(0, len(usable) - 1, min(3, len(usable))).round().astype(int)] if len(usable) else [0]
    fig, axes = plots.figure(ncols=len(picks), width=2.6, height=2.3, sharey=True, squeeze=False)
    for ax, l in zip(axes[0], picks):
        for i, init in enumerate(INITS):
            for s in range(fcn["train_accuracy"].shape[-2]):
                ax.plot(fcn["record_steps"], fcn["train_accuracy"][d, i, l, s], color=plots.COLORS[init], lw=1,
                        alpha=0.7, label=init if s == 0 else None)
        ax.axhline(cfg.target, color="k", ls=":", lw=1)
        ax.set(title=f"η = {fcn['lrs'][l]:.2g}", xlabel="SGD step")
    axes[0, 0].set_ylabel("training accuracy")
    axes[0, 0].legend(fontsize=7)
    return fig


def tau_norm(tau, steps):
    from matplotlib import colors

    return colors.LogNorm(vmin=max(1, float(np.nanmin(tau))), vmax=float(steps))


SPEED_CLAIM_OUTLINES = {"speedup-deep": ("deep", "k", "-"), "speedup-large-lr": ("large-lr", "0.35", "--")}
"""The speed claims' cells on the speed-up map: claim id -> (region, outline colour, line style)."""


def outline_cells(ax, mask, **style):
    """Draw the outline of the union of the ``mask`` (y, x) cells of an ``imshow`` heat map on ``ax``."""
    ny, nx = mask.shape
    inside = lambda i, j: 0 <= i < ny and 0 <= j < nx and mask[i, j]
    for i, j in np.argwhere(mask):
        for di, dj, xs, ys in ((-1, 0, (j - .5, j + .5), (i - .5, i - .5)), (1, 0, (j - .5, j + .5), (i + .5, i + .5)),
                               (0, -1, (j - .5, j - .5), (i - .5, i + .5)), (0, 1, (j + .5, j + .5), (i - .5, i + .5))):
            if not inside(i + di, j + dj):
                ax.plot(xs, ys, solid_capstyle="butt", **style)


def fig_grid(arrays):
    """The speed-up map τ_gauss/τ_orth over (depth, lr), censored ratios marked, the cells each speed claim reads
    outlined (:data:`SPEED_CLAIM_OUTLINES`), its numbers large enough to read at page width."""
    from matplotlib import colors
    from matplotlib.lines import Line2D

    fcn = view(arrays, "fcn")
    title = "speed-up τ_gauss/τ_orth"
    fig = plots.grid_heatmaps({title: (speedup_map(fcn), "RdBu_r", colors.LogNorm(vmin=1 / 8, vmax=8))},
                              fcn["lrs"], fcn["depths"], xlabel="learning rate η", ylabel="depth L", fmt="{:.2g}",
                              prefixes={title: censoring_marks(fcn)})  # two digits: a cell's label fits its cell
    ax = fig.axes[0]
    for t in ax.texts:
        t.set_fontsize(7.5)
    handles = []
    for cid, (corner, colour, ls) in SPEED_CLAIM_OUTLINES.items():
        outline_cells(ax, claim_cells(fcn, corner), color=colour, ls=ls, lw=2)
        handles.append(Line2D([], [], color=colour, ls=ls, lw=2, label=f"cells {cid} reads"))
    ax.set_xlim(-0.5, len(fcn["lrs"]) - 0.5)
    ax.set_ylim(-0.5, len(fcn["depths"]) - 0.5)
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=7, frameon=False)
    return fig


def fig_tau_maps(arrays):
    """Mean censored τ of both inits over (depth, lr), cells where half the seeds or more fail hatched."""
    fcn = view(arrays, "fcn")
    tau, fail = censored_tau(fcn).mean(-1), failure_rate(fcn) >= 0.5  # not "most seeds train"
    norm = tau_norm(tau, fcn["steps"])
    fig = plots.grid_heatmaps(
        {"τ Gaussian": (np.where(fail[:, 0], np.nan, tau[:, 0]), "viridis", norm),
         "τ orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", norm)},
        fcn["lrs"], fcn["depths"], xlabel="learning rate η", ylabel="depth L",
        marks={"τ Gaussian": fail[:, 0], "τ orthogonal": fail[:, 1]}, fmt="{:.0f}")
    for ax in fig.axes:
        for t in ax.texts:
            t.set_fontsize(7)
    return fig

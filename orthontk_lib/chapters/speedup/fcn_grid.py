r"""The FCN grid: tanh networks on the critical line, Gaussian against orthogonal, over (learning rate × depth), the
paper's depth family. Its claims (speed at depth and at large learning rate, the failure edge and its growth with
depth), their measurement and words, and its figures (training curves, the τ and speed-up maps)."""

import numpy as np

from orthontk_lib import plots
from orthontk_lib.claims import AtLeast, Claim, Measurement, on_the_bound, with_reading

from .experiment import INITS
from .statistics import (
    MIN_CELLS,
    at_alt_target,
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

# CLAIMS

HDX = "Huang, Du, Xu 2021"


SPEED_WHY = (f"a speed-up means the interval lies above 1; fewer than {MIN_CELLS} cells where both inits train, or "
             f"fewer than {MIN_CELLS} where every seed of both does, leave it inconclusive: a seed counted at the budget "
             "holds a bound, not a speed, and must not decide alone")


UNCENSORED = ("; the interval spans that one and the same statistic's over the cells where every seed of both trains "
              "(no τ censored)")


STEP_WHY = ("any advantage at all; the interval already includes the grid's resolution (an edge is known to one "
            "grid step), so equal edges are inconclusive; each edge is bounded by exact sign tests over the seeds, so "
            "4 seeds or fewer cannot decide (8 of 8 training is the fewest that shows a rate trains)")


GRID_CLAIMS = [
    Claim("speedup-deep", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large depth.",
          "τ_gauss/τ_orth, a seed that never reaches the target counted at the step budget, geometric mean over "
          "the deep half of depths and every learning rate where most seeds of both inits train (95% jackknife "
          "t-interval over seeds, on its logarithm)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both inits train"),
    Claim("speedup-large-lr", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large learning rate.",
          "τ_gauss/τ_orth, a seed that never reaches the target counted at the step budget, geometric mean over "
          "the larger half of learning rates and every depth where most seeds of both inits train (95% jackknife "
          "t-interval over seeds, on its logarithm)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more depths where both inits train"),
    Claim("speedup-stability", f"{HDX}, Sec. 5 (the failure boundary of the learning-speed figure)",
          "Orthogonal networks still train at learning rates where Gaussian ones no longer do, at large depth.",
          "failure edge (largest η at which most seeds train) orthogonal over Gaussian, geometric mean over the "
          "deep half of depths (exact 95% interval: every edge read bounded by sign tests over seeds, Bonferroni; widened "
          "by one grid step each way)",
          AtLeast(1.0), why=STEP_WHY, decide="more seeds, or a finer learning-rate grid"),
    Claim("speedup-stability-growth", f"{HDX}, Sec. 5 (the depth family of the learning-speed figure)",
          "The stability advantage of orthogonal initialization grows with depth.",
          "the failure-edge ratio of the deep half of depths over that of the shallow half (exact 95% interval: "
          "every edge read bounded by sign tests over seeds, Bonferroni; widened by two grid steps each way)", AtLeast(1.0), why=STEP_WHY,
          decide="more depths, or a finer learning-rate grid"),
]


def _on_the_bound(m, bound=1.0):
    """An edge ratio whose widened interval ends at exactly ``bound`` carries that in its reading: it holds only just,
    and a strict rule would read it as inconclusive."""
    if not on_the_bound(m.ci, bound):
        return m
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
    """The FCN grid's numbers and phrases (``measured``: the chapter's claims measured on ``arrays``)."""
    fcn = view(arrays, "fcn")
    m, fmt = measured, measurement_text
    collapsed = np.isfinite(fcn["tau"]) & ~trained(fcn)
    d = len(fcn["depths"]) - 1
    span = tau_span(fcn)
    return {
        "sp-tau-span-alt": f"{tau_span(at_alt_target(fcn)):.1f}",
        "sp-tau-span": f"{span:.1f}",
        "sp-tau-span-words": ("at least two decades, as the paper's figure needs" if span >= 2 else
                              "less than the two decades the paper's figure spans: this profile's learning rates and step budget "
                              "are too narrow for more (the paper profile's are wider)"),
        "sp-width": int(cfg.width), "sp-batch": int(cfg.batch_size), "sp-steps": int(fcn["steps"]),
        "sp-target": f"{cfg.target:.0%}",
        "sp-seeds": int(fcn["tau"].shape[-1]), "sp-curve-depth": int(fcn["depths"][d]),
        "sp-collapsed": f"{int(collapsed.sum())} of {collapsed.size}",
        "sp-deep": fmt(m["speedup-deep"]), "sp-deep-cells": m["speedup-deep"].detail["cells"],
        "sp-large-lr": fmt(m["speedup-large-lr"]), "sp-large-lr-cells": m["speedup-large-lr"].detail["cells"],
        "sp-deep-reading": speed_reading(m, "speedup-deep"), "sp-large-lr-reading": speed_reading(m, "speedup-large-lr"),
        "sp-large-vs-small": large_vs_small_lr_words(fcn),
        "sp-uncensored-check": uncensored_words(fcn, m),
        "sp-deep-depths": "L = " + ", ".join(str(int(L)) for L, deep in zip(
            fcn["depths"], region((len(fcn["depths"]), len(fcn["lrs"])), "deep")[:, 0]) if deep),
        "sp-stability": fmt(m["speedup-stability"]), "sp-stability-growth": fmt(m["speedup-stability-growth"]),
        "sp-stability-words": measured.words(
            "speedup-stability", holds="orthogonal networks keep training at larger learning rates than Gaussian ones at "
                                       "depth" + boundary_words(m["speedup-stability"]),
            fails="at depth, orthogonal networks stop training at smaller learning rates than Gaussian ones",
            inconclusive="whether orthogonal networks train at larger learning rates is not decided at this profile: the "
                         f"edges lie within one grid step (×{grid_spacing(fcn['lrs']):.2g}) of each other, or the seeds "
                         "disagree"),
        "sp-grid-step": f"{grid_spacing(fcn['lrs']):.2g}",
        "sp-first-hit-words": first_hit_words(fcn, m),
        "sp-growth-words": measured.words(
            "speedup-stability-growth", holds="the advantage grows with depth by more than the grid can blur",
            fails="the advantage shrinks with depth",
            inconclusive="whether the advantage grows with depth is not decided at this profile"),
        "sp-edge": edge_words(fcn, "L"),
        "sp-eval-every": int(evaluation_interval(fcn)),
        **_speedup_range(fcn),
    }


def boundary_words(measured, bound=1.0):
    """For a ratio that holds by an interval's lower end at exactly ``bound`` (an edge ratio widened by the grid's
    step, whose end then lands on 1): that it holds only just, and that a strict rule would read it as
    inconclusive."""
    if not on_the_bound(measured.ci, bound):
        return ""
    return (", though only just: the widened interval ends at exactly 1, which bounds the true ratio above 1 and no "
            "further. A rule asking for a ratio above 1 would read it as inconclusive")


def tau_span(arrays):
    """Decades spanned by the mean mini-batch τ of trained runs over the grid (both inits, every depth)."""
    t = mean_tau(np.asarray(arrays["tau"], float), trained(arrays))
    t = t[np.isfinite(t)]
    return float(np.log10(t.max() / t.min())) if t.size else 0.0


def edge_words(arrays, sym):
    """The failure edges of one family as prose: per member, Gaussian vs orthogonal, each with its 95% interval
    ("≥" where the edge is the grid's top, "<" where no learning rate of the grid trains)."""
    e, key = failure_edges(arrays), "depths" if sym == "L" else "widths"
    lrs = np.asarray(arrays["lrs"], float)

    def one(m, i):
        if e["below"][m, i]:
            return f"< {lrs[0]:.2g}"
        bound = "≥ " if e["beyond"][m, i] else ""
        ci = (f" [{e['lo'][m, i]:.2g}, {e['hi'][m, i]:.2g}]" if e["lo"][m, i] < e["hi"][m, i] else "")
        return f"{bound}{e['edge'][m, i]:.2g}{ci}"

    return "; ".join(f"{sym}={int(v)}: η {one(m, 0)} vs {one(m, 1)}" for m, v in enumerate(arrays[key]))


def uncensored_speedups(arrays, pair=(0, 1)):
    """:func:`speedup_map` where every seed of both inits of ``pair`` trains (no τ censored at the budget), NaN
    elsewhere: (depth, lr). A cell with a failed run holds a bound, not a speed (:func:`censoring_marks`)."""
    return np.where(every_trains(arrays, pair), speedup_map(arrays, pair), np.nan)


def orthogonal_losses(arrays, limit=4):
    """The cells of the speed-up map where more orthogonal than Gaussian seeds fail (see :func:`trained`), as prose:
    each cell's depth, learning rate, failed seeds of both inits and its ratio (an upper bound, ``≤``, where only
    orthogonal runs fail); the first ``limit`` cells by depth, then a count."""
    fails = np.round(failure_rate(arrays) * np.asarray(arrays["tau"]).shape[-1]).astype(int)  # (depth, init, lr)
    ratio, marks = speedup_map(arrays), censoring_marks(arrays)
    cells = list(zip(*np.nonzero(np.isfinite(ratio) & (fails[:, 1] > fails[:, 0]))))
    if not cells:
        return "In no cell of the map do more orthogonal than Gaussian seeds fail"
    n = int(np.asarray(arrays["tau"]).shape[-1])
    words = [f"depth {int(arrays['depths'][d])}, η = {float(arrays['lrs'][l]):.2g}: {fails[d, 1, l]} of {n} "
             f"orthogonal seeds fail, {fails[d, 0, l]} Gaussian, ratio {marks[d, l]}{ratio[d, l]:.2f}"
             for d, l in cells[:limit]]
    more = f"; and {len(cells) - limit} more" if len(cells) > limit else ""
    return (f"Orthogonal initialization does not win everywhere: in {len(cells)} cell{'s' if len(cells) > 1 else ''} "
            f"of the map more orthogonal than Gaussian seeds fail ({'; '.join(words)}{more})")


def large_vs_small_lr_words(arrays):
    """Whether the speed-up at the larger half of the learning rates exceeds that at the smaller half (the paper places
    the benefit in the large-learning-rate phase): decided where the two 95% intervals do not overlap."""
    (big, (blo, bhi), _), (small, (slo, shi), n) = (region_speedup(arrays, c) for c in ("large-lr", "small-lr"))
    if not n or not np.isfinite([blo, bhi, slo, shi]).all():
        return "it cannot be set against the smaller half of the learning rates, where no cell has both inits training"
    ref = f"{small:.2f} [{slo:.2f}, {shi:.2f}] at the smaller half"
    if blo > shi:
        n_uncensored = region_speedup(arrays, "large-lr", uncensored=True)[2]
        if n_uncensored < MIN_CELLS:
            return (f"it is not compared with the smaller half at this profile ({ref}): it exceeds that only with the "
                    f"censored cells counted, and the large half has {n_uncensored} uncensored cell"
                    f"{'s' if n_uncensored != 1 else ''}, too few to compare")
        return f"it is larger there than at small learning rates ({ref}), as the paper places it"
    if bhi < slo:
        return (f"it is smaller there than at small learning rates ({ref}): here the speed-up is not a "
                "large-learning-rate effect")
    return (f"set against {ref}, the intervals overlap: that the speed-up belongs to the large-learning-rate phase "
            "is not decided here")


def first_hit_words(arrays, claims_measured):
    """The two stability claims again with a run counted as trained at its first hit (:func:`reached`, the paper's
    reading) rather than only if it is still at the target at the end: each value and verdict, and whether a verdict
    turns on that choice."""
    claims = {c.id: c for c in GRID_CLAIMS}
    parts, changed = [], []
    for cid, what, f in (("speedup-stability", "the edge ratio", stability),
                         ("speedup-stability-growth", "its growth", stability_growth)):
        v, ci = f(arrays, runs=reached)
        verdict = claims[cid].verdict(v, ci)
        edge = " only just, its lower end exactly 1" if verdict == "holds" and on_the_bound(ci) else ""
        parts.append(f"{what} is {v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}] ({verdict}{edge})")
        if verdict != claims[cid].verdict(*claims_measured[cid][:2]):
            changed.append(cid)
    head = ("Counted the paper's way, a run trained once it first reaches the target whatever follows, "
            + " and ".join(parts))
    if not changed:
        return head + ": neither verdict turns on how a collapse after a first hit is counted"
    return (head + f": the verdict of {' and '.join(changed)} turns on that choice. The page keeps the stricter "
            "reading, in which a run that collapses after its first hit has not trained at that learning rate")


def uncensored_words(arrays, claims_measured):
    """The speed claims on uncensored cells only (every seed of both inits trains): each value and its cells, and
    which claims have too few such cells to be decided (a speed claim's interval spans both readings, :func:`speed_measurement`)."""
    parts, thin = [], []
    for cid, where in (("speedup-deep", "in the deep half"), ("speedup-large-lr", "at the larger learning rates")):
        d = claims_measured[cid].detail or {}
        v, n = d.get("uncensored", float("nan")), d.get("uncensored_cells", 0)
        parts.append(f"{where} {v:.2f} over {n} cell{'s' if n != 1 else ''}" if np.isfinite(v) else f"{where} undefined")
        if n < MIN_CELLS <= d.get("cells", 0):
            thin.append(cid)
    head = ("On the uncensored cells alone (every seed of both initializations trains) the speed-up is "
            + "; ".join(parts) + ". Each speed verdict reads both: its interval spans the one over every cell where "
            "most seeds train and the one over these cells, so a seed counted at the step budget, a bound, cannot "
            "decide a verdict alone")
    if not thin:
        return head
    return head + (f"; {', '.join(thin)} has fewer than {MIN_CELLS} uncensored cells and is left inconclusive, "
                   "whatever its censored cells say")


def _speedup_range(arrays):
    """The prose's range of the speed-up map over uncensored cells, where each end lies, and the censored count."""
    s, full = uncensored_speedups(arrays), speedup_map(arrays)
    censored = int((np.isfinite(full) & ~np.isfinite(s)).sum())
    out = {"sp-uncensored-cells": f"{int(np.isfinite(s).sum())} of {s.size}", "sp-censored-cells": censored,
           "sp-orthogonal-losses": orthogonal_losses(arrays)}
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


def fig_grid(arrays):
    """Mean censored τ of both inits over (depth, lr), failures hatched, and the speed-up map with censored
    ratios marked."""
    from matplotlib import colors

    fcn = view(arrays, "fcn")
    tau, fail = censored_tau(fcn).mean(-1), failure_rate(fcn) >= 0.5  # not "most seeds train"
    norm = tau_norm(tau, fcn["steps"])
    title = "speed-up τ_gauss/τ_orth"
    return plots.grid_heatmaps(
        {"τ Gaussian": (np.where(fail[:, 0], np.nan, tau[:, 0]), "viridis", norm),
         "τ orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", norm),
         title: (speedup_map(fcn), "RdBu_r", colors.LogNorm(vmin=1 / 8, vmax=8))},
        fcn["lrs"], fcn["depths"], xlabel="learning rate η", ylabel="depth L",
        marks={"τ Gaussian": fail[:, 0], "τ orthogonal": fail[:, 1]}, fmt="{:.3g}",
        prefixes={title: censoring_marks(fcn)})

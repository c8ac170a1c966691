r"""The learning-speed chapter's glued numbers and phrases (:func:`numbers`): speed-ups and their readings, the
failure edges in words, what the uncensored cells and the second target say; each computed from the arrays, so that
every sentence flips when the data do."""

import math

import numpy as np

from orthontk_lib import meanfield
from orthontk_lib.claims import on_the_bound

from .claims import CLAIMS, MIN_CELLS, target_check
from .experiment import FIGURE
from .statistics import (
    at_alt_target,
    censoring_marks,
    evaluation_interval,
    every_trains,
    failure_edge,
    failure_edges,
    failure_rate,
    grid_spacing,
    mean_tau,
    region,
    reached,
    region_speedup,
    speedup_map,
    stability,
    stability_growth,
    trained,
    width_speedups,
)
from .sweeps import view


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    fcn, cnn, family = view(arrays, "fcn"), view(arrays, "cnn"), view(arrays, "family")
    m, v = measured, measured.verdicts()
    fmt = measurement_text
    q_star = meanfield.q_star("tanh", math.sqrt(cfg.W_var), cfg.b_std)
    collapsed = np.isfinite(fcn["tau"]) & ~trained(fcn)
    cedge = failure_edge(cnn)
    d = len(fcn["depths"]) - 1
    speeds = width_speedups(family)
    reading = {"holds": "faster", "does not hold": "not faster", "inconclusive": "not measurably faster or slower"}
    reading_of = lambda cid: ("too few measured cells to say" if v[cid] == "inconclusive" and not np.isfinite(m[cid].ci[0])
                              else reading[v[cid]])
    span = tau_span(fcn)
    check = target_check(arrays, cfg, m)
    out = {
        "sp-target-alt": f"{float(fcn['target_alt']):.0%}",
        "sp-tau-span-alt": f"{tau_span(at_alt_target(fcn)):.1f}",
        "sp-target-check": "; ".join(f"{cid}: {a} → {b}{_cells_change(m[cid], alt)}"
                                     for cid, (a, b, alt) in check.items()),
        "sp-target-words": target_words(m, check),
        "sp-differs": FIGURE.caption(cfg),
        "sp-tau-span": f"{span:.1f}",
        "sp-tau-span-words": ("at least two decades, as the paper's figure needs" if span >= 2 else
                              "less than the two decades the paper's figure spans: this profile's learning rates and step budget "
                              "are too narrow for more (the paper profile's are wider)"),
        "sp-wvar": f"{cfg.W_var:g}", "sp-bvar": f"{cfg.b_std ** 2:.3g}", "sp-qstar": f"{q_star:.4f}",
        "sp-chi": f"{meanfield.chi('tanh', math.sqrt(cfg.W_var), cfg.b_std):.6f}",
        "sp-tanh-slope": f"{1 - math.tanh(math.sqrt(q_star)) ** 2:.3f}",
        "sp-width": int(cfg.width), "sp-batch": int(cfg.batch_size), "sp-steps": int(fcn["steps"]),
        "sp-data": f"{cfg.n_train} {cfg.dataset} training images", "sp-target": f"{cfg.target:.0%}",
        "sp-seeds": int(fcn["tau"].shape[-1]), "sp-curve-depth": int(fcn["depths"][d]),
        "sp-collapsed": f"{int(collapsed.sum())} of {collapsed.size}",
        "sp-deep": fmt(m["speedup-deep"]), "sp-deep-cells": m["speedup-deep"].detail["cells"],
        "sp-large-lr": fmt(m["speedup-large-lr"]), "sp-large-lr-cells": m["speedup-large-lr"].detail["cells"],
        "sp-deep-reading": reading_of("speedup-deep"), "sp-large-lr-reading": reading_of("speedup-large-lr"),
        "sp-large-vs-small": large_vs_small_lr_words(fcn),
        "sp-uncensored-check": uncensored_words(fcn, m),
        "sp-deep-depths": "L = " + ", ".join(str(int(L)) for L, deep in zip(
            fcn["depths"], region((len(fcn["depths"]), len(fcn["lrs"])), "deep")[:, 0]) if deep),
        "sp-boot-caveat": bootstrap_caveat(int(fcn["tau"].shape[-1])),
        "sp-stability": fmt(m["speedup-stability"]), "sp-stability-growth": fmt(m["speedup-stability-growth"]),
        "sp-stability-words": measured.words(
            "speedup-stability", holds="orthogonal networks keep training at larger learning rates than Gaussian ones at "
                                       "depth" + boundary_words(m["speedup-stability"], n_seeds=int(fcn["tau"].shape[-1])),
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
        "sp-edge": _edge_words(fcn, "L"),
        "sp-family-edge": _edge_words(family, "n"),
        "sp-eval-every": int(evaluation_interval(fcn)),
        **_speedup_range(fcn),
        "sp-family-depth": int(cfg.family_depth), "sp-family-widths": ", ".join(map(str, family["widths"])),
        "sp-family-speedups": ", ".join(f"{s[0]:.2f} (n={w})" for s, w in zip(speeds, family["widths"])),
        "sp-family-shrink": fmt(m["speedup-small-lr-width"]),
        "sp-family-words": measured.words(
            "speedup-small-lr-width", holds="the speed-up shrinks towards 1 as the width grows: a finite-width effect",
            fails="the speed-up does not shrink as the width grows",
            inconclusive="the interval does not decide whether it shrinks"),
        "sp-cnn-channels": cfg.channels, "sp-cnn-steps": int(cnn["steps"]), "sp-cnn-batch": cfg.cnn_batch_size,
        "sp-cnn-target": f"{float(cnn['target']):.0%}", "sp-cnn-seeds": int(cnn["tau"].shape[-1]),
        "sp-cnn-deepest": int(cnn["depths"][-1]),
        "sp-cnn-deep": fmt(m["speedup-cnn-deep"]), "sp-cnn-deep-cells": m["speedup-cnn-deep"].detail["cells"],
        "sp-cnn-control": fmt(m["speedup-cnn-orthogonality"]),
        "sp-cnn-deep-reading": reading_of("speedup-cnn-deep"),
        "sp-cnn-control-reading": measured.words(
            "speedup-cnn-orthogonality", holds="It is orthogonality, not the delta structure, that speeds deep CNNs up.",
            fails="The control does not train slower than delta-orthogonal kernels: the delta structure, not "
                  "orthogonality, carries what speed-up there is.",
            inconclusive="At this profile the control does not separate the two: the interval of the speed-up over "
                         "delta-Gaussian kernels does not decide."),
        "sp-cnn-edge-compare": cnn_edge_comparison(cedge, grid_spacing(cnn["lrs"])),
        "sp-cnn-edge": "; ".join(f"L={L}: " + ", ".join("η " + edge_bound_words(e[i], cnn["lrs"])
                                                      for i in ("gaussian", "delta-orthogonal", "delta-gaussian"))
                                 for L, e in cedge.items()),
    }
    for k, pair in {"": (0, 1), "-control": (2, 1)}.items():
        deepest = speedup_map(cnn, pair)[-1]
        out[f"sp-cnn-deepest-range{k}"] = (f"{np.nanmin(deepest):.2f} to {np.nanmax(deepest):.2f}"
                                           if np.isfinite(deepest).any() else "undefined (no run trains)")
    return out


def boundary_words(measured, bound=1.0, n_seeds=None):
    """For a ratio that holds by an interval's lower end at exactly ``bound`` (an edge ratio widened by the grid's
    step, whose end then lands on 1): that it holds only just, what that end decides, and which rules would read it
    as inconclusive (a strict one; with ``n_seeds``, an exact per-cell interval: a cell where every seed trains has a
    Clopper–Pearson interval reaching below one half, the "most seeds" bar)."""
    if not on_the_bound(measured.ci, bound):
        return ""
    from scipy.stats import binomtest

    exact = ""
    if n_seeds:
        low = binomtest(n_seeds, n_seeds).proportion_ci(0.95, "exact").low
        exact = (f", or an exact interval per cell (all {n_seeds} of {n_seeds} seeds training has a 95% interval "
                 f"reaching {low:.2f}, below the 'most seeds' bar; a bootstrap over {n_seeds} seeds never moves such "
                 "a cell)")
    return (", though only just: the widened interval ends at exactly 1, that is, in at least 97.5% of the seeds' "
            "resamplings the orthogonal edges sit (geometric mean over the deep depths) at least one grid step above "
            f"the Gaussian ones, which bounds the true ratio above 1 and no further. A rule asking for a ratio above 1{exact} "
            "would read it as inconclusive")


def cnn_edge_comparison(cedge, spacing=None):
    """Where delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones (both edges read off
    the grid; a Gaussian edge at the grid's top is a lower bound, so it still counts as larger), as prose; with the
    grid's ``spacing``, by how many grid steps, and whether the delta-Gaussian control stops where delta-orthogonal
    kernels do (then the delta structure, not orthogonality, is what differs from Gaussian kernels)."""
    lower = [L for L, e in cedge.items()
             if np.isfinite(e["gaussian"]) and (not np.isfinite(e["delta-orthogonal"]) or
                                                e["delta-orthogonal"] < e["gaussian"])]
    if not lower:
        return "Nowhere do delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones"
    where = ", ".join(f"L = {L}" for L in lower)
    if spacing is None:
        return (f"Delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones at {where}, the "
                "reverse of the stability the paper reports for orthogonal FCNs")
    parts, gaps = [], []
    for L in lower:
        e = cedge[L]
        steps = (round(math.log(e["gaussian"] / e["delta-orthogonal"]) / math.log(spacing))
                 if np.isfinite(e["delta-orthogonal"]) else None)
        gap = f"{steps} grid step{'s' if steps != 1 else ''} (×{spacing:.2g} each)" if steps else "the whole grid"
        control = (", and the delta-Gaussian control stops there too: the delta structure, not orthogonality, is "
                   "what differs" if e.get("delta-gaussian") == e["delta-orthogonal"] else "")
        parts.append(f"at L = {L} by {gap}{control}")
        gaps.append(steps)
    resolved = "; one grid step is the grid's resolution, so this is not resolved" if set(gaps) == {1} else ""
    return ("Delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones, the reverse of the "
            "stability the paper reports for orthogonal FCNs, " + "; ".join(parts) + resolved)


def edge_bound_words(edge, lrs):
    """A failure edge read off a learning-rate grid, as prose: ``≥`` where it is the grid's top (the edge lies there
    or beyond), ``<`` the smallest where no learning rate trains (NaN), else ``=``."""
    lrs = np.asarray(lrs, float)
    if not np.isfinite(edge):
        return f"< {lrs.min():.2g}"
    return f"≥ {edge:.2g}" if np.isclose(edge, lrs.max()) else f"= {edge:.2g}"


def _cells(measurement):
    """A speed claim's cells (where both inits mostly train), None for other measurements."""
    return (getattr(measurement, "detail", None) or {}).get("cells")


def _cells_change(main, alt):
    """`` (n → m cells)`` where a speed claim's cells (both inits mostly train) differ between the targets."""
    a, b = _cells(main), _cells(alt)
    return f" ({a} → {b} cells)" if a is not None and b is not None and a != b else ""


def target_words(main, check):
    """The second target's verdicts in words: the same, or which change and whether because the cells where both
    inits train thin out there (power lost, not an effect reversed) or with the cells kept (the conclusion hinges on
    the target)."""
    differ = [cid for cid, (a, b, _) in check.items() if a != b]
    if not differ:
        return "the five verdicts are the same at both targets: the conclusions do not hinge on the target"
    thinned = [cid for cid in differ if None not in (_cells(main[cid]), _cells(check[cid][2]))
               and _cells(check[cid][2]) < _cells(main[cid])]
    words = (f"{len(differ)} of the five verdicts change{'s' if len(differ) == 1 else ''} with the target "
             f"({', '.join(differ)})")
    if thinned == differ:
        return (words + ": because fewer cells have most seeds of both inits reaching the higher target (runs that "
                "reach one target miss the other), so the change is power lost, not an effect reversed")
    return words + ": those conclusions hinge on the target"


def tau_span(arrays):
    """Decades spanned by the mean mini-batch τ of trained runs over the grid (both inits, every depth)."""
    t = mean_tau(np.asarray(arrays["tau"], float), trained(arrays))
    t = t[np.isfinite(t)]
    return float(np.log10(t.max() / t.min())) if t.size else 0.0


def _edge_words(arrays, sym):
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
    claims = {c.id: c for c in CLAIMS}
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


def measurement_text(ms):
    """A measurement as the page shows it: ``value [lo, hi]``, or why it has no interval (too few cells where both
    inits train, or too few without a censored seed)."""
    v, ci, detail = ms[0], ms[1], ms[2] or {}
    if np.isfinite(ci[0]):
        return f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    if detail.get("cells", 0) >= MIN_CELLS and "uncensored_cells" in detail:
        n, u = detail["uncensored_cells"], detail.get("uncensored", float("nan"))
        only = f", {u:.2f} alone" if n and np.isfinite(u) else ""
        return (f"{v:.2f} over {detail['cells']} cells where most seeds train, {n} of them uncensored{only}: no "
                "interval, too few cells without a seed counted at the budget")
    if "cells" in detail:
        return f"{v:.2f} (no interval: {detail['cells']} cell(s))"
    return f"{v:.2f} (no interval)"


def uncensored_words(arrays, claims_measured):
    """The speed claims on uncensored cells only (every seed of both inits trains): each value and its cells, and
    which claims have too few such cells to be decided (a speed claim's interval spans both readings, :func:`_speed`)."""
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


def bootstrap_caveat(n_seeds, enough=8):
    """What a percentile-bootstrap interval over ``n_seeds`` seeds is worth: below ``enough`` seeds it has few
    distinct resamples and covers too little."""
    if n_seeds >= enough:
        return (f" With {n_seeds} seeds a percentile bootstrap still covers somewhat less than its nominal 95%: the "
                "intervals are a little optimistic.")
    return (f" With {n_seeds} seeds a percentile bootstrap has few distinct resamples and its intervals come out too "
            "narrow: read them as optimistic.")


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

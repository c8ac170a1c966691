r"""Statistics of the saved grids, shared by the three experiments: which runs train, τ (steps to the target) and its
censoring, the speed-up per cell and per region with jackknife intervals, failure edges and their ratios, the width
family's shrinkage; and the speed claims' measurement (:func:`speed_measurement`) with its words."""


import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import Measurement

from .experiment import INITS, first_hit

__all__ = ["EDGE_LEVEL", "MIN_CELLS", "SPEED_READING", "_geomean", "_ratio_bounds", "_resolved", "at_alt_target",
           "both_train", "censored_tau", "censoring_marks", "edge_bounds", "edge_ratios", "evaluation_interval",
           "every_trains", "failure_edge", "failure_edges", "failure_rate", "grid_edges", "grid_spacing", "mean_tau",
           "measurement_text", "reached", "region", "region_speedup", "speed_measurement", "speed_reading",
           "speedup_map", "stability", "stability_growth", "test_tau", "trained", "width_shrinkage", "width_speedups"]

# STATISTICS


def trained(arrays):
    """(..., init, lr, seed) bool: the run reached the target *and* is still at or above it on the full training
    set at the end. A first hit followed by a collapse to chance is a failure, not a fast run."""
    final = np.asarray(arrays["train_accuracy"])[..., -1]
    return np.isfinite(arrays["tau"]) & (final >= float(arrays["target"]))


def reached(arrays):
    """(..., init, lr, seed) bool: the run reached the target at some step, whatever came after (the paper's reading
    of a learning-speed run; :func:`trained` also asks that it be there at the end)."""
    return np.isfinite(arrays["tau"])


def censored_tau(arrays):
    """tau of trained runs, the step budget for the others: (depth, init, lr, seed)."""
    return np.where(trained(arrays), arrays["tau"], float(arrays["steps"]))


def at_alt_target(arrays):
    """The same grid read at its second target: ``tau`` and ``target`` replaced by ``tau_alt`` and ``target_alt``."""
    return {**arrays, "tau": arrays["tau_alt"], "target": arrays["target_alt"]}


def test_tau(arrays):
    """Steps until the full test set's accuracy first reaches the target, at the evaluations' resolution (NaN where
    it never does): (..., init, lr, seed); ``arrays["test_tau"]`` where the arrays hold it already (runs recorded as
    first hits, such as the authors')."""
    if "test_tau" in arrays:
        return np.asarray(arrays["test_tau"], float)
    idx = first_hit(arrays["test_accuracy"], float(arrays["target"]))
    steps = np.asarray(arrays["record_steps"], float)
    return np.where(np.isfinite(idx), steps[np.nan_to_num(idx).astype(int)], np.nan)


def mean_tau(tau, ok):
    """Mean τ over the seeds that trained (``ok``), NaN where none did: (..., lr)."""
    t = np.where(ok & np.isfinite(tau), tau, np.nan)
    with np.errstate(invalid="ignore"):
        n = np.isfinite(t).sum(-1)
        return np.where(n > 0, np.nansum(t, -1) / np.maximum(n, 1), np.nan)


def failure_rate(arrays):
    """Fraction of seeds that do not train (see :func:`trained`): (depth, init, lr)."""
    return 1.0 - trained(arrays).mean(-1)


def speedup_map(arrays, pair=(0, 1)):
    """Mean censored tau of init ``pair[0]`` over init ``pair[1]`` (by default Gaussian over orthogonal):
    (depth, lr); NaN where neither init ever trains."""
    tau = censored_tau(arrays).mean(-1)  # (depth, init, lr)
    ratio = tau[:, pair[0]] / tau[:, pair[1]]
    return np.where(failure_rate(arrays)[:, list(pair)].min(1) < 1, ratio, np.nan)


def censoring_marks(arrays, pair=(0, 1)):
    """(depth, lr) prefixes for :func:`speedup_map`'s cells: "≥" where only the slower init has failed runs (its
    mean tau, and so the ratio, is a lower bound), "≤" where only the faster one has, "~" where both have."""
    fails = failure_rate(arrays)[:, list(pair)] > 0  # (depth, 2, lr)
    return np.select([fails[:, 0] & fails[:, 1], fails[:, 0], fails[:, 1]], ["~", "≥", "≤"], "")


def region(shape, corner):
    """Boolean mask over a (depth, lr) grid of ``shape``: ``"deep"`` = the upper half of depths, ``"large-lr"``
    = the upper half of learning rates, ``"small-lr"`` = the lower half (the middle entry of an odd count is in
    neither half), ``"all"`` = every cell."""
    d, l = shape
    upper = lambda n: np.arange(n) >= n - n // 2
    lower = lambda n: np.arange(n) < n // 2
    every = lambda n: np.ones(n, bool)
    rows, cols = {"deep": (upper, every), "large-lr": (every, upper), "small-lr": (every, lower),
                  "all": (every, every)}[corner]
    return rows(d)[:, None] & cols(l)[None, :]


def every_trains(arrays, pair=(0, 1)):
    """(depth, lr) bool: every seed of both inits of ``pair`` trains (no τ censored at the step budget)."""
    return (failure_rate(arrays)[:, list(pair)] == 0).all(1)


def both_train(arrays, pair=(0, 1)):
    """(depth, lr) bool: most seeds of both inits of ``pair`` train."""
    return (failure_rate(arrays)[:, list(pair)] < 0.5).all(1)


def region_speedup(arrays, corner, pair=(0, 1), uncensored=False):
    """Speed of init ``pair[1]`` over ``pair[0]`` among the runs that train: the geometric mean, over a region's
    cells where most seeds of both inits train, of the mean censored tau ratio, with a 95% studentized jackknife
    interval over seeds on its logarithm (:func:`orthontk_lib.stats.jackknife_ci`; its coverage at 3, 4 and 8 seeds
    is measured in ``bench/coverage.py``). ``uncensored``: only the cells where *every* seed of both inits trains (no
    τ counted at the budget), the check that no bound drives the mean. Returns ``(value, (lo, hi), cells)``; NaN with
    no such cell."""
    tau = censored_tau(arrays)  # (D, I, L, S)
    usable = every_trains(arrays, pair) if uncensored else both_train(arrays, pair)
    cells = np.argwhere(region((tau.shape[0], tau.shape[2]), corner) & usable)
    if not len(cells):
        return float("nan"), (float("nan"), float("nan")), 0
    slow, fast = pair

    def stat(t):
        return float(np.exp(np.mean([np.log(t[d, slow, l].mean() / t[d, fast, l].mean()) for d, l in cells])))

    value, ci = stats.jackknife_ci(tau, stat, log=True)
    return value, ci, len(cells)


def failure_edge(arrays, ok=None):
    """Per depth and init, the largest learning rate at which most seeds train (NaN if none)."""
    ok = failure_rate(arrays) < 0.5 if ok is None else ok  # (depth, init, lr)
    lrs = np.asarray(arrays["lrs"])
    inits = [str(i) for i in arrays.get("inits", INITS)]
    return {int(L): {init: float(lrs[ok[d, i]].max()) if ok[d, i].any() else float("nan") for i, init in enumerate(inits)}
            for d, L in enumerate(arrays["depths"])}


def grid_edges(ok, lrs):
    """The largest learning rate where ``ok`` (..., lr) holds; one grid step below the smallest where it holds
    nowhere (a bound): (...)."""
    return np.where(ok.any(-1), np.max(np.where(ok, lrs, 0.0), -1), lrs[0] ** 2 / lrs[1])


EDGE_LEVEL = 0.95
"""The level of the failure edges' intervals: one edge's (:func:`failure_edges`), or all the edges a stability claim
reads at once (:func:`stability`, :func:`stability_growth`; Bonferroni over them)."""


def edge_bounds(runs, lrs, edges=1, level=EDGE_LEVEL):
    """Exact bounds on each failure edge, the largest learning rate of the grid at which a run trains with probability
    above one half: :func:`orthontk_lib.stats.grid_edge_interval`'s sign tests over the seeds, each at
    ``(1 - level) / (2 edges)``, so that ``edges`` such intervals cover their edges together with probability at
    least ``level``. With 4 seeds or fewer no learning rate can be shown to train (4 of 4 happens with probability
    1/16 at one half), so every lower end lies below the grid and no edge is bounded from below; 8 of 8 seeds bound it
    for up to 6 edges read at once (``bench/coverage.py`` measures the coverage).

    Args:
      runs: (..., lr, seed) bool, which runs trained.
      lrs: (lr,) the grid.
      edges: how many edges are read together.

    Returns:
      ``(lo, hi)`` (...): learning rates; ``lo`` is one grid step below the grid where no rate is shown to train
      (read as 0 by the ratios), ``hi`` the grid's top where the edge may lie at or beyond it.
    """
    runs = np.asarray(runs, bool)
    return stats.grid_edge_interval(runs.sum(-1), runs.shape[-1], np.asarray(lrs, float), (1 - level) / (2 * edges))


def failure_edges(arrays):
    """Per member of a family (depth or width) and init, the failure edge -- the largest learning rate of the grid
    at which most seeds train -- with its exact 95% interval (:func:`edge_bounds`, one edge at a time).

    An init that trains at no learning rate gets one grid step below the smallest (a bound, as in
    :func:`edge_ratios`). The grid's spacing is the edge's resolution: an interval of one value means the sign tests
    place the edge at that grid point, not that it is known better than that spacing.

    Args:
      arrays: one family's arrays (:func:`view`), ``tau`` and ``train_accuracy`` indexed (member, init, lr, seed).

    Returns:
      dict of (member, init) float arrays ``edge``, ``lo``, ``hi`` (learning rates), and bool arrays ``below``
      (no learning rate trains: the edge lies under the grid) and ``beyond`` (most seeds still train at the
      largest learning rate: the edge lies at or above the grid's top, a lower bound).
    """
    runs = trained(arrays)  # (M, I, L, S)
    lrs = np.asarray(arrays["lrs"], float)
    ok = runs.mean(-1) > 0.5
    edge = grid_edges(ok, lrs)
    lo, hi = edge_bounds(runs, lrs)
    return {"edge": edge, "lo": np.minimum(lo, edge), "hi": np.maximum(hi, edge), "below": ~ok.any(-1),
            "beyond": ok[..., -1]}


def edge_ratios(arrays, trained_runs=None, pair=(0, 1)):
    """Per depth, the failure edge of ``pair[1]`` over that of ``pair[0]``: (depth,). An init that trains at no
    learning rate gets an edge one grid step below the smallest (a bound); NaN where neither trains at any, and
    where both still train at the largest learning rate (both edges lie beyond the grid: nothing is known)."""
    ok = (trained(arrays) if trained_runs is None else trained_runs).mean(-1) > 0.5  # (depth, init, lr)
    edge = grid_edges(ok, np.asarray(arrays["lrs"], float))  # (depth, init)
    ratio = edge[:, pair[1]] / edge[:, pair[0]]
    known = ok[:, list(pair)].any(-1).any(-1) & ~ok[:, list(pair), -1].all(-1)
    return np.where(known, ratio, np.nan)


def grid_spacing(lrs):
    """The learning-rate grid's coarsest step, the largest ratio of neighbouring learning rates: a failure edge read
    off the grid is known only to this factor (the true edge lies between the last η that trains and the next)."""
    lrs = np.sort(np.asarray(lrs, float))
    return float(np.max(lrs[1:] / lrs[:-1]))


def _resolved(value, ci, spacing, steps):
    """``(value, ci)`` with the interval widened by ``spacing ** steps`` on each side (the grid's resolution), its
    ends (0 and inf stay) rounded in log to 1e-9 so that a ratio of grid points compares exactly with 1."""
    widen = lambda v, k: float(np.exp(np.round(np.log(v) + k * steps * np.log(spacing), 9))) if 0 < v < np.inf else v
    return value, (widen(ci[0], -1), widen(ci[1], 1))


def _ratio_bounds(runs, lrs, pair, edges):
    """Per depth, exact bounds on the edge of ``pair[1]`` over that of ``pair[0]`` (:func:`edge_bounds` over
    ``edges`` edges read at once): ``(lo, hi)`` (depth,), 0 and inf where an end is unbounded (an edge not shown on
    the grid from below, or possibly at or beyond its top)."""
    lo, hi = edge_bounds(runs, lrs, edges)  # (depth, init)
    lrs = np.asarray(lrs, float)
    lo = np.where(lo < lrs[0], 0.0, lo)
    hi = np.where(hi >= lrs[-1], np.inf, hi)
    slow, fast = pair
    with np.errstate(divide="ignore", invalid="ignore"):
        r_lo, r_hi = lo[:, fast] / hi[:, slow], hi[:, fast] / lo[:, slow]
    return r_lo, r_hi


def _geomean(x):
    """Geometric mean of positive ``x``; 0 if one is 0, inf if one is inf (a numpy float, so that 0/0 is NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp(np.mean(np.log(x)))


def stability(arrays, half="deep", pair=(0, 1), runs=trained):
    """Geometric mean over the deep (or shallow) half of depths of :func:`edge_ratios`, with a 95% interval widened
    by one grid step on each side: how much larger a learning rate the faster init still trains at.

    The interval is exact: each edge the ratios read is bounded by sign tests over the seeds, all of them together
    at 95% (:func:`edge_bounds`, Bonferroni over the edges), and the geometric means of the ratios' ends bound the
    geometric mean. Each edge lies between the last learning rate that trains and the next one up, so a ratio r of
    two grid edges bounds the true one to (r/s, r·s), s the grid's spacing (:func:`grid_spacing`): the interval is
    widened by s on each side, and equal edges on the grid say the true ratio lies within a factor s of 1, not that it
    is 1. Depths where neither edge is known (:func:`edge_ratios`' NaN) are left out of both. With 4 seeds or fewer
    the interval reaches 0 (no edge is bounded from below) and the claim cannot be decided. ``runs``: which runs count
    as trained (:func:`trained`, or :func:`reached` for the paper's first-hit reading)."""
    n = len(arrays["depths"])
    rows = region((n, 1), "deep")[:, 0] if half == "deep" else np.arange(n) < n // 2
    ok = runs(arrays)
    r = edge_ratios(arrays, ok, pair)
    keep = rows & np.isfinite(r)
    if not keep.any():
        return float("nan"), (float("nan"), float("nan"))
    lo, hi = _ratio_bounds(ok[keep], arrays["lrs"], pair, 2 * int(keep.sum()))
    return _resolved(float(_geomean(r[keep])), (float(_geomean(lo)), float(_geomean(hi))), grid_spacing(arrays["lrs"]), 1)


def stability_growth(arrays, pair=(0, 1), runs=trained):
    """The deep half's :func:`stability` over the shallow half's, with an exact 95% interval (every edge read bounded
    at once, :func:`edge_bounds`) widened by two grid steps on each side (each of the two ratios is known to one
    step, :func:`stability`)."""
    deep = region((len(arrays["depths"]), 1), "deep")[:, 0]
    shallow = np.arange(len(deep)) < len(deep) // 2
    ok = runs(arrays)
    r = edge_ratios(arrays, ok, pair)
    d, s = deep & np.isfinite(r), shallow & np.isfinite(r)
    if not (d.any() and s.any()):
        return float("nan"), (float("nan"), float("nan"))
    lo, hi = _ratio_bounds(ok[d | s], arrays["lrs"], pair, 2 * int((d | s).sum()))
    which = d[d | s]
    with np.errstate(divide="ignore", invalid="ignore"):
        ci = (_geomean(lo[which]) / _geomean(hi[~which]), _geomean(hi[which]) / _geomean(lo[~which]))
    ci = (0.0 if np.isnan(ci[0]) else float(ci[0]), np.inf if np.isnan(ci[1]) else float(ci[1]))  # 0/0, inf/inf
    return _resolved(float(_geomean(r[d]) / _geomean(r[s])), ci, grid_spacing(arrays["lrs"]), 2)


def width_speedups(family, pair=(0, 1)):
    """Per width of the family, the small-lr speed-up among runs that train (:func:`region_speedup` over all its
    learning rates): ``[(value, ci, cells)]``."""
    return [region_speedup({k: (v[w:w + 1] if k in ("tau", "train_accuracy") else v) for k, v in family.items()},
                           "all", pair) for w in range(len(family["widths"]))]


def width_shrinkage(family, pair=(0, 1)):
    """|log speed-up| at the largest width minus at the smallest (small learning rates, runs that train), with
    a 95% studentized jackknife interval over seeds
    (:func:`orthontk_lib.stats.jackknife_ci`): negative when the speed-up shrinks towards 1 as width grows."""
    tau = censored_tau(family)  # (W, I, L, S)
    keep = both_train(family, pair)[[0, -1]].all(0)  # learning rates where both widths' runs train
    if not keep.any():
        return float("nan"), (float("nan"), float("nan"))
    slow, fast = pair

    def stat(t):
        log_s = [np.mean(np.log(t[w, slow][keep].mean(-1) / t[w, fast][keep].mean(-1))) for w in (0, -1)]
        return float(abs(log_s[1]) - abs(log_s[0]))

    return stats.jackknife_ci(tau, stat)


def evaluation_interval(arrays):
    """Steps between evaluations on the full sets: the resolution of the test-set τ (:func:`test_tau`)."""
    steps = np.asarray(arrays["record_steps"], float)
    return float(steps[1] - steps[0]) if steps.size > 1 else float(arrays["steps"])


# THE SPEED CLAIMS' STATISTIC, as the FCN and CNN grids' claims read it

MIN_CELLS = 2
"""Fewer (depth, lr) cells than this where both inits train leave a speed claim inconclusive."""


def speed_measurement(arrays, corner, pair=(0, 1)):
    """A speed claim's measurement: the speed-up over the cells where most seeds of both inits train, its interval
    spanning that one and the uncensored cells' (every seed of both trains), so that a bound cannot decide alone."""
    v, ci, cells = region_speedup(arrays, corner, pair)
    uv, uci, ucells = region_speedup(arrays, corner, pair, uncensored=True)
    detail = {"cells": cells, "uncensored": uv, "uncensored_cells": ucells}
    if cells < MIN_CELLS or ucells < MIN_CELLS:
        if cells >= MIN_CELLS:
            detail["reading"] = (f"{ucells} cell{'s' if ucells != 1 else ''} without a seed counted at the budget: "
                                 "a bound, not a measured speed, would carry the verdict")
        return Measurement(v, (float("nan"), float("nan")), detail)
    return Measurement(v, (min(ci[0], uci[0]), max(ci[1], uci[1])), detail)


SPEED_READING = {"holds": "faster", "does not hold": "not faster", "inconclusive": "not measurably faster or slower"}
"""A speed claim's verdict as the prose reads it (:func:`speed_reading`)."""


def speed_reading(measured, cid):
    """The speed claim ``cid``'s verdict in words (:data:`SPEED_READING`), or "too few measured cells to say" where it
    is inconclusive for want of an interval (:func:`speed_measurement`)."""
    v = measured.verdict(cid)
    return ("too few measured cells to say" if v == "inconclusive" and not np.isfinite(measured[cid].ci[0])
            else SPEED_READING[v])


def measurement_text(ms):
    """A measurement as the page shows it: ``value [lo, hi]``, or, without an interval, the value and why in a few words
    (too few cells where both inits train, or too few of them uncensored; the measurement's ``reading`` says more)."""
    v, ci, detail = ms[0], ms[1], ms[2] or {}
    if np.isfinite(ci[0]):
        return f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    if detail.get("cells", 0) >= MIN_CELLS and "uncensored_cells" in detail:
        return f"{v:.2f} (no interval: {detail['uncensored_cells']} uncensored cells)"
    if "cells" in detail:
        return f"{v:.2f} (no interval: {detail['cells']} cell{'' if detail['cells'] == 1 else 's'})"
    return f"{v:.2f} (no interval)"

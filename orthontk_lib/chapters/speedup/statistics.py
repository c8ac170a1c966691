r"""Statistics of the saved grids, shared by the three experiments: which runs train, τ (steps to the target) and its
censoring, the speed-up per cell and per region with bootstrap intervals, failure edges and their ratios, the width
family's shrinkage; and the speed claims' measurement (:func:`speed_measurement`) with its words."""


import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import Measurement

from .experiment import INITS, first_hit

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
    it never does): (..., init, lr, seed)."""
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


def region_speedup(arrays, corner, pair=(0, 1), n_boot=2000, seed=0, uncensored=False):
    """Speed of init ``pair[1]`` over ``pair[0]`` among the runs that train: the geometric mean, over a region's
    cells where most seeds of both inits train, of the mean censored tau ratio, with a 95% bootstrap interval
    over seeds. ``uncensored``: only the cells where *every* seed of both inits trains (no τ counted at the budget),
    the check that no bound drives the mean. Returns ``(value, (lo, hi), cells)``; NaN with no such cell."""
    tau = censored_tau(arrays)  # (D, I, L, S)
    usable = every_trains(arrays, pair) if uncensored else both_train(arrays, pair)
    cells = np.argwhere(region((tau.shape[0], tau.shape[2]), corner) & usable)
    if not len(cells):
        return float("nan"), (float("nan"), float("nan")), 0
    slow, fast = pair

    def stat(t):
        return float(np.exp(np.mean([np.log(t[d, slow, l].mean() / t[d, fast, l].mean()) for d, l in cells])))

    value, ci = stats.bootstrap_ci(tau, stat, n_boot=n_boot, seed=seed)
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


def failure_edges(arrays, n_boot=2000, seed=0):
    """Per member of a family (depth or width) and init, the failure edge -- the largest learning rate of the grid
    at which most seeds train -- with a 95% percentile bootstrap interval over seeds.

    An init that trains at no learning rate gets one grid step below the smallest (a bound, as in
    :func:`edge_ratios`). The grid's spacing is the edge's resolution: an interval of one value means every
    resample put the edge at the same grid point, not that it is known better than that spacing.

    Args:
      arrays: one family's arrays (:func:`view`), ``tau`` and ``train_accuracy`` indexed (member, init, lr, seed).
      n_boot, seed: bootstrap resamples and their seed.

    Returns:
      dict of (member, init) float arrays ``edge``, ``lo``, ``hi`` (learning rates), and bool arrays ``below``
      (no learning rate trains: the edge lies under the grid) and ``beyond`` (most seeds still train at the
      largest learning rate: the edge lies at or above the grid's top, a lower bound).
    """
    ok_runs = trained(arrays).astype(float)  # (M, I, L, S)
    lrs = np.asarray(arrays["lrs"], float)
    edge_of = lambda runs: grid_edges(runs.mean(-1) > 0.5, lrs)

    boots = stats.bootstrap_draws(ok_runs, edge_of, n_boot, seed)  # (n_boot, member, init)
    edge = edge_of(ok_runs)
    lo, hi = np.percentile(boots, [2.5, 97.5], axis=0)
    ok = ok_runs.mean(-1) > 0.5
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
    ends rounded in log to 1e-9 so that a ratio of grid points compares exactly with 1."""
    widen = lambda v, k: float(np.exp(np.round(np.log(v) + k * steps * np.log(spacing), 9))) if np.isfinite(v) else v
    return value, (widen(ci[0], -1), widen(ci[1], 1))


def stability(arrays, half="deep", pair=(0, 1), n_boot=2000, seed=0, runs=trained):
    """Geometric mean over the deep (or shallow) half of depths of :func:`edge_ratios`, with a 95% bootstrap
    interval over seeds widened by one grid step on each side: how much larger a learning rate the faster init
    still trains at.

    Each edge lies between the last learning rate that trains and the next one up, so a measured ratio r of two
    edges bounds the true one to (r/s, r·s), s the grid's spacing (:func:`grid_spacing`). The interval returned
    is the bootstrap interval (lo, hi) over seeds so widened, (lo/s, hi·s): equal edges on the grid say the true
    ratio lies within a factor s of 1, not that it is 1. ``runs``: which runs count as trained (:func:`trained`, or
    :func:`reached` for the paper's first-hit reading)."""
    n = len(arrays["depths"])
    rows = region((n, 1), "deep")[:, 0] if half == "deep" else np.arange(n) < n // 2

    def stat(t):
        r = edge_ratios(arrays, t.astype(bool), pair)[rows]
        return float(np.exp(np.nanmean(np.log(r)))) if np.isfinite(r).any() else float("nan")

    value, ci = stats.bootstrap_ci(runs(arrays).astype(float), stat, n_boot=n_boot, seed=seed)
    return _resolved(value, ci, grid_spacing(arrays["lrs"]), 1)


def stability_growth(arrays, pair=(0, 1), n_boot=2000, seed=0, runs=trained):
    """The deep half's :func:`stability` over the shallow half's, with a 95% bootstrap interval over seeds widened
    by two grid steps on each side (each of the two ratios is known to one step, :func:`stability`)."""
    deep = region((len(arrays["depths"]), 1), "deep")[:, 0]
    shallow = np.arange(len(deep)) < len(deep) // 2

    def stat(t):
        r = np.log(edge_ratios(arrays, t.astype(bool), pair))
        d, s = r[deep][np.isfinite(r[deep])], r[shallow][np.isfinite(r[shallow])]
        return float(np.exp(d.mean() - s.mean())) if d.size and s.size else float("nan")

    value, ci = stats.bootstrap_ci(runs(arrays).astype(float), stat, n_boot=n_boot, seed=seed)
    return _resolved(value, ci, grid_spacing(arrays["lrs"]), 2)


def width_speedups(family, pair=(0, 1)):
    """Per width of the family, the small-lr speed-up among runs that train (:func:`region_speedup` over all its
    learning rates): ``[(value, ci, cells)]``."""
    return [region_speedup({k: (v[w:w + 1] if k in ("tau", "train_accuracy") else v) for k, v in family.items()},
                           "all", pair) for w in range(len(family["widths"]))]


def width_shrinkage(family, pair=(0, 1), n_boot=2000, seed=0):
    """|log speed-up| at the largest width minus at the smallest (small learning rates, runs that train), with
    a 95% bootstrap interval over seeds: negative when the speed-up shrinks towards 1 as width grows."""
    tau = censored_tau(family)  # (W, I, L, S)
    keep = both_train(family, pair)[[0, -1]].all(0)  # learning rates where both widths' runs train
    if not keep.any():
        return float("nan"), (float("nan"), float("nan"))
    slow, fast = pair

    def stat(t):
        log_s = [np.mean(np.log(t[w, slow][keep].mean(-1) / t[w, fast][keep].mean(-1))) for w in (0, -1)]
        return float(abs(log_s[1]) - abs(log_s[0]))

    return stats.bootstrap_ci(tau, stat, n_boot=n_boot, seed=seed)


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

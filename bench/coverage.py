r"""Coverage of the book's 95% intervals, measured by simulation at the seed counts the chapters use (3, 4 and 8).

.. code-block:: bash

   python -m bench.coverage            # the table, into bench/results.json ("interval_coverage")

Each case draws ``reps`` data sets from a known law, builds the interval from each, and counts how often it holds
the law's true value. The cases are the chapters' statistics:

- ``mean``: a mean over seeds (Edge of Chaos's finite-width kernels, the setting's errors);
- ``ratio``: a ratio of two inits' means over independent seeds (a speed-up in one cell);
- ``geomean``: a geometric mean over 4 cells of such ratios, the seeds shared by the cells (a region's speed-up);
- ``edge``: the failure edge on a 12-point learning-rate grid, each seed training with a logistic probability in
  log η (from a sharp to a gradual fall, a grid step wide to four steps).

The condensation chapter's statistics of seed medians (:data:`MEDIAN_SEED_COUNTS`: 4 seeds at the quick profile,
16 at the paper's, for every experiment there, the 1-D runs included), each through the chapter's own function:

- ``median-ratio``: the largest over activations of the median count / 2p (every bound claim);
- ``median-gap``: x·tanh's median count minus tanh's (the 1-D multiplicity claim);
- ``lazy``: the smallest over five activations of the median count / m at s = 1;
- ``slope``: the log-log slope of the median weight change against four scales, the activation farthest from −1.

Counts are integers with ties, drawn as the committed paper run's look (``data/condensation/paper``): mostly 2p with
a few seeds above (2p + Poisson(λ)), a median just above a value holding nearly half the seeds (λ = 0.75: 47% at
2p, median 2p + 1), or spread over several values (counts near 35 at s = 1). Weight changes are log-normal with a
seed effect shared across scales (log-s.d. 0.1, as in the paper run). The old construction is the percentile
bootstrap (:func:`orthontk_lib.stats.bootstrap_ci`'s draws, vectorized); the new one the order-statistic intervals
(:func:`orthontk_lib.stats.median_bounds` and the functions built on it).

Data are normal (``mean``: N(1, 1)) or log-normal (σ = 0.5, as seed-to-seed spreads of τ are); the ratio cases are
positive by construction. A coverage of ``c`` from ``reps`` replications has Monte Carlo standard error
``sqrt(c (1 - c) / reps)`` (0.005 at 0.95 and 2,000 replications).
"""

import argparse

import numpy as np

from orthontk_lib import stats

SEED_COUNTS = (3, 4, 8)
LEVEL = 0.95
GRID = np.geomspace(1e-3, 1.0, 12)  # the learning-speed grid's 12 rates from 1e-3 to 1
CELL_LOGS = np.array([0.0, 0.3, -0.2, 0.5])  # four cells' log speed-ups (geomean case)


def draw(case, law, n, rng):
    """One data set of ``case`` with ``n`` seeds and its true value: ``(samples, truth)``."""
    if case == "mean":
        x = rng.normal(1.0, 1.0, n) if law == "normal" else rng.lognormal(0.0, 0.5, n)
        return x, 1.0 if law == "normal" else float(np.exp(0.125))
    if case == "ratio":  # (init, seed): init 0 is 1.5 times slower in the mean
        scale = np.array([1.5, 1.0])[:, None]
        x = scale * (rng.lognormal(0.0, 0.5, (2, n)) if law == "lognormal" else rng.gamma(16.0, 1 / 16, (2, n)))
        return x, 1.5
    if case == "geomean":  # (cell, init, seed), a seed effect shared by the cells
        shared = rng.normal(0.0, 0.3, (1, 2, n))
        noise = rng.normal(0.0, 0.4, (len(CELL_LOGS), 2, n))
        logs = np.stack([CELL_LOGS, np.zeros_like(CELL_LOGS)], 1)[..., None] + shared + noise
        x = np.exp(logs) if law == "lognormal" else np.exp(logs) ** 0.25
        # true mean ratio per cell is exp(CELL_LOGS) (log-normal) or exp(CELL_LOGS / 4): the seed laws are equal
        return x, float(np.exp(CELL_LOGS.mean() * (1.0 if law == "lognormal" else 0.25)))
    raise ValueError(f"case: one of mean, ratio, geomean; got {case!r}")


STATS = {
    "mean": (np.mean, False),
    "ratio": (lambda x: float(x[0].mean() / x[1].mean()), True),
    "geomean": (lambda x: float(np.exp(np.mean(np.log(x[:, 0].mean(-1) / x[:, 1].mean(-1))))), True),
}


def coverage(case, law, n, method, reps=2000, seed=0, n_boot=1000):
    """Fraction of ``reps`` data sets whose ``method`` interval (``"jackknife"`` or ``"bootstrap"``) holds the true
    value of ``case`` (:func:`draw`) at ``n`` seeds."""
    rng = np.random.default_rng(seed)
    stat, log = STATS[case]
    hits = 0
    for r in range(reps):
        x, truth = draw(case, law, n, rng)
        if method == "jackknife":
            _, (lo, hi) = stats.jackknife_ci(x, stat, LEVEL, log=log)
        else:
            _, (lo, hi) = stats.bootstrap_ci(x, stat, n_boot=n_boot, seed=r, level=LEVEL)
        hits += bool(lo <= truth <= hi)
    return hits / reps


def edge_coverage(n, width, reps=2000, seed=0, alpha=0.025, offset=0.5):
    """Coverage of :func:`orthontk_lib.stats.grid_edge_interval` (sign tests at ``alpha`` each) for the grid edge
    of a success probability ``1 / (1 + exp((log η - log η*) / (width · log s)))`` over :data:`GRID` (``s`` its
    step; ``width`` in grid steps), η* placed ``offset`` steps above the grid's 7th rate; ``n`` seeds per rate. Also
    the fraction of data sets whose interval is bounded (its lower end on the grid), the chance it can decide."""
    rng = np.random.default_rng(seed)
    step = np.log(GRID[1] / GRID[0])
    centre = np.log(GRID[6]) + offset * step
    p = 1.0 / (1.0 + np.exp((np.log(GRID) - centre) / (width * step)))
    truth = GRID[p > 0.5].max()
    k = rng.binomial(n, p, (reps, len(GRID)))
    lo, hi = stats.grid_edge_interval(k, n, GRID, alpha)
    return float(np.mean((lo <= truth) & (truth <= hi))), float(np.mean(lo >= GRID[0]))


# THE CONDENSATION CHAPTER'S MEDIANS

MEDIAN_SEED_COUNTS = (4, 16)
"""Seeds per (activation, scale) and per 1-D, Adam or deeper run: the quick profile's and the paper's."""

SLOPE_SCALES = np.array([0.03, 0.01, 0.003, 0.001])  # the scales <= 0.03 of the paper profile
SLOPE_TRUE = np.array([-0.96, -1.03, -1.03, -0.99, -0.97])  # five activations' slopes, as the paper run's


def _count_law(lam, base):
    """``base`` + Poisson(``lam``) as (support, pmf) truncated where the tail is below 1e-12, and its median."""
    from scipy.stats import poisson

    k = np.arange(0, 40)
    pmf = poisson.pmf(k, lam)
    keep = pmf > 1e-12
    return _law(base + k[keep], pmf[keep] / pmf[keep].sum())


def _spread_law(mu, sd):
    """round(N(``mu``, ``sd``)) as (support, pmf, median)."""
    from scipy.stats import norm

    k = np.arange(int(mu - 8 * sd), int(mu + 8 * sd) + 1)
    pmf = norm.cdf(k + 0.5, mu, sd) - norm.cdf(k - 0.5, mu, sd)
    return _law(k, pmf / pmf.sum())


def _law(support, pmf):
    cdf = np.cumsum(pmf)
    j = int(np.argmax(cdf >= 0.5))
    if abs(cdf[j] - 0.5) < 1e-9:
        raise ValueError("a law whose median is not unique")
    return support.astype(float), pmf, float(support[j])


MEDIAN_CASES = {
    # name: (statistic, per-row laws, scales)
    "median-ratio/three at 2p, one near half": ("ratio", [(0.5, 2), (0.5, 2), (0.75, 2)], [1, 1, 1]),
    "median-ratio/three at 2p": ("ratio", [(0.5, 2), (0.5, 2), (0.5, 2)], [1, 1, 1]),
    "median-ratio/one, near half": ("ratio", [(0.75, 2)], [1]),
    "median-ratio/one, spread (p = 3)": ("ratio", [("spread", 9.0, 1.2)], [3]),
    "median-gap/on the bar": ("gap", [(0.5, 4), (0.75, 2)], None),  # xtanh 4, tanh 3: the gap 1 the claim needs
    "median-gap/wide": ("gap", [(0.75, 4), (0.5, 2)], None),
    "lazy/five activations at s = 1": ("lazy", [("spread", mu, 2.3) for mu in (35.0, 35.4, 34.6, 35.8, 35.2)], None),
}


def _draw_counts(laws, n, rng):
    rows, medians = [], []
    for law in laws:
        sup, pmf, med = _spread_law(*law[1:]) if law[0] == "spread" else _count_law(*law)
        rows.append(rng.choice(sup, n, p=pmf))
        medians.append(med)
    return np.array(rows), np.array(medians)


def _bootstrap_ci(x, stat, n_boot, seed):
    """:func:`orthontk_lib.stats.bootstrap_ci` vectorized (the same resamples: seeds drawn together across rows):
    ``stat`` maps (rows, n_boot, S) to (n_boot,)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.shape[-1], (n_boot, x.shape[-1]))
    boots = stat(x[..., idx])
    lo, hi = np.nanpercentile(boots, [2.5, 97.5])
    value = float(stat(x[..., None, :])[0])
    return min(lo, value), max(hi, value)


def _chapter():
    from orthontk_lib.chapters import condensation

    return condensation


def median_interval(case, x, method, seed=0, n_boot=1000):
    """The interval of ``case``'s statistic on counts ``x`` (rows, S) by ``method``: ``"bootstrap"`` (the old) or
    ``"exact"`` (the chapter's own function now)."""
    kind, _, scale = MEDIAN_CASES[case]
    cd = _chapter()
    if kind == "ratio":
        s = 2.0 * np.asarray(scale, float)[:, None]
        if method == "bootstrap":
            return _bootstrap_ci(x, lambda b: np.max(np.median(b, -1) / s, 0), n_boot, seed)
        return cd.median_ratio_ci(x, scale)[1]
    if kind == "gap":  # rows: xtanh, tanh
        if method == "bootstrap":
            return _bootstrap_ci(x, lambda b: np.median(b[0], -1) - np.median(b[1], -1), n_boot, seed)
        arrays = {"line_count_end": x[::-1], "line_end": np.zeros(x.shape, int)}
        return cd.multiplicity_gap_ci(arrays, ("tanh", "xtanh"))[1]
    if kind == "lazy":  # m = 50 neurons
        if method == "bootstrap":
            return _bootstrap_ci(x, lambda b: np.min(np.median(b, -1), 0) / 50, n_boot, seed)
        arrays = {"count_end": x[:, None], "end": np.zeros((x.shape[0], 1, x.shape[1]), int), "scales": np.ones(1),
                  "u0": np.empty((1, 1, 1, 50, 1))}
        return cd.lazy_orientations_ci(arrays)[1]
    raise ValueError(f"median_interval: unknown case {case!r}")


def median_coverage(case, n, method, reps=2000, seed=0, n_boot=1000):
    """Fraction of ``reps`` data sets of :data:`MEDIAN_CASES` ``case`` at ``n`` seeds whose ``method`` interval holds
    the true value (the statistic of the laws' medians); and the fraction of intervals with finite ends."""
    kind, laws, scale = MEDIAN_CASES[case]
    rng = np.random.default_rng(seed)
    hits = finite = 0
    for r in range(reps):
        x, med = _draw_counts(laws, n, rng)
        truth = (np.max(med / (2.0 * np.asarray(scale))) if kind == "ratio" else med[0] - med[1] if kind == "gap"
                 else np.min(med) / 50)
        lo, hi = median_interval(case, x, method, seed=r, n_boot=n_boot)
        hits += bool(lo <= truth <= hi)
        finite += bool(np.isfinite(lo) and np.isfinite(hi))
    return hits / reps, finite / reps


def _draw_changes(n, rng):
    """Stage-end weight changes (activation, scale, seed): log-normal about exp(β_a log s), a seed effect shared by
    the scales (s.d. 0.05) and one per scale (0.09), log-s.d. about 0.1 in all."""
    logs = (SLOPE_TRUE[:, None, None] * np.log(SLOPE_SCALES)[None, :, None]
            + rng.normal(0, 0.05, (len(SLOPE_TRUE), 1, n)) + rng.normal(0, 0.09, (len(SLOPE_TRUE), len(SLOPE_SCALES), n)))
    return np.exp(logs)


def slope_coverage(n, method, reps=2000, seed=0, n_boot=1000):
    """Coverage of the farthest-from-−1 slope's interval (``"bootstrap"`` or ``"exact"``: the chapter's
    :func:`change_slope_ci`) on :func:`_draw_changes`; the truth is the true slope farthest from −1 (each log median
    is exactly β log s + const: the noise is symmetric). Also the fraction with finite ends."""
    cd = _chapter()
    rng = np.random.default_rng(seed)
    truth = SLOPE_TRUE[np.argmax(np.abs(SLOPE_TRUE + 1))]
    x = np.log(SLOPE_SCALES)
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)

    def farthest(b):  # (activation, scale, B, S) -> (B,)
        slopes = np.einsum("j,ajb->ab", w, np.log(np.median(b, -1)))
        return np.take_along_axis(slopes, np.argmax(np.abs(slopes + 1), 0)[None], 0)[0]

    hits = finite = 0
    for r in range(reps):
        c = _draw_changes(n, rng)
        if method == "bootstrap":
            lo, hi = _bootstrap_ci(c, farthest, n_boot, r)
        else:
            arrays = {"rel_change": c[..., None], "end": np.zeros(c.shape, int), "scales": SLOPE_SCALES}
            lo, hi = cd.change_slope_ci(arrays)[1]
        hits += bool(lo <= truth <= hi)
        finite += bool(np.isfinite(lo) and np.isfinite(hi))
    return hits / reps, finite / reps


def table(reps=2000):
    """Every case's coverage: ``{name: {seeds: coverage}}``."""
    out = {}
    for case, laws in (("mean", ("normal", "lognormal")), ("ratio", ("gamma", "lognormal")),
                       ("geomean", ("mild", "lognormal"))):
        for law in laws:
            for method in ("bootstrap", "jackknife"):
                out[f"{case}/{law}/{method}"] = {n: coverage(case, law, n, method, reps if method == "jackknife"
                                                                else reps // 5) for n in SEED_COUNTS}
    for width in (0.25, 1.0, 4.0):
        for n in SEED_COUNTS:
            c, bounded = edge_coverage(n, width, reps)
            out.setdefault(f"edge/width {width:g} steps/sign tests at 0.025", {})[n] = c
            out.setdefault(f"edge/width {width:g} steps/lower end on the grid", {})[n] = bounded
    for case in MEDIAN_CASES:
        for method in ("bootstrap", "exact"):
            for n in MEDIAN_SEED_COUNTS:
                c, fin = median_coverage(case, n, method, reps if method == "exact" else reps // 5)
                out.setdefault(f"{case}/{method}", {})[n] = c
                if method == "exact":
                    out.setdefault(f"{case}/{method}/finite ends", {})[n] = fin
    for method in ("bootstrap", "exact"):
        for n in MEDIAN_SEED_COUNTS:
            c, fin = slope_coverage(n, method, reps // 5)
            out.setdefault(f"slope/farthest from -1/{method}", {})[n] = c
            if method == "exact":
                out.setdefault(f"slope/farthest from -1/{method}/finite ends", {})[n] = fin
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    rows = table(args.reps)
    for name, row in rows.items():
        print(f"{name:<48}" + "".join(f"  n={n}: {c:.3f}" for n, c in row.items()))
    if not args.no_record:
        from bench.record import record

        record("interval_coverage", {"level": LEVEL, "reps": args.reps, "bootstrap_reps": args.reps // 5,
                                     "table": {k: {str(n): c for n, c in v.items()} for k, v in rows.items()}})


if __name__ == "__main__":
    main()

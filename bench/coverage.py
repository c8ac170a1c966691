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

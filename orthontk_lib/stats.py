r"""Statistics the chapters report: fitted slopes with intervals.

>>> s, ci, a = loglog_fit([1, 2, 4, 8], [1, 0.5, 0.25, 0.125])
>>> round(s, 6)
-1.0
"""

import numpy as np

__all__ = ["line_fit", "loglog_fit", "limit_or_power", "common_loglog_slope", "limit_fit", "bootstrap_ci", "bootstrap_draws", "jackknife_ci", "majority_shown", "grid_edge_interval", "largest_deviation_ci", "median_bounds", "largest_median_ci", "median_contrast_ci", "farthest_ci", "mean_ci", "welch_ci", "side"]


def line_fit(x, y):
    r"""Least-squares slope and intercept of y against x, with a 95% t-interval for the slope.

    .. math:: y = a + s x + \varepsilon

    Args:
      x, y: arrays of equal length n >= 3.

    Returns:
      ``(s, (s_lo, s_hi), a)``: slope, its 95% t-interval (n − 2 degrees of freedom), and intercept.

    >>> s, ci, a = line_fit([0, 1, 2, 3], [1, 3, 5, 7])
    >>> round(s, 6), round(a, 6)
    (2.0, 1.0)
    """
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    fit = stats.linregress(x, y)
    t = stats.t.ppf(0.975, len(x) - 2)
    return float(fit.slope), (float(fit.slope - t * fit.stderr), float(fit.slope + t * fit.stderr)), float(fit.intercept)


def loglog_fit(x, y):
    r"""Least-squares slope and intercept of log y against log x, with a 95% interval for the slope
    (:func:`line_fit` of the logarithms).

    .. math:: \log y = a + s \log x + \varepsilon

    Args:
      x, y: positive arrays of equal length n >= 3.

    Returns:
      ``(s, (s_lo, s_hi), a)``: slope, its 95% t-interval, and intercept.

    >>> s, ci, a = loglog_fit([1, 2, 4, 8], [1, 0.5, 0.25, 0.125])
    >>> round(s, 6)
    -1.0
    """
    return line_fit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)))


def common_loglog_slope(xs, ys):
    r"""One log-log slope shared by several curves, each with its own intercept (fixed effects).

    .. math:: \log y_{gi} = a_g + s \log x_{gi} + \varepsilon_{gi}

    Args:
      xs, ys: sequences of G positive arrays (curve g has its own points).

    Returns:
      ``(s, (s_lo, s_hi))``: the common slope and its 95% t-interval (dof = points − G − 1).

    >>> s, ci = common_loglog_slope([[1, 2, 4], [1, 2, 4]], [[1, .5, .25], [3, 1.5, .75]])
    >>> round(s, 6)
    -1.0
    """
    from scipy import stats

    lx = [np.log(np.asarray(x, float)) for x in xs]
    ly = [np.log(np.asarray(y, float)) for y in ys]
    dx = np.concatenate([x - x.mean() for x in lx])
    dy = np.concatenate([y - y.mean() for y in ly])
    s = float(dx @ dy / (dx @ dx))
    dof = len(dx) - len(lx) - 1
    if dof < 1:
        return s, (float("nan"), float("nan"))
    se = np.sqrt(np.sum((dy - s * dx) ** 2) / dof / (dx @ dx))
    t = stats.t.ppf(0.975, dof)
    return s, (float(s - t * se), float(s + t * se))


def limit_fit(x, y, power=-0.5):
    r"""Least-squares fit of a quantity that approaches a limit as a known power of ``x``: the limit with its 95%
    t-interval.

    .. math:: y_i = c + a\, x_i^{p} + \varepsilon_i, \qquad p < 0,

    so :math:`c` is the value as :math:`x \to \infty` (Liu, Zhu, Belkin 2020 write a Hessian norm this way:
    a :math:`\Theta(1)` part plus an :math:`O(n^{-1/2})` part).

    Args:
      x, y: arrays of equal length n >= 3 (x > 0): several points may share an x (one per seed).
      power: the known exponent p < 0.

    Returns:
      ``(c, (c_lo, c_hi), a)``: the limit, its 95% t-interval (n − 2 degrees of freedom), and the coefficient.

    Raises:
      ValueError: if ``power`` is not negative, or fewer than three points or two distinct x are given.

    >>> c, ci, a = limit_fit([1, 4, 16, 64], [3.0, 2.5, 2.25, 2.125])
    >>> round(c, 6), round(a, 6)
    (2.0, 1.0)
    """
    from scipy import stats

    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if not power < 0:
        raise ValueError(f"limit_fit: power must be negative (a part that vanishes as x grows), got {power}")
    if x.size < 3 or np.unique(x).size < 2 or x.size != y.size:
        raise ValueError(f"limit_fit: needs n >= 3 points (x, y) of equal length at two x or more, got {x.size}, {y.size}")
    fit = stats.linregress(x ** power, y)
    half = float(stats.t.ppf(0.975, x.size - 2) * fit.intercept_stderr)
    c = float(fit.intercept)
    return c, (c - half, c + half), float(fit.slope)


def limit_or_power(x, y, power=-0.5):
    r"""How much a limit read from ``y`` rests on its form: the residual sums of squares of :math:`c + a\,x^{p}`
    (:func:`limit_fit`, ``p = power``), which tends to c, and of a power law :math:`b\,x^{s}` (:func:`loglog_fit`),
    which vanishes for any :math:`s < 0`, both fitted to the same points.

    Returns:
      ``(rss of the limit form, rss of the power law, s, s's 95% interval)``.

    >>> x = np.array([1.0, 4, 16, 64])
    >>> rss_limit, rss_power, s, _ = limit_or_power(x, 2 + 1 / np.sqrt(x))
    >>> rss_limit < 1e-20 < rss_power
    True
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    c, _, a = limit_fit(x, y, power)
    s, s_ci, b = loglog_fit(x, y)
    return float(np.sum((y - c - a * x**power) ** 2)), float(np.sum((y - np.exp(b) * x ** s) ** 2)), s, s_ci


def bootstrap_ci(samples, stat, n_boot=2000, seed=0, level=0.95):
    r"""Percentile bootstrap interval of ``stat`` over resampled seeds (the last axis of ``samples``).

    Args:
      samples: array (..., S); the last axis holds independent seeds.
      stat: ``array (..., S) -> float``.

    Returns:
      ``(value, (lo, hi))``: ``stat(samples)`` and its ``level`` interval.

    >>> v, (lo, hi) = bootstrap_ci(np.arange(10.0), np.mean)
    >>> lo < v == 4.5 < hi
    True
    """
    samples = np.asarray(samples, float)
    boots = bootstrap_draws(samples, stat, n_boot, seed)
    q = 100 * (1 - level) / 2
    lo, hi = np.nanpercentile(boots, [q, 100 - q])
    value = float(stat(samples))
    return value, (float(min(lo, value)), float(max(hi, value)))


def bootstrap_draws(samples, stat, n_boot=2000, seed=0):
    r"""``stat`` of ``n_boot`` resamples of the seeds (the last axis of ``samples``, drawn with replacement), stacked:
    (n_boot, ...). The draws :func:`bootstrap_ci` reads, for a statistic that returns an array (one interval per
    entry: take percentiles over axis 0).

    >>> bootstrap_draws(np.arange(4.0), np.mean, n_boot=3).shape
    (3,)
    >>> bootstrap_draws(np.ones((2, 5)), lambda x: x.mean(-1), n_boot=3).shape
    (3, 2)
    """
    samples = np.asarray(samples, float)
    rng = np.random.default_rng(seed)
    s = samples.shape[-1]
    return np.asarray([stat(np.take(samples, rng.integers(0, s, s), axis=-1)) for _ in range(n_boot)])


def mean_ci(x, level=0.95):
    r"""Mean of ``x`` with its t-interval.

    >>> mean_ci([1.0, 2.0, 3.0])[0]
    2.0
    """
    from scipy import stats

    x = np.asarray(x, float).ravel()
    m = float(x.mean())
    if x.size < 2:
        return m, (float("nan"), float("nan"))
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return m, (float(m - half), float(m + half))


def welch_ci(a, b, level=0.95):
    """Mean of ``a`` minus mean of ``b`` with its Welch t-interval; unbounded with fewer than two samples in either.

    >>> d, (lo, hi) = welch_ci(np.array([1.0, 1.2, 0.8]), np.array([0.0, 0.1, -0.1]))
    >>> round(d, 6), lo > 0
    (1.0, True)
    """
    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    d = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return d, (-np.inf, np.inf)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    if se == 0:
        return d, (d, d)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t = float(stats.t.ppf(0.5 + level / 2, dof))
    return d, (d - t * se, d + t * se)


def side(ci, ref):
    r"""Where an interval lies with respect to ``ref``: ``"above"``, ``"below"`` or ``"straddles"``.

    >>> side((1.1, 1.4), 1.0), side((0.7, 0.9), 1.0), side((0.9, 1.2), 1.0)
    ('above', 'below', 'straddles')
    """
    lo, hi = ci
    return "above" if lo > ref else "below" if hi < ref else "straddles"


def jackknife_ci(samples, stat, level=0.95, log=False):
    r"""Studentized jackknife interval of ``stat`` over seeds (the last axis of ``samples``): the value plus or minus
    Student's :math:`t_{n-1}` quantile times the jackknife standard error (Tukey 1958; Efron and Tibshirani 1993,
    Sec. 11.5),

    .. math:: \hat\theta \pm t_{n-1,\,(1+\ell)/2}\;\sqrt{\tfrac{n-1}{n}\textstyle\sum_i (\hat\theta_{(i)} -
              \bar\theta_{(\cdot)})^2},

    :math:`\hat\theta_{(i)}` the statistic with seed :math:`i` left out. For a mean it is exactly the t-interval
    (:func:`mean_ci`); for a smooth function of means (a ratio of means, a geometric mean of such ratios) it is the
    delta method's interval with the t quantile. Unlike :func:`bootstrap_ci`, which at 3 seeds is [min, max] of the
    seeds and covers a mean about 75% of the time, it reaches its level at 3, 4 and 8 seeds for the statistics the
    chapters use (``bench/coverage.py``; ``tests/test_stats.py`` holds it to at least 0.93).

    Args:
      samples: array (..., S); the last axis holds S >= 2 independent seeds.
      stat: ``array (..., S') -> float``, defined for S' = S and S - 1.
      level: the interval's coverage.
      log: interval of ``log(stat)``, mapped back (for a positive statistic such as a ratio; the interval is then
        not symmetric about the value).

    Returns:
      ``(value, (lo, hi))``; the interval is ``(nan, nan)`` (no interval) with fewer than 2 seeds, or where the
      statistic or a leave-one-out value is not finite (or not positive, with ``log``).

    >>> v, (lo, hi) = jackknife_ci(np.array([1.0, 2.0, 3.0]), np.mean)
    >>> v, round(lo, 4), round(hi, 4)  # the t-interval: 2 -+ 4.303 / sqrt(3)
    (2.0, -0.4841, 4.4841)
    """
    from scipy import stats

    samples = np.asarray(samples, float)
    n = samples.shape[-1]
    value = float(stat(samples))
    none = (float("nan"), float("nan"))
    if n < 2:
        return value, none
    loo = np.array([stat(np.delete(samples, i, axis=-1)) for i in range(n)], float)
    f = np.log if log else (lambda x: x)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre, loo = f(value), f(loo)
    if not (np.isfinite(centre) and np.isfinite(loo).all()):
        return value, none
    se = float(np.sqrt((n - 1) / n * np.sum((loo - loo.mean()) ** 2)))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    g = np.exp if log else (lambda x: x)
    return value, (float(g(centre - half)), float(g(centre + half)))


def majority_shown(k, n, alpha):
    r"""Exact one-sided sign tests on ``k`` successes of ``n`` independent seeds: ``(above, below)``, bool arrays of
    ``k``'s shape; ``above`` where :math:`P(\mathrm{Bin}(n, \frac12) \ge k) \le \alpha` (the success probability is
    shown above one half at level ``alpha``), ``below`` where :math:`P(\mathrm{Bin}(n, \frac12) \le k) \le \alpha`.

    With 4 seeds neither can be shown at ``alpha`` = 0.05 (all four succeed with probability 1/16 at one half); with
    8 seeds, 8 of 8 shows it above at any ``alpha`` >= 1/256.

    >>> majority_shown(np.array([8, 7, 1, 0]), 8, 0.01)
    (array([ True, False, False, False]), array([False, False, False,  True]))
    """
    from scipy import stats

    k = np.asarray(k)
    return stats.binom.sf(k - 1, n, 0.5) <= alpha, stats.binom.cdf(k, n, 0.5) <= alpha


def grid_edge_interval(successes, n, grid, alpha):
    r"""Exact bounds on a grid edge, the largest grid value at which a success probability exceeds one half, from
    ``successes`` of ``n`` seeds at each grid value (:func:`majority_shown`'s sign tests at ``alpha`` each).

    The lower end is the largest grid value where the probability is shown above one half; the upper end the largest
    where it is not shown below. Each end misses only if one test does (the lower end: a value above the edge shown
    above one half; the upper end: the edge's own value shown below), so the interval covers the edge with
    probability at least about 1 - 2 ``alpha`` (exactly, where the probability falls through one half at one grid
    value; ``bench/coverage.py`` measures it on logistic curves). Where nothing is shown above one half the lower end
    is one grid step below the grid's smallest value (a bound); where nothing may be, the upper end is too.

    Args:
      successes: (..., G) integer counts of seeds that succeed at each grid value.
      n: seeds per grid value.
      grid: (G,) increasing positive grid values (learning rates).
      alpha: each sign test's level.

    Returns:
      ``(lo, hi)``: arrays of ``successes``' shape without its last axis, in the grid's units.

    >>> lo, hi = grid_edge_interval(np.array([8, 8, 8, 5, 0]), 8, np.array([1.0, 2, 4, 8, 16]), 0.01)
    >>> float(lo), float(hi)
    (4.0, 8.0)
    """
    grid = np.asarray(grid, float)
    above, below = majority_shown(successes, n, alpha)
    floor = grid[0] ** 2 / grid[1]
    edge = lambda ok: np.where(ok.any(-1), np.max(np.where(ok, grid, 0.0), -1), floor)
    return edge(above), edge(~below)


def largest_deviation_ci(samples, centre=0.0, scale=1.0, level=0.95):
    r"""The largest scaled distance of a mean from its centre, :math:`A = \max_k |\bar x_k - c_k| / s_k`, with an
    interval that covers it with probability at least ``level``.

    Each row's mean gets its t-interval at ``1 - (1 - level) / K`` (:func:`mean_ci`; Bonferroni over the ``K`` rows,
    so that all cover their means together). The interval for :math:`A` runs from the largest distance of a row's
    interval from its centre (0 where it contains it) to the largest distance of an end: whenever every row's interval
    covers its mean, it covers :math:`A`. A t-interval is exact for normal seeds at any seed count.

    Args:
      samples: (K, S) or (S,); S >= 2 seeds per row.
      centre, scale: (K,) or scalars; the reference and the unit of each row's distance (``scale`` > 0).
      level: the coverage of the interval for :math:`A`.

    Returns:
      ``(A, (lo, hi), k)``: ``k`` the row of the largest distance; all ``nan`` (k ``None``) if a sample is not finite.

    >>> a, (lo, hi), k = largest_deviation_ci(np.array([[1.0, 1.2, 0.8], [0.1, 0.1, 0.1]]))
    >>> round(a, 4), k, round(lo, 4), round(hi, 4)  # row 0: 1 -+ t(2 dof, 98.75%) 6.205 * 0.2 / sqrt(3)
    (1.0, 0, 0.2835, 1.7165)
    """
    x = np.atleast_2d(np.asarray(samples, float))
    k_rows = x.shape[0]
    c = np.broadcast_to(np.asarray(centre, float), (k_rows,))
    s = np.broadcast_to(np.asarray(scale, float), (k_rows,))
    if not np.isfinite(x).all():
        return float("nan"), (float("nan"), float("nan")), None
    cis = [mean_ci(row, 1 - (1 - level) / k_rows) for row in x]
    m = np.array([v for v, _ in cis])
    lo, hi = np.array([ci for _, ci in cis]).T
    d_lo, d_hi = (lo - c) / s, (hi - c) / s
    k = int(np.argmax(np.abs(m - c) / s))
    lower = np.where(d_lo > 0, d_lo, np.where(d_hi < 0, -d_hi, 0.0)).max()
    upper = np.maximum(np.abs(d_lo), np.abs(d_hi)).max()
    return float(abs(m[k] - c[k]) / s[k]), (float(lower), float(upper)), k


def median_bounds(samples, alpha):
    r"""Distribution-free bounds on the median of each row of ``samples`` from its order statistics (the sign test's
    interval; Thompson 1936, Conover 1999, Sec. 3.2): ``lo`` = :math:`X_{(k)}` and ``hi`` = :math:`X_{(n+1-k)}` of the
    row's ``n`` seeds, ``k`` the largest with

    .. math:: P\big(\mathrm{Bin}(n, \tfrac12) \le k - 1\big) \le \alpha,

    so that :math:`P(\mathrm{lo} > m) \le \alpha` and :math:`P(\mathrm{hi} < m) \le \alpha` for any median ``m`` of
    the seeds' law (any ``m`` with :math:`P(X < m) \le \frac12 \le P(X \le m)`), continuous or discrete: ``lo`` > ``m``
    needs fewer than ``k`` seeds at or below ``m``, each there with probability at least one half. With ties (integer
    counts) the bounds are conservative. Where even :math:`2^{-n}` exceeds ``alpha`` no order statistic bounds the
    median (4 seeds at ``alpha`` = 0.025: :math:`2^{-4} = 0.0625`), and the bound is infinite.

    Args:
      samples: (..., S) finite values; the last axis holds S >= 1 independent seeds.
      alpha: each end's miss probability, in (0, 1/2).

    Returns:
      ``(lo, hi)``: arrays of ``samples``' shape without its last axis; ``-inf`` / ``inf`` where no order statistic
      reaches ``alpha``.

    Raises:
      ValueError: if ``alpha`` is not in (0, 1/2), ``samples`` has no seed or a value that is not finite.

    >>> lo, hi = median_bounds(np.arange(1.0, 17.0), 0.025)  # 16 seeds: P(Bin(16, 1/2) <= 3) = 697/65536 = 0.0106
    >>> float(lo), float(hi)
    (4.0, 13.0)
    >>> median_bounds(np.array([2.0, 2, 3, 2]), 0.025)  # 4 seeds cannot bound a median at 0.025
    (array(-inf), array(inf))
    """
    from scipy import stats

    x = np.sort(np.asarray(samples, float), axis=-1)
    if not 0 < alpha < 0.5:
        raise ValueError(f"median_bounds: alpha must be in (0, 1/2), got {alpha}")
    if x.ndim == 0 or x.shape[-1] < 1:
        raise ValueError(f"median_bounds: samples needs a last axis of at least one seed, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("median_bounds: samples must be finite (a missing seed is no seed: drop it)")
    n = x.shape[-1]
    k = int(np.sum(stats.binom.cdf(np.arange(n), n, 0.5) <= alpha * (1 + 1e-12)))  # the k - 1 = 0, 1, ... that pass
    if k == 0:
        shape = x.shape[:-1]
        return np.full(shape, -np.inf), np.full(shape, np.inf)
    return x[..., k - 1], x[..., n - k]


def largest_median_ci(samples, scale=1.0, level=0.95, smallest=False):
    r"""The largest (``smallest=True``: smallest) scaled seed median over rows, :math:`M = \max_a
    \operatorname{median}(x_a) / s_a`, with a distribution-free interval that covers it with probability at least
    ``level``, from each row's :func:`median_bounds`.

    With :math:`\alpha = 1 - \text{level}`: the upper end :math:`\max_a \mathrm{hi}_a / s_a` misses only if the row
    holding the true maximum has its upper bound below its median (:math:`\alpha/2`, one row); the lower end
    :math:`\max_a \mathrm{lo}_a / s_a` misses if any row's lower bound exceeds its median, so each row's lower bound is
    taken at :math:`\alpha / (2A)` (Bonferroni over the ``A`` rows). For the smallest the two ends swap roles. No
    independence between rows is needed (the seeds may be shared). With one row it is the median's interval at
    ``level``.

    Args:
      samples: (A, S) or (S,) finite values, S seeds per row, or a sequence of A rows of their own lengths.
      scale: (A,) or scalar, positive: each row's unit (2p, to read a count against the bound 2p).
      level: the interval's coverage, in (0, 1).

    Returns:
      ``(M, (lo, hi), a)``: ``a`` the row of the extreme median; an end is infinite where the seeds are too few to
      bound it (:func:`median_bounds`).

    Raises:
      ValueError: as :func:`median_bounds`; if ``scale`` is not positive.

    >>> x = np.array([[2.0] * 11 + [3.0] * 5, [4.0] * 16, np.arange(1.0, 17.0)])
    >>> m, (lo, hi), a = largest_median_ci(x, [2.0, 4.0, 8.0])
    >>> m, lo, hi, a  # rows 0, 1: 1 [1, 1.5], 1 [1, 1]; row 2: 8.5 / 8 [3 / 8, 13 / 8] (lower end at 0.025 / 3)
    (1.0625, 1.0, 1.625, 2)
    """
    x = _rows(samples)
    s = np.broadcast_to(np.asarray(scale, float), (len(x),))
    if not (s > 0).all():
        raise ValueError(f"largest_median_ci: scale must be positive, got {np.asarray(scale).tolist()}")
    alpha, rows = 1 - level, len(x)
    far = np.array([median_bounds(r, alpha / (2 * rows)) for r in x]).T  # the end where any row may miss
    near = np.array([median_bounds(r, alpha / 2) for r in x]).T  # the end where only the extreme row matters
    m = np.array([np.median(r) for r in x]) / s
    if smallest:
        a = int(np.argmin(m))
        return float(m[a]), (float(np.min(near[0] / s)), float(np.min(far[1] / s))), a
    a = int(np.argmax(m))
    return float(m[a]), (float(np.max(far[0] / s)), float(np.max(near[1] / s))), a


def median_contrast_ci(samples, weights, level=0.95, log=False):
    r"""A linear combination of seed medians, :math:`C = \sum_j w_j\, g(\operatorname{median}(x_j))` (``g`` the
    identity, or the logarithm with ``log``), with a distribution-free interval that covers it with probability at
    least ``level``: ``C`` increases with each median of positive weight and decreases with each of negative weight, so
    it lies between its values at the medians' :func:`median_bounds` whenever every median lies in its bounds, each
    end of each row taken at :math:`(1 - \text{level}) / (2J)` (Bonferroni over the ``J`` rows of non-zero weight).
    A difference of two medians is ``weights = (1, -1)``; a least-squares slope of log medians against ``t`` is
    ``weights`` :math:`= (t - \bar t) / \sum (t - \bar t)^2` with ``log``.

    Args:
      samples: (J, S) finite values (positive with ``log``), S seeds per row (the rows' seeds may be shared), or a
        sequence of J rows of their own lengths.
      weights: (J,) real weights.
      level: the interval's coverage, in (0, 1).
      log: combine the medians' logarithms.

    Returns:
      ``(C, (lo, hi))``; an end is infinite where the seeds are too few to bound it (:func:`median_bounds`).

    Raises:
      ValueError: as :func:`median_bounds`; if ``weights`` does not have one entry per row or is all zero, or
        ``log`` meets a value that is not positive.

    >>> a, b = np.array([4.0] * 15 + [5.0]), np.array([2.0] * 15 + [3.0])
    >>> median_contrast_ci(np.stack([a, b]), [1, -1])  # 4 - 2, each median in [its 4th, 13th of 16] at 0.0125 a side
    (2.0, (2.0, 2.0))
    """
    x = _rows(samples)
    w = np.asarray(weights, float).ravel()
    if w.size != len(x) or not np.any(w != 0):
        raise ValueError(f"median_contrast_ci: weights needs one entry per row ({len(x)}), not all zero; got "
                         f"{w.tolist()}")
    if log and not all((r > 0).all() for r in x):
        raise ValueError("median_contrast_ci: log needs positive samples")
    x, w = [r for r, wj in zip(x, w) if wj != 0], w[w != 0]
    lo, hi = np.array([median_bounds(r, (1 - level) / (2 * len(x))) for r in x]).T
    g = np.log if log else (lambda v: v)
    with np.errstate(divide="ignore"):
        lo, hi = g(np.where(lo > 0, lo, 0.0) if log else lo), g(hi)
    value = float(np.sum(w * g(np.array([np.median(r) for r in x]))))
    end = lambda a, b: float(np.sum(np.where(w > 0, w * a, w * b)))
    return value, (end(lo, hi), end(hi, lo))


def farthest_ci(values, cis, centre):
    r"""The value farthest from ``centre`` among several, :math:`v_{a^*}` with :math:`a^* = \arg\max_a |v_a - c|`,
    with an interval from the values' intervals: if every interval holds its value (give them joint coverage, e.g.
    Bonferroni), the farthest true value lies in some interval at a distance from ``centre`` at least
    :math:`D = \max_a \operatorname{dist}(c, [\mathrm{lo}_a, \mathrm{hi}_a])`; the returned interval is the hull of
    the parts of the intervals that far out, so it holds the farthest true value whenever all intervals hold theirs.

    Args:
      values: (A,) the values.
      cis: (A, 2) their intervals (ends may be infinite).
      centre: the reference.

    Returns:
      ``(value, (lo, hi), a)``: the farthest value, its interval and its index.

    Raises:
      ValueError: if an interval is not ordered or not given for each value, or a value is not finite.

    >>> farthest_ci([-1.3, -1.0], [(-1.35, -1.25), (-1.05, -0.95)], -1.0)  # the second cannot be the farthest
    (-1.3, (-1.35, -1.25), 0)
    >>> farthest_ci([-0.96, -1.03], [(-1.02, -0.9), (-1.1, -0.97)], -1.0)  # both may be: the hull of both
    (-0.96, (-1.1, -0.9), 0)
    """
    v = np.asarray(values, float).ravel()
    ci = np.asarray(cis, float).reshape(-1, 2)
    if ci.shape[0] != v.size or not np.isfinite(v).all() or not (ci[:, 0] <= ci[:, 1]).all():
        raise ValueError(f"farthest_ci: needs finite values, each with an ordered interval; got {v.tolist()}, "
                         f"{ci.tolist()}")
    a = int(np.argmax(np.abs(v - centre)))
    d = np.max(np.maximum(0.0, np.maximum(ci[:, 0] - centre, centre - ci[:, 1])))
    left = ci[:, 0] <= centre - d  # intervals reaching that far below the centre
    right = ci[:, 1] >= centre + d
    lo = np.min(ci[left, 0]) if left.any() else np.min(np.maximum(ci[right, 0], centre + d))
    hi = np.max(ci[right, 1]) if right.any() else np.max(np.minimum(ci[left, 1], centre - d))
    return float(v[a]), (float(lo), float(hi)), a


def _rows(samples):
    """A list of 1-D float rows: of a (J, S) or (S,) array, or of a sequence of rows of their own lengths."""
    try:
        x = np.asarray(samples, float)
    except ValueError:  # ragged
        return [np.asarray(r, float).ravel() for r in samples]
    if x.ndim > 2:
        raise ValueError(f"samples: (J, S) or (S,) or a sequence of rows, got shape {x.shape}")
    return list(np.atleast_2d(x))

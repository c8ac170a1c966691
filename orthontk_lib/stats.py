r"""Statistics the chapters report: fitted slopes with intervals.

>>> s, ci, a = loglog_fit([1, 2, 4, 8], [1, 0.5, 0.25, 0.125])
>>> round(s, 6)
-1.0
"""

import numpy as np

__all__ = ["line_fit", "loglog_fit", "limit_or_power", "common_loglog_slope", "limit_fit", "bootstrap_ci", "bootstrap_draws", "mean_ci", "welch_ci", "side"]


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

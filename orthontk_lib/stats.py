r"""Statistics the chapters report: fitted slopes with intervals.

>>> s, ci, a = loglog_fit([1, 2, 4, 8], [1, 0.5, 0.25, 0.125])
>>> round(s, 6)
-1.0
"""

import numpy as np

__all__ = ["loglog_fit"]


def loglog_fit(x, y):
    r"""Least-squares slope and intercept of log y against log x, with a 95% interval for the slope.

    .. math:: \log y = a + s \log x + \varepsilon

    Args:
      x, y: positive arrays of equal length n >= 3.

    Returns:
      ``(s, (s_lo, s_hi), a)``: slope, its 95% t-interval, and intercept.

    >>> s, ci, a = loglog_fit([1, 2, 4, 8], [1, 0.5, 0.25, 0.125])
    >>> round(s, 6)
    -1.0
    """
    from scipy import stats

    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    fit = stats.linregress(lx, ly)
    t = stats.t.ppf(0.975, len(lx) - 2)
    return float(fit.slope), (float(fit.slope - t * fit.stderr), float(fit.slope + t * fit.stderr)), float(fit.intercept)

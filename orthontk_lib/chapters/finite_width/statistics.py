r"""Statistics of finite-width corrections read from the saved arrays (slopes, gaps, growth rates, with their intervals)."""


import numpy as np

from orthontk_lib import stats

from .experiment import INITS

__all__ = ["SPECTRUM_FLOOR", "depth_factor", "depth_growth", "floor_counts", "growth_difference",
           "isometry_deviation", "last_step_ratio", "spectrum_width", "spread_slopes", "training_gap_samples",
           "training_gap_slopes", "training_gaps", "width_cells"]


def spread_slopes(arrays):
    """Per init: (slope, 95% CI, intercept) of the log-log fit of the group-mean spread against width."""
    return {init: stats.loglog_fit(arrays["widths"], arrays["spread"][i].mean(-1)) for i, init in enumerate(INITS)}


def depth_growth(arrays, min_depth=8, key="fluct", log=False):
    """Per init: least-squares growth per layer (95% CI) of the fluctuation statistic over depths >= ``min_depth``
    (``key``: ``"fluct"`` at q* = 0, ``"fluct_eoc"`` at the Edge-of-Chaos point); ``log``: of its logarithm, the
    growth relative to its level.

    Profiles with fewer than two such depths fit the two deepest.
    """
    depths = arrays["fluct_depths"]
    keep = depths >= min_depth
    if keep.sum() < 2:
        keep = depths >= np.sort(depths)[-2]
    out = {}
    for i, init in enumerate(INITS):
        y = arrays[key][i][keep]  # (depths kept, groups)
        y = np.log(np.maximum(y, np.finfo(float).tiny)) if log else y
        out[init] = stats.line_fit(np.repeat(depths[keep], y.shape[1]), y.reshape(-1))[:2]
    return out


def growth_difference(growth):
    """Gaussian minus orthogonal growth rate, with a 95% interval from the two independent fits."""
    (g, gci), (o, oci) = growth["gaussian"], growth["orthogonal"]
    half = np.hypot((gci[1] - gci[0]) / 2, (oci[1] - oci[0]) / 2)
    return g - o, (g - o - half, g - o + half)


def depth_factor(arrays, key="fluct"):
    """Per init: the fluctuation statistic at the deepest depth over the one at the shallowest (group means)."""
    v = arrays[key].mean(-1)  # (init, depth)
    return {init: float(v[i, -1] / v[i, 0]) for i, init in enumerate(INITS)}


def last_step_ratio(arrays, key="fluct"):
    """Per init: the fluctuation statistic at the deepest depth over the one at the depth before, with a 95% interval.

    The ratio of the groups' geometric means; its interval is a Welch t-interval on the logs (the groups at two depths
    are different networks). Above 1: still rising over the last step; below 1: still falling; an interval around 1
    does not tell a curve that has levelled off from one that still moves.
    """
    out = {}
    for i, init in enumerate(INITS):
        y = np.log(arrays[key][i])  # (depths, groups)
        d, ci = stats.welch_ci(y[-1], y[-2])
        out[init] = (float(np.exp(d)), (float(np.exp(ci[0])), float(np.exp(ci[1]))))
    return out


def isometry_deviation(arrays):
    """max |σ − 1| of the deep linear orthogonal network's Jacobian at the largest depth."""
    return float(np.abs(arrays["iso"][-1, 0, 1] - 1).max())


SPECTRUM_FLOOR = 1e-12
"""The histograms of :func:`fig_spectra` count singular values below this in their leftmost bin."""


def spectrum_width(arrays):
    """log10(σ_max / σ_median) per (depth, activation, init), the width of each Jacobian spectrum; (D, 2, 2).

    Median-based: at large depth the smallest Gaussian singular values fall below σ_max times float64 resolution,
    where the SVD cannot resolve them.
    """
    sv = arrays["iso"]
    return np.log10(sv.max(-1) / np.median(sv, -1))


def width_cells(arrays, activation, init):
    """:func:`spectrum_width` of one (activation, init) by depth as table cells (list of str, one per depth), marked
    ``≥`` where the median singular value lies below σ_max times :data:`SPECTRUM_FLOOR` (the SVD's float64 floor: not a
    measured width but a lower bound)."""
    sv = np.asarray(arrays["iso"])[:, activation, init]  # (D, n)
    widths = np.log10(sv.max(-1) / np.median(sv, -1))
    floored = np.median(sv, -1) < sv.max(-1) * SPECTRUM_FLOOR
    return [f"≥ {w:.2f}" if f else f"{w:.2f}" for w, f in zip(widths, floored)]


def floor_counts(arrays):
    """How many singular values of each spectrum lie below :data:`SPECTRUM_FLOOR` (the histograms' leftmost bin
    collects them): an int array (depth, activation, init)."""
    return (np.asarray(arrays["iso"]) < SPECTRUM_FLOOR).sum(-1)


def training_gaps(arrays):
    """Per width and init: max over steps of |L_t − L_t^lin| / L_0^lin, averaged over seeds; (W, 2).

    ``L^lin`` is each network's own infinite-width linearized curve (same initial outputs), so the
    statistic measures the finite-width deviation of the dynamics, not the randomness of f_0.
    """
    return training_gap_samples(arrays).mean(-1)


def training_gap_samples(arrays):
    """:func:`training_gaps` before the seed mean: (W, 2, seeds)."""
    return np.abs(arrays["train_loss"] - arrays["linearized_loss"]).max(-1) / arrays["linearized_loss"][..., 0]


def training_gap_slopes(arrays):
    """Per init: (slope, 95% CI, intercept) of the log-log fit of the training gap against width, every network a
    point (as chapter 05's training slopes): with three widths a fit through the seed means would have one degree of
    freedom, and its interval would hold nothing of the seeds."""
    gaps, w = training_gap_samples(arrays), arrays["train_widths"]
    return {init: stats.loglog_fit(np.repeat(w, gaps.shape[-1]), gaps[:, i].reshape(-1)) for i, init in enumerate(INITS)}

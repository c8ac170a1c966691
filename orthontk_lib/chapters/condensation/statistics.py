r"""Statistics of the saved arrays: counts at the stage's end, the multiplicity gap, lazy orientations, the weight
change's slope; a typical network's count (seed medians), its spread over seeds and its dependence on the rule."""

import functools

import numpy as np

from orthontk_lib import stats

from .experiment import ADAM_U_STRIDE, MULTIPLICITY
from .orientations import _largest_holding, condensed_orientations, cosine_similarity, orientation_clusters

# STATISTICS


def counts_at_stage_end(arrays):
    """Condensed orientations at the end of the initial stage: (activation, scale, seed); NaN where it never ended."""
    return np.where(arrays["end"] >= 0, arrays["count_end"], np.nan)


def multiplicity_gap(arrays, activations_1d, counts=None):
    """1-D experiment: median condensed orientations of the p = 2 activation minus that of the p = 1 one (x·tanh, tanh);
    ``counts`` (activation, seed) replaces the measured ones (a bootstrap resample)."""
    c = _line_counts(arrays) if counts is None else counts
    med = {a: np.nanmedian(c[i]) for i, a in enumerate(activations_1d)}
    if "xtanh" not in med or "tanh" not in med:
        raise ValueError(f"multiplicity_gap: needs tanh and xtanh among the 1-D activations, got {list(activations_1d)}")
    return float(med["xtanh"] - med["tanh"])


def lazy_orientations(arrays, counts=None):
    """Fewest condensed orientations per neuron at the largest scale (median over seeds, smallest over activations);
    ``counts`` (activation, seed) replaces the measured ones (a bootstrap resample)."""
    c = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))] if counts is None else counts
    return float(np.nanmin(np.nanmedian(c, axis=-1))) / arrays["u0"].shape[-2]


def stage_end_change(arrays):
    """Relative change of the input weights at the end of the initial stage: (activation, scale, seed)."""
    rel, end = arrays["rel_change"], arrays["end"]
    picked = np.take_along_axis(rel, np.maximum(end, 0)[..., None], -1)[..., 0]
    return np.where(end >= 0, picked, np.nan)


def change_slope(arrays, max_scale=0.03, changes=None):
    r"""Log-log slope of the stage-end relative change against the scale, over scales :math:`\le` ``max_scale``.

    Theory: at the end of the initial stage the weights have the size that makes the output fit a fixed
    share of the target, whatever the scale they started from, so the relative change is :math:`\propto 1/s`
    (slope −1). Seed medians, one slope per activation; returns (slope farthest from −1, all slopes).
    """
    small = arrays["scales"] <= max_scale
    if small.sum() < 2:
        raise ValueError(f"change_slope: needs two scales <= {max_scale}; got {list(arrays['scales'])}")
    med = np.nanmedian(stage_end_change(arrays) if changes is None else changes, axis=-1)[:, small]
    x = np.log(arrays["scales"][small])
    slopes = [float(np.polyfit(x, np.log(m), 1)[0]) for m in med]
    return max(slopes, key=lambda s: abs(s + 1)), slopes


def dominant_neurons(u, cover=0.9):
    r"""Indices of the largest neurons (by :math:`\lVert u_k \rVert`) that together hold ``cover`` of :math:`\sum_k \lVert u_k \rVert^2`."""
    return _largest_holding(np.sum(u**2, axis=-1), cover)


def line_angles(u, threshold=0.95, cover=0.9):
    r"""Angles (degrees, modulo 180) of the lines the 2-D input weights ``u`` (m, 2) have condensed onto, sorted.

    The condensed orientations of :func:`condensed_orientations`, each as its clusters' :math:`\lVert u\rVert^2`-weighted
    mean direction; a line and its opposite give one angle.
    """
    labels = orientation_clusters(u, threshold)
    keep = _largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    angles = []
    for lab in keep:
        sel = labels == lab
        mean = (u[sel] * np.linalg.norm(u[sel], axis=-1, keepdims=True)).sum(0)
        angles.append(np.degrees(np.arctan2(mean[1], mean[0])) % 180.0)
    return _merge_angles(angles)


def predicted_line_angles(x, y, p):
    r"""The lines (degrees, modulo 180) gradient flow condenses 1-D input weights onto, from initialization.

    With the output still :math:`\approx 0` the residual is :math:`-y`. For :math:`p = 1` every :math:`u_k` moves
    along :math:`v = \frac1N \sum_i y_i \tilde x_i` (:math:`\tilde x = (x, 1)`): one line. For :math:`p = 2`,
    :math:`\dot u_k = 2 a_k R u_k` with :math:`R = \frac1N \sum_i y_i \tilde x_i \tilde x_i^\top`: :math:`u_k` turns to
    the eigenvector of :math:`R` of largest eigenvalue if :math:`a_k > 0`, of smallest if :math:`a_k < 0`: two lines.
    """
    xt = np.stack([np.ravel(x), np.ones(np.size(x))], 1)
    y = np.ravel(y)
    if p == 1:
        v = (xt * y[:, None]).mean(0)
        return [float(np.degrees(np.arctan2(v[1], v[0])) % 180.0)]
    if p == 2:
        _, vecs = np.linalg.eigh((xt * y[:, None]).T @ xt / len(y))
        return sorted(float(np.degrees(np.arctan2(e[1], e[0])) % 180.0) for e in vecs.T)
    raise ValueError(f"predicted_line_angles: p must be 1 or 2, got {p}")


def _merge_angles(angles, tol=10.0):
    """Sorted line angles (mod 180), merging those within ``tol`` degrees (a line's two orientations)."""
    out = []
    for a in sorted(angles):
        if out and min(abs(a - out[-1]), 180 - abs(a - out[-1])) < tol:
            continue
        out.append(float(a))
    if len(out) > 1 and 180 - (out[-1] - out[0]) < tol:
        out.pop()
    return out


def orientation_order(u, threshold=0.95):
    """A neuron order that puts clusters together, largest cluster (by sum of |u_k|²) first (for heat maps)."""
    labels = orientation_clusters(u, threshold)
    mass = np.bincount(labels, weights=np.sum(u**2, axis=-1))
    rank = np.argsort(np.argsort(-mass))
    return np.lexsort((-np.sum(u**2, axis=-1), rank[labels]))


def _line_counts(arrays):
    return np.where(arrays["line_end"] >= 0, arrays["line_count_end"], np.nan)


def multiplicity_gap_ci(arrays, activations_1d):
    """:func:`multiplicity_gap` with a 95% bootstrap interval over seeds."""
    return stats.bootstrap_ci(_line_counts(arrays), lambda c: multiplicity_gap(arrays, activations_1d, c))


def lazy_orientations_ci(arrays):
    """:func:`lazy_orientations` with a 95% bootstrap interval over seeds."""
    counts = counts_at_stage_end(arrays)[:, int(np.argmax(arrays["scales"]))]  # (activation, seed)
    return stats.bootstrap_ci(counts, lambda c: lazy_orientations(arrays, c))


def change_slope_ci(arrays, max_scale=0.03):
    """:func:`change_slope`'s slope farthest from −1, with a 95% bootstrap interval over seeds."""
    return stats.bootstrap_ci(stage_end_change(arrays), lambda s: change_slope(arrays, max_scale, s)[0])


# A TYPICAL NETWORK'S COUNT, ITS SPREAD OVER SEEDS, AND ITS DEPENDENCE ON THE RULE

GRID_THRESHOLDS = (0.7, 0.8, 0.9, 0.95, 0.98)
"""Cosine thresholds of the sensitivity grid (about 46°, 37°, 26°, 18° and 11°): the looser two merge blocks that the
heat maps show strongly correlated but that the chapter's 0.95 keeps apart."""

GRID_COVERS = (0.8, 0.9, 0.95)
"""Covers (shares of :math:`\sum_k \lVert u_k\rVert^2`) of the sensitivity grid."""

PAPER_STEP = 100
"""The step of the paper's heat maps: after its 100 epochs of full-batch Adam, one step each."""


def median_ratio(counts, ps):
    r"""A typical network's count against the bound: :math:`\max_a \operatorname{median}_{\text{seeds}} c_{a,s} / 2p_a`.

    Args:
      counts: (A, S) condensed orientations, activation by seed (NaN: the stage never ended).
      ps: (A,) multiplicities.

    Returns:
      The largest over activations of the seed-median count / 2p; NaN if any count is missing.
    """
    c = np.asarray(counts, float)
    if np.isnan(c).any():
        return float("nan")
    return float(np.max(np.median(c, -1) / (2.0 * np.asarray(ps, float))))


def median_ratio_ci(counts, ps):
    """:func:`median_ratio` with its 95% bootstrap interval over seeds (the seeds resampled together across
    activations); NaN throughout if any count is missing."""
    if np.isnan(np.asarray(counts, float)).any():
        return float("nan"), (float("nan"), float("nan"))
    return stats.bootstrap_ci(np.asarray(counts, float), lambda c: median_ratio(c, ps))


def share_above(counts, p):
    """Seeds whose count exceeds 2p: (k, n, share, (lo, hi)) with the exact (Clopper–Pearson) 95% interval."""
    from scipy.stats import binomtest

    c = np.asarray(counts, float)
    c = c[~np.isnan(c)]
    k, n = int(np.sum(c > 2 * p)), int(c.size)
    if n == 0:
        return 0, 0, float("nan"), (float("nan"), float("nan"))
    ci = binomtest(k, n).proportion_ci(0.95, "exact")
    return k, n, k / n, (float(ci.low), float(ci.high))


def recount(u, end, threshold=0.95, cover=0.9, weights="wb"):
    """Condensed orientations of saved input weights ``u`` (..., m, d + 1), counted anew at ``threshold`` and ``cover``;
    ``weights="w"`` drops the bias (counts the orientations of :math:`w_k` alone). NaN where ``end`` < 0 (the stage
    never ended). Shape ``u.shape[:-2]``."""
    u = np.asarray(u)
    u = u[..., :-1] if weights == "w" else u
    flat = np.ascontiguousarray(u.reshape(-1, *u.shape[-2:]), np.float32)
    c = np.array([_count(x.tobytes(), x.shape, threshold, cover) for x in flat], float).reshape(u.shape[:-2])
    return np.where(np.asarray(end) >= 0, c, np.nan)


@functools.lru_cache(maxsize=200_000)
def _count(raw, shape, threshold, cover):
    """:func:`condensed_orientations` of one network's float32 weights given as bytes (memoized: the grid, the
    measurements and the figures count the same networks)."""
    return condensed_orientations(np.frombuffer(raw, np.float32).reshape(shape), threshold, cover)


def stage_counts(arrays, which, threshold=0.95, cover=0.9, weights="wb"):
    """Condensed orientations at the end of the initial stage of the Adam (``which="adam"``) or deeper (``"deep"``) runs,
    counted anew from the saved weights: (activation, seed)."""
    return recount(arrays[f"{which}_u_end_stage"], arrays[f"{which}_end"], threshold, cover, weights)


def rule_grid(u, end, ps):
    """The typical count against the bound under every counting rule tried: ``[(rule, ratio)]``, ``ratio`` the
    :func:`median_ratio` of the weights ``u`` (A, S, m, d + 1) saved at the stage ends ``end`` (A, S) of activations of
    multiplicities ``ps`` (A,), for each (threshold, cover) of the grid on (w, b), then on w alone at (0.95, 0.9)."""
    out = [(f"cosine {t:g}, cover {c:g}", median_ratio(recount(u, end, t, c), ps))
           for t in GRID_THRESHOLDS for c in GRID_COVERS]
    out.append(("w alone, cosine 0.95, cover 0.9", median_ratio(recount(u, end, weights="w"), ps)))
    return out


def reading(verdict, grid):
    """Which reading the evidence supports: the verdict at the chapter's rule beside the typical count under every rule
    of ``grid`` (:func:`rule_grid`)."""
    above = [r for r, x in grid if x > 1]
    within = [r for r, x in grid if x <= 1]
    if verdict == "inconclusive" and not above:
        return "inconclusive at the chapter's rule (too few seeds decide the median), within 2p under every rule tried"
    if not above:
        return "the paper's finding reproduces: a typical network stays within 2p under every counting rule tried"
    if not within:
        return ("the paper's figure does not reproduce: a typical network has more than 2p orientations under every "
                "counting rule tried")
    return (f"it depends on how orientations are counted: a typical network stays within 2p at {len(within)} of the "
            f"{len(grid)} rules tried ({within[0]}, ...) and exceeds it at {len(above)} ({above[0]}, ...)")


def history(arrays, which="adam"):
    """The Adam runs' input weights over training and their steps: ((activation, seed, T, m, d + 1), (T,)); None when
    the run kept the weights at the stage end only (the committed paper run did)."""
    if f"{which}_u" not in arrays:
        return None
    u = np.asarray(arrays[f"{which}_u"])
    return u, np.arange(u.shape[2]) * 2 * ADAM_U_STRIDE


def counts_over_training(arrays, which="adam", threshold=0.95, cover=0.9):
    """Condensed orientations at every saved instant: ((activation, seed, T), steps (T,)); None without a history."""
    h = history(arrays, which)
    if h is None:
        return None
    return recount(h[0], np.zeros(h[0].shape[:3]), threshold, cover), h[1]


def bias_split(u, threshold=0.95, cover=0.9):
    r"""Does the bias split an orientation? For one network's input weights ``u`` (m, d + 1): the condensed
    orientations counted on (w, b) and on w alone, and for each pair of condensed clusters whose neurons agree in w
    (mean cosine of their :math:`\hat w` at least ``threshold``, the clustering's own criterion), the mean cosine of their
    :math:`\hat u = (w, b)/\lVert(w, b)\rVert` and the smaller cluster's mean :math:`\lVert u_k\rVert` relative to the
    other condensed neurons'.

    Returns:
      ``{"wb": int, "w": int, "pairs": [(cos_w, cos_wb, norm_ratio)]}``.
    """
    labels = orientation_clusters(u, threshold)
    keep = _largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    cos_wb, cos_w = cosine_similarity(u), cosine_similarity(u[:, :-1])
    norms = np.linalg.norm(u, axis=-1)
    pairs = []
    for i in range(len(keep)):
        for j in range(i + 1, len(keep)):
            a, b = labels == keep[i], labels == keep[j]
            cw = float(cos_w[np.ix_(a, b)].mean())
            if cw >= threshold:
                small = a if a.sum() < b.sum() else b
                rest = np.isin(labels, keep) & ~small
                pairs.append((cw, float(cos_wb[np.ix_(a, b)].mean()), float(norms[small].mean() / norms[rest].mean())))
    return {"wb": len(keep), "w": condensed_orientations(u[:, :-1], threshold, cover), "pairs": pairs}


def _span(x, fmt=".3f"):
    return f"{min(x):{fmt}}" if f"{min(x):{fmt}}" == f"{max(x):{fmt}}" else f"{min(x):{fmt}}–{max(x):{fmt}}"


def line_rule_counts(arrays, activations_1d):
    """The 1-D run's kept seed (its first; the run keeps no other's weights) counted under every (threshold, cover)
    of the grid at the end of its initial stage: ``(rules, {activation: counts})``, activations that never ended left
    out."""
    rules = [(t, c) for t in GRID_THRESHOLDS for c in GRID_COVERS]
    out = {}
    for i, act in enumerate(activations_1d):
        end = int(arrays["line_end"][i, 0])
        if end >= 0:
            u = np.asarray(arrays["line_u"][i][end])
            out[act] = [float(recount(u, 0, t, c)) for t, c in rules]
    return rules, out


def line_rule_words(arrays, cfg, gap_rule=1.0):
    """The 1-D claims under the counting rules: read under the chapter's rule (the run keeps one seed's weights); in
    that seed, at how many rules each activation with a multiplicity stays within 2p, and where the multiplicity gap
    (x·tanh minus tanh) falls below ``gap_rule`` (the multiplicity claim's bar) or sits on it."""
    rules, counts = line_rule_counts(arrays, cfg.activations_1d)
    name = lambda r: f"cosine {r[0]:g}, cover {r[1]:g}"
    parts = []
    for act, cs in counts.items():
        p = MULTIPLICITY[act]
        if not p:
            continue
        over = [f"{n:g} at {name(r)}" for n, r in zip(cs, rules) if n > 2 * p]
        parts.append(f"{act} (2p = {2 * p}) within it at {len(rules) - len(over)} of {len(rules)} rules"
                     + (f", above it at {'; '.join(over)}" if over else ""))
    if "tanh" in counts and "xtanh" in counts:
        gaps = [x - t for x, t in zip(counts["xtanh"], counts["tanh"])]
        below = [f"{g:g} at {name(r)}" for g, r in zip(gaps, rules) if g < gap_rule]
        on = sum(g == gap_rule for g in gaps)
        parts.append("the multiplicity gap (x·tanh minus tanh) is "
                     + (f"{'; '.join(below)}, below {gap_rule:g}, where condensation-multiplicity would not hold in "
                        "this seed" if below else f"at least {gap_rule:g} under every rule")
                     + (f", and exactly {gap_rule:g} at {on} rules" if on else ""))
    head = ("The 1-D run keeps its input weights for its first seed only, so condensation-1d-bound and "
            "condensation-multiplicity are read under the chapter's rule alone")
    return head + ("; in that seed, " + "; ".join(parts) if parts else "")

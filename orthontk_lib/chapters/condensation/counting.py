r"""How a typical network's count is read against the bound 2p, shared by the experiments: seed medians, their spread
over seeds, the count anew from saved weights under every counting rule of the grid, and the bound claims'
measurement and words."""

import functools

import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import Measurement

from .experiment import MULTIPLICITY
from .orientations import condensed_orientations, largest_holding, orientation_clusters

__all__ = ["COUNTING_RULE", "GRID_COVERS", "GRID_THRESHOLDS", "MEDIAN_CI", "ROBUST", "RULE_WHY", "TYPICAL", "ZX",
           "_count", "bound_measurement", "bound_table", "dominant_neurons", "md_table", "median_range", "median_ratio",
           "median_ratio_ci", "orientation_order", "reading", "recount", "rule_grid", "rule_sensitive", "share_above",
           "share_text", "stage_counts"]

# THE BOUND CLAIMS' TEXT

ZX = "Zhou, Xu et al. 2022"


MEDIAN_CI = ("The 95% interval is exact, from order statistics of the seeds (the sign test's, distribution-free). It "
             "is Bonferroni over the activations where a largest or smallest reads several.")
"""How a seed median's interval is built (:func:`orthontk_lib.stats.median_bounds`): the claims' statistic text."""


TYPICAL = ("seed median. The median stands for a typical network, not the worst of the seeds. " + MEDIAN_CI + " The "
           "detail gives the share of seeds above 2p, with its exact interval.")


COUNTING_RULE = ("Orientations within about 18° count as one (cosine 0.95). The count is the fewest clusters holding "
                 "90% of the weight. Other thresholds and covers are shown on the page.")
"""How orientations are counted, as the bound claims' rationale says it (:data:`RULE_WHY`)."""


RULE_WHY = "the bound 2p for a typical network: a median at 2p or below. " + COUNTING_RULE


ROBUST = "cd-robustness"
"""Label of the section that tests a failing bound's robustness (seeds, counting rule, instant): every bound claim's."""


# A TYPICAL NETWORK'S COUNT, ITS SPREAD OVER SEEDS, AND ITS DEPENDENCE ON THE RULE

GRID_THRESHOLDS = (0.7, 0.8, 0.9, 0.95, 0.98)
"""Cosine thresholds of the sensitivity grid (about 46°, 37°, 26°, 18° and 11°): the looser two merge blocks that the
heat maps show strongly correlated but that the chapter's 0.95 keeps apart."""


GRID_COVERS = (0.8, 0.9, 0.95)
"""Covers (shares of :math:`\sum_k \lVert u_k\rVert^2`) of the sensitivity grid."""


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
    """:func:`median_ratio` with its exact 95% interval (:func:`orthontk_lib.stats.largest_median_ci`: each
    activation's median bounded by order statistics of its seeds, the lower ends Bonferroni over the activations);
    NaN throughout if any count is missing. With 4 seeds no order statistic bounds a median at 95%: the interval is
    infinite, and a bound claim reading it inconclusive."""
    c = np.asarray(counts, float)
    if np.isnan(c).any():
        return float("nan"), (float("nan"), float("nan"))
    value, ci, _ = stats.largest_median_ci(c, 2.0 * np.asarray(ps, float))
    return value, ci


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


def dominant_neurons(u, cover=0.9):
    r"""Indices of the largest neurons (by :math:`\lVert u_k \rVert`) that together hold ``cover`` of :math:`\sum_k \lVert u_k \rVert^2`."""
    return largest_holding(np.sum(u**2, axis=-1), cover)


def orientation_order(u, threshold=0.95):
    """A neuron order that puts clusters together, largest cluster (by sum of |u_k|²) first (for heat maps)."""
    labels = orientation_clusters(u, threshold)
    mass = np.bincount(labels, weights=np.sum(u**2, axis=-1))
    rank = np.argsort(np.argsort(-mass))
    return np.lexsort((-np.sum(u**2, axis=-1), rank[labels]))


def bound_measurement(claim, acts, counts, u=None, end=None):
    """A bound claim's (``claim``, a :class:`~orthontk_lib.claims.Claim`) :class:`Measurement`: :func:`median_ratio` of ``counts`` (A, S) with its exact interval; the
    detail gives each activation's median and seeds above 2p, and (with the weights ``u`` at the stage ends ``end``)
    the typical count under every rule of the grid and the reading it supports. NaN without an activation."""
    if not acts:
        return Measurement(float("nan"), (float("nan"), float("nan")), {"activations": []})
    ps = [MULTIPLICITY[a] for a in acts]
    value, ci = median_ratio_ci(counts, ps)
    detail = {"activations": list(acts), "median": [float(np.nanmedian(c)) if not np.all(np.isnan(c)) else None
                                                    for c in np.asarray(counts, float)],
              "above_2p": [list(share_above(c, p)[:2]) + [share_above(c, p)[2], list(share_above(c, p)[3])]
                           for c, p in zip(np.asarray(counts, float), ps)]}
    if u is not None:
        grid = rule_grid(u, end, ps)
        detail["rules"] = [[r, x] for r, x in grid]
        detail["reading"] = reading(claim.verdict(value, ci), grid)
    return Measurement(value, ci, detail)


# TABLES


def median_range(c):
    return "—" if np.all(np.isnan(c)) else f"{np.nanmedian(c):.0f} [{np.nanmin(c):.0f}–{np.nanmax(c):.0f}]"


def share_text(share):
    k, n, _, (lo, hi) = share
    return f"{k} of {n}" + (f" ({k / n:.0%}, 95% interval {lo:.0%}–{hi:.0%})" if 0 < k else "")


def md_table(columns, rows):
    """A Markdown table of ``rows`` under ``columns`` (an IPython ``Markdown``, which a page glues for ``{glue:md}``)."""
    from IPython.display import Markdown

    cell = lambda x: str(x).replace("|", "\\|")
    lines = ["| " + " | ".join(map(cell, columns)) + " |", "|" + "---|" * len(columns)]
    return Markdown("\n".join(lines + ["| " + " | ".join(map(cell, r)) + " |" for r in rows]))


def bound_table(m, claim_ids, reading=True):
    """The bound claims ``claim_ids`` as a Markdown table (``m``: the claims measured,
    :class:`~orthontk_lib.claims.Measured`): per claim the typical count / 2p with its interval, the verdict, each
    activation's seed median with its seeds above 2p, and (``reading``) the reading the counting rules support."""
    rows = []
    for cid in claim_ids:
        v, ci, det = m[cid]
        if not det.get("activations"):
            rows.append([cid, "not measured", m.verdict(cid), "no activation of its multiplicity was run"]
                        + (["—"] if reading else []))
            continue
        per = "; ".join(f"{a}: {med:g}, {share_text(sh)}" if med is not None else f"{a}: —"
                        for a, med, sh in zip(det["activations"], det["median"], det["above_2p"]))
        rows.append([cid, f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]", m.verdict(cid), per]
                    + ([det.get("reading", "—")] if reading else []))
    columns = ["claim", "typical count / 2p [95%]", "verdict", "per activation: seed median, seeds above 2p"]
    return md_table(columns + (["reading"] if reading else []), rows)


def rule_sensitive(m, cid):
    """Whether a bound claim that holds at the chapter's rule has a typical count above 2p under some rule tried."""
    rules = (m[cid].detail or {}).get("rules")
    return m.verdict(cid) == "holds" and bool(rules) and any(x > 1 for _, x in rules)

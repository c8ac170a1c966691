r"""Finite width's claims: the seed-to-seed spread shrinks with width, fluctuations grow with depth faster for
Gaussian weights, and the loss curve approaches its linearization; :func:`measure` reads each from the saved
arrays and :func:`numbers` writes the prose's numbers from them."""

import numpy as np

from orthontk_lib import meanfield, stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.book.prose import IMAGES
from orthontk_lib.references import cite

from .experiment import CRITICAL_POINTS, INITS, tanh_linear_gaps
from .statistics import (
    SPECTRUM_FLOOR,
    depth_factor,
    depth_growth,
    floor_counts,
    growth_difference,
    isometry_deviation,
    last_step_ratio,
    spectrum_width,
    spread_slopes,
    training_gap_slopes,
    training_gaps,
    width_cells,
)

__all__ = ["CLAIM", "CLAIMS", "DKR", "HDR", "HDX", "_sign_reading", "curve_move", "measure", "numbers",
           "relative_growth_words", "spectra_table"]

# CLAIMS

HDX = cite("huang2021orthogonal")
DKR = cite("day2023orthogonal")
HDR = cite("hayou2019meanfield")
CLAIMS = [
    *(Claim(f"finite-width-spread-{init}", f"{HDX}, Sec. 4; {cite('hanin2020finite')}",
            f"The seed-to-seed variance of {'a' if init == 'gaussian' else 'an'} {init} network's empirical NTK "
            "shrinks as 1/width.",
            "log-log slope of the relative entrywise variance of Θ over seeds against width (95% t-interval)",
            Within(-1.0, 0.2), why="theory: variance C/n (1 + O(1/n)); subleading terms and group noise move the "
            "slope by about 0.1", decide="more widths, or more seeds per group")
      for init in INITS),
    *(Claim(f"finite-width-depth-growth{suffix}", source,
            f"Gaussian NTK fluctuations outgrow orthogonal ones with depth at {where}.",
            f"{point}, fixed width: Gaussian minus orthogonal growth per layer of Var Θ(x,x)/E[Θ(x,x)]² over depths "
            ">= 8 (line fits; 95% interval from both fits' standard errors)",
            AtLeast(0.0), why="the claim is a sign: more growth for Gaussian weights" + note,
            decide="more seeds per depth, or a wider network", caveat=caveat)
      for suffix, source, where, point, note, caveat in (
          ("", f"{DKR} (tanh at σ_W = 1, σ_b = 0)", "critical tanh (q* = 0)",
           "tanh at σ_W = 1, σ_b = 0, where q* = 0", "", ""),
          ("-eoc", f"this book: {DKR}'s claim tested at the Edge-of-Chaos point of {HDR}",
           "the Edge of Chaos (q* ≈ 0.5)", "tanh at the Edge-of-Chaos point σ_W = 1.302, σ_b ≈ 0.2 (χ = 1, q* ≈ 0.5)",
           f"; not the point of {DKR}, who make no claim there", "this book's test; no paper claims it"))),
    *(Claim(f"finite-width-training-gap-{init}", f"{HDX}, Sec. 4; {cite('lee2019wide')}",
            f"At small learning rate, {'a' if init == 'gaussian' else 'an'} {init} network's GD loss approaches "
            "its linearization with width.",
            "log-log slope of max_t |L_t − L_t^lin| / L_0^lin against width, every network a point, L^lin the "
            "network's own infinite-width linearization (95% t-interval)",
            AtMost(0.0), why="the claim is that the deviation falls with width, at any rate",
            decide="more widths or seeds")
      for init in INITS),
]


CLAIM = {c.id: c for c in CLAIMS}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    out = {}
    for init, (s, ci, _) in spread_slopes(arrays).items():
        out[f"finite-width-spread-{init}"] = Measurement(s, ci)
    for suffix, key in (("", "fluct"), ("-eoc", "fluct_eoc")):
        growth = depth_growth(arrays, key=key)
        d, ci = growth_difference(growth)
        detail = {k: v[0] for k, v in growth.items()}
        verdict = CLAIM[f"finite-width-depth-growth{suffix}"].verdict(d, ci)
        words = relative_growth_words(arrays, key, verdict)
        if not words.endswith("the same reading"):
            detail["reading"] = words
        out[f"finite-width-depth-growth{suffix}"] = Measurement(d, ci, detail)
    for init, (s, ci, _) in training_gap_slopes(arrays).items():
        out[f"finite-width-training-gap-{init}"] = Measurement(s, ci)
    return out


def relative_growth_words(arrays, key, verdict):
    """The depth-growth comparison read on the statistic's logarithm (growth relative to its level) beside the claim's
    absolute growth per layer (``verdict``): the difference with its interval, and whether the reading agrees."""
    d, (lo, hi) = growth_difference(depth_growth(arrays, key=key, log=True))
    side = "holds" if lo > 0 else "does not hold" if hi < 0 else "inconclusive"
    text = f"read on its logarithm, growth relative to its level, the difference is {d:.2g} [{lo:.2g}, {hi:.2g}] per layer"
    if side == verdict:
        return text + ", the same reading"
    return (text + f", which reads {side} where the absolute growth reads {verdict}: 'faster' in the ledger means "
            "faster in absolute terms, and the verdict turns on that choice")


def numbers(arrays, cfg, measured):
    """The chapter's glued values: slopes and growth rates with their 95% intervals, ratios, verdict words, short
    labels, and the Jacobian spectra by depth as a Markdown table (``measured``: the claims measured on ``arrays``)."""
    fmt = lambda s, ci: f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    g2 = lambda v, ci: f"{v:.2g} [{ci[0]:.2g}, {ci[1]:.2g}]"
    m = measured
    ratio = arrays["spread"][1].mean(-1) / arrays["spread"][0].mean(-1)
    growth, growth_eoc = depth_growth(arrays), depth_growth(arrays, key="fluct_eoc")
    first, last = arrays["fluct"][:, 0].mean(-1), arrays["fluct"][:, -1].mean(-1)
    first_eoc, last_eoc = arrays["fluct_eoc"][:, 0].mean(-1), arrays["fluct_eoc"][:, -1].mean(-1)
    trend = lambda a, b: "rises" if b > a else "falls"
    widths_ = spectrum_width(arrays)
    dev, depth_iso, eps32 = isometry_deviation(arrays), int(arrays["iso_depths"][-1]), float(np.finfo(np.float32).eps)
    gaps = tanh_linear_gaps(arrays)
    depths = arrays["fluct_depths"]
    out = {
        "fw-groups": cfg.n_groups, "fw-seeds-spread": cfg.n_seeds, "fw-spread-depth": cfg.depth,
        **{f"fw-spread-{i}": fmt(*m[f"finite-width-spread-{i}"][:2]) for i in INITS},
        **{f"fw-spread-{i}-verdict": m.verdict(f"finite-width-spread-{i}") for i in INITS},
        "fw-spread-band": m.claim("finite-width-spread-gaussian").rule.band,
        "fw-spread-ratio": f"{ratio.min():.2f} to {ratio.max():.2f}",
        "fw-spread-side": ("smaller at every width" if (ratio < 1).all() else
                           "larger at every width" if (ratio > 1).all() else "not smaller at every width"),
        "fw-fluct-width": cfg.fluct_width, "fw-fluct-seeds": cfg.fluct_seeds,
        **{f"fw-growth-{i}": g2(*growth[i]) for i in INITS},
        "fw-growth-diff": g2(*m["finite-width-depth-growth"][:2]),
        "fw-growth-verdict": m.verdict("finite-width-depth-growth"),
        **{f"fw-growth-eoc-{i}": g2(*growth_eoc[i]) for i in INITS},
        "fw-growth-eoc-diff": g2(*m["finite-width-depth-growth-eoc"][:2]),
        "fw-growth-eoc-verdict": m.verdict("finite-width-depth-growth-eoc"),
        "fw-eoc-b": f"{CRITICAL_POINTS['eoc'][1]:.3f}",
        "fw-eoc-qstar": f"{meanfield.q_star('tanh', *CRITICAL_POINTS['eoc']):.2f}",
        "fw-fluct-gauss": f"{first[0]:.3g} to {last[0]:.3g}", "fw-fluct-orth": f"{first[1]:.3g} to {last[1]:.3g}",
        "fw-trend-gauss": trend(first[0], last[0]), "fw-trend-orth": trend(first[1], last[1]),
        "fw-depth-range": f"{depths[0]} to {depths[-1]}",
        "fw-depth-first": int(depths[0]), "fw-depth-last": int(depths[-1]),
        "fw-last-step": f"{depths[-2]} to {depths[-1]}" if len(depths) > 1 else "none",
        "fw-ratio-q0-first": f"{first[1] / first[0]:.2g}", "fw-ratio-q0-last": f"{last[1] / last[0]:.2g}",
        "fw-ratio-q0-last-inverse": f"{last[0] / last[1]:.3g}",
        "fw-ratio-q0-trend": trend(first[1] / first[0], last[1] / last[0]),
        "fw-ratio-eoc-first": f"{first_eoc[1] / first_eoc[0]:.2g}", "fw-ratio-eoc-last": f"{last_eoc[1] / last_eoc[0]:.2g}",
        "fw-ratio-eoc-trend": trend(first_eoc[1] / first_eoc[0], last_eoc[1] / last_eoc[0]),
        "fw-iso-width": cfg.iso_width, "fw-iso-dev": f"{dev:.1e}", "fw-iso-q1": f"1/{cfg.iso_width}",
        "fw-iso-dev-side": "within" if dev <= depth_iso * eps32 else "beyond",
        "fw-iso-dev-bound": f"{depth_iso * eps32:.1e}", "fw-iso-eps32": f"{eps32:.1e}", "fw-iso-deepest": depth_iso,
        "fw-iso-tanh-linear-first": f"{gaps[0]:.1%}", "fw-iso-tanh-linear-last": f"{gaps[-1]:.1%}",
        "fw-iso-shallowest": int(arrays["iso_depths"][0]),
        "fw-iso-gauss-trend": "widens" if widths_[-1, 0, 0] > widths_[0, 0, 0] else "does not widen",
        "fw-iso-tanh-side": "narrower" if bool((widths_[:, 1, 1] < widths_[:, 1, 0]).all()) else "not narrower",
        "fw-iso-floor-value": f"{SPECTRUM_FLOOR:.0e}",
        "fw-iso-table": spectra_table(arrays),
        "fw-train-seeds": cfg.train_seeds, "fw-n-train": cfg.n_train, "fw-data": IMAGES[cfg.dataset], "fw-eta": f"{float(arrays['eta']):.3g}",
        **{f"fw-gap-{i}": fmt(*m[f"finite-width-training-gap-{i}"][:2]) for i in INITS},
        **{f"fw-gap-{i}-verdict": m.verdict(f"finite-width-training-gap-{i}") for i in INITS},
        "fw-gap-last": ", ".join(f"{g:.4f}" for g in training_gaps(arrays)[-1]),
    }
    for point, key in (("q0", "fluct"), ("eoc", "fluct_eoc")):
        move, step, side = curve_move(arrays, key)
        growth_log, ci_log = growth_difference(depth_growth(arrays, key=key, log=True))
        out |= {f"fw-{point}-orth-move": move, f"fw-{point}-orth-step": step, f"fw-{point}-orth-side": side,
                f"fw-relative-{point}": g2(growth_log, ci_log),
                f"fw-relative-{point}-reading": _sign_reading(ci_log)}
    return out


def _sign_reading(ci):
    """The depth-growth rule's verdict on an interval of a growth difference (:class:`AtLeast` ``(0)``)."""
    return "holds" if ci[0] > 0 else "does not hold" if ci[1] < 0 else "inconclusive"


def curve_move(arrays, key, init="orthogonal"):
    """How one init's fluctuation curve moves: ``(move, step, side)``, the factor from the shallowest to the deepest
    depth ("falls 9.93-fold"), the ratio over the last step of depth with its 95% interval (:func:`last_step_ratio`,
    "×0.54 [0.47, 0.63]") and what that interval says ("still rises", "still falls", "may have levelled off")."""
    if len(arrays["fluct_depths"]) < 2:
        return "is measured at one depth only", "none", "not measured"
    f = depth_factor(arrays, key)[init]
    r, (lo, hi) = last_step_ratio(arrays, key)[init]
    side = {"above": "still rises", "below": "still falls", "straddles": "may have levelled off"}
    move = f"rises {f:.3g}-fold" if f > 1 else f"falls {1 / f:.3g}-fold"
    return move, f"×{r:.2g} [{lo:.2g}, {hi:.2g}]", side[stats.side((lo, hi), 1.0)]


def spectra_table(arrays):
    """The Jacobian spectra by depth as a Markdown table: the largest tanh-to-linear difference of the singular values,
    the spectra's widths log10(σ_max/σ_median) (``≥``: a lower bound, :func:`width_cells`) and how many singular values
    lie below :data:`SPECTRUM_FLOOR` (Gaussian linear, Gaussian tanh, orthogonal linear, orthogonal tanh)."""
    from IPython.display import Markdown

    n = arrays["iso"].shape[-1]
    below = floor_counts(arrays)  # (depth, activation, init)
    cols = (width_cells(arrays, 0, 0), width_cells(arrays, 1, 0), width_cells(arrays, 1, 1))
    rows = ["| depth L | tanh vs linear | width, Gaussian linear | width, Gaussian tanh | width, orthogonal tanh | "
            f"below {SPECTRUM_FLOOR:.0e} (of {n}) |", "|---|---|---|---|---|---|"]
    for d, L in enumerate(arrays["iso_depths"]):
        counts = ", ".join(str(below[d, a, i]) for i in range(len(INITS)) for a in range(2))
        rows.append(f"| {int(L)} | {tanh_linear_gaps(arrays)[d]:.1%} | {cols[0][d]} | {cols[1][d]} | {cols[2][d]} | "
                    f"{counts} |")
    return Markdown("\n".join(rows))

r"""The kernels' equality claims: the empirical NTK of orthogonal and Gaussian networks converges to one Θ_∞ at
the same rate, their gap vanishes, and the CNN's delta kernels have the limit of the full ones; :func:`measure`
reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.references import cite

from .experiment import (
    CNN_VARIANTS,
    FILTERS,
    INITS,
    bias_in_standard_errors,
    bias_ratios,
    cnn_gap_slope,
    cnn_pooled_slope,
    delta_slope,
    depth_trend,
    error_by_depth,
    heatmap_config,
    pooled_slope,
    seed_mean_distance,
    slope_table,
)

__all__ = ["CLAIMS", "GAP_WHY", "HDX", "SLOPE_WHY", "_table", "curve_verdicts", "levelling_curves", "measure",
           "non_monotone_cnn_curves", "numbers"]

# CLAIMS

SLOPE_WHY = ("Theory gives an error C n^(-1/2) (1 + O(n^(-1/2))): over the widths a profile measures, the "
             "subleading term moves a fitted slope by at most about 0.1, and seed noise by about 0.05")
GAP_WHY = ("if both inits share the limit, the gap between seed means is seed noise, which decays as n^(-1/2); "
           "different limits make the gap level off at a positive value (slope 0); -1/4 is halfway")
HDX = cite("huang2021orthogonal")
CLAIMS = [
    *(Claim(f"equality-fcn-slope-{init}", f"{HDX}, Thm. 1",
            f"{init.capitalize()} FCNs converge to Θ_∞ at rate n^(-1/2), pooled over all configurations.",
            "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against width over all "
            "configurations (ReLU and erf, several depths, synthetic and real inputs), each with its own intercept "
            "(95% t-interval)",
            Within(-0.5, 0.15), why=SLOPE_WHY, decide="more widths, or wider networks (paper scale)")
      for init in INITS),
    Claim("equality-fcn-orth-minus-gauss", f"{HDX}, Thm. 1",
          "The gap between orthogonal and Gaussian FCN NTKs vanishes: one infinite-width limit.",
          "common log-log slope of δ(n) = ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F (seed means) against width "
          "(95% t-interval)", AtMost(-0.25), why=GAP_WHY, decide="more seeds per point, or more widths"),
    *(Claim(f"equality-cnn-slope-{init}", f"{HDX}, Sec. 3 (CNNs)",
            f"CNNs with {init} full 3x3 filters converge to the CNN Θ_∞ as n^(-1/2) in channels.",
            "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against channels over depths "
            "(ReLU, digit images; Θ_∞ the analytic CNN kernel), 95% t-interval", Within(-0.5, 0.15), why=SLOPE_WHY, decide="more channel counts or seeds")
      for init in INITS),
    *(Claim(f"equality-cnn-gap-{filt}", f"{HDX}, Sec. 3 (CNNs)",
            f"The gap between orthogonal and Gaussian CNN NTKs with {filt} filters vanishes.",
            f"common log-log slope of ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F ({filt} filters, seed means) against "
            "channels over depths (95% t-interval)", AtMost(-0.25), why=GAP_WHY,
            decide="more seeds per point, or more channel counts")
      for filt in FILTERS),
    Claim("equality-cnn-delta-limit", "this book (the kernels of Xiao et al. 2018)",
          "Delta-filter CNNs (orthogonal and Gaussian) of depth ≥ 2 miss the full-filter Θ_∞.",
          "||Θ̄_delta − Θ_∞||_F in standard errors of the seed mean, largest channel count, mean over depths >= 2 "
          "and both inits (95% t-interval over those); a delta kernel does not mix neighbouring pixels in the "
          "forward pass", AtLeast(3.0),
          why="seed noise alone puts a seed mean about one standard error away, as the full filters show",
          decide="more depths >= 2, or more seeds", caveat="this book's claim, not the paper's"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    out = {}
    for init in INITS:
        out[f"equality-fcn-slope-{init}"] = Measurement(*pooled_slope(cfg, arrays, init))
        out[f"equality-cnn-slope-{init}"] = Measurement(*cnn_pooled_slope(cfg, arrays, "full", init))
    out["equality-fcn-orth-minus-gauss"] = Measurement(*delta_slope(arrays))
    for filt in FILTERS:
        out[f"equality-cnn-gap-{filt}"] = Measurement(*cnn_gap_slope(arrays, filt))
    ratios = bias_ratios(cfg, arrays, "delta")
    out["equality-cnn-delta-limit"] = Measurement(
        *stats.mean_ci(ratios), {"ratios": ratios.tolist(), "full_filter": bias_in_standard_errors(cfg, arrays, "full")})
    return out


def levelling_curves(cfg, arrays, flat=-0.25):
    """The (configuration, init) curves whose seed-mean error falls more slowly than n^(``flat``) between the two
    largest widths: the signature a different limit would leave. ``[(label, local slope)]``."""
    w = np.log(np.asarray(arrays["widths"], float)[-2:])
    out = []
    for c, (dataset, activation, depth) in enumerate(cfg.configs()):
        for i, init in enumerate(INITS):
            e = np.log(arrays["err"][c, i, -2:].mean(-1))
            slope = float((e[1] - e[0]) / (w[1] - w[0]))
            if slope > flat:
                out.append((f"{dataset}, {activation}, L={depth}, {init}", slope))
    return out


def non_monotone_cnn_curves(cfg, arrays):
    """The CNN (depth, filter, init) curves whose seed-mean error does not fall at every step in channels."""
    out = []
    for d, L in enumerate(cfg.cnn_depths):
        for v, (filt, init) in enumerate(CNN_VARIANTS):
            e = arrays["cnn_err"][d, v].mean(-1)
            if not (np.diff(e) < 0).all():
                out.append(f"{filt}-filter {init}, L={L}")
    return out


def curve_verdicts(cfg, arrays):
    """``{verdict: count}`` of each (configuration, init) curve's own slope interval under the slope rule."""
    rule = CLAIMS[0]
    out = {"holds": 0, "does not hold": 0, "inconclusive": 0}
    for *_, s, lo, hi in slope_table(cfg, arrays):
        out[rule.verdict(s, (lo, hi))] += 1
    return out


def numbers(arrays, cfg, measured):
    """The chapter's glued values: slopes with their 95% intervals, counts, verdict words, short labels, and the
    levelling curves, the CNN curves that do not fall at every step and the error by depth as Markdown tables
    (``measured``: the claims measured on ``arrays``)."""
    m = measured
    fmt = lambda ms: f"{ms.value:.2f} [{ms.ci[0]:.2f}, {ms.ci[1]:.2f}]"
    n = curve_verdicts(cfg, arrays)
    by_depth = error_by_depth(cfg, arrays)
    dataset, activation, depth = cfg.configs()[heatmap_config(cfg)]
    levelling = levelling_curves(cfg, arrays)
    nonmonotone = non_monotone_cnn_curves(cfg, arrays)
    trend, factor = depth_trend(by_depth)
    se_full = bias_in_standard_errors(cfg, arrays, "full")
    return {
        "equality-seeds": int(arrays["err"].shape[-1]),
        "equality-widths-n": len(arrays["widths"]),
        "equality-tolerance": CLAIMS[0].rule.band,
        **{f"equality-pooled-{i}": fmt(m[f"equality-fcn-slope-{i}"]) for i in INITS},
        "equality-curves": f"{n['holds']} of {sum(n.values())}",
        "equality-curves-out": str(n["does not hold"]),
        "equality-curves-open": str(n["inconclusive"]),
        "equality-levelling-n": f"{len(levelling)} of {sum(n.values())}",
        "equality-levelling-table": _table(("curve", "local slope"), [(label, f"{s:.2f}") for label, s in levelling]),
        "equality-cnn-nonmonotone-n": f"{len(nonmonotone)} of {arrays['cnn_err'].shape[0] * len(CNN_VARIANTS)}",
        "equality-cnn-nonmonotone-table": _table(("curve",), [(c,) for c in nonmonotone]),
        "equality-largest-width": int(arrays["widths"][-1]),
        "equality-depth-table": _table(("depth L", "mean error"), [(L, f"{e:.3f}") for L, e in by_depth.items()]),
        "equality-depth-trend": trend,
        "equality-depth-factor": factor,
        "equality-gap-slope": fmt(m["equality-fcn-orth-minus-gauss"]),
        "equality-gap-verdict": m.verdict("equality-fcn-orth-minus-gauss"),
        "equality-heat-config": f"{dataset} inputs, {activation}, depth {depth}",
        "equality-cnn-inputs": int(cfg.cnn_inputs),
        "equality-cnn-seeds": int(arrays["cnn_err"].shape[-1]),
        **{f"equality-cnn-pooled-{i}": fmt(m[f"equality-cnn-slope-{i}"]) for i in INITS},
        **{f"equality-cnn-gap-{f}": fmt(m[f"equality-cnn-gap-{f}"]) for f in FILTERS},
        **{f"equality-cnn-gap-{f}-verdict": m.verdict(f"equality-cnn-gap-{f}") for f in FILTERS},
        "equality-cnn-se-delta": f"{bias_in_standard_errors(cfg, arrays, 'delta'):.1f}",
        "equality-cnn-se-full": f"{se_full:.1f}",
        "equality-cnn-delta-verdict": m.verdict("equality-cnn-delta-limit"),
        "equality-cnn-full-words": "within seed noise" if se_full < 2 else "beyond seed noise",
        **{f"equality-cnn-far-{f}": f"{seed_mean_distance(cfg, arrays, f):.3f}" for f in FILTERS},
    }


def _table(columns, rows):
    """A Markdown table (glued with ``{glue:md}``); a row "none" where ``rows`` is empty."""
    from IPython.display import Markdown

    rows = [tuple(map(str, r)) for r in rows] or [("none",) + ("",) * (len(columns) - 1)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return Markdown("\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]))

r"""The kernels' equality claims: the empirical NTK of orthogonal and Gaussian networks converges to one Θ_∞ at
the same rate, their gap vanishes, and the CNN's delta kernels have the limit of the full ones; :func:`measure`
reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within

from .experiment import (
    CNN_VARIANTS,
    FILTERS,
    INITS,
    bias_in_standard_errors,
    bias_ratios,
    cnn_gap_slope,
    cnn_pooled_slope,
    delta_slope,
    depth_trend_words,
    error_by_depth,
    heatmap_config,
    pooled_slope,
    seed_mean_distance,
    slope_table,
)

# CLAIMS

SLOPE_WHY = ("Theory gives an error C n^(-1/2) (1 + O(n^(-1/2))): over the widths a profile measures, the "
             "subleading term moves a fitted slope by at most about 0.1, and seed noise by about 0.05")
GAP_WHY = ("if both inits share the limit, the gap between seed means is seed noise, which decays as n^(-1/2); "
           "different limits make the gap level off at a positive value (slope 0); -1/4 is halfway")
HDX = "Huang, Du, Xu 2021"
CLAIMS = [
    *(Claim(f"equality-fcn-slope-{init}", f"{HDX}, Thm. 1",
            f"{init.capitalize()} FCNs (ReLU and erf, several depths, synthetic and real inputs) converge to Θ_∞ "
            "at rate n^(-1/2).",
            "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against width over all "
            "configurations, each with its own intercept (95% t-interval)",
            Within(-0.5, 0.15), why=SLOPE_WHY, decide="more widths, or wider networks (the paper profile)")
      for init in INITS),
    Claim("equality-fcn-orth-minus-gauss", f"{HDX}, Thm. 1",
          "Orthogonal and Gaussian FCN NTKs have the same infinite-width limit: the gap between them vanishes.",
          "common log-log slope of δ(n) = ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F (seed means) against width "
          "(95% t-interval)", AtMost(-0.25), why=GAP_WHY, decide="more seeds per point, or more widths"),
    *(Claim(f"equality-cnn-slope-{init}", f"{HDX}, Sec. 3 (CNNs)",
            f"CNNs with {init} full 3x3 filters (ReLU, several depths, digit images) converge to neural-tangents' "
            "CNN Θ_∞ at rate n^(-1/2) in the channel count.",
            "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against channels over depths "
            "(95% t-interval)", Within(-0.5, 0.15), why=SLOPE_WHY, decide="more channel counts or seeds")
      for init in INITS),
    *(Claim(f"equality-cnn-gap-{filt}", f"{HDX}, Sec. 3 (CNNs)",
            f"Orthogonal and Gaussian CNN NTKs with {filt} filters have the same infinite-width limit: the gap "
            "between them vanishes.",
            f"common log-log slope of ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F ({filt} filters, seed means) against "
            "channels over depths (95% t-interval)", AtMost(-0.25), why=GAP_WHY,
            decide="more seeds per point, or more channel counts")
      for filt in FILTERS),
    Claim("equality-cnn-delta-limit", "this book (the kernels of Xiao et al. 2018)",
          "Delta-orthogonal (and delta-Gaussian) CNNs of depth >= 2 do not converge to the full-filter Θ_∞: a "
          "delta kernel does not mix neighbouring pixels in the forward pass.",
          "||Θ̄_delta − Θ_∞||_F in standard errors of the seed mean, largest channel count, mean over depths >= 2 "
          "and both inits (95% t-interval over those)", AtLeast(3.0),
          why="seed noise alone puts a seed mean about one standard error away, as the full filters show",
          decide="more depths >= 2, or more seeds"),
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
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    m = measured
    fmt = lambda ms: f"{ms.value:.2f} [{ms.ci[0]:.2f}, {ms.ci[1]:.2f}]"
    n = curve_verdicts(cfg, arrays)
    by_depth = error_by_depth(cfg, arrays)
    dataset, activation, depth = cfg.configs()[heatmap_config(cfg)]
    cnn_gaps = {f: measured.verdict(f"equality-cnn-gap-{f}") for f in FILTERS}
    both = ("the paper's equality holds for full and for delta filters alike" if set(cnn_gaps.values()) == {"holds"}
            else "; ".join(f"for {f} filters the verdict is: {w}" for f, w in cnn_gaps.items()))
    return {
        "equality-seeds": int(arrays["err"].shape[-1]),
        **{f"equality-pooled-{i}": fmt(m[f"equality-fcn-slope-{i}"]) for i in INITS},
        "equality-curves": f"{n['holds']} of {sum(n.values())}",
        "equality-curves-out": str(n["does not hold"]),
        "equality-curves-open": str(n["inconclusive"]),
        "equality-levelling": ("; ".join(f"{label} (local slope {s:.2f})" for label, s in levelling_curves(cfg, arrays))
                               or "none"),
        "equality-levelling-words": ("Such a curve is the signature a different limit would leave; the pooled slopes and "
                                     "the gap test below are what decide, and a levelling curve at the largest widths "
                                     + ("is what networks wider than the paper's would settle" if cfg.profile == "paper"
                                        else "is what the paper profile's wider networks would settle")
                                     if levelling_curves(cfg, arrays) else
                                     "No curve shows the signature a different limit would leave"),
        "equality-cnn-nonmonotone": ", ".join(non_monotone_cnn_curves(cfg, arrays)) or "none",
        "equality-depth-errors": ", ".join(f"{e:.3f} at L={L}" for L, e in by_depth.items()),
        "equality-depth-trend": depth_trend_words(by_depth),
        "equality-gap-slope": fmt(m["equality-fcn-orth-minus-gauss"]),
        "equality-gap-words": measured.words(
            "equality-fcn-orth-minus-gauss", holds="the gap shrinks with width, as seed noise does",
            fails="the gap does not shrink as seed noise would: the two limits differ",
            inconclusive="the interval does not decide whether the gap shrinks as seed noise or levels off"),
        "equality-heat-config": f"{dataset} inputs, {activation}, depth {depth}",
        "equality-cnn-inputs": int(cfg.cnn_inputs),
        "equality-cnn-seeds": int(arrays["cnn_err"].shape[-1]),
        **{f"equality-cnn-pooled-{i}": fmt(m[f"equality-cnn-slope-{i}"]) for i in INITS},
        **{f"equality-cnn-gap-{f}": fmt(m[f"equality-cnn-gap-{f}"]) for f in FILTERS},
        "equality-cnn-gap-words": both,
        "equality-cnn-se-delta": f"{bias_in_standard_errors(cfg, arrays, 'delta'):.1f}",
        "equality-cnn-se-full": f"{bias_in_standard_errors(cfg, arrays, 'full'):.1f}",
        "equality-cnn-delta-words": measured.words(
            "equality-cnn-delta-limit", holds="Delta filters converge somewhere else",
            fails="Delta filters are not measurably farther from Θ_∞ than seed noise",
            inconclusive="Whether delta filters converge somewhere else is not decided at this profile"),
        "equality-cnn-full-words": ("seed noise alone" if bias_in_standard_errors(cfg, arrays, "full") < 2 else
                                    "more than seed noise: the full filters too are measurably off Θ_∞ here"),
        **{f"equality-cnn-far-{f}": f"{seed_mean_distance(cfg, arrays, f):.3f}" for f in FILTERS},
    }

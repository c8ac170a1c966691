r"""Finite width's claims: the seed-to-seed spread shrinks with width, fluctuations grow with depth faster for
Gaussian weights, and the loss curve approaches its linearization; :func:`measure` reads each from the saved
arrays and :func:`numbers` writes the prose's numbers from them."""

import numpy as np

from orthontk_lib import meanfield, stats
from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, AtLeast, AtMost, Claim, Measurement, Within, by_verdict
from orthontk_lib.data import IMAGES
from orthontk_lib.references import cite

from .experiment import CRITICAL_POINTS, INITS, tanh_linear_words
from .statistics import (
    SPECTRUM_FLOOR,
    depth_factor,
    depth_growth,
    growth_difference,
    isometry_deviation,
    last_step_ratio,
    spectrum_width,
    spread_slopes,
    training_gap_slopes,
    training_gaps,
    width_words,
)

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
            f"{lead} at fixed width, NTK fluctuations grow faster with depth for Gaussian weights than for "
            "orthogonal weights.",
            "Gaussian minus orthogonal growth per layer of Var Θ(x,x)/E[Θ(x,x)]² over depths >= 8 (line fits; 95% "
            "interval from both fits' standard errors)",
            AtLeast(0.0), why="the claim is a sign: more growth for Gaussian weights",
            decide="more seeds per depth, or a wider network")
      for suffix, source, lead in (
          ("", f"{DKR} (tanh at σ_W = 1, σ_b = 0)", "For critical tanh (σ_W = 1, σ_b = 0, where q* = 0)"),
          ("-eoc", f"this book: {DKR}'s claim tested at the Edge-of-Chaos point of {HDR}",
           "For tanh at the Edge-of-Chaos point σ_W = 1.302, σ_b ≈ 0.2 (χ = 1, q* ≈ 0.5; not the point of "
           f"{DKR}, who make no claim there)"))),
    *(Claim(f"finite-width-training-gap-{init}", f"{HDX}, Sec. 4; {cite('lee2019wide')}",
            f"At small learning rate, {'a' if init == 'gaussian' else 'an'} {init} network's GD loss curve "
            "approaches its infinite-width linearization as width grows.",
            "log-log slope of max_t |L_t − L_t^lin| / L_0^lin against width, every network a point (95% t-interval)",
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
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    fmt = lambda s, ci: f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    g2 = lambda v, ci: f"{v:.2g} [{ci[0]:.2g}, {ci[1]:.2g}]"
    m, verdict = measured, measured.verdicts()
    ratio = arrays["spread"][1].mean(-1) / arrays["spread"][0].mean(-1)
    spread_words = ("the orthogonal one fluctuates less at every width" if (ratio < 1).all() else
                    "the orthogonal one fluctuates more at every width" if (ratio > 1).all() else
                    "neither fluctuates less at every width")
    band = measured.claim("finite-width-spread-gaussian").rule.band
    growth, growth_eoc = depth_growth(arrays), depth_growth(arrays, key="fluct_eoc")
    first, last = arrays["fluct"][:, 0].mean(-1), arrays["fluct"][:, -1].mean(-1)
    trend = lambda a, b: "rises" if b > a else "falls"
    widths_ = spectrum_width(arrays)
    dev, depth_iso, eps32 = isometry_deviation(arrays), int(arrays["iso_depths"][-1]), float(np.finfo(np.float32).eps)
    orth_tanh_narrower = bool((widths_[:, 1, 1] < widths_[:, 1, 0]).all())
    return {
        "fw-groups": cfg.n_groups, "fw-seeds-spread": cfg.n_seeds,
        **{f"fw-spread-{i}": fmt(*m[f"finite-width-spread-{i}"][:2]) for i in INITS},
        "fw-spread-verdict": by_verdict(
            {"Gaussian": verdict["finite-width-spread-gaussian"], "orthogonal": verdict["finite-width-spread-orthogonal"]},
            {HOLDS: f"for {{who}} weights the interval lies inside {band}: the spread shrinks as 1/n",
             FAILS: f"for {{who}} weights it lies outside {band}: the spread does not shrink as 1/n",
             INCONCLUSIVE: f"for {{who}} weights it reaches beyond {band}, so the data do not decide whether the "
                           "spread shrinks as 1/n"}),
        "fw-spread-ratio": f"{ratio.min():.2f} to {ratio.max():.2f}", "fw-spread-words": spread_words,
        "fw-fluct-width": cfg.fluct_width, "fw-fluct-seeds": cfg.fluct_seeds,
        **{f"fw-growth-{i}": g2(*growth[i]) for i in INITS},
        "fw-growth-diff": g2(*m["finite-width-depth-growth"][:2]),
        **{f"fw-growth-eoc-{i}": g2(*growth_eoc[i]) for i in INITS},
        "fw-growth-eoc-diff": g2(*m["finite-width-depth-growth-eoc"][:2]),
        "fw-eoc-b": f"{CRITICAL_POINTS['eoc'][1]:.3f}",
        "fw-eoc-qstar": f"{meanfield.q_star('tanh', *CRITICAL_POINTS['eoc']):.2f}",
        "fw-growth-eoc-words": measured.words(
            "finite-width-depth-growth-eoc",
            holds="there too the Gaussian statistic grows faster per layer than the orthogonal one",
            fails="there the orthogonal statistic grows faster per layer, so the ordering at q* = 0 does not carry over",
            inconclusive="there the interval does not decide which grows faster"),
        "fw-relative-q0": relative_growth_words(arrays, "fluct", verdict["finite-width-depth-growth"]),
        "fw-relative-eoc": relative_growth_words(arrays, "fluct_eoc", verdict["finite-width-depth-growth-eoc"]),
        "fw-q0-orth-words": _curve_words(arrays, "fluct"),
        "fw-eoc-orth-words": _curve_words(arrays, "fluct_eoc"),
        "fw-fluct-gauss": f"{first[0]:.3g} to {last[0]:.3g}", "fw-fluct-orth": f"{first[1]:.3g} to {last[1]:.3g}",
        "fw-trend-gauss": trend(first[0], last[0]), "fw-trend-orth": trend(first[1], last[1]),
        "fw-depth-range": f"{arrays['fluct_depths'][0]} to {arrays['fluct_depths'][-1]}",
        "fw-growth-words": measured.words(
            "finite-width-depth-growth",
            holds="Gaussian fluctuations grow faster with depth than orthogonal ones; at depth "
                  f"{arrays['fluct_depths'][-1]} the Gaussian statistic is {last[0] / last[1]:.3g} times the orthogonal one",
            fails="orthogonal fluctuations grow faster with depth than Gaussian ones, against the claim",
            inconclusive="the interval does not decide which grows faster"),
        "fw-iso-width": cfg.iso_width, "fw-iso-dev": f"{dev:.1e}", "fw-iso-q1": f"1/{cfg.iso_width}",
        "fw-iso-tanh-linear": tanh_linear_words(arrays),
        "fw-iso-dev-words": (f"{'within' if dev <= depth_iso * eps32 else 'beyond'} the {depth_iso * eps32:.1e} that "
                             f"{depth_iso} factors, each orthogonal only to float32 resolution ({eps32:.1e}), can "
                             "accumulate"),
        "fw-iso-gauss": width_words(arrays, 0, 0),
        "fw-iso-gauss-words": "it widens with depth" if widths_[-1, 0, 0] > widths_[0, 0, 0] else "it does not widen",
        "fw-iso-orth-tanh": width_words(arrays, 1, 1),
        "fw-iso-gauss-tanh": width_words(arrays, 1, 0),
        "fw-iso-tanh-words": ("narrower than the Gaussian one at every depth" if orth_tanh_narrower else
                              "not narrower than the Gaussian one at every depth"),
        "fw-iso-floor": _floor_words(arrays),
        "fw-iso-depths": ", ".join(str(d) for d in arrays["iso_depths"]),
        "fw-train-seeds": cfg.train_seeds, "fw-n-train": cfg.n_train, "fw-data": IMAGES[cfg.dataset], "fw-eta": f"{float(arrays['eta']):.3g}",
        **{f"fw-gap-{i}": fmt(*m[f"finite-width-training-gap-{i}"][:2]) for i in INITS},
        "fw-gap-last": ", ".join(f"{g:.4f}" for g in training_gaps(arrays)[-1]),
        "fw-gap-words": by_verdict(
            {"Gaussian": verdict["finite-width-training-gap-gaussian"],
             "orthogonal": verdict["finite-width-training-gap-orthogonal"]},
            {HOLDS: "for {who} weights the interval lies below 0: the loss curve approaches its linearization as the "
                    "width grows",
             FAILS: "for {who} weights it lies above 0: the deviation grows with width",
             INCONCLUSIVE: "for {who} weights it reaches above 0, so the data do not decide whether the deviation "
                           "falls with width"}),
    }


def _curve_words(arrays, key, init="orthogonal"):
    """How one init's fluctuation curve moves: the factor from the shallowest to the deepest depth, and whether the
    last step of depth still moves it (:func:`last_step_ratio`)."""
    depths = arrays["fluct_depths"]
    if len(depths) < 2:
        return f"the {init} statistic is measured at one depth only"
    f = depth_factor(arrays, key)[init]
    r, (lo, hi) = last_step_ratio(arrays, key)[init]
    step = f"depth {depths[-2]} to {depths[-1]}: ×{r:.2g} [{lo:.2g}, {hi:.2g}]"
    last = {"above": f"and still rises over the last step ({step}): it has not levelled off at these depths",
            "below": f"and still falls over the last step ({step})",
            "straddles": f"and over the last step ({step}) the interval does not decide whether it has levelled off"}
    move = f"rises {f:.3g}-fold" if f > 1 else f"falls {1 / f:.3g}-fold"
    return f"the {init} statistic {move} from depth {depths[0]} to {depths[-1]} {last[stats.side((lo, hi), 1.0)]}"


def _floor_words(arrays):
    """How many singular values the spectra's leftmost bin collects from below :data:`SPECTRUM_FLOOR`, at every depth
    where any does."""
    below = (np.asarray(arrays["iso"]) < SPECTRUM_FLOOR).sum(-1)  # (depth, activation, init)
    if not below.any():
        return f"no singular value falls below {SPECTRUM_FLOOR:.0e}"
    n = arrays["iso"].shape[-1]
    by_depth = []
    for d, L in enumerate(arrays["iso_depths"]):
        parts = [f"{below[d, a, i]} of {n} ({act}, {init})" for a, act in enumerate(("linear", "tanh"))
                 for i, init in enumerate(INITS) if below[d, a, i]]
        if parts:
            by_depth.append(f"at L = {L}, " + ", ".join(parts))
    return f"the leftmost bin also counts the singular values below {SPECTRUM_FLOOR:.0e}: " + "; ".join(by_depth)

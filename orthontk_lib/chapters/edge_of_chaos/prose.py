r"""The Edge-of-Chaos chapter's glued numbers and phrases (:func:`numbers`): floors and growth readings, rate
readings pair by pair, what the finite-width distances are made of, trainability; each computed from the arrays,
so that every sentence flips when the data do."""


import numpy as np

from orthontk_lib import meanfield
from orthontk_lib.data import IMAGES

from .claims import CLAIMS, GROWTH_RULE
from .decay import (
    EPS32,
    READ_ABOVE,
    below_floor,
    decay_curves,
    floor_of,
    floor_state,
    other_accuracy_words,
    rate_ratios,
    spread_floor_depths,
)
from .experiment import PHASES, RATE_FIGURE, RATE_FORMS, TRAIN_FIGURE, TRAIN_POINTS, paper_points, points
from .rates import (
    QUADRATURE_TESTED_DEPTH,
    RATE_READING,
    recorded_difference,
    by_depth_words,
    compared_points,
    deep_phase_words,
    depth_read_words,
    deviation_ci,
    empirical_at_floor,
    empirical_deviation,
    rate_reading,
    slope_ratio,
    sqrt_term_words,
    tested_depth_words,
)


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    pts = list(points())
    acc = arrays["accuracy"][:, -1]
    dev, last = empirical_deviation(arrays), empirical_deviation(arrays, -1)
    gdev, glast = (empirical_deviation(arrays, i, "emp_spread_gaussian") for i in (0, -1))
    above = compared_points(arrays, -1)
    closer = sum(last[i] < glast[i] for i in above)
    closer0 = sum(dev[i] < gdev[i] for i in range(len(PHASES)))
    follows = measured.claim("eoc-orthogonal-follows")
    rates = {act: measured[f"eoc-rate-form-{act}"] for act in RATE_FORMS}
    deep = deviation_ci(arrays, -1)
    return {
        "eoc-max-depth": int(arrays["depths"][-1]),
        "eoc-points": "; ".join(f"{act} {ph}: σ_W = {w:.3g}, σ_b = {b:.3g}, χ₁ = {c:.3g}"
                                for (act, ph), (w, b), c in zip(pts, arrays["points"], arrays["chi1"])),
        **growth_numbers(arrays, measured),
        "eoc-acc-edge": ", ".join(f"{acc[i]:.2f} ({act})" for i, (act, ph) in enumerate(pts) if ph == "edge"),
        "eoc-acc-other": ", ".join(f"{acc[i]:.2f} ({act} {ph})" for i, (act, ph) in enumerate(pts) if ph != "edge"),
        "eoc-acc-other-words": other_accuracy_words(acc, [ph for _, ph in pts], spread_floor_depths(arrays),
                                                    [f"{act} {ph}" for act, ph in pts]),
        "eoc-train-test": f"{cfg.n_train} training and {cfg.n_test} test {IMAGES[cfg.dataset]}",
        "eoc-data": IMAGES[cfg.dataset],
        "eoc-emp-depth0": int(cfg.emp_depths[0]), "eoc-emp-depth1": int(cfg.emp_depths[-1]),
        "eoc-emp-dev": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(dev, PHASES)),
        "eoc-emp-dev-gauss": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(gdev, PHASES)),
        "eoc-emp-dev-deep": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(last, PHASES)),
        "eoc-emp-dev-deep-gauss": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(glast, PHASES)),
        "eoc-emp-floor": empirical_floor_words(arrays, -1),
        "eoc-emp-compare": (f"There, where both spreads lie above that resolution and still follow the analytic "
                            f"value ({', '.join(PHASES[i] for i in above)}), the orthogonal networks stay closer to it "
                            f"than Gaussian ones at {closer} of {len(above)} point{'s' if len(above) != 1 else ''}"
                            if closer else "There, where both spreads lie above that resolution and still follow the "
                            "analytic value, the orthogonal networks stay no closer to it than Gaussian ones")
        if above else "No point there has both spreads above that resolution and following the analytic value, so none "
                      "is compared",
        "eoc-emp-compare0": f"{closer0} of {len(PHASES)}",
        "eoc-emp-by-depth": by_depth_words(arrays, cfg.emp_depths),
        "eoc-emp-depth-words": depth_read_words(follows, deviation_ci(arrays, 0), deep, cfg.emp_depths,
                                                deep_phase_words(arrays)),
        "eoc-emp-setup": f"{cfg.emp_seeds} orthogonal and {cfg.emp_seeds} Gaussian erf networks of width "
                         f"{cfg.emp_width} on {cfg.emp_inputs} {IMAGES[cfg.dataset]}",
        **rate_numbers(arrays, cfg, rates), "eoc-rate-differs": RATE_FIGURE.caption(cfg),
        "eoc-tested-depth": tested_depth_words(arrays),
        "eoc-check-tested": f"within {recorded_difference()} at {QUADRATURE_TESTED_DEPTH:,} layers",
        **train_numbers(arrays, cfg, measured),
    }


def growth_numbers(arrays, measured):
    """The decay section's numbers: floors, where each curve reaches its floor, the slope growth per phase and what
    it reads as (from the phase claims in ``measured``), the fitted over theoretical rates."""
    words = []
    for phase, cid in (("ordered", "eoc-ordered-exponential"), ("chaotic", "eoc-chaotic-exponential"),
                       ("edge", "eoc-critical-polynomial")):
        v, (lo, hi), detail = measured[cid]
        switches = detail.get("switches", {})
        curves = ", ".join(f"{g:.3g} ({k})" if k not in switches else f"not read ({k})"
                           for k, g in detail.items() if k != "switches")
        reading = growth_reading((lo, hi))
        why = ("; ".join(f"the {k} curve is the largest of its pairs' distances, and that pair changes inside the "
                         f"windows read (from cosine {a:.2f} to {b:.2f} at depth {d:,.0f}): a slope across the change "
                         "splices two curves and measures neither, so it is not read" for k, (d, a, b) in switches.items())
               or "the windows cannot be formed on every curve")
        words.append(f"{phase}: {curves}; over the windows {lo:.3g} to {hi:.3g}, "
                     f"{GROWTH_READING[reading]} ({measured.verdict(cid)})" if np.isfinite(lo) else
                     f"{phase}: {curves}; {why} (inconclusive)")
    ratios = rate_ratios(arrays)
    return {
        "eoc-floor64": f"{floor_of('erf'):.0e}", "eoc-floor-relu": f"{floor_of('relu'):.1e}",
        "eoc-read-above": f"{READ_ABOVE:.0e}",
        "eoc-at-floor": floor_words(arrays),
        "eoc-growth-words": "; ".join(words),
        "eoc-ratios": ", ".join(f"{r[0]:.2f} ({k}; {r.min():.2f} to {r.max():.2f} over the windows)"
                                for k, r in ratios.items()),
    }


GROWTH_READING = {"power": "a power law", "exp": "an exponential", None: "neither form"}


def growth_reading(ci):
    """What a slope-growth range reads as: ``"power"`` (all of it at most 3), ``"exp"`` (all at least 5), else None."""
    lo, hi = ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "power" if hi <= GROWTH_RULE[0] else "exp" if lo >= GROWTH_RULE[1] else None


def floor_words(arrays):
    """For each curve that falls below :data:`READ_ABOVE` times its floor within its depths: the depth from which it
    is not read, and where it ends (:func:`floor_state`)."""
    out = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        below = below_floor(y, floor)
        if len(below):
            end = np.nanmin(y)
            out.append(f"{label}, from depth {int(depths[below[0]])} (down to {end:.1e}: {floor_state(end, floor)})")
    return "; ".join(out) if out else "no curve comes near its floor at these depths"


def empirical_floor_words(arrays, depth_index=-1):
    """Which finite-width spreads at ``depth_index`` are at float32's resolution (:func:`empirical_at_floor`)."""
    low = empirical_at_floor(arrays, depth_index)
    if not low.any():
        return f"every spread lies more than ten times above float32's resolution ({EPS32:.1e})"
    vals = ", ".join(f"{ph} {arrays['emp_spread'][i, depth_index].mean():.1e} (orthogonal), "
                     f"{arrays['emp_spread_gaussian'][i, depth_index].mean():.1e} (Gaussian) against "
                     f"{arrays['emp_analytic'][i, depth_index]:.1e} (analytic)" for i, ph in enumerate(PHASES) if low[i])
    return (f"the {', '.join(ph for ph, l in zip(PHASES, low) if l)} spread lies within a factor 10 of float32's "
            f"resolution ({EPS32:.1e}): {vals}; its distance from the analytic value is rounding, not a signal")


def rate_numbers(arrays, cfg, rates):
    """The rate section's numbers: the points, the exact limits, and which rate the exact recursion follows
    (``rates``: ``{activation: (slope ratio, range, detail)}``, the rate claims' measurements, :func:`measure_rates`)."""
    m = rates
    reading = {act: rate_reading(ci) for act, (v, ci, _) in m.items()}
    agree = [a for a, r in reading.items() if r == RATE_FORMS[a]]
    differ = [f"{a} ({RATE_READING[r]})" for a, r in reading.items() if r is not None and r != RATE_FORMS[a]]
    open_ = [a for a, r in reading.items() if r is None]
    words = []
    if agree:
        words.append(f"the exact recursion follows the paper's rate for {', '.join(agree)}")
    if differ:
        words.append(f"it follows another rate for {', '.join(differ)}, against the paper's statement")
    if open_:
        words.append(f"for {', '.join(open_)} the ratio has not settled by these depths")
    pts = paper_points()
    relu = arrays["exact_ratios_relu"]
    return {
        "eoc-rate-points": "; ".join(
            f"{a} {p}: σ_W = {w:.4f}, σ_b = {b:.4f}{' (paper: 0.2)' if p == 'edge' and b > 0 else ''}, χ₁ = {c:.4f}"
            for (a, p), (w, b), c in zip(pts, arrays["rate_points"], arrays["rate_chi1"])),
        "eoc-rate-pairs": int(arrays["rate_entries"].shape[-1]),
        "eoc-rate-words": "; ".join(words),
        "eoc-exact-depth": f"{int(cfg.exact_max_depth):,}",
        "eoc-exact-depth-relu": f"{int(arrays['exact_depths_relu'][-1]):,}",
        "eoc-relu-limit-gap": f"{np.abs(relu[-1] - meanfield.EDGE_LIMIT['relu']).max():.1e}",
        "eoc-exact-vs-direct": f"{float(arrays['exact_check']):.0e}",
        "eoc-rate-robust": rate_robustness_words(arrays, rates),
    }


def rate_robustness_words(arrays, rates):
    """For each rate claim that does not hold or is inconclusive (``rates``: as :func:`rate_numbers` takes them): what
    each pair of inputs reads taken alone (its slope ratio over the same shifted windows), so that a verdict the pooled
    slope cannot decide says which pair keeps it open and what the others read."""
    m, claims = rates, {c.id: c for c in CLAIMS}
    out = []
    for act, (v, ci, _) in m.items():
        verdict = claims[f"eoc-rate-form-{act}"].verdict(v, ci)
        if verdict == "holds":
            continue
        depths, ratios = arrays[f"exact_depths_{act}"], arrays[f"exact_ratios_{act}"]
        alone = [slope_ratio(depths, ratios[:, [j]], meanfield.EDGE_LIMIT[act]) for j in range(ratios.shape[1])]
        readings = [rate_reading(a[1]) for a in alone]
        label = lambda r, c: RATE_READING[r] if r else "not settled" if not np.isfinite(c[0]) else "between readings"
        pairs = ", ".join(f"{a[0]:.2f} (cos {c:.2f}: {label(r, a[1])})"
                          for a, r, c in zip(alone, readings, arrays[f"exact_rho_{act}"]))
        pooled = label(rate_reading(ci), ci)
        if len(set(readings) | {rate_reading(ci)}) == 1:
            then = f"the reading, {pooled}, is the same for each pair alone and in every window"
        elif verdict == "inconclusive" and any(readings):
            decided = {r for r in readings if r}
            side = "as" if decided == {RATE_FORMS[act]} else "against"
            then = ("the slope common to the pairs is not decided, because of the pairs that are not; the pairs that "
                    "are decided read " + " and ".join(sorted(RATE_READING[r] for r in decided)) +
                    f", {side} the paper's " + RATE_FORMS[act] + ": the verdict depends on which pairs are pooled")
        else:
            then = "the reading changes with the pair or the window"
        together = (f"is {ci[0]:.2f} to {ci[1]:.2f} over the windows for the pairs together ({pooled})"
                    if np.isfinite(ci[0]) else f"is {v:.2f} for the pairs together but not settled (the slope changes "
                    "sign in a shifted window)")
        out.append(f"{act} ({verdict}): the slope ratio {together} and, at the last window, {pairs} taken alone, "
                   f"with the recursion run to depth "
                   f"{int(depths[-1]):,}: {then}. A second side: "
                   f"{sqrt_term_words(depths, ratios, meanfield.EDGE_LIMIT[act], act)}")
    return "; ".join(out) if out else "every rate claim holds at this profile"


def train_numbers(arrays, cfg, measured):
    """The trainability section's numbers (the trainability claim's measurement from ``measured``)."""
    acc = arrays["train_accuracy"][:, :, :, -1].mean(-1)  # (depth, phase)
    d, (lo, hi) = measured["eoc-trainability"][:2]
    return {
        "eoc-train-setup": f"{cfg.train_seeds} tanh networks of width {cfg.train_width} per depth and initialization",
        "eoc-train-depths": ", ".join(f"{L} (lr {lr:g})" for L, lr in zip(cfg.train_depths, cfg.train_lrs)),
        "eoc-train-steps": int(arrays["train_steps"][-1]),
        "eoc-train-acc": "; ".join(f"depth {L}: " + ", ".join(f"{acc[i, j]:.2f} ({p})" for j, p in enumerate(TRAIN_POINTS))
                                   for i, L in enumerate(cfg.train_depths)),
        "eoc-train-gap": f"{d:.2f} [{lo:.2f}, {hi:.2f}]",
        "eoc-train-words": measured.words(
            "eoc-trainability", holds="the Edge of Chaos trains better, as the paper found",
            fails="an off-Edge initialization trains better, against the paper",
            inconclusive="the networks do not decide which initialization trains better"),
        "eoc-train-differs": TRAIN_FIGURE.caption(cfg),
    }

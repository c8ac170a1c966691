r"""How the distance to the limit decays with depth off and on the Edge: the readable depths above the floors, the growth
of the local log-log slope over windows, the local exponential rate against mean-field theory's; read on the curves
of the depth sweep (:mod:`.depth`), the direct recursion (:mod:`.rates`) and the exact one (:mod:`.exact_rates`). The
decay claims, their words, table and figure."""

import math

import numpy as np

from orthontk_lib import meanfield, plots
from orthontk_lib.claims import Between, Claim, Measurement, Separated

from .experiment import HDR, PHASE_COLOUR, RATE_FORMS, legend_entries, markdown_table, paper_points, points
from .floors import READ_ABOVE, below_floor, floor_of, floor_state, shade_floor
from .rates import distance_to_limit

__all__ = ["DECAY_CLAIMS", "DECIDING", "GROWTH_READING", "GROWTH_RULE", "GROWTH_STAT", "GROWTH_WHY", "MIN_DEPTH",
           "WINDOWS", "WINDOW_SHIFTS", "_slope", "_windows", "decay_curves", "envelope_switch", "fig_spread",
           "floor_table", "growth_numbers", "growth_reading", "growth_rows", "late_rate", "measure_decay",
           "phase_growth", "rate_ratio_windows", "rate_ratios", "readable", "slope_growth", "theory_rate"]

# STATISTICS

MIN_DEPTH = 2
"""The shallowest depth read by the window statistics (depth 1 is the input layer's kernel, before any decay)."""


WINDOW_SHIFTS = (0.0, 0.25, 0.5)
"""The windows' ends are shifted down by these fractions of a window (in log depth): the range of a statistic over
them replaces a sampling interval on these deterministic curves."""


def readable(depths, values, floor, min_depth=MIN_DEPTH):
    """The depths from ``min_depth`` until ``values`` first falls below :data:`READ_ABOVE` times ``floor``, and their
    values: ``(L, y)``, float arrays."""
    L, y = np.asarray(depths, float), np.asarray(values, float)
    below = below_floor(y, floor)
    end = below[0] if len(below) else len(y)
    keep = L[:end] >= min_depth
    return L[:end][keep], y[:end][keep]


def _windows(L, shifts, most=10.0, least=2.0):
    """The window factor w (two adjacent windows [e/w², e/w], [e/w, e] per shift fit in ``L``'s span, w at most
    ``most``) and the windows' ends e per shift; w is None where the span is too short for ``least``."""
    if len(L) < 3:
        return None, []
    w = min(most, (L[-1] / L[0]) ** (1 / (2 + max(shifts))))
    return (w, [L[-1] / w**s for s in shifts]) if w >= least else (None, [])


def _slope(x, y, keep):
    return float(np.polyfit(x[keep], y[keep], 1)[0]) if keep.sum() >= 3 else float("nan")


def slope_growth(depths, values, floor, shifts=WINDOW_SHIFTS):
    r"""How fast the local log-log slope :math:`s(L) = d\log y / d\log L` of a decaying curve grows: about 1 per
    decade for a power law :math:`L^{-p}` (:math:`s = -p` at every depth; :math:`\log L / L`'s drifts as
    :math:`1/\ln L`), 10 for an exponential :math:`e^{-\gamma L}` (:math:`s = -\gamma L`).

    Read on :func:`readable`'s depths (above the floor): the slope over the window :math:`[e/w, e]` over that over
    :math:`[e/w^2, e/w]`, per decade (raised to :math:`1/\log_{10} w`), with :math:`w` at most 10 and the windows
    fitted in the readable span. The curve is deterministic: the range is over the windows' ends shifted down by
    ``shifts`` windows, not a sampling interval.

    Returns:
      ``(value, (lo, hi), detail)``: the growth at shift 0 and its range; NaN (inconclusive) where the windows cannot
      be formed (a readable span under a factor of 2 per window) or a slope is not negative. ``detail``:
      ``{"depths": (first, last readable), "window": w, "slopes": (before, last) at shift 0, "by_shift": [...]}``.
    """
    L, y = readable(depths, values, floor)
    w, ends = _windows(L, shifts)
    nan = float("nan")
    if w is None:
        return nan, (nan, nan), {"depths": (float(L[0]), float(L[-1])) if len(L) else None, "window": None,
                                 "slopes": (nan, nan), "by_shift": [nan] * len(shifts)}
    x, ly = np.log(L), np.log(y)
    growth, slopes = [], []
    for e in ends:
        s = [_slope(x, ly, (L >= e / w**k * (1 - 1e-9)) & (L <= e / w ** (k - 1) * (1 + 1e-9))) for k in (2, 1)]
        slopes.append(s)
        growth.append((s[1] / s[0]) ** (1 / math.log10(w)) if s[0] < 0 and s[1] < 0 else nan)
    g = np.array(growth)
    ci = (float(g.min()), float(g.max())) if np.isfinite(g).all() else (nan, nan)
    return float(g[0]), ci, {"depths": (float(L[0]), float(L[-1])), "window": float(w), "slopes": tuple(slopes[0]),
                             "by_shift": [float(v) for v in g]}


def late_rate(depths, values, floor, shifts=WINDOW_SHIFTS):
    r"""The local exponential rate :math:`-d\log y/dL` over :func:`slope_growth`'s last window :math:`[e/w, e]`, per
    shift: (len(shifts),), NaN where the windows cannot be formed. A prefactor :math:`L^k` moves it by
    :math:`k/L`, least in the last window."""
    L, y = readable(depths, values, floor)
    w, ends = _windows(L, shifts)
    if w is None:
        return np.full(len(shifts), np.nan)
    return np.array([-_slope(L, np.log(y), (L >= e / w * (1 - 1e-9)) & (L <= e * (1 + 1e-9))) for e in ends])


def decay_curves(arrays):
    r"""Every decaying curve the chapter has, as rows ``(label, activation, phase, depths, values, floor)``: the spread
    of :math:`\hat\Theta^L` at each point of :func:`points`, :math:`\max|K^L/\alpha_L - K_\infty|` at each of
    :func:`paper_points` (:func:`distance_to_limit`), and on the Edge that distance by the exact recursion (depths to
    ``exact_max_depth``, ten times deeper for ReLU)."""
    rows = [(f"{act} {ph}, spread", act, ph, arrays["depths"], arrays["spread"][i], floor_of(act))
            for i, (act, ph) in enumerate(points())]
    dist = distance_to_limit(arrays)
    rows += [(f"{act} {ph}, |K/α − K∞|", act, ph, arrays["depths"], dist[i], floor_of(act))
             for i, (act, ph) in enumerate(paper_points())]
    rows += [(f"{act} edge, |K/α − K∞| exact", act, "edge", arrays[f"exact_depths_{act}"],
              np.abs(arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act]).max(-1), floor_of(act))
             for act in RATE_FORMS]
    return rows


DECIDING = {"ordered": "all", "chaotic": "all", "edge": "exact"}
"""Which curves decide each phase's claim: every curve off the Edge; on it the exact recursion's, the only ones deep
enough (decades past the first layers' transient, where the distance's slope is still settling)."""


def envelope_switch(arrays, activation, fit_detail, shifts=WINDOW_SHIFTS):
    """Where the exact Edge curve of ``activation`` (the largest distance over its pairs of inputs) changes pair inside
    the windows :func:`slope_growth` read (``fit_detail``: its detail): ``(depth, cosine before, cosine after)`` of the
    first change, or None. A log-log slope across such a change splices two curves and measures neither."""
    w = fit_detail.get("window")
    if not w:
        return None
    last = fit_detail["depths"][1]
    L = np.asarray(arrays[f"exact_depths_{activation}"], float)
    dist = np.abs(np.asarray(arrays[f"exact_ratios_{activation}"]) - meanfield.EDGE_LIMIT[activation])
    inside = (L >= last / w ** (2 + max(shifts)) * (1 - 1e-9)) & (L <= last * (1 + 1e-9))
    top = np.argmax(dist[inside], axis=1)
    change = np.flatnonzero(np.diff(top))
    if not len(change):
        return None
    rho = np.asarray(arrays[f"exact_rho_{activation}"], float)
    i = change[0]
    return float(L[inside][i + 1]), float(rho[top[i]]), float(rho[top[i + 1]])


def phase_growth(arrays, phase):
    """:func:`slope_growth` of the curves of ``phase`` that decide its claim (:data:`DECIDING`), at each window the
    weakest evidence for the claim: the smallest growth off the Edge, the largest on it. ``(value, (lo, hi), detail)``,
    NaN where any deciding curve cannot be read; ``detail`` maps each curve's label to its value, and under
    ``"switches"`` each exact Edge curve whose largest pair changes inside its windows (:func:`envelope_switch`), which
    is then not read (and ``"caveat"`` says so, for the findings row)."""
    rows = [r for r in decay_curves(arrays) if r[2] == phase and (DECIDING[phase] == "all" or "exact" in r[0])]
    fits = {r[0]: slope_growth(*r[3:]) for r in rows}
    switches = {}
    for label, act, *_ in rows:
        if "exact" in label:
            at = envelope_switch(arrays, act, fits[label][2])
            if at is not None:
                switches[label] = list(at)
                nan = float("nan")
                fits[label] = (nan, (nan, nan), {**fits[label][2], "by_shift": [nan] * len(fits[label][2]["by_shift"])})
    by_shift = np.array([f[2]["by_shift"] for f in fits.values()])  # (curve, shift)
    weakest = (by_shift.max(0) if phase == "edge" else by_shift.min(0))
    detail = {k: f[0] for k, f in fits.items()}
    if switches:
        detail["switches"] = switches
        detail["caveat"] = "largest pair changes inside the windows"
    if not np.isfinite(by_shift).all():
        return float(weakest[0]), (float("nan"), float("nan")), detail
    return float(weakest[0]), (float(weakest.min()), float(weakest.max())), detail


def rate_ratios(arrays):
    """Per off-critical point of :func:`points`: :func:`late_rate` of its spread over the theoretical rate, per
    window shift: {label: (len(WINDOW_SHIFTS),)}."""
    out = {}
    for i, (act, ph) in enumerate(points()):
        if ph != "edge":
            theory = theory_rate(act, ph, arrays["chi1"][i], arrays["chi_c"][i])
            out[f"{act} {ph}"] = late_rate(arrays["depths"], arrays["spread"][i], floor_of(act)) / theory
    return out


def rate_ratio_windows(arrays):
    """The fitted-over-theoretical rate farthest from 1 over the off-critical points, at shift 0, and its range over
    the windows (NaN where a point cannot be read); detail: each point's ratio at shift 0."""
    ratios = rate_ratios(arrays)
    r = np.array(list(ratios.values()))  # (point, shift)
    far = r[np.argmax(np.abs(r - 1), axis=0), np.arange(r.shape[1])] if np.isfinite(r).all() else r[:, 0]
    detail = {k: float(v[0]) for k, v in ratios.items()}
    if not np.isfinite(r).all():
        return float("nan"), (float("nan"), float("nan")), detail
    return float(far[0]), (float(far.min()), float(far.max())), detail


def theory_rate(activation, phase, chi1, chi_c=None):
    r"""The exponential rate :math:`\gamma` at which the normalized NTK's spread vanishes, from mean-field theory.

    Ordered phase: the correlation approaches 1 as :math:`\chi_1^L`, and so does :math:`\hat\Theta`
    for a smooth :math:`\phi` (:math:`\gamma = -\log\chi_1`); for ReLU the derivative kernel
    :math:`\mathbb{E}[\phi'(u)\phi'(v)] \propto 1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, halving
    the rate (:math:`\gamma = -\tfrac12\log\chi_1`). Chaotic phase: :math:`\Theta^L(x, x)` grows as
    :math:`\chi_1^L` and :math:`\Theta^L(x, x')` as :math:`\chi_{c^*}^L`, so :math:`\hat\Theta(x, x') \to 0`
    with :math:`\gamma = \log(\chi_1 / \chi_{c^*})`. On the Edge of Chaos: 0 (no exponential decay).
    """
    if phase == "edge":
        return 0.0
    if phase == "chaotic":
        return float(math.log(chi1 / chi_c))
    return float(-math.log(chi1) * (0.5 if activation == "relu" else 1.0))


# CLAIMS

GROWTH_RULE = (3.0, 5.0)
"""Growth per decade of the local log-log slope: at most 3 reads as a power law, at least 5 as an exponential."""


GROWTH_WHY = ("a power law's log-log slope is constant: growth 1 a decade. The slopes of log L / L and of a power "
              "whose exponent is still settling drift, by less than 3 here. An exponential's is −γL, tenfold a decade. "
              "A prefactor L^k shifts it by k, pulling the growth down at shallow depths. The bounds 3 and 5 lie "
              "either side of √10, the geometric middle, and between them neither form is read.")


GROWTH_STAT = ("growth per decade of the local log-log slope d log y / d log L of the distance y to the limit. It is "
               "read above the float64 floor over the last two adjacent windows of depth, each up to a decade. The "
               "curve is deterministic: the range is over windows shifted down by up to half a window, not a 95% "
               "interval.")

WINDOWS = "range over fit windows"
"""The kind of interval of a deterministic curve's statistic (:attr:`Claim.interval`)."""

DECAY_CLAIMS = [
    Claim("eoc-ordered-exponential", f"{HDR}, Prop. 1 (ordered phase)",
          "In the ordered phase the normalized NTK becomes input-independent exponentially fast in depth.",
          f"{GROWTH_STAT} The statistic is the smallest over the ordered curves: the spread of Θ̂^L (erf and ReLU) "
          "and |K^L/α_L − 1| (ReLU, ELU and tanh).", Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY,
          decide="more depths above the float64 floor", interval=WINDOWS),
    Claim("eoc-chaotic-exponential", f"{HDR}, Prop. 1 (chaotic phase)",
          "In the chaotic phase the normalized NTK also becomes trivial exponentially fast in depth.",
          f"{GROWTH_STAT} The statistic is the smaller over the chaotic curves: the spread of Θ̂^L (erf) and "
          "|K^L/α_L| (tanh). In that phase Θ̂(x, x') → 0.",
          Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY, decide="more depths", interval=WINDOWS),
    Claim("eoc-rate-theory", f"{HDR}; Schoenholz et al. 2017",
          "Off the Edge of Chaos the exponential rate is the one mean-field theory gives.",
          "local rate −d log(spread)/dL over the last window read above the float64 floor, over the theoretical "
          "rate. The theoretical rate is −log χ_1 ordered with smooth φ, −½ log χ_1 ordered ReLU, and log(χ_1/χ_c*) "
          "chaotic. The statistic is the ratio farthest from 1 over the three off-critical points. The curves are "
          "deterministic: the range is over windows shifted down by up to half a window, not a 95% interval.",
          Between(0.8, 1.1), why="a prefactor L^k in the decay moves the local rate by k/L, about 0.05 of γ per unit "
          "of k at the windows read here", decide="a longer range of depths above the floor", interval=WINDOWS),
    Claim("eoc-critical-polynomial", f"{HDR}, Prop. 2 (Edge of Chaos)",
          "On the Edge of Chaos the normalized NTK approaches its limit only polynomially in depth.",
          f"{GROWTH_STAT} The statistic is the largest over the exact recursion's curves |K^L/α_L − K_∞| (ReLU, ELU, "
          "tanh). Their depths run to exact_max_depth, ReLU's ten times deeper.", Separated(*GROWTH_RULE, "below"), why=GROWTH_WHY,
          decide="deeper exact recursions", interval=WINDOWS),
]


def measure_decay(arrays, cfg):
    """The decay claims, each one's growth (or rate ratio) with its range over windows."""
    return {
        "eoc-ordered-exponential": Measurement(*phase_growth(arrays, "ordered")),
        "eoc-chaotic-exponential": Measurement(*phase_growth(arrays, "chaotic")),
        "eoc-rate-theory": Measurement(*rate_ratio_windows(arrays)),
        "eoc-critical-polynomial": Measurement(*phase_growth(arrays, "edge")),
    }


# WORDS


def growth_numbers(arrays, measured):
    """The decay section's numbers: the floors and the reading rule, where each curve reaches its floor, the exact Edge
    curves not read (their largest pair changes inside the windows, from the Edge claim in ``measured``), and each
    off-critical point's fitted over theoretical rate with its range over windows."""
    switches = measured["eoc-critical-polynomial"].detail.get("switches", {})
    return {
        "eoc-floor64": f"{floor_of('erf'):.0e}", "eoc-floor-relu": f"{floor_of('relu'):.1e}",
        "eoc-read-above": f"{READ_ABOVE:.0e}",
        "eoc-growth-power": f"{GROWTH_RULE[0]:g}", "eoc-growth-exp": f"{GROWTH_RULE[1]:g}",
        "eoc-at-floor": floor_table(arrays),
        "eoc-switches": markdown_table(["curve", "depth", "cosine before", "cosine after"],
                                       [[k, f"{d:,.0f}", f"{a:.2f}", f"{b:.2f}"] for k, (d, a, b) in switches.items()]
                                       or [["none", "—", "—", "—"]]),
        **{f"eoc-ratio-{k.replace(' ', '-')}": f"{r[0]:.2f} [{r.min():.2f}, {r.max():.2f}]"
           for k, r in rate_ratios(arrays).items()},
    }


GROWTH_READING = {"power": "a power law", "exp": "an exponential", None: "neither form"}


def growth_reading(ci):
    """What a slope-growth range reads as: ``"power"`` (all of it at most 3), ``"exp"`` (all at least 5), else None."""
    lo, hi = ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "power" if hi <= GROWTH_RULE[0] else "exp" if lo >= GROWTH_RULE[1] else None


def floor_table(arrays):
    """For each curve that falls below :data:`READ_ABOVE` times its floor within its depths: the depth from which it
    is not read, its lowest value and where it ends (:func:`floor_state`), as a Markdown table."""
    rows = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        below = below_floor(y, floor)
        if len(below):
            end = np.nanmin(y)
            rows.append([label, int(depths[below[0]]), f"{end:.1e}", floor_state(end, floor)])
    return markdown_table(["curve", "not read from depth", "lowest value", "ends"], rows or [["none", "—", "—", "—"]])


def growth_rows(arrays):
    """Rows of the decay table, one per curve of :func:`decay_curves`: curve, floor, depths read, window factor, the
    log-log slopes over the two windows, the growth per decade with its range over windows, what it reads as, and
    whether the curve decides its phase's claim."""
    rows = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        v, (lo, hi), d = slope_growth(depths, y, floor)
        if "exact" in label and envelope_switch(arrays, act, d) is not None:
            rows.append([label, f"{floor:.0e}", "—", "—", "—", "—", "—", "not read: its largest pair changes inside "
                         "the windows", "yes, so the claim is inconclusive"])
            continue
        read = f"{d['depths'][0]:.0f}–{d['depths'][1]:.0f}" if d["depths"] else "none"
        window = f"{d['window']:.2g}" if d["window"] else "—"
        rows.append([label, f"{floor:.0e}", read, window, f"{d['slopes'][0]:.3g}", f"{d['slopes'][1]:.3g}",
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]", GROWTH_READING[growth_reading((lo, hi))],
                     "yes" if DECIDING[ph] == "all" or "exact" in label else "no"])
    return rows


# FIGURE


def fig_spread(arrays):
    """The spread of Θ̂^L against depth, log-linear (with the float64 floors: lines, and the values left unread
    above them: shaded) and log-log (to the decades of the Edge curves)."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for i, (act, ph) in enumerate(points()):
        style = "-" if act == "erf" else "--"
        axes[0, 0].semilogy(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph], label=f"{act}, {ph}")
        axes[0, 1].loglog(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph])
    axes[0, 0].set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", ylim=(1e-17, 1))
    shade_floor(axes[0, 0], "relu", r"float64 floor, ReLU ($\sqrt{\varepsilon}$)")
    shade_floor(axes[0, 0], "erf", r"float64 floor ($10\varepsilon$)", color="0.7")
    axes[0, 1].set(xlabel="depth L", ylim=(1e-3, 1))
    fig.legend(*legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig

r"""How the distance to the limit decays with depth off and on the Edge: float64 floors, the readable depths, the
growth of the local log-log slope over windows, the local exponential rate against mean-field theory's."""

import math

import numpy as np

from orthontk_lib import meanfield

from .experiment import RATE_FORMS, paper_points, points

# STATISTICS

EPS64 = float(np.finfo(np.float64).eps)
"""float64's resolution, 2.2e-16."""
EPS32 = float(np.finfo(np.float32).eps)
"""float32's resolution, 1.2e-7: the finite-width networks' kernels are float32, so a spread near it is rounding."""
READ_ABOVE = 1e3
"""A decaying curve is read only where it lies this many times above its floor (:func:`floor_of`): there the floor's
rounding moves its logarithm by at most 1e-3, and a slope over a window of depths by less than 1%."""
MIN_DEPTH = 2
"""The shallowest depth read by the window statistics (depth 1 is the input layer's kernel, before any decay)."""
WINDOW_SHIFTS = (0.0, 0.25, 0.5)
"""The windows' ends are shifted down by these fractions of a window (in log depth): the range of a statistic over
them replaces a sampling interval on these deterministic curves."""


def floor_of(activation):
    r"""The float64 floor of a normalized-kernel curve of ``activation``: where rounding, not depth, sets its value.

    Entries of order 1 are carried to a few times :math:`\varepsilon = 2.2 \cdot 10^{-16}` (taken as
    :math:`10\varepsilon`). ReLU's derivative kernel :math:`1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, so once
    the recursion carries :math:`1 - c` at :math:`\varepsilon` (the ordered phase, deep down) its kernel stops at
    :math:`\sqrt\varepsilon \approx 1.5 \cdot 10^{-8}`: the ordered ReLU distance to the limit stays there, while the
    spread, a difference of entries that now round alike, falls on through it to :math:`\varepsilon`, rounding too."""
    return math.sqrt(EPS64) if activation == "relu" else 10 * EPS64


def below_floor(values, floor):
    """Indices at which ``values`` lie below :data:`READ_ABOVE` times ``floor`` (NaN counts as below)."""
    return np.flatnonzero(~(np.asarray(values, float) >= READ_ABOVE * floor))


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
    is then not read."""
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


CHANCE = 0.1
"""Test accuracy of a constant guess on the ten digit classes (the chance line of the accuracy figures)."""
CHANCE_LABEL = "chance (10 classes)"


def floor_state(end, floor):
    """Where a curve that crossed below :data:`READ_ABOVE` times its floor ends: ``"still falling, read no further"``
    (more than ten times above the floor), ``"at its floor"`` (down to a thousandth of float64's ε: rounding of
    order-one numbers lands there), or ``"far below the floor"``: lower than any rounding of order-one numbers can
    reach, so the quantity goes to zero itself (the chaotic phase's off-diagonal correlations), carried by float64 to
    relative precision, and the cut at :data:`READ_ABOVE` times the floor is conservative, not needed."""
    if end > 10 * floor:
        return "still falling, read no further"
    if end >= np.finfo(np.float64).eps / 1000:
        return "at its floor"
    return "far below the floor: it goes to zero itself, which float64 carries to relative precision, so the cut is " \
           "conservative there"


def spread_floor_depths(arrays):
    """Per point of :func:`points`: the first depth at which its spread falls below :data:`READ_ABOVE` times its float64
    floor and ends there (:func:`floor_state` "at its floor": rounding, not depth, sets the kernel from then on), or
    None where it never does or goes to zero itself (the chaotic phase, which float64 carries)."""
    out = []
    for i, (act, _) in enumerate(points()):
        y, floor = np.asarray(arrays["spread"][i], float), floor_of(act)
        below = below_floor(y, floor)
        at = len(below) and floor_state(float(y[-1]), floor) == "at its floor"
        out.append(int(arrays["depths"][below[0]]) if at else None)
    return out


def other_accuracy_words(acc, phases, floored=None, labels=None, chance=CHANCE, margin=0.1):
    """How the off-Edge points' kernel-regression accuracies ``acc`` (per point, at the largest depth) stand against
    ``chance`` (ten classes): all within ``margin`` of it, or not all; a point off chance whose kernel sits at its
    float64 floor (``floored``: :func:`spread_floor_depths`, named by ``labels``) is named, its accuracy set by
    rounding, not by depth."""
    floored = floored or [None] * len(acc)
    off = [(a, f, lab) for a, ph, f, lab in zip(acc, phases, floored, labels or phases) if ph != "edge"]
    if all(a < chance + margin for a, _, _ in off):
        return "the others are at chance"
    rounding = [(a, f, lab) for a, f, lab in off if a >= chance + margin and f is not None]
    rest = [a for a, f, _ in off if a >= chance + margin and f is None]
    words = "the others have fallen toward chance, not all of them to it" if rest else \
        "the others are at chance but for a kernel on its float64 floor"
    if rounding:
        words += "; " + "; ".join(f"the {lab} kernel's {a:.2f} is not a depth effect: its spread has sat on float64's "
                                  f"floor since depth {f}, so rounding sets its entries' differences and the accuracy "
                                  "read from them" for a, f, lab in rounding)
    return words


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


OFF_EDGE_LIMIT = {"ordered": 1.0, "chaotic": 0.0}
"""The limit of every off-diagonal entry of the normalized NTK off the Edge: 1 in the ordered phase (the all-ones
matrix, singular), 0 in the chaotic one (the identity)."""


def distance_to_limit(arrays):
    r"""Per paper point: :math:`\max_{x \ne x'} |\hat\Theta^L(x, x') - K_\infty|` against depth (point, L), with
    the exact limits: :data:`meanfield.EDGE_LIMIT` on the Edge, :data:`OFF_EDGE_LIMIT` off it."""
    out = []
    for i, (act, phase) in enumerate(paper_points()):
        limit = meanfield.EDGE_LIMIT[act] if phase == "edge" else OFF_EDGE_LIMIT[phase]
        out.append(np.abs(arrays["rate_entries"][i] - limit).max(-1))
    return np.array(out)

r"""The finite-width networks against the analytic curve, and the paper's statistic at its points: the exact
recursion's slope of L (K^L/α_L - K∞) against ln L, its reading as a rate, and how deep its curves are checked."""

import pathlib

import numpy as np

from orthontk_lib import meanfield, stats

from .decay import EPS32
from .experiment import PHASES, RATE_FORMS, TRAIN_POINTS, edge_points


def empirical_deviation(arrays, depth_index=0, key="emp_spread"):
    """Relative distance of the finite-width networks' spread (seed mean; ``key`` "emp_spread" for orthogonal,
    "emp_spread_gaussian" for Gaussian) from the analytic one, per phase."""
    emp = arrays[key][:, depth_index].mean(-1)
    ana = arrays["emp_analytic"][:, depth_index]
    return np.abs(emp - ana) / ana


def deviation_ci(arrays, depth_index=0, key="emp_spread"):
    """:func:`empirical_deviation`'s largest value over phases, with a 95% bootstrap interval over seeds."""
    ana = arrays["emp_analytic"][:, depth_index][:, None]
    samples = arrays[key][:, depth_index]  # (phase, seed)
    return stats.bootstrap_ci(samples, lambda s: float((np.abs(s.mean(-1, keepdims=True) - ana) / ana).max()))


def tested_depth_words(arrays, checked=None):
    """How deep the quadrature activations' exact curves are checked against an independent rule: in CI to
    :data:`QUADRATURE_TESTED_DEPTH`, and deeper by the recorded check (``checked``: :func:`quadrature_checked_depth`'s
    triple, read from ``bench/results.json`` when None), against how deep the curves run."""
    depth, diff, date = quadrature_checked_depth() if checked is None else checked
    deepest = max(int(arrays[f"exact_depths_{a}"][-1]) for a in RATE_FORMS if a != "relu")
    ci = (f"the tests hold the ELU and tanh recursions to an independent quadrature rule down to "
          f"{QUADRATURE_TESTED_DEPTH:,} layers")
    if diff is not None:
        ci += (f", and a one-off check (bench/quadrature_depth.py, {date}) follows both rules to {depth:,} layers, "
               f"where L (K^L/α_L − K∞) differs by at most {diff:.1g}")
    if deepest <= depth:
        return f"{ci}: every depth of the curves (to {deepest:,}) is checked"
    return (f"{ci} (the red dotted line); the curves run to {deepest:,}, and beyond the checked depth rounding "
            "accumulated over many layers is not excluded as a cause of how they bend")


def depth_read_words(claim, shallow, deep, depths, per_phase=None):
    """The finite-width claim is read at the smallest measured depth; whether its verdict, by the same rule, would be
    the same at the deepest (``shallow``, ``deep``: ``(value, (lo, hi))`` of :func:`deviation_ci` there), and, with
    ``per_phase`` (:func:`deep_phase_words`), what each phase's distance there is made of."""
    v0, v1 = claim.verdict(*shallow[:2]), claim.verdict(*deep[:2])
    same = ("so the verdict does not depend on which of the two depths is read" if v0 == v1 else
            "so the verdict depends on the depth read: it is a statement about moderate depth only")
    parts = f" ({per_phase})" if per_phase else ""
    return (f"The claim is read at depth {int(depths[0])}, the smallest measured ({v0}); by the same rule at depth "
            f"{int(depths[-1])}, where the largest distance is {deep[0]:.2g} [{deep[1][0]:.2g}, {deep[1][1]:.2g}]"
            f"{parts}, it would read {v1}, {same}")


SETTLED = 10.0
"""A finite-width spread this many times its analytic value has stopped following the analytic curve down: it stays
where the width's own fluctuations put it while the infinite-width spread keeps falling."""


def by_depth_words(arrays, depths):
    """The largest relative distance over phases (orthogonal networks) at each measured depth, and from which depth each
    phase's spread has settled (:data:`SETTLED` times its analytic value or more, above float32's resolution)."""
    largest = ", ".join(f"{empirical_deviation(arrays, i).max():.2g} at depth {int(L)}" for i, L in enumerate(depths))
    settled, low = [], np.stack([empirical_at_floor(arrays, i) for i in range(len(depths))], 1)  # (phase, depth)
    for p, ph in enumerate(PHASES):
        emp, ana = arrays["emp_spread"][p].mean(-1), arrays["emp_analytic"][p]
        hits = [int(L) for i, L in enumerate(depths) if emp[i] >= SETTLED * ana[i] and not low[p, i]]
        if hits:
            settled.append(f"the {ph} phase's from depth {hits[0]}")
    return (f"The largest distance over the phases is {largest}. "
            + (f"A finite-width kernel fluctuates at a scale set by the width, whatever the depth; once the analytic "
               f"spread falls below it the network's spread stays there ({' and '.join(settled)}), and the relative "
               f"distance then measures that fluctuation against a vanishing value" if settled else
               "At every measured depth each phase's spread is within a factor "
               f"{SETTLED:g} of the analytic one or at float32's resolution"))


def deep_phase_words(arrays, depth_index=-1):
    """Per phase at ``depth_index``: the relative distance of the orthogonal networks' spread from the analytic one
    with its 95% bootstrap interval over seeds, and what it is made of where it is not a comparison of two signals:
    a spread at float32's resolution (:func:`empirical_at_floor`), or one that has settled at :data:`SETTLED` times
    the analytic value or more (the analytic curve has fallen below where the networks' kernels stay)."""
    low = empirical_at_floor(arrays, depth_index)
    words = []
    for i, ph in enumerate(PHASES):
        ana = float(arrays["emp_analytic"][i, depth_index])
        samples = arrays["emp_spread"][i, depth_index]
        v, (lo, hi) = stats.bootstrap_ci(samples, lambda x: float(abs(x.mean() - ana) / ana))
        emp = float(samples.mean())
        why = ("at float32's resolution" if low[i] else
               f"the networks' spread stays at {emp:.2g} while the analytic one falls to {ana:.2g}"
               if emp >= SETTLED * ana else f"spread {emp:.2g} against {ana:.2g} analytic")
        words.append(f"{ph} {v:.2g} [{lo:.2g}, {hi:.2g}]: {why}")
    return "; ".join(words)


def limit_slope(depths, ratios, limit, lo, hi):
    r"""The slope of :math:`L\,(K^L/\alpha_L - K_\infty)` against :math:`\ln L` over ``lo <= L <= hi``, one slope
    common to the pairs (each pair its own intercept), by least squares.

    :math:`K^L/\alpha_L - K_\infty = (a \ln L + b)/L + o(1/L)` makes the slope :math:`a`: zero for a :math:`1/L`
    rate (the slope then falls as the next order, :math:`1/L`), a constant for :math:`\log L / L`, and growing
    as :math:`L^{1 - p}` for a slower power :math:`L^{-p}`."""
    L = np.asarray(depths, float)
    keep = (L >= lo) & (L <= hi)
    y = (L[keep, None] * (np.asarray(ratios)[keep] - limit))  # (D, P)
    t = np.log(L[keep])[:, None] - np.log(L[keep]).mean()
    y = y - y.mean(0)
    return float((t * y).sum() / (t * t).sum() / y.shape[1])


def slope_ratio(depths, ratios, limit, shifts=(0.0, 0.25, 0.5)):
    r"""The slope of :func:`limit_slope` over the last decade of depths over that over the decade before: about 1
    for a :math:`\log L / L` rate, about 1/10 for :math:`1/L`, :math:`10^{1-p}` for :math:`L^{-p}`.

    The curve is deterministic (an exact recursion), so there is no sampling uncertainty; the interval is the range
    of the ratio over windows shifted down by ``shifts`` decades: how far the ratio has settled by these depths.

    Returns:
      ``(value, (lo, hi), (slope before, slope last))``, the value and slopes at shift 0; the range is NaN where
      the slope changes sign between the decades of any window (the curve has not reached its asymptotic form).
    """
    top = float(np.max(depths))
    values = []
    for shift in shifts:
        end = top / 10**shift
        before, last = (limit_slope(depths, ratios, limit, end / 10**k, end / 10 ** (k - 1)) for k in (2, 1))
        values.append((last / before if before else float("nan"), (before, last)))
    r = np.array([v for v, _ in values])
    if not np.all(r > 0):  # the slope changes sign between decades: not yet on its asymptotic line, nothing to read
        return float(r[0]), (float("nan"), float("nan")), values[0][1]
    return float(r[0]), (float(r.min()), float(r.max())), values[0][1]


def sqrt_term_fit(depths, ratios, limit, decades=1.0):
    r"""Whether :math:`L\,(K^L/\alpha_L - K_\infty)` carries a :math:`\sqrt L` term, pair by pair, over the last
    ``decades`` of depths: least squares of :math:`y = a \ln L + b` and of :math:`y = a \ln L + b + c \sqrt L`.

    A :math:`\log L / L` (or :math:`1/L`) approach leaves :math:`c` at the size of the next order's leftovers and the
    fit barely better; an :math:`L^{-1/2}` approach (the leading term :math:`c/\sqrt L`) makes :math:`c` the
    curve's own coefficient and the first form's residual orders of magnitude larger. Deterministic curves: the
    residuals are the forms' misfit, not noise.

    Returns:
      ``[(c, rms without the term, rms with it)]``, one per pair (column of ``ratios``).
    """
    L = np.asarray(depths, float)
    keep = L >= L.max() / 10**decades
    x = L[keep]
    base = np.stack([np.log(x), np.ones_like(x)], 1)
    out = []
    for y in (x[:, None] * (np.asarray(ratios)[keep] - limit)).T:
        rms = []
        for X in (base, np.concatenate([base, np.sqrt(x)[:, None]], 1)):
            coef = np.linalg.lstsq(X, y, rcond=None)[0]
            rms.append(float(np.sqrt(np.mean((y - X @ coef) ** 2))))
        out.append((float(coef[2]), rms[0], rms[1]))
    return out


SQRT_TERM = 10.0
"""A :math:`\sqrt L` term is read as the curve's leading behaviour where adding it divides the fit's residual by at
least this factor at every pair: then the approach is :math:`L^{-1/2}`, slower than :math:`\log L / L`. (Where the
curve has no such term, adding a fourth function to a three-parameter fit of a smooth curve divides the residual by a
small factor: about 3 for ReLU and tanh.)"""

SQRT_TERM_CAUSE = {
    "elu": "ELU's second derivative jumps at 0 (1 just below, 0 above), which gives the derivative kernel a "
           "(1 − c)^(3/2) term, as ReLU's jumping first derivative gives it √(1 − c); with 1 − c falling as 1/L on the "
           "Edge, that term, summed over the layers, leaves an L^(−1/2) correction. The paper states log L / L for ELU "
           "among the smooth activations; ELU is not twice differentiable at 0, and its exact recursion approaches "
           "the limit more slowly",
}
"""Where a :math:`\sqrt L` term comes from, for the activations the book has an account of."""


def sqrt_term_words(depths, ratios, limit, activation="the activation"):
    """:func:`sqrt_term_fit` in words: the coefficient and the residuals without and with the term, per pair, and what
    they say (an L^(−1/2) approach where adding the term divides every residual by :data:`SQRT_TERM` or more, with
    where such a term comes from)."""
    fits = sqrt_term_fit(depths, ratios, limit)
    per = ", ".join(f"c = {c:.2g}, residual {r0:.2g} → {r1:.2g}" for c, r0, r1 in fits)
    head = (f"a fit of L·(K/α − K∞) = a ln L + b + c√L over the last decade of depths ({per}, pair by pair)")
    if all(r0 >= SQRT_TERM * r1 for _, r0, r1 in fits):
        cause = SQRT_TERM_CAUSE.get(activation, "the book has no account of where the term comes from")
        return (head + " says the curve approaches its limit as c/√L, slower than log L / L, at every pair, the "
                f"largest-cosine one included. {cause[0].upper() + cause[1:]}")
    return head + " finds no √L term that the curve needs: the fit is not better by a factor " \
                  f"{SQRT_TERM:g} at every pair"


RATE_READING = {"1/L": "1/L", "log L / L": "log L / L", "slower": "slower than log L / L"}


def rate_reading(ratio_ci):
    """What a slope ratio's interval says: ``"1/L"`` (all of it at most 0.5), ``"log L / L"`` (all in [0.5, 2]),
    ``"slower"`` (all above 2), else None (it straddles)."""
    lo, hi = ratio_ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "1/L" if hi <= 0.5 else "log L / L" if 0.5 <= lo and hi <= 2 else "slower" if lo > 2 else None


def rate_rows(arrays, cfg):
    """Rows of the rate table: φ, (σ_W, σ_b), χ₁, K_∞, the deepest layer, the slopes of L·(K^L/α_L − K_∞) against
    ln L in the last two decades, their ratio with its range over windows, the rate it indicates, and the paper's."""
    rows = []
    for act, (w, b) in edge_points().items():
        v, (lo, hi), (before, last) = measure_exact_rate(arrays, act)
        k = list(edge_points()).index(act)
        rows.append([act, f"({w:.3f}, {b:.4f})", f"{arrays['exact_chi1'][k]:.6f}", f"{meanfield.EDGE_LIMIT[act]:.4f}",
                     f"{int(arrays[f'exact_depths_{act}'][-1]):,}", f"{before:.3g}", f"{last:.3g}",
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]" if np.isfinite([lo, hi]).all() else
                     f"{v:.3g} (no range: the slope changes sign in a shifted window)",
                     RATE_READING.get(rate_reading((lo, hi)), "not settled"),
                     RATE_FORMS[act]])
    return rows


def measure_exact_rate(arrays, activation):
    """:func:`slope_ratio` of the exact recursion's ratios at ``activation``'s Edge point."""
    return slope_ratio(arrays[f"exact_depths_{activation}"], arrays[f"exact_ratios_{activation}"],
                       meanfield.EDGE_LIMIT[activation])


def trainability_gap(arrays):
    """Test accuracy averaged over training (the area under the learning curve, step 0 left out) at the deepest
    trained depth: Edge of Chaos minus the better off-Edge initialization, with a 95% Welch interval over networks
    (unbounded with one network each). The average rewards training sooner as well as further, as the paper's
    curves do."""
    acc = arrays["train_accuracy"][-1, :, :, 1:].mean(-1)  # (phase, seed)
    phases = list(TRAIN_POINTS)
    edge = acc[phases.index("edge")]
    best = max((acc[i] for i, p in enumerate(phases) if p != "edge"), key=np.mean)
    return stats.welch_ci(edge, best)


def empirical_at_floor(arrays, depth_index=-1):
    """Per phase: whether the finite-width spread (seed mean, orthogonal or Gaussian) lies within a factor 10 of
    float32's resolution :data:`EPS32`, where rounding of the float32 kernel, not the network, sets it: (phases,)."""
    emp = np.stack([arrays[k][:, depth_index].mean(-1) for k in ("emp_spread", "emp_spread_gaussian")])
    return (emp < 10 * EPS32).any(0)


def compared_points(arrays, depth_index=-1):
    """The phases at ``depth_index`` where an orthogonal and a Gaussian spread can be compared as signals: neither at
    float32's resolution (:func:`empirical_at_floor`), and neither settled at :data:`SETTLED` times an analytic value
    that has fallen away (a fluctuation against a vanishing value): a list of phase indices."""
    low = empirical_at_floor(arrays, depth_index)
    ana = arrays["emp_analytic"][:, depth_index]
    settled = np.stack([arrays[k][:, depth_index].mean(-1) >= SETTLED * ana
                        for k in ("emp_spread", "emp_spread_gaussian")]).any(0)
    return [i for i in range(len(ana)) if not low[i] and not settled[i]]


QUADRATURE_TESTED_DEPTH = 1000
"""The depth to which the tests hold the exact recursion of the quadrature activations (ELU, tanh) to an independent
quadrature rule (``tests/test_meanfield.py``, in CI). Deeper, :func:`quadrature_checked_depth` reads the one-off
check of ``bench/quadrature_depth.py``. ReLU's recursion is a closed form, checked to 100,000 layers."""

QUADRATURE_CHECK = pathlib.Path(__file__).resolve().parents[3] / "bench" / "results.json"
"""Where ``bench/quadrature_depth.py`` records its check (key ``quadrature_depth``)."""

CHECK_TOLERANCE = 1e-3
r"""Largest difference of :math:`L\,(K^L/\alpha_L - K_\infty)` between the library's recursion and the independent
rule at which a depth counts as checked: a thousandth of the unit-sized values the rate statistic fits."""


def _check_record(path):
    """The recorded check: ``({depth: largest difference over ELU and tanh}, date)``, depths both recorded; None where
    there is no readable record."""
    import json

    try:
        entry = json.loads(pathlib.Path(path).read_text())["quadrature_depth"]
        diffs = [{int(k): float(v) for k, v in entry[a]["max_abs_diff_L_ratio"].items()} for a in ("elu", "tanh")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return {L: max(diffs[0][L], diffs[1][L]) for L in sorted(set(diffs[0]) & set(diffs[1]))}, entry.get("date")


def recorded_difference(depth=QUADRATURE_TESTED_DEPTH, path=QUADRATURE_CHECK):
    """The recorded check's largest difference of L (K^L/α_L - K∞) over ELU and tanh at ``depth``: words for the
    prose (``"9e-08 (measured by bench/quadrature_depth.py)"``), or a plain "not recorded"."""
    record = _check_record(path)
    if record is None or depth not in record[0]:
        return "not recorded at that depth"
    return f"{record[0][depth]:.0e} (measured by bench/quadrature_depth.py)"


def quadrature_checked_depth(path=QUADRATURE_CHECK):
    r"""``(depth, difference, date)``: the deepest layer at which the recorded check found both quadrature
    activations (ELU, tanh) within :data:`CHECK_TOLERANCE` of the independent rule, with every shallower recorded
    depth within it too, and the largest difference of :math:`L\,(K^L/\alpha_L - K_\infty)` up to there;
    ``(QUADRATURE_TESTED_DEPTH, None, None)`` where no check is recorded or it does not reach deeper."""
    record = _check_record(path)
    if record is None:
        return QUADRATURE_TESTED_DEPTH, None, None
    depth, worst = QUADRATURE_TESTED_DEPTH, None
    for L, d in record[0].items():
        if not d <= CHECK_TOLERANCE:
            break
        if L >= depth:
            depth, worst = L, max(d, worst or 0.0)
    return (depth, worst, record[1]) if worst is not None else (QUADRATURE_TESTED_DEPTH, None, None)

r"""The rate on the Edge of Chaos: :math:`K^L/\alpha_L` by the exact recursion in 1 − c to depth ``exact_max_depth``, the
slope of :math:`L\,(K^L/\alpha_L - K_\infty)` against ln L decade by decade and the rate it reads as, pair by pair
and with a √L term; the rate claims, their words and figure."""

import numpy as np

from orthontk_lib import meanfield, plots, results
from orthontk_lib.claims import AtMost, Between, Claim, Measurement

from .experiment import HDR, RATE_FORMS, SAVED_ON_DIGITS, SLUG, edge_points, kernel_inputs, markdown_table, paper_points
from .quadrature_check import quadrature_checked_depth, tested_depth_numbers

__all__ = ["EXACT_SWEEP", "RATE_CLAIMS", "RATE_READING", "SQRT_TERM", "_exact_rate_point", "exact_arrays",
           "exact_rate_numbers", "exact_rate_point", "fig_exact_rate", "limit_slope", "measure_exact_rate",
           "measure_rate_forms", "measure_rates", "pair_ratios", "rate_numbers", "rate_reading", "rate_rows",
           "reading_label", "robustness_label", "robustness_table", "slope_ratio", "sqrt_term_fit", "sqrt_term_label"]

# THE POINTS


def exact_rate_point(cfg, x, activation, W_std, b_std):
    r""":math:`K^L/\alpha_L` by the exact recursion (:func:`meanfield.edge_ntk_ratio`) at log-spaced depths up to
    ``exact_max_depth`` (ten times deeper for ReLU, whose closed form is cheap), for the pairs of ``x`` with the
    smallest, the median and the largest cosine. :math:`K^L/\alpha_L` is monotone in the input cosine at every
    depth (the tests check it), so the two extreme pairs bound every pair's distance to the limit.

    Returns:
      ``{"depths": (D,), "ratios": (D, 3), "rho": (3,), "pairs": (3,)}`` (``pairs``: the pairs' indices among
      :func:`rate_point`'s upper-triangle entries of the same ``x``).
    """
    n = np.linalg.norm(x, axis=1)
    iu = np.triu_indices(len(x), 1)
    cos = ((x @ x.T) / np.outer(n, n))[iu]
    order = np.argsort(cos, kind="stable")
    pairs = order[[0, len(cos) // 2, -1]]  # indices into the pairs of rate_point's entries
    top = cfg.exact_max_depth * (10 if activation == "relu" else 1)
    depths = np.unique(np.round(np.logspace(0, np.log10(top), 30 * int(round(np.log10(top))) + 1)).astype(int))
    ratios = meanfield.edge_ntk_ratio(activation, W_std, b_std, cos[pairs], depths)
    return {"depths": depths, "ratios": ratios, "rho": cos[pairs], "pairs": pairs}


def _exact_rate_point(cfg, it):
    return exact_rate_point(cfg, kernel_inputs(cfg), it["activation"], *edge_points()[it["activation"]])


EXACT_SWEEP = results.Sweep(
    SLUG, "exact-rates", knobs=("dataset", "exact_max_depth", "emp_inputs", "seed"), since=SAVED_ON_DIGITS,
    points=lambda cfg: [{"activation": a} for a in RATE_FORMS], run=_exact_rate_point,
    desc="exact NTK recursion on the Edge of Chaos")
"""The exact NTK recursion on the Edge of Chaos, one point per activation."""


def exact_arrays(cfg, direct):
    """The exact recursion's depths, ratios and cosines per Edge activation (``exact_{k}_{activation}``), its largest
    difference from the direct recursion at the depths both reach (``direct``: :func:`rate_arrays`), and χ₁."""
    ppts = paper_points()
    exact = EXACT_SWEEP.results(cfg)
    out, check = {}, 0.0
    for act, p in zip(RATE_FORMS, exact):
        out.update({f"exact_{k}_{act}": p.arrays[k] for k in ("depths", "ratios", "rho")})
        shallow = p.arrays["depths"] <= cfg.max_depth  # the direct recursion in c, at the same pairs and depths
        entries = direct["rate_entries"][list(ppts).index((act, "edge"))][p.arrays["depths"][shallow] - 1]
        check = max(check, float(np.abs(p.arrays["ratios"][shallow] - entries[:, p.arrays["pairs"]]).max()))
    out["exact_check"] = np.asarray(check)
    out["exact_chi1"] = np.array([meanfield.chi(a, *edge_points()[a]) for a in RATE_FORMS])
    return out


# STATISTICS


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


def sqrt_term_label(depths, ratios, limit):
    """:func:`sqrt_term_fit` in a few words: ``"a c/√L approach"`` where adding the term divides every pair's residual
    by :data:`SQRT_TERM` or more (the approach is then L^(−1/2), slower than log L / L), else ``"no √L term"``."""
    fits = sqrt_term_fit(depths, ratios, limit)
    return "a c/√L approach" if all(r0 >= SQRT_TERM * r1 for _, r0, r1 in fits) else "no √L term"


RATE_READING = {"1/L": "1/L", "log L / L": "log L / L", "slower": "slower than log L / L"}


def rate_reading(ratio_ci):
    """What a slope ratio's interval says: ``"1/L"`` (all of it at most 0.5), ``"log L / L"`` (all in [0.5, 2]),
    ``"slower"`` (all above 2), else None (it straddles)."""
    lo, hi = ratio_ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "1/L" if hi <= 0.5 else "log L / L" if 0.5 <= lo and hi <= 2 else "slower" if lo > 2 else None


def measure_exact_rate(arrays, activation):
    """:func:`slope_ratio` of the exact recursion's ratios at ``activation``'s Edge point."""
    return slope_ratio(arrays[f"exact_depths_{activation}"], arrays[f"exact_ratios_{activation}"],
                       meanfield.EDGE_LIMIT[activation])


# CLAIMS

RATE_CLAIMS = [
    *[Claim(f"eoc-rate-form-{act}", f"{HDR}, Thm. 2 (Edge of Chaos, {act})",
            f"On the Edge of Chaos, {act}'s normalized NTK nears its limit at rate {form}.",
            "exact float64 recursion in 1 − c: the slope of L·(K^L/α_L − K_∞) against ln L over the last decade of "
            "depths over that over the decade before. The curve is deterministic: the range is over windows shifted "
            "by up to half a decade, not a 95% interval.",
            AtMost(0.5) if form == "1/L" else Between(0.5, 2.0),
            why="a 1/L rate's slope falls about tenfold a decade, log L / L's stays (ratio 1), a slower power L^-p's "
                "grows by 10^(1-p); 0.5 and 2 lie between, a factor of 2 from 1",
            decide="deeper exact recursions (the ratio must settle)", robustness="eoc-robustness",
            interval="range over fit windows", caveat="one exact curve per activation")
      for act, form in RATE_FORMS.items()],
]


def measure_rates(arrays, cfg):
    """The slope ratio (value, range, detail) per Edge-of-Chaos activation (:func:`measure_exact_rate`); the detail
    holds the two slopes, the deepest layer and, where the ratio has no range, a ``"caveat"`` for the findings row."""
    out = {}
    for act in RATE_FORMS:
        v, ci, (before, last) = measure_exact_rate(arrays, act)
        out[act] = (v, ci, {"slope_before": before, "slope_last": last,
                            "max_depth": int(arrays[f"exact_depths_{act}"][-1]),
                            **({} if np.isfinite(ci[0]) else {"caveat": "not settled: the slope changes sign"})})
    return out


def measure_rate_forms(arrays, cfg):
    """The rate claims, each one's slope ratio with its range over windows (:func:`measure_rates`)."""
    return {f"eoc-rate-form-{act}": Measurement(*m) for act, m in measure_rates(arrays, cfg).items()}


# WORDS


def exact_rate_numbers(arrays, cfg, measured):
    """The rate section's numbers (:func:`rate_numbers`, from the rate claims in ``measured``) and how deep the
    quadrature curves are checked (:func:`tested_depth_numbers`)."""
    rates = {act: measured[f"eoc-rate-form-{act}"] for act in RATE_FORMS}
    return {**rate_numbers(arrays, cfg, rates), **tested_depth_numbers(arrays)}


def reading_label(ci):
    """The rate a slope ratio's range reads as (:data:`RATE_READING`), ``"not settled"`` where it has no range, else
    ``"between readings"``."""
    r = rate_reading(ci)
    return RATE_READING[r] if r else "not settled" if not np.isfinite(ci[0]) else "between readings"


def rate_numbers(arrays, cfg, rates):
    """The rate section's numbers: the points, the exact limits, the rate the exact recursion follows and each rate
    claim's verdict, and how robust each reading is (``rates``: ``{activation: (slope ratio, range, detail)}``, the
    rate claims' measurements, :func:`measure_rates`)."""
    claims = {c.id: c for c in RATE_CLAIMS}
    relu = arrays["exact_ratios_relu"]
    out = {
        "eoc-rate-points": markdown_table(["φ", "phase", "σ_W", "σ_b", "χ₁"], [
            [a, p, f"{w:.4f}", f"{b:.4f}{' (paper: 0.2)' if p == 'edge' and b > 0 else ''}", f"{c:.4f}"]
            for (a, p), (w, b), c in zip(paper_points(), arrays["rate_points"], arrays["rate_chi1"])]),
        "eoc-rate-pairs": int(arrays["rate_entries"].shape[-1]),
        "eoc-exact-depth": f"{int(cfg.exact_max_depth):,}",
        "eoc-exact-depth-relu": f"{int(arrays['exact_depths_relu'][-1]):,}",
        "eoc-relu-limit-gap": f"{np.abs(relu[-1] - meanfield.EDGE_LIMIT['relu']).max():.1e}",
        "eoc-exact-vs-direct": f"{float(arrays['exact_check']):.0e}",
        "eoc-sqrt-factor": f"{SQRT_TERM:g}",
        "eoc-rate-robust": robustness_table(arrays, rates),
    }
    for act, (v, ci, _) in rates.items():
        depths, ratios, limit = arrays[f"exact_depths_{act}"], arrays[f"exact_ratios_{act}"], meanfield.EDGE_LIMIT[act]
        out[f"eoc-rate-read-{act}"] = RATE_READING.get(rate_reading(ci), "not settled")
        verdict = out[f"eoc-rate-verdict-{act}"] = claims[f"eoc-rate-form-{act}"].verdict(v, ci)
        out[f"eoc-robust-{act}"] = robustness_label(act, ci, verdict, pair_ratios(depths, ratios, limit))
        out[f"eoc-sqrt-{act}"] = sqrt_term_label(depths, ratios, limit)
    return out


def pair_ratios(depths, ratios, limit):
    """:func:`slope_ratio` of each pair (column of ``ratios``) taken alone, over the same shifted windows."""
    return [slope_ratio(depths, ratios[:, [j]], limit) for j in range(ratios.shape[1])]


def robustness_label(activation, ci, verdict, alone):
    """Whether a rate reading survives reading each pair alone (``alone``: :func:`pair_ratios`; ``ci``: the pooled
    range, ``verdict`` its claim's), in a few words: the same reading everywhere; an inconclusive claim whose decided
    pairs read as, or against, the paper's rate; or a reading that changes with the pair or the window."""
    readings = [rate_reading(a[1]) for a in alone]
    if len(set(readings) | {rate_reading(ci)}) == 1:
        return "the same for each pair and window"
    decided = {r for r in readings if r}
    if verdict == "inconclusive" and decided:
        return f"split: decided pairs read {'as' if decided == {RATE_FORMS[activation]} else 'against'} the paper"
    return "different by pair or window"


def robustness_table(arrays, rates):
    """Per Edge activation: the pooled slope ratio with its range over windows and its reading, the recursion's depth;
    then each pair alone (its cosine, slope ratio at the last window and reading) with the √L fit's coefficient and
    its residuals without and with the term (:func:`sqrt_term_fit`); a Markdown table."""
    claims, rows = {c.id: c for c in RATE_CLAIMS}, []
    for act, (v, ci, _) in rates.items():
        depths, ratios, limit = arrays[f"exact_depths_{act}"], arrays[f"exact_ratios_{act}"], meanfield.EDGE_LIMIT[act]
        pooled = f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]" if np.isfinite(ci[0]) else f"{v:.2f} (no range)"
        rows.append([act, claims[f"eoc-rate-form-{act}"].verdict(v, ci), f"all, to depth {int(depths[-1]):,}", pooled,
                     reading_label(ci), "", ""])
        for a, c, (k, r0, r1) in zip(pair_ratios(depths, ratios, limit), arrays[f"exact_rho_{act}"],
                                     sqrt_term_fit(depths, ratios, limit)):
            rows.append(["", "", f"cos {c:.2f}", f"{a[0]:.2f}", reading_label(a[1]), f"{k:.2g}", f"{r0:.2g} → {r1:.2g}"])
    return markdown_table(["φ", "verdict", "pairs", "slope ratio", "reads as", "c of √L", "residual without → with √L"],
                          rows)


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


# FIGURE


def fig_exact_rate(arrays):
    r""":math:`L\,(K^L/\alpha_L - K_\infty)` against depth (log axis) by the exact recursion, one panel per Edge-of-
    Chaos activation, the three pairs (smallest, median, largest cosine) as dotted, dashed and solid lines; the last
    two decades shaded, where :func:`slope_ratio` reads the slopes; a red dotted line where the quadrature
    activations' curves run deeper than they are checked (:func:`quadrature_checked_depth`)."""
    checked = quadrature_checked_depth()[0]
    fig, axes = plots.figure(ncols=len(RATE_FORMS), width=2.5, height=2.4, squeeze=False)
    for ax, act in zip(axes[0], RATE_FORMS):
        L = arrays[f"exact_depths_{act}"].astype(float)
        y = L[:, None] * (arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act])
        for j, ls in enumerate((":", "--", "-")):
            ax.plot(L, y[:, j], ls, color="k", lw=1, label=f"cos = {arrays[f'exact_rho_{act}'][j]:.2f}")
        ax.axvspan(L[-1] / 100, L[-1] / 10, color="0.93", lw=0)
        ax.axvspan(L[-1] / 10, L[-1], color="0.86", lw=0)
        if act != "relu" and L[-1] > checked:
            ax.axvline(checked, color="C3", lw=0.8, ls=(0, (1, 1)),
                       label="tested to here" if act == list(RATE_FORMS)[1] else None)
        ax.set(xscale="log", xlabel="depth L", title=f"{act} (paper: {RATE_FORMS[act]})")
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel(r"$L\,(K^L/\alpha_L - K_\infty)$")
    axes[0, 0].legend(fontsize=6)
    tested = [h for h, lab in zip(*axes[0, 1].get_legend_handles_labels()) if lab == "tested to here"]
    if tested:
        axes[0, 1].legend(handles=tested, fontsize=6)
    return fig

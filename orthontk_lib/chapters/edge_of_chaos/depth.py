r"""The analytic depth sweep: the normalized NTK at every depth to ``max_depth`` at each point of :func:`points`, its
spread on the training images and what kernel regression with it still classifies. Its points and arrays, the
accuracies' numbers and the accuracy figure (the spread's decay is read in :mod:`.decay`)."""

import numpy as np

from orthontk_lib import kernels, meanfield, plots, results
from orthontk_lib.book.prose import IMAGES
from orthontk_lib.kernels import kernel_regression_accuracy, normalized, spread

from .experiment import CHANCE, CHANCE_LABEL, PHASE_COLOUR, SAVED_ON_DIGITS, SLUG, kernel_task, markdown_table, points
from .floors import below_floor, floor_of, floor_state

__all__ = ["ANALYTIC_SWEEP", "_analytic_point", "accuracy_table", "depth_arrays", "depth_numbers", "depth_point",
           "fig_accuracy", "other_accuracy_label", "spread_floor_depths"]

# THE POINTS


def depth_point(cfg, data, activation, W_std, b_std):
    """Per depth 1..max_depth: spread of Θ̂ on the train set, a pair's Θ̂, and the test accuracy; float64."""
    x = np.concatenate([data.x_train, data.x_test])
    n = cfg.n_train
    out = {"spread": [], "pair": [], "accuracy": []}
    for theta in kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, cfg.max_depth):
        out["spread"].append(spread(theta[:n, :n]))
        out["pair"].append(normalized(theta[:2, :2])[0, 1])
        out["accuracy"].append(kernel_regression_accuracy(theta, n, data.y_train, data.y_test))
    return {k: np.asarray(v) for k, v in out.items()}


def _analytic_point(cfg, it):
    return depth_point(cfg, kernel_task(cfg), it["activation"], *points()[it["activation"], it["phase"]])


ANALYTIC_SWEEP = results.Sweep(
    SLUG, "analytic", knobs=("dataset", "max_depth", "n_train", "n_test", "seed"), since=SAVED_ON_DIGITS,
    points=lambda cfg: [{"activation": a, "phase": p} for a, p in points()], run=_analytic_point,
    desc="analytic NTK by depth")
"""The analytic NTK by depth, one point per (activation, phase)."""


def depth_arrays(cfg):
    """The analytic depth sweep at every point of :func:`points`: spread, pair and accuracy (point, L); the points,
    their χ₁ (and χ at c* in the chaotic phase) and the depths."""
    pts = points()
    analytic = ANALYTIC_SWEEP.results(cfg)
    out = {f"{k}": np.stack([p.arrays[k] for p in analytic]) for k in ("spread", "pair", "accuracy")}  # (point, L)
    out["points"] = np.array([[*pts[k]] for k in pts])
    out["chi1"] = np.array([meanfield.chi(a, *pts[a, p]) for a, p in pts])
    out["chi_c"] = np.array([meanfield.chi_at_correlation(a, *pts[a, p], meanfield.c_star(a, *pts[a, p]))
                             if p == "chaotic" else np.nan for a, p in pts])
    out["depths"] = np.arange(1, cfg.max_depth + 1)
    return out


# STATISTICS AND WORDS


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


def other_accuracy_label(acc, phases, floored=None, chance=CHANCE, margin=0.1):
    """How the off-Edge points' kernel-regression accuracies ``acc`` (per point, at the largest depth) stand against
    ``chance`` (ten classes), in a few words: ``"at chance"`` (all within ``margin`` of it), ``"at chance but for
    floored kernels"`` (the others off it sit on their float64 floor, ``floored``: :func:`spread_floor_depths`, where
    rounding, not depth, sets the accuracy), or ``"toward chance, not all to it"``."""
    floored = floored or [None] * len(acc)
    off = [(a, f) for a, ph, f in zip(acc, phases, floored) if ph != "edge"]
    if all(a < chance + margin for a, _ in off):
        return "at chance"
    if all(f is not None for a, f in off if a >= chance + margin):
        return "at chance but for floored kernels"
    return "toward chance, not all to it"


def accuracy_table(arrays):
    """Per point of :func:`points`: kernel regression's test accuracy at the largest depth and the depth from which its
    spread sits on its float64 floor (:func:`spread_floor_depths`; "—" where it never does), as a Markdown table."""
    acc, floors = arrays["accuracy"][:, -1], spread_floor_depths(arrays)
    rows = [[f"{act} {ph}", f"{a:.2f}", "—" if f is None else f]
            for (act, ph), a, f in zip(points(), acc, floors)]
    return markdown_table(["kernel", f"accuracy at depth {int(arrays['depths'][-1])}", "spread on its floor from depth"],
                          rows)


def depth_numbers(arrays, cfg, measured):
    """The depth sweep's numbers: its points, and what kernel regression classifies at the largest depth."""
    pts = list(points())
    acc = arrays["accuracy"][:, -1]
    return {
        "eoc-max-depth": int(arrays["depths"][-1]),
        "eoc-points": markdown_table(["φ", "phase", "σ_W", "σ_b", "χ₁"], [
            [act, ph, f"{w:.3g}", f"{b:.3g}", f"{c:.3g}"]
            for (act, ph), (w, b), c in zip(pts, arrays["points"], arrays["chi1"])]),
        "eoc-acc-edge": ", ".join(f"{acc[i]:.2f} ({act})" for i, (act, ph) in enumerate(pts) if ph == "edge"),
        "eoc-acc-others": other_accuracy_label(acc, [ph for _, ph in pts], spread_floor_depths(arrays)),
        "eoc-acc-table": accuracy_table(arrays),
        "eoc-train-test": f"{cfg.n_train} training and {cfg.n_test} test {IMAGES[cfg.dataset]}",
    }


# FIGURE


def fig_accuracy(arrays):
    """Kernel-regression test accuracy against depth; faint from the depth at which a point's spread sits on its float64
    floor (:func:`spread_floor_depths`), where rounding sets the accuracy."""
    fig, ax = plots.figure()
    floors = spread_floor_depths(arrays) if "spread" in arrays else [None] * len(points())
    L = np.asarray(arrays["depths"])
    for i, (act, ph) in enumerate(points()):
        ls, colour, y = "-" if act == "erf" else "--", PHASE_COLOUR[ph], np.asarray(arrays["accuracy"][i])
        cut = len(L) if floors[i] is None else int(np.searchsorted(L, floors[i])) + 1
        ax.semilogx(L[:cut], y[:cut], ls, color=colour, label=f"{act}, {ph}")
        if cut < len(L):
            ax.semilogx(L[cut - 1:], y[cut - 1:], ls, color=colour, alpha=0.3, lw=0.8)
    ax.axhline(CHANCE, color="grey", lw=0.8, ls=":", label=CHANCE_LABEL)
    ax.set(xlabel="depth L", ylabel="test accuracy")
    ax.legend(fontsize=6)
    return fig

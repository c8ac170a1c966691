r"""The figures of the training curves, on the paper's axes where the paper drew them."""

import math

from orthontk_lib import plots

from .experiment import INITS, METRICS, SETTINGS
from .statistics import LOSSES, MARGIN, YLABELS

__all__ = ["GAP_AXIS_TOP", "_log_loss_axis", "fig_curves", "fig_gaps", "fig_gd", "fig_sgd"]

# FIGURES

def fig_curves(arrays, names):
    """One row per setting in ``names``, one column per curve: seed means with ±1 s.d. bands, both inits; losses on
    log axes."""
    fig, axes = plots.figure(ncols=len(METRICS), nrows=len(names), width=2.3, height=2.0, squeeze=False)
    for r, name in enumerate(names):
        steps = arrays[f"{name}_steps"]
        for c, metric in enumerate(METRICS):
            ax = axes[r, c]
            for i, init in enumerate(INITS):
                v = arrays[f"{name}_{metric}"][i]  # (seed, record)
                mean, sd = v.mean(0), v.std(0, ddof=1)
                ax.plot(steps, mean, color=plots.COLORS[init], lw=1.3, label=init)
                ax.fill_between(steps, mean - sd, mean + sd, color=plots.COLORS[init], alpha=0.2, lw=0)
            if metric in LOSSES:
                _log_loss_axis(ax)
            ax.set_title(f"{name}: {YLABELS[metric]}", fontsize=7)
            ax.tick_params(labelsize=7)
            if r == len(names) - 1:
                ax.set_xlabel("step", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def fig_gd(arrays):
    """The paper's full-batch GD figure: the two tanh settings."""
    return fig_curves(arrays, ["gd-shallow", "gd-deep"])


def fig_sgd(arrays):
    """The paper's NTK-regime SGD figure: SGD (tanh) and RMSProp (ReLU)."""
    return fig_curves(arrays, ["sgd-tanh", "rmsprop-relu"])


GAP_AXIS_TOP = 5.0
"""The gap figure's axis reaches at most this many margins δ; values beyond it are drawn at the top, with their
value written beside them, so one large gap does not squash the others around δ."""


def fig_gaps(measured):
    """Each setting's loss gap with its 95% interval against the margin δ, and the seed spread of a pair's log
    ratio (``measured``: the claims measured, :class:`~orthontk_lib.claims.Measured`); an interval above the axis is
    cut at its top (an arrow)."""
    m = [measured[f"curves-{name}"] for name in SETTINGS]
    finite = [v for value, ci, d in m for v in (value, ci[0], d["seed_spread"]) if v is not None and math.isfinite(v)]
    top = min(1.5 * max(finite + [MARGIN]), GAP_AXIS_TOP * MARGIN)  # δ's neighbourhood stays readable
    fig, ax = plots.figure(width=4.6, height=2.4)
    for i, (value, (lo, hi), detail) in enumerate(m):
        if not math.isfinite(value):
            continue
        ax.plot([i, i], [min(lo, top), min(hi, top)], color="black", lw=1.5, label=None if i else "gap, 95% interval")
        if hi > top:
            ax.plot(i, top, "^", color="black", ms=5)
        for x, y, style in ((i, value, dict(marker="o", color="black", ms=4)),
                            (i + 0.15, detail["seed_spread"], dict(marker="x", color="grey"))):
            ax.plot(x, min(y, top), ls="none", **style,
                    label=None if i or style["marker"] == "o" else "seed spread of a pair")
            if y > top:  # beyond the axis: drawn at its top, its value written beside it
                ax.annotate(f"{y:.2g}", (x, top), xytext=(4, -8), textcoords="offset points", fontsize=6)
    ax.axhline(MARGIN, color="grey", ls="--", lw=1, label=f"margin δ = {MARGIN:g}")
    ax.set_xticks(range(len(SETTINGS)), list(SETTINGS), fontsize=7)
    ax.set_ylabel("|mean log loss ratio|", fontsize=8)
    ax.set_ylim(0, top * 1.05)
    ax.legend(fontsize=7)
    return fig


def _log_loss_axis(ax):
    """A log y axis (the statistic compares log losses) with plain labels at 1, 2 and 5 per decade."""
    from matplotlib import ticker

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())

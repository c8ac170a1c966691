r"""The width family: the FCN grid's training at one depth (``family_depth``) and several widths, at the smaller half
of its learning rates scaled so that ηΘ is the same at every width. Its claim (the small-learning-rate speed-up is a
finite-width effect), its words, and the paper's learning-speed figure and the failure edges, which draw it beside
the depth family (the FCN grid) as the paper does."""

import numpy as np

from orthontk_lib import plots
from orthontk_lib.claims import AtMost, Claim, Measurement

from .experiment import INITS
from .fcn_grid import HDX
from .statistics import (
    evaluation_interval,
    failure_edges,
    mean_tau,
    measurement_text,
    test_tau,
    trained,
    width_shrinkage,
    width_speedups,
)
from .sweeps import view

__all__ = ["FAMILY_CLAIMS", "FAMILY_CMAPS", "family_numbers", "fig_failure_edge", "fig_learning_speed",
           "measure_family"]

# CLAIMS

FAMILY_CLAIMS = [
    Claim("speedup-small-lr-width", f"{HDX}, abstract ('a finite-width effect in the small learning rate regime')",
          "The small-learning-rate speed-up is a finite-width effect: it shrinks as width grows.",
          "shrinking towards 1: |log τ_gauss/τ_orth| at the largest width of the width family minus at the "
          "smallest. It is read over the smaller half of the learning rates, with η ∝ 1/n so that ηΘ is the same at "
          "every width, on runs that train. The interval is a 95% jackknife interval over seeds.",
          AtMost(0.0), why="shrinking means the difference is negative",
          decide="more seeds, or widths further apart (the paper profile: 400 to 1600 at depth 50)"),
]


def measure_family(arrays, cfg):
    """The width family's claim, its statistic with its 95% interval."""
    family = view(arrays, "family")
    return {"speedup-small-lr-width": Measurement(*width_shrinkage(family),
                                                  {"speedups": [s[0] for s in width_speedups(family)]})}


# WORDS


def family_numbers(arrays, cfg, measured):
    """The width family's numbers, interval and verdict (``measured``: the chapter's claims measured on ``arrays``)."""
    family = view(arrays, "family")
    speeds = width_speedups(family)
    return {
        "sp-family-depth": int(cfg.family_depth), "sp-family-widths": ", ".join(map(str, family["widths"])),
        "sp-family-speedups": ", ".join(f"{s[0]:.2f} (n={w})" for s, w in zip(speeds, family["widths"])),
        "sp-family-shrink": measurement_text(measured["speedup-small-lr-width"]),
        "sp-family-verdict": measured.verdict("speedup-small-lr-width"),
    }


# FIGURES

FAMILY_CMAPS = {"depths": "viridis", "widths": "autumn"}
"""Colour maps of the depth family and of the width family: a member of one never shares a colour with the other."""


def fig_learning_speed(arrays):
    """The paper's learning-speed figure: τ against η (log-log) for the depth family and the width family, on the
    training mini-batch and the test set, both inits; below, the fraction of seeds that failed at each η. The
    families have colour maps of their own; one legend gives the inits' line styles and each member's colour. The
    test-set panels shade the τ below one evaluation interval, which the evaluations cannot resolve. A family's
    ``lr_label`` (in ``arrays``) names its learning-rate axis where it is not the book's."""
    from matplotlib.lines import Line2D

    fams = (("depth family", view(arrays, "fcn"), "depths", "L"), ("width family", view(arrays, "family"), "widths", "n"))
    fig, axes = plots.figure(ncols=4, nrows=2, width=2.45, height=2.1, squeeze=False,
                             gridspec_kw={"height_ratios": [2.2, 1]})
    styles = {init: dict(ls="-" if init == "orthogonal" else "--", marker="so"[i == 0], ms=3) for i, init in enumerate(INITS)}
    handles = [Line2D([], [], color="k", label=init, **styles[init]) for init in INITS]
    col = 0
    for title, a, key, sym in fams:
        ok, members = trained(a), a[key]
        colours = [plots.sequential(m, len(members), FAMILY_CMAPS[key]) for m in range(len(members))]
        handles += [Line2D([], [], color=c, lw=3, label=f"{sym}={member}") for c, member in zip(colours, members)]
        for which, tau in (("mini-batch", np.asarray(a["tau"], float)), ("test set", test_tau(a))):
            ax, low = axes[0, col], axes[1, col]
            for m, colour in enumerate(colours):
                for i, init in enumerate(INITS):
                    ax.plot(a["lrs"], np.maximum(mean_tau(tau[m, i], ok[m, i]), 1), color=colour, **styles[init])
                    low.plot(a["lrs"], 1 - ok[m, i].mean(-1), color=colour, **styles[init])
            every = evaluation_interval(a)
            if which == "test set" and every > 1:  # τ counted in steps between evaluations
                ax.axhspan(1, every, color="0.88", zorder=0, lw=0)
                ax.axhline(every, color="0.45", ls=":", lw=0.8)
                ax.annotate("τ ≤ one evaluation interval: not resolved", (0.02, 0.02), xycoords="axes fraction",
                            fontsize=5.5, color="0.3")
            ax.set(xscale="log", yscale="log", title=f"{title}: τ ({which})")
            plots.plain_log_ticks(ax.yaxis)
            low.set(xscale="log", ylim=(-0.05, 1.05),
                    xlabel=a.get("lr_label") or ("learning rate η" if key == "depths" else "η · n / n₀ (ηΘ fixed)"))
            ax.title.set_fontsize(8)
            col += 1
    fig.legend(handles=handles, loc="outside lower center", fontsize=7, ncol=len(handles), frameon=False)
    axes[0, 0].set_ylabel("τ (steps to target)")
    axes[1, 0].set_ylabel("fraction failed")
    for a_ in axes.flat:
        a_.tick_params(labelsize=7)
    return fig


def fig_failure_edge(arrays):
    """The failure edge (largest η at which most seeds train) per init against depth (the depth family) and against
    width (the width family), with exact 95% intervals (sign tests over seeds); the grid's learning rates as faint lines
    (the edge's resolution); up-triangles: the edge is at or beyond the grid's top (a lower bound, drawn there even
    where every member's edge lies beyond the grid), down-triangles: under its bottom."""
    fams = (("depth family", view(arrays, "fcn"), "depths", "depth L"),
            ("width family", view(arrays, "family"), "widths", "width n"))
    fig, axes = plots.figure(ncols=2, width=3.1, height=2.4, squeeze=False)
    for ax, (title, a, key, xlabel) in zip(axes[0], fams):
        e, x = failure_edges(a), np.asarray(a[key], float)
        for lr in np.asarray(a["lrs"], float):
            ax.axhline(lr, color="0.9", lw=0.6, zorder=0)
        for i, init in enumerate(INITS):
            shift = x * (1.04 if i else 1 / 1.04)  # the two inits side by side on the log axis
            err = np.stack([e["edge"][:, i] - e["lo"][:, i], e["hi"][:, i] - e["edge"][:, i]])
            ax.errorbar(shift, e["edge"][:, i], yerr=err, color=plots.COLORS[init], marker="so"[i == 0], ms=4,
                        capsize=2, lw=1, ls="-" if init == "orthogonal" else "--", label=init)
            for mask, marker in ((e["beyond"][:, i], "^"), (e["below"][:, i], "v")):
                ax.plot(shift[mask], e["edge"][mask, i], ls="none", marker=marker, ms=7, mfc="none",
                        color=plots.COLORS[init])
        ax.set(xscale="log", yscale="log", xlabel=xlabel, title=f"{title}: failure edge", xticks=x)
        ax.set_xticklabels([f"{int(v)}" for v in x])
        ax.minorticks_off()
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel("largest η that trains")
    axes[0, 1].set_ylabel("largest η·n/n₀ that trains", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    return fig

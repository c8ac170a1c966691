r"""The width family: the FCN grid's training at one depth (``family_depth``) and several widths, at the smaller half
of its learning rates scaled so that ηΘ is the same at every width. Its claim (the small-learning-rate speed-up is a
finite-width effect), its words, and the paper's learning-speed figure and the failure edges, which draw it beside
the depth family (the FCN grid) as the paper does."""

import numpy as np

from orthontk_lib import plots
from orthontk_lib.claims import AtMost, Claim, Measurement

from .experiment import INITS
from .fcn_grid import HDX, edge_words
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

# CLAIMS

FAMILY_CLAIMS = [
    Claim("speedup-small-lr-width", f"{HDX}, abstract ('a finite-width effect in the small learning rate regime')",
          "At small learning rate the speed-up of orthogonal initialization is a finite-width effect: it shrinks "
          "towards 1 as the width grows.",
          "|log τ_gauss/τ_orth| at the largest width of the width family minus at the smallest (smaller half of "
          "the learning rates, η ∝ 1/n so that ηΘ is the same at every width; runs that train; 95% jackknife "
          "interval over seeds)",
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
    """The width family's numbers and phrases (``measured``: the chapter's claims measured on ``arrays``)."""
    family = view(arrays, "family")
    speeds = width_speedups(family)
    return {
        "sp-family-edge": edge_words(family, "n"),
        "sp-family-depth": int(cfg.family_depth), "sp-family-widths": ", ".join(map(str, family["widths"])),
        "sp-family-speedups": ", ".join(f"{s[0]:.2f} (n={w})" for s, w in zip(speeds, family["widths"])),
        "sp-family-shrink": measurement_text(measured["speedup-small-lr-width"]),
        "sp-family-words": measured.words(
            "speedup-small-lr-width", holds="the speed-up shrinks towards 1 as the width grows: a finite-width effect",
            fails="the speed-up does not shrink as the width grows",
            inconclusive="the interval does not decide whether it shrinks"),
    }


# FIGURES

FAMILY_CMAPS = {"depths": "viridis", "widths": "autumn"}
"""Colour maps of the depth family and of the width family: a member of one never shares a colour with the other."""


def fig_learning_speed(arrays):
    """The paper's learning-speed figure: τ against η (log-log) for the depth family and the width family, on the
    training mini-batch and the test set, both inits; below, the fraction of seeds that failed at each η. The
    families have colour maps of their own and a legend each; the test-set panels shade the τ below one evaluation
    interval, which the evaluations cannot resolve."""
    fams = (("depth family", view(arrays, "fcn"), "depths", "L"), ("width family", view(arrays, "family"), "widths", "n"))
    fig, axes = plots.figure(ncols=4, nrows=2, width=2.45, height=2.1, squeeze=False,
                             gridspec_kw={"height_ratios": [2.2, 1]})
    col = 0
    for (title, a, key, sym), where in zip(fams, ("outside lower left", "outside lower right")):
        ok, members = trained(a), a[key]
        for which, tau in (("mini-batch", np.asarray(a["tau"], float)), ("test set", test_tau(a))):
            ax, low = axes[0, col], axes[1, col]
            for m, member in enumerate(members):
                colour = plots.sequential(m, len(members), FAMILY_CMAPS[key])
                for i, init in enumerate(INITS):
                    style = dict(color=colour, ls="-" if init == "orthogonal" else "--", marker="so"[i == 0], ms=3)
                    ax.plot(a["lrs"], np.maximum(mean_tau(tau[m, i], ok[m, i]), 1), **style,
                            label=f"{init}, {sym}={member}")
                    low.plot(a["lrs"], 1 - ok[m, i].mean(-1), **style)
            if which == "test set":
                every = evaluation_interval(a)
                ax.axhspan(1, every, color="0.88", zorder=0, lw=0)
                ax.axhline(every, color="0.45", ls=":", lw=0.8)
                ax.annotate("τ ≤ one evaluation interval: not resolved", (0.02, 0.02), xycoords="axes fraction",
                            fontsize=5.5, color="0.3")
            ax.set(xscale="log", yscale="log", title=f"{title}: τ ({which})")
            plots.plain_log_ticks(ax.yaxis)
            low.set(xscale="log", ylim=(-0.05, 1.05), xlabel="learning rate η" if key == "depths" else "η · n / n₀ (ηΘ fixed)")
            ax.title.set_fontsize(8)
            col += 1
        handles, labels = axes[0, col - 2].get_legend_handles_labels()
        fig.legend(handles, labels, loc=where, fontsize=6, ncol=min(3, len(handles)), title=title,
                   title_fontsize=7)
    axes[0, 0].set_ylabel("τ (steps to target)")
    axes[1, 0].set_ylabel("fraction failed")
    for a_ in axes.flat:
        a_.tick_params(labelsize=7)
    return fig


def fig_failure_edge(arrays):
    """The failure edge (largest η at which most seeds train) per init against depth (the depth family) and against
    width (the width family), with exact 95% intervals (sign tests over seeds); the grid's learning rates as faint lines
    (the edge's resolution); up-triangles: the edge is at or beyond the grid's top, down-triangles: under its
    bottom."""
    fams = (("depth family", view(arrays, "fcn"), "depths", "depth L"),
            ("width family", view(arrays, "family"), "widths", "width n"))
    fig, axes = plots.figure(ncols=2, width=3.1, height=2.4, squeeze=False)
    for ax, (title, a, key, xlabel) in zip(axes[0], fams):
        e, x = failure_edges(a), np.asarray(a[key], float)
        if np.all(e["beyond"]):  # every edge lies beyond the grid's top: no edge was measured, say so
            ax.text(0.5, 0.5, f"every {key[:-1]} of both inits trains\nat the grid's largest η = "
                    f"{float(np.max(a['lrs'])):.2g}:\nthe edge lies beyond the grid", transform=ax.transAxes,
                    ha="center", va="center", fontsize=7)
            ax.set(xticks=[], yticks=[], xlabel=xlabel, title=f"{title}: failure edge")
            ax.title.set_fontsize(8)
            continue
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
    if axes[0, 1].get_yticks().size:
        axes[0, 1].set_ylabel("largest η·n/n₀ that trains", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    return fig

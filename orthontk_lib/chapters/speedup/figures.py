r"""The chapter's figures: the paper's learning-speed figure on its axes, the failure edges, the speed-up maps and
the CNN grid."""


import numpy as np

from orthontk_lib import plots

from .experiment import INITS
from .statistics import (
    censored_tau,
    censoring_marks,
    evaluation_interval,
    failure_edges,
    failure_rate,
    mean_tau,
    speedup_map,
    test_tau,
    trained,
)
from .sweeps import view

# FIGURES


def fig_curves(cfg, arrays):
    """Training accuracy of every seed at the deepest FCN, both inits, at up to three learning rates."""
    fcn = view(arrays, "fcn")
    d = len(fcn["depths"]) - 1
    usable = np.flatnonzero(failure_rate(fcn)[d].min(0) < 1)
    picks = usable[np.linspace(0, len(usable) - 1, min(3, len(usable))).round().astype(int)] if len(usable) else [0]
    fig, axes = plots.figure(ncols=len(picks), width=2.6, height=2.3, sharey=True, squeeze=False)
    for ax, l in zip(axes[0], picks):
        for i, init in enumerate(INITS):
            for s in range(fcn["train_accuracy"].shape[-2]):
                ax.plot(fcn["record_steps"], fcn["train_accuracy"][d, i, l, s], color=plots.COLORS[init], lw=1,
                        alpha=0.7, label=init if s == 0 else None)
        ax.axhline(cfg.target, color="k", ls=":", lw=1)
        ax.set(title=f"η = {fcn['lrs'][l]:.2g}", xlabel="SGD step")
    axes[0, 0].set_ylabel("training accuracy")
    axes[0, 0].legend(fontsize=7)
    return fig


def _tau_norm(tau, steps):
    from matplotlib import colors

    return colors.LogNorm(vmin=max(1, float(np.nanmin(tau))), vmax=float(steps))


def fig_grid(arrays):
    """Mean censored τ of both inits over (depth, lr), failures hatched, and the speed-up map with censored
    ratios marked."""
    from matplotlib import colors

    fcn = view(arrays, "fcn")
    tau, fail = censored_tau(fcn).mean(-1), failure_rate(fcn) >= 0.5  # not "most seeds train"
    norm = _tau_norm(tau, fcn["steps"])
    title = "speed-up τ_gauss/τ_orth"
    return plots.grid_heatmaps(
        {"τ Gaussian": (np.where(fail[:, 0], np.nan, tau[:, 0]), "viridis", norm),
         "τ orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", norm),
         title: (speedup_map(fcn), "RdBu_r", colors.LogNorm(vmin=1 / 8, vmax=8))},
        fcn["lrs"], fcn["depths"], xlabel="learning rate η", ylabel="depth L",
        marks={"τ Gaussian": fail[:, 0], "τ orthogonal": fail[:, 1]}, fmt="{:.3g}",
        prefixes={title: censoring_marks(fcn)})


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
    width (the width family), with 95% bootstrap intervals over seeds; the grid's learning rates as faint lines
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


def fig_cnn_grid(arrays):
    """The CNN grid: delta-orthogonal τ, and its speed-up over Gaussian and over delta-Gaussian kernels."""
    from matplotlib import colors

    cnn = view(arrays, "cnn")
    tau, fail = censored_tau(cnn).mean(-1), failure_rate(cnn) >= 0.5  # not "most seeds train"
    ratio = colors.LogNorm(vmin=1 / 8, vmax=8)
    over_g, over_dg = "speed-up over Gaussian", "speed-up over delta-Gaussian"
    return plots.grid_heatmaps(
        {"τ delta-orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", _tau_norm(tau, cnn["steps"])),
         over_g: (speedup_map(cnn, (0, 1)), "RdBu_r", ratio), over_dg: (speedup_map(cnn, (2, 1)), "RdBu_r", ratio)},
        cnn["lrs"], cnn["depths"], xlabel="learning rate η", ylabel="depth L (conv layers)",
        marks={"τ delta-orthogonal": fail[:, 1], over_g: fail[:, 0], over_dg: fail[:, 2]}, fmt="{:.3g}",
        prefixes={over_g: censoring_marks(cnn, (0, 1)), over_dg: censoring_marks(cnn, (2, 1))})
